package dev.neurodex.aggregate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.neurodex.corpus.Origin;
import dev.neurodex.model.Activations;
import dev.neurodex.tokenize.Window;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The single-pass aggregation against a brute-force computation of the same definitions. */
class LayerAggregateTest {
    private static final int NEURONS = 37;
    private static final int K = 5;
    /** More than any test window is long: top entries keep their whole window. */
    private static final int KEEP = 100;

    /** A batch of random windows with random activations (quantised, so that ties really occur). */
    private record Batch(List<Window> windows, Activations acts) {}

    private static List<Batch> randomBatches(Random random, int batches, long firstOrder) {
        List<Batch> out = new ArrayList<>();
        long order = firstOrder;
        for (int i = 0; i < batches; i++) {
            int size = 1 + random.nextInt(6);
            int seq = 2 + random.nextInt(12);
            List<Window> windows = new ArrayList<>();
            for (int b = 0; b < size; b++) {
                int len = 1 + random.nextInt(seq - 1);
                windows.add(new Window(new Origin("f", (int) order, null), order + 1, 0, order++, new int[len]));
            }
            float[] values = new float[size * (seq + 1) * NEURONS];
            for (int v = 0; v < values.length; v++) {
                values[v] = Math.round(random.nextGaussian() * 8) / 4f;
            }
            out.add(new Batch(windows, new Activations(0, size, seq + 1, 1, NEURONS, values)));
        }
        return out;
    }

    private static LayerAggregate aggregate(List<Batch> batches) {
        LayerAggregate agg = new LayerAggregate(0, NEURONS, K, KEEP);
        for (Batch b : batches) {
            agg.add(b.acts(), b.windows());
        }
        return agg;
    }

    @Test
    void topKAndStatsMatchBruteForce() {
        List<Batch> batches = randomBatches(new Random(42), 60, 0);
        LayerAggregate agg = aggregate(batches);
        for (int n = 0; n < NEURONS; n++) {
            float max = Float.NEGATIVE_INFINITY;
            float min = Float.POSITIVE_INFINITY;
            double sum = 0;
            long positive = 0;
            long tokens = 0;
            record Scored(float score, long order, float[] values) {}
            List<Scored> all = new ArrayList<>();
            for (Batch batch : batches) {
                for (int b = 0; b < batch.windows().size(); b++) {
                    Window w = batch.windows().get(b);
                    float[] values = new float[w.length()];
                    float score = Float.NEGATIVE_INFINITY;
                    for (int pos = 0; pos < w.length(); pos++) {
                        float v = batch.acts().value(b, pos, n);
                        values[pos] = v;
                        score = Math.max(score, v);
                        max = Math.max(max, v);
                        min = Math.min(min, v);
                        sum += v;
                        positive += v > 0 ? 1 : 0;
                        tokens++;
                    }
                    all.add(new Scored(score, w.order(), values));
                }
            }
            all.sort(Comparator.comparingDouble((Scored s) -> -s.score()).thenComparingLong(Scored::order));
            List<TopEntry> top = agg.top(n);
            assertEquals(K, top.size());
            for (int i = 0; i < K; i++) {
                assertEquals(all.get(i).score(), top.get(i).score(), "neuron " + n + " rank " + i);
                assertEquals(all.get(i).order(), top.get(i).window().order(), "neuron " + n + " rank " + i + " (tie order)");
                assertArrayEquals(all.get(i).values(), top.get(i).values());
            }
            NeuronStats stats = agg.stats(n);
            assertEquals(max, stats.max());
            assertEquals(min, stats.min());
            assertEquals(sum / tokens, stats.mean(), 1e-6);
            assertEquals((double) positive / tokens, stats.density());
            assertEquals(tokens, stats.tokens());
        }
    }

    @Test
    void nonFiniteActivationsAreCountedAndLeftOut() {
        List<Batch> batches = randomBatches(new Random(7), 40, 0);
        Random poison = new Random(8);
        float[] bad = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        for (Batch batch : batches) {
            float[] v = batch.acts().values();
            for (int i = 0; i < v.length; i++) {
                int n = i % NEURONS;
                if (n == 0 || (n == 1 && poison.nextInt(5) == 0)) { // neuron 0 is all NaN, neuron 1 a fifth
                    v[i] = n == 0 ? Float.NaN : bad[poison.nextInt(3)];
                }
            }
        }
        LayerAggregate agg = aggregate(batches);
        for (int n = 0; n < 3; n++) {
            float max = Float.NEGATIVE_INFINITY;
            double sum = 0;
            long finite = 0;
            long nonFinite = 0;
            List<Float> scores = new ArrayList<>();
            for (Batch batch : batches) {
                for (int b = 0; b < batch.windows().size(); b++) {
                    float score = Float.NEGATIVE_INFINITY;
                    for (int pos = 0; pos < batch.windows().get(b).length(); pos++) {
                        float v = batch.acts().value(b, pos, n);
                        if (!Float.isFinite(v)) {
                            nonFinite++;
                            continue;
                        }
                        score = Math.max(score, v);
                        max = Math.max(max, v);
                        sum += v;
                        finite++;
                    }
                    if (score > Float.NEGATIVE_INFINITY) {
                        scores.add(score);
                    }
                }
            }
            scores.sort(Comparator.reverseOrder());
            NeuronStats stats = agg.stats(n);
            assertEquals(nonFinite, stats.nonFinite(), "neuron " + n);
            assertEquals(finite, java.util.Arrays.stream(agg.histogram(n)).sum(), "the histogram holds finite values only");
            List<TopEntry> top = agg.top(n);
            assertEquals(Math.min(K, scores.size()), top.size());
            for (int i = 0; i < top.size(); i++) {
                assertEquals(scores.get(i), top.get(i).score());
                for (float v : top.get(i).values()) {
                    assertTrue(Float.isFinite(v), "kept values are finite");
                }
            }
            if (finite == 0) {
                assertEquals(0f, stats.max());
                assertEquals(0.0, stats.mean());
            } else {
                assertEquals(max, stats.max());
                assertEquals(sum / finite, stats.mean(), 1e-6);
            }
        }
        assertEquals(0, agg.stats(2).nonFinite());
        assertTrue(agg.stats(0).nonFinite() > 0 && agg.stats(1).nonFinite() > 0);
    }

    @Test
    void mergingTwoPartialStatesEqualsOneRun() {
        List<Batch> batches = randomBatches(new Random(3), 50, 0);
        LayerAggregate whole = aggregate(batches);
        LayerAggregate first = aggregate(batches.subList(0, 20));
        LayerAggregate second = aggregate(batches.subList(20, 50));
        first.merge(second);
        assertEquals(whole.tokens(), first.tokens());
        for (int n = 0; n < NEURONS; n++) {
            NeuronStats a = whole.stats(n);
            NeuronStats b = first.stats(n);
            assertEquals(a.max(), b.max());
            assertEquals(a.min(), b.min());
            assertEquals(a.density(), b.density());
            assertEquals(a.mean(), b.mean(), 1e-9);
            List<TopEntry> x = whole.top(n);
            List<TopEntry> y = first.top(n);
            assertEquals(x.size(), y.size());
            for (int i = 0; i < x.size(); i++) {
                assertSame(x.get(i).window(), y.get(i).window(), "neuron " + n + " rank " + i);
                assertEquals(x.get(i).score(), y.get(i).score());
            }
        }
    }

    @Test
    void histogramBottomAndIntervalsMatchBruteForce() {
        List<Batch> batches = randomBatches(new Random(11), 40, 0);
        LayerAggregate agg = aggregate(batches);
        for (int n = 0; n < NEURONS; n++) {
            long[] bins = new long[ActivationBins.COUNT];
            record Scored(float max, float min, long order) {}
            List<Scored> windows = new ArrayList<>();
            for (Batch batch : batches) {
                for (int b = 0; b < batch.windows().size(); b++) {
                    Window w = batch.windows().get(b);
                    float max = Float.NEGATIVE_INFINITY;
                    float min = Float.POSITIVE_INFINITY;
                    for (int pos = 0; pos < w.length(); pos++) {
                        float v = batch.acts().value(b, pos, n);
                        bins[ActivationBins.of(v)]++;
                        max = Math.max(max, v);
                        min = Math.min(min, v);
                    }
                    windows.add(new Scored(max, min, w.order()));
                }
            }
            assertArrayEquals(bins, agg.histogram(n), "histogram of neuron " + n);
            windows.sort(Comparator.comparingDouble((Scored s) -> s.min()).thenComparingLong(Scored::order));
            List<TopEntry> bottom = agg.bottom(n);
            for (int i = 0; i < K; i++) {
                assertEquals(windows.get(i).min(), bottom.get(i).score(), "bottom rank " + i);
                assertEquals(windows.get(i).order(), bottom.get(i).window().order(), "bottom rank " + i);
            }
            long total = 0;
            for (ScoreInterval interval : agg.intervals(n)) {
                long inside = windows.stream().filter(s -> s.max() >= interval.low() && s.max() < interval.high()
                        || interval.low() == Double.NEGATIVE_INFINITY && s.max() < interval.high()).count();
                assertEquals(inside, interval.windows(), "windows in [" + interval.low() + ", " + interval.high() + ")");
                assertEquals(Math.min(inside, LayerAggregate.SAMPLES_PER_INTERVAL), interval.samples().size());
                for (TopEntry e : interval.samples()) {
                    assertTrue(e.score() < interval.high() && (e.score() >= interval.low()), "sample outside its interval");
                }
                total += interval.windows();
            }
            assertEquals(windows.size(), total);
        }
    }

    @Test
    void aRestoredStateContinuesExactlyAsTheOriginal() throws Exception {
        List<Batch> batches = randomBatches(new Random(12), 40, 0);
        ModelAggregate whole = new ModelAggregate(1, NEURONS, K, KEEP);
        batches.forEach(b -> whole.add(b.acts(), b.windows()));
        ModelAggregate first = new ModelAggregate(1, NEURONS, K, KEEP);
        batches.subList(0, 13).forEach(b -> first.add(b.acts(), b.windows()));
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        StateOutput out = new StateOutput(bytes);
        first.write(out);
        out.flush();
        ModelAggregate restored = ModelAggregate.read(new StateInput(new java.io.ByteArrayInputStream(bytes.toByteArray())));
        batches.subList(13, 40).forEach(b -> restored.add(b.acts(), b.windows()));
        LayerAggregate a = whole.layers().get(0);
        LayerAggregate b = restored.layers().get(0);
        assertEquals(a.tokens(), b.tokens());
        for (int n = 0; n < NEURONS; n++) {
            assertEquals(a.stats(n), b.stats(n));
            assertArrayEquals(a.histogram(n), b.histogram(n));
            assertEquals(describe(a.top(n)), describe(b.top(n)), "top of neuron " + n);
            assertEquals(describe(a.bottom(n)), describe(b.bottom(n)), "bottom of neuron " + n);
            assertEquals(a.intervals(n).size(), b.intervals(n).size());
            for (int i = 0; i < a.intervals(n).size(); i++) {
                assertEquals(a.intervals(n).get(i).windows(), b.intervals(n).get(i).windows());
                assertEquals(describe(a.intervals(n).get(i).samples()), describe(b.intervals(n).get(i).samples()));
            }
        }
    }

    /**
     * A TopK SAE's sparse pairs aggregate to exactly the state of the same activations as a dense array: statistics,
     * histograms (the zeros included), top, bottom, samples and probe counts, byte for byte, with ties, zeros
     * among the pairs, NaN and labelled windows.
     */
    @Test
    void sparsePairsAggregateExactlyAsTheirDenseArray() throws Exception {
        Random random = new Random(21);
        int units = 70; // more than one chunk of units would need: 3 chunks of 256 at 700
        int pairsPerPosition = 3;
        for (int width : new int[] {units, 700}) {
            LayerAggregate dense = new LayerAggregate(0, width, K, KEEP, 2);
            LayerAggregate sparse = new LayerAggregate(0, width, K, KEEP, 2);
            long order = 0;
            for (int batch = 0; batch < 60; batch++) {
                int size = 1 + random.nextInt(5);
                int seq = 2 + random.nextInt(14);
                List<Window> windows = new ArrayList<>();
                for (int b = 0; b < size; b++) {
                    int len = 1 + random.nextInt(seq - 1);
                    long[] labels = null;
                    if (random.nextInt(3) == 0) {
                        labels = new long[len];
                        for (int t = 0; t < len; t++) {
                            labels[t] = random.nextInt(4);
                        }
                    }
                    windows.add(new Window(new Origin("f", (int) order, null), order + 1, 0, order++, new int[len], labels));
                }
                int positions = size * (seq + 1);
                float[] values = new float[positions * width];
                float[] pairValues = new float[positions * pairsPerPosition];
                int[] pairIndices = new int[positions * pairsPerPosition];
                for (int p = 0; p < positions; p++) {
                    // k distinct units, mostly among the first few (so some fire often, some rarely, some never)
                    java.util.Set<Integer> chosen = new java.util.LinkedHashSet<>();
                    while (chosen.size() < pairsPerPosition) {
                        chosen.add(random.nextInt(4) == 0 ? random.nextInt(width) : random.nextInt(Math.min(width, 12)));
                    }
                    int i = 0;
                    for (int unit : chosen) {
                        float v = Math.max(0f, Math.round(random.nextGaussian() * 8) / 4f);
                        if (random.nextInt(400) == 0) {
                            v = Float.NaN;
                        }
                        pairValues[p * pairsPerPosition + i] = v;
                        pairIndices[p * pairsPerPosition + i] = unit;
                        values[p * width + unit] = v;
                        i++;
                    }
                }
                dense.add(new Activations(0, size, seq + 1, 1, width, values), windows);
                sparse.add(new Activations(0, size, seq + 1, 1, width, pairValues, pairIndices, pairsPerPosition), windows);
            }
            assertArrayEquals(state(dense), state(sparse), width + " units");
            long broken = java.util.stream.IntStream.range(0, width).mapToLong(n -> dense.stats(n).nonFinite()).sum();
            assertTrue(dense.stats(0).max() > 0 && broken > 0, "the data has firing units and NaN: the test can fail");
        }
    }

    private static byte[] state(LayerAggregate agg) throws java.io.IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        StateOutput out = new StateOutput(bytes);
        agg.write(out);
        out.flush();
        return bytes.toByteArray();
    }

    /** Everything an entry holds, as text: score, window (where and which) and values. */
    private static List<String> describe(List<TopEntry> entries) {
        return entries.stream().map(e -> e.score() + " " + e.window() + " " + e.start() + " "
                + java.util.Arrays.toString(e.values())).toList();
    }

    @Test
    void mergedHistogramsAndSamplesEqualOneRun() {
        List<Batch> batches = randomBatches(new Random(8), 50, 0);
        LayerAggregate whole = aggregate(batches);
        LayerAggregate part = aggregate(batches.subList(0, 17));
        part.merge(aggregate(batches.subList(17, 50)));
        for (int n = 0; n < NEURONS; n++) {
            assertArrayEquals(whole.histogram(n), part.histogram(n));
            List<ScoreInterval> a = whole.intervals(n);
            List<ScoreInterval> b = part.intervals(n);
            assertEquals(a.size(), b.size());
            for (int i = 0; i < a.size(); i++) {
                assertEquals(a.get(i).windows(), b.get(i).windows());
                assertEquals(a.get(i).samples().stream().map(e -> e.window().order()).sorted().toList(),
                        b.get(i).samples().stream().map(e -> e.window().order()).sorted().toList());
            }
            assertEquals(whole.bottom(n).stream().map(e -> e.window().order()).toList(),
                    part.bottom(n).stream().map(e -> e.window().order()).toList());
        }
    }

    @Test
    void activationBinsContainTheirValues() {
        Random random = new Random(1);
        for (int i = 0; i < 100_000; i++) {
            float v = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(6) - 3));
            int b = ActivationBins.of(v);
            assertTrue(ActivationBins.low(b) <= v && v < ActivationBins.high(b),
                    v + " not in bin " + b + " [" + ActivationBins.low(b) + ", " + ActivationBins.high(b) + ")");
        }
        for (int b = ActivationBins.ZERO + 1; b < ActivationBins.COUNT; b++) { // edges: [low, high)
            float low = (float) ActivationBins.low(b);
            assertEquals(b, ActivationBins.of(low), "lowest value of bin " + b);
            assertEquals(b - 1, ActivationBins.of(Math.nextDown(low)), "just below bin " + b);
            assertEquals(ActivationBins.COUNT - b, ActivationBins.of(-Math.nextDown(low)), "mirror of bin " + (b - 1));
        }
        assertEquals(ActivationBins.ZERO, ActivationBins.of(0f));
        assertEquals(ActivationBins.ZERO, ActivationBins.of(-0f));
        assertEquals(ActivationBins.ZERO, ActivationBins.of(1e-5f));
        assertEquals(ActivationBins.ZERO, ActivationBins.of(-1e-5f));
        assertEquals(ActivationBins.COUNT - 1, ActivationBins.of(1e6f), "beyond 2^14: the last bin");
        assertEquals(0, ActivationBins.of(-1e6f));
        assertEquals(ActivationBins.COUNT - 1, ActivationBins.of(Float.POSITIVE_INFINITY));
    }

    @Test
    void fewerWindowsThanKKeepsThemAll() {
        List<Batch> batches = randomBatches(new Random(5), 1, 0);
        LayerAggregate agg = aggregate(batches);
        int windows = batches.get(0).windows().size();
        assertEquals(Math.min(K, windows), agg.top(0).size());
    }

    /**
     * Bottom entries and samples keep only the context around their extreme token, cut from a long window:
     * {@link TopEntry#BEFORE} tokens before it and {@link TopEntry#AFTER} after, each neuron its own values.
     */
    @Test
    void keptContextIsTheNeuronsOwnValuesAroundTheExtremeToken() {
        int len = 100;
        Window w = new Window(new Origin("f", 1, null), 1, 0, 0, new int[len]);
        float[] values = new float[(len + 1) * NEURONS];
        for (int pos = 0; pos < len; pos++) {
            for (int n = 0; n < NEURONS; n++) {
                values[(1 + pos) * NEURONS + n] = 1 + n * 1000 + pos; // positive and distinct per (neuron, position)
            }
        }
        int low = 45;
        int high = 80;
        for (int n = 0; n < NEURONS; n++) {
            values[(1 + low) * NEURONS + n] = -1 - n;
            values[(1 + high) * NEURONS + n] = 1e6f + n;
        }
        LayerAggregate agg = new LayerAggregate(0, NEURONS, K, KEEP);
        agg.add(new Activations(0, 1, len + 1, 1, NEURONS, values), List.of(w));
        int keep = 30;
        LayerAggregate short30 = new LayerAggregate(0, NEURONS, K, keep);
        short30.add(new Activations(0, 1, len + 1, 1, NEURONS, values), List.of(w));
        for (int n = 0; n < NEURONS; n++) {
            TopEntry bottom = agg.bottom(n).get(0);
            assertEquals(low - TopEntry.BEFORE, bottom.start(), "neuron " + n);
            assertEquals(TopEntry.BEFORE + 1 + TopEntry.AFTER, bottom.values().length);
            assertEquals(-1 - n, bottom.values()[TopEntry.BEFORE]);
            assertEquals(1 + n * 1000 + low - TopEntry.BEFORE, bottom.values()[0]);
            TopEntry sample = agg.intervals(n).get(0).samples().get(0);
            assertEquals(high - TopEntry.BEFORE, sample.start());
            assertEquals(1e6f + n, sample.values()[TopEntry.BEFORE]);
            assertEquals(1 + n * 1000 + high + TopEntry.AFTER, sample.values()[sample.values().length - 1]);
            assertEquals(len, agg.top(n).get(0).values().length, "a top entry keeps the whole window");
            // Keeping 30 positions: the max and the 30 / 4 = 7 after it, the rest before it.
            TopEntry top = short30.top(n).get(0);
            assertEquals(high + 7 + 1 - keep, top.start(), "neuron " + n);
            assertEquals(keep, top.values().length);
            assertEquals(1e6f + n, top.values()[high - top.start()]);
            assertEquals(1 + n * 1000 + top.start(), top.values()[0]);
            assertEquals(high - top.start(), top.maxIndex());
        }
    }
}
