package dev.neurodex.aggregate;

import dev.neurodex.model.Activations;
import dev.neurodex.tokenize.Window;
import dev.neurodex.tokenize.WindowRef;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Everything the site needs from one layer, gathered in a single pass: per neuron the running max, min,
 * sum and count of positive activations, a histogram of all activations, the top-k windows, the windows with
 * the most negative activations and uniform samples of windows per score interval. A kept window is a
 * {@link dev.neurodex.tokenize.WindowRef} and the neuron's values at a bounded run of positions around its
 * extreme token ({@code keep} for the top-k, {@link TopEntry#BEFORE} + 1 + {@link TopEntry#AFTER} for the
 * others), so memory is fixed by neurons × (k · keep + samples · 17) floats: it grows neither with the corpus
 * nor with the context. Two aggregates over disjoint parts of a corpus merge into exactly the aggregate of one
 * pass over both (given window orders from the same numbering).
 */
public final class LayerAggregate {
    private final int layer;
    private final int neurons;
    private final int keep;
    private final float[] max;
    private final float[] min;
    private final ExactSums sum;
    private final long[] positives;
    private final long[] nonFinite; // NaN and ±∞ activations, left out of everything else
    private final long[] histogram; // [neuron * ActivationBins.COUNT + bin]
    private final TopK top;
    private final TopK bottom; // scored by the negated window minimum
    private final IntervalSamples samples;
    private final ProbeCounts probes;
    private long tokens;

    /** Windows kept per (neuron, score interval); a page shows a few of them. */
    static final int SAMPLES_PER_INTERVAL = 5;
    /** The most negative windows kept per neuron. */
    public static final int BOTTOM = 5;

    /**
     * @param k    top windows kept per neuron
     * @param keep positions of each top window whose values are kept, around its max token
     */
    public LayerAggregate(int layer, int neurons, int k, int keep) {
        this(layer, neurons, k, keep, 0);
    }

    /** @param probes how many probes label tokens (their labelled activations are counted apart) */
    public LayerAggregate(int layer, int neurons, int k, int keep, int probes) {
        this(layer, neurons, keep, new float[neurons], new float[neurons], new ExactSums(neurons), new long[neurons],
                new long[neurons], new long[neurons * ActivationBins.COUNT], new TopK(neurons, k), new TopK(neurons, BOTTOM),
                new IntervalSamples(neurons, SAMPLES_PER_INTERVAL), new ProbeCounts(probes, neurons), 0);
        if (keep < 1) {
            throw new IllegalArgumentException("positions kept per top window must be at least 1, got " + keep);
        }
        Arrays.fill(max, Float.NEGATIVE_INFINITY);
        Arrays.fill(min, Float.POSITIVE_INFINITY);
    }

    private LayerAggregate(int layer, int neurons, int keep, float[] max, float[] min, ExactSums sum, long[] positives,
                           long[] nonFinite, long[] histogram, TopK top, TopK bottom, IntervalSamples samples,
                           ProbeCounts probes, long tokens) {
        this.layer = layer;
        this.neurons = neurons;
        this.keep = keep;
        this.max = max;
        this.min = min;
        this.sum = sum;
        this.positives = positives;
        this.nonFinite = nonFinite;
        this.histogram = histogram;
        this.top = top;
        this.bottom = bottom;
        this.samples = samples;
        this.probes = probes;
        this.tokens = tokens;
    }

    public void write(StateOutput out) throws java.io.IOException {
        out.writeInt(layer);
        out.writeInt(neurons);
        out.writeInt(keep);
        out.writeLong(tokens);
        out.writeFloats(max);
        out.writeFloats(min);
        sum.write(out);
        out.writeLongs(positives);
        out.writeLongs(nonFinite);
        out.writeLongs(histogram);
        top.write(out);
        bottom.write(out);
        samples.write(out);
        probes.write(out);
    }

    public static LayerAggregate read(StateInput in) throws java.io.IOException {
        int layer = in.readInt();
        int neurons = in.readInt();
        int keep = in.readInt();
        long tokens = in.readLong();
        float[] max = in.readFloats();
        float[] min = in.readFloats();
        ExactSums sum = ExactSums.read(in, neurons);
        long[] positives = in.readLongs();
        long[] nonFinite = in.readLongs();
        long[] histogram = in.readLongs();
        if (max.length != neurons || min.length != neurons || positives.length != neurons
                || nonFinite.length != neurons || histogram.length != (long) neurons * ActivationBins.COUNT) {
            throw new java.io.IOException("layer " + layer + ": arrays do not match " + neurons + " neurons");
        }
        return new LayerAggregate(layer, neurons, keep, max, min, sum, positives, nonFinite, histogram, TopK.read(in),
                TopK.read(in),
                IntervalSamples.read(in), ProbeCounts.read(in), tokens);
    }

    public int layer() {
        return layer;
    }

    public int neurons() {
        return neurons;
    }

    /** Neurons aggregated together: two 64-byte cache lines of a token's activations. */
    private static final int TILE = 32;

    /**
     * Adds this layer's activations for a batch of windows (in the batch's order). The batch is walked in tiles
     * of 32 neurons: a window's rows of the tile are first copied side by side into a small buffer, then each
     * neuron of the tile runs down the buffer with its running values in registers, as do the copies a kept
     * window needs. The copy pays for itself: rows of a layer lie dMlp floats apart (6 KB for 1,536), a stride
     * that maps a window's 126 rows onto two sets of the first-level cache, so walking them in place misses it
     * at every token, while the 16 KB buffer stays in it.
     */
    public void add(Activations acts, List<Window> windows) {
        if (acts.sparse()) {
            addSparse(acts, windows);
            return;
        }
        int longest = 0;
        for (Window window : windows) {
            tokens += window.length();
            longest = Math.max(longest, window.length());
        }
        int tileLength = longest * TILE;
        // Tiles hold disjoint neurons, so they are aggregated in parallel; each thread keeps its own buffer.
        IntStream.range(0, (neurons + TILE - 1) / TILE).parallel()
                .forEach(t -> addTile(acts, windows, t * TILE, buffer(tileLength)));
    }

    private static final ThreadLocal<float[]> BUFFERS = ThreadLocal.withInitial(() -> new float[0]);

    private static float[] buffer(int length) {
        float[] b = BUFFERS.get();
        if (b.length < length) {
            b = new float[length];
            BUFFERS.set(b);
        }
        return b;
    }

    private void addTile(Activations acts, List<Window> windows, int n0, float[] tile) {
        float[] a = acts.values();
        int stride = acts.dMlp();
        int width = Math.min(TILE, neurons - n0);
        for (int b = 0; b < windows.size(); b++) {
            Window window = windows.get(b);
            int length = window.length();
            int first = acts.index(b, 0, n0);
            for (int pos = 0; pos < length; pos++) {
                System.arraycopy(a, first + pos * stride, tile, pos * TILE, width);
            }
            for (int j = 0; j < width; j++) {
                int n = n0 + j;
                int row = n * ActivationBins.COUNT;
                float windowMax = Float.NEGATIVE_INFINITY;
                float windowMin = Float.POSITIVE_INFINITY;
                float windowSum = 0f;
                int windowPositives = 0;
                for (int i = j; i < length * TILE; i += TILE) {
                    float v = tile[i];
                    int bits = Float.floatToRawIntBits(v);
                    // Branch-free: signs and bins of activations are too mixed for branches to be predicted.
                    windowMax = Math.max(windowMax, v);
                    windowMin = Math.min(windowMin, v);
                    windowSum += v;
                    windowPositives += (-bits & ~bits) >>> 31; // 1 exactly when v > 0 (sign clear, not +0)
                    histogram[row + ActivationBins.of(v)]++;
                }
                if (!Float.isFinite(windowSum)) {
                    // Rare: a NaN or infinite activation (a broken checkpoint), or a sum past float's range.
                    float[] w = finiteOnly(tile, j, length, n, row);
                    windowMax = w[0];
                    windowMin = w[1];
                    windowSum = w[2];
                    windowPositives = (int) w[3];
                    if (windowMax == Float.NEGATIVE_INFINITY) {
                        continue; // no finite value: nothing to rank the window by
                    }
                }
                int wants = fold(n, window, windowMax, windowMin, windowSum, windowPositives);
                if (wants != 0) {
                    offer(n, window, windowMax, -windowMin, tile, j, TILE, wants);
                }
                if (window.labels() != null) {
                    countLabelled(window.labels(), a, first + j, stride, n);
                }
            }
        }
    }

    /** Units per task of a sparse batch: each task walks every window for its own range of units. */
    private static final int SPARSE_CHUNK = 256;
    private static final int ZERO_BIN = ActivationBins.of(0f);

    /**
     * Adds sparse activations (a TopK SAE's k pairs per position; every other unit exactly 0) with the very result
     * of {@link #add} on the dense array: a unit absent from a window is a run of zeros, counted in one step;
     * one present is walked through its pairs only. Per window and unit the same offers are made, so top-k, samples
     * and their ties come out as the dense path's. The work is pairs plus units per window, not units per token.
     */
    private void addSparse(Activations acts, List<Window> windows) {
        int longest = 0;
        long[][] byUnit = new long[windows.size()][];
        for (int b = 0; b < windows.size(); b++) {
            int length = windows.get(b).length();
            tokens += length;
            longest = Math.max(longest, length);
            // (unit, pair index) keys, sorted: each unit's pairs together, in position order.
            long[] keys = new long[length * acts.k()];
            int first = acts.pairs(b, 0);
            for (int i = 0; i < keys.length; i++) {
                keys[i] = (long) acts.indices()[first + i] << 32 | (first + i);
            }
            Arrays.sort(keys);
            byUnit[b] = keys;
        }
        int columnLength = longest;
        IntStream.range(0, (neurons + SPARSE_CHUNK - 1) / SPARSE_CHUNK).parallel().forEach(c -> {
            float[] column = buffer(columnLength);
            for (int b = 0; b < windows.size(); b++) {
                addSparseWindow(acts, windows.get(b), b, byUnit[b], c * SPARSE_CHUNK,
                        Math.min(neurons, (c + 1) * SPARSE_CHUNK), column);
            }
        });
    }

    private void addSparseWindow(Activations acts, Window window, int b, long[] keys, int from, int to, float[] column) {
        int length = window.length();
        int k = acts.k();
        int base = acts.pairs(b, 0);
        float[] v = acts.values();
        int at = lowerBound(keys, (long) from << 32);
        for (int n = from; n < to; n++) {
            int end = at;
            while (end < keys.length && (int) (keys[end] >>> 32) == n) {
                end++;
            }
            int row = n * ActivationBins.COUNT;
            int zeros = length - (end - at);
            float windowMax = zeros > 0 ? 0f : Float.NEGATIVE_INFINITY;
            float windowMin = zeros > 0 ? 0f : Float.POSITIVE_INFINITY;
            float windowSum = 0f;
            double exactSum = 0; // what the dense path sums in once a window's float sum is not finite
            boolean broken = false;
            int windowPositives = 0;
            histogram[row + ZERO_BIN] += zeros;
            for (int e = at; e < end; e++) {
                float value = v[(int) keys[e]];
                if (!Float.isFinite(value)) {
                    nonFinite[n]++;
                    broken = true;
                    continue;
                }
                windowMax = Math.max(windowMax, value);
                windowMin = Math.min(windowMin, value);
                windowSum += value;
                exactSum += value;
                windowPositives += value > 0 ? 1 : 0;
                histogram[row + ActivationBins.of(value)]++;
            }
            if (broken || !Float.isFinite(windowSum)) {
                windowSum = (float) exactSum;
            }
            if (windowMax == Float.NEGATIVE_INFINITY) {
                at = end;
                continue; // no finite value: nothing to rank the window by
            }
            int wants = fold(n, window, windowMax, windowMin, windowSum, windowPositives);
            if (wants != 0 || window.labels() != null) {
                Arrays.fill(column, 0, length, 0f);
                for (int e = at; e < end; e++) {
                    int pair = (int) keys[e];
                    column[(pair - base) / k] = v[pair];
                }
                if (window.labels() != null) {
                    countLabelled(window.labels(), column, 0, 1, n);
                }
                for (int pos = 0; pos < length; pos++) {
                    column[pos] = Float.isFinite(column[pos]) ? column[pos] : 0f; // as the dense path keeps runs
                }
                if (wants != 0) {
                    offer(n, window, windowMax, -windowMin, column, 0, 1, wants);
                }
            }
            at = end;
        }
    }

    /** The first index of sorted {@code keys} holding a key at least {@code key}. */
    private static int lowerBound(long[] keys, long key) {
        int lo = 0;
        int hi = keys.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (keys[mid] < key) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Adds neuron n's activations on the window's labelled tokens to each probe's counts (finite ones only). */
    private void countLabelled(long[] labels, float[] a, int first, int stride, int n) {
        for (int pos = 0; pos < labels.length; pos++) {
            long bits = labels[pos];
            if (bits == 0) {
                continue;
            }
            float v = a[first + pos * stride];
            if (!Float.isFinite(v)) {
                continue;
            }
            for (; bits != 0; bits &= bits - 1) {
                probes.add(Long.numberOfTrailingZeros(bits), n, v);
            }
        }
    }

    /**
     * Column j of the tile again, leaving out non-finite values: they are counted, taken back out of the histogram
     * and set to 0 in the tile, so kept runs of values stay finite. Returns max, min, sum and positives.
     */
    private float[] finiteOnly(float[] tile, int j, int length, int n, int row) {
        float windowMax = Float.NEGATIVE_INFINITY;
        float windowMin = Float.POSITIVE_INFINITY;
        double windowSum = 0;
        int windowPositives = 0;
        for (int i = j; i < length * TILE; i += TILE) {
            float v = tile[i];
            if (!Float.isFinite(v)) {
                histogram[row + ActivationBins.of(v)]--;
                nonFinite[n]++;
                tile[i] = 0f;
                continue;
            }
            windowMax = Math.max(windowMax, v);
            windowMin = Math.min(windowMin, v);
            windowSum += v;
            windowPositives += v > 0 ? 1 : 0;
        }
        return new float[] {windowMax, windowMin, (float) windowSum, windowPositives};
    }

    private static final int TO_TOP = 1;
    private static final int TO_BOTTOM = 2;
    private static final int TO_SAMPLES = 4;

    /**
     * Folds one window's statistics of neuron n into its running ones and says which of top, bottom and samples
     * want the window ({@link #TO_TOP} | ...; 0 for none). The cheap checks come first: after the first batches
     * almost no (window, neuron) passes one.
     */
    private int fold(int n, Window window, float windowMax, float windowMin, float windowSum, int windowPositives) {
        max[n] = Math.max(max[n], windowMax);
        min[n] = Math.min(min[n], windowMin);
        sum.add(n, windowSum);
        positives[n] += windowPositives;
        return (windowMax >= top.threshold(n) ? TO_TOP : 0) | (-windowMin >= bottom.threshold(n) ? TO_BOTTOM : 0)
                | (samples.tally(n, windowMax, window.order()) ? TO_SAMPLES : 0);
    }

    /**
     * Offers the window to neuron n's top, bottom and samples. Each copies the neuron's values (column j of
     * the tile, whose rows are {@code stride} apart) only if it keeps the window, and only around the extreme token.
     */
    private void offer(int n, Window window, float score, float negated, float[] tile, int j, int stride, int wants) {
        WindowRef ref = window.ref();
        int length = window.length();
        if ((wants & TO_TOP) != 0) {
            top.offer(n, score, ref.order(), () -> {
                // keep positions around the max, a quarter of them after it; shifted to fit inside the window
                int at = first(tile, j, stride, length, score);
                int to = Math.min(length, Math.max(at + keep / 4 + 1, keep));
                return entry(tile, j, stride, Math.max(0, to - keep), to, score, ref);
            });
        }
        if ((wants & TO_BOTTOM) != 0) {
            bottom.offer(n, negated, ref.order(), () -> {
                int at = first(tile, j, stride, length, -negated);
                return entry(tile, j, stride, Math.max(0, at - TopEntry.BEFORE), Math.min(length, at + TopEntry.AFTER + 1),
                        negated, ref);
            });
        }
        if ((wants & TO_SAMPLES) != 0) {
            samples.offer(n, score, ref.order(), () -> {
                int at = first(tile, j, stride, length, score);
                return entry(tile, j, stride, Math.max(0, at - TopEntry.BEFORE), Math.min(length, at + TopEntry.AFTER + 1),
                        score, ref);
            });
        }
    }

    /** The first window position at which column j of the tile holds {@code value}. */
    private static int first(float[] tile, int j, int stride, int length, float value) {
        for (int at = 0; at < length; at++) {
            if (tile[at * stride + j] == value) {
                return at;
            }
        }
        throw new IllegalStateException("value " + value + " not among the window's values");
    }

    /** An entry holding column j of the tile from window position {@code from} to {@code to}. */
    private static TopEntry entry(float[] tile, int j, int stride, int from, int to, float score, WindowRef ref) {
        float[] values = new float[to - from];
        for (int pos = from; pos < to; pos++) {
            values[pos - from] = tile[pos * stride + j];
        }
        return new TopEntry(score, ref, from, values);
    }

    /** Folds in an aggregate of the same layer over another part of the corpus. */
    public void merge(LayerAggregate other) {
        if (other.layer != layer || other.neurons != neurons || other.keep != keep) {
            throw new IllegalArgumentException("cannot merge layer " + other.layer + " into layer " + layer);
        }
        sum.merge(other.sum);
        for (int n = 0; n < neurons; n++) {
            max[n] = Math.max(max[n], other.max[n]);
            min[n] = Math.min(min[n], other.min[n]);
            positives[n] += other.positives[n];
            nonFinite[n] += other.nonFinite[n];
        }
        for (int i = 0; i < histogram.length; i++) {
            histogram[i] += other.histogram[i];
        }
        tokens += other.tokens;
        top.merge(other.top);
        bottom.merge(other.bottom);
        samples.merge(other.samples);
        probes.merge(other.probes);
    }

    public long tokens() {
        return tokens;
    }

    /** Over the neuron's finite activations; how many were NaN or infinite is counted apart. */
    public NeuronStats stats(int n) {
        long finite = tokens - nonFinite[n];
        if (finite == 0) {
            return new NeuronStats(0f, 0f, 0.0, 0.0, tokens, nonFinite[n]);
        }
        return new NeuronStats(max[n], min[n], sum.get(n) / finite, (double) positives[n] / finite, tokens, nonFinite[n]);
    }

    /** The top windows of neuron {@code n}, highest score first, ties to the earlier window. */
    public List<TopEntry> top(int n) {
        return top.sorted(n);
    }

    /** The windows holding neuron {@code n}'s most negative activations, most negative first. */
    public List<TopEntry> bottom(int n) {
        return bottom.sorted(n).stream().map(e -> new TopEntry(-e.score(), e.window(), e.start(), e.values())).toList();
    }

    /** Sampled windows per score interval of neuron {@code n}, highest interval first. */
    public List<ScoreInterval> intervals(int n) {
        return samples.intervals(n);
    }

    /** Every window some neuron of this layer keeps, once per entry: among its top-k, or also bottom and samples. */
    public void forEachWindow(boolean topOnly, java.util.function.Consumer<WindowRef> action) {
        for (int n = 0; n < neurons; n++) {
            top.sorted(n).forEach(e -> action.accept(e.window()));
            if (!topOnly) {
                bottom.sorted(n).forEach(e -> action.accept(e.window()));
                samples.intervals(n).forEach(i -> i.samples().forEach(e -> action.accept(e.window())));
            }
        }
    }

    /** Probe p as a detector of neuron n: figures from its labelled counts against all of the neuron's tokens. */
    public ProbeScore probeScore(int p, int n) {
        return ProbeScore.of(histogram(n), probes.histogram(p, n), sum.get(n), probes.sum(p, n));
    }

    /** Counts of neuron {@code n}'s activations per {@link ActivationBins} bin, over every content token. */
    public long[] histogram(int n) {
        return Arrays.copyOfRange(histogram, n * ActivationBins.COUNT, (n + 1) * ActivationBins.COUNT);
    }
}
