package dev.neurodex.aggregate;

import dev.neurodex.model.Activations;
import dev.neurodex.tokenize.Window;
import java.util.Arrays;
import java.util.List;

/**
 * Everything the site needs from one layer, gathered in a single pass: per neuron the running max, min,
 * sum and count of positive activations, a histogram of all activations, the top-k windows, the k windows with
 * the most negative activations and uniform samples of windows per score interval. Memory is fixed by
 * neurons × (k + samples) × window;
 * it does not grow with the corpus. Two aggregates over disjoint parts of a corpus merge into exactly the
 * aggregate of one pass over both (given window orders from the same numbering).
 */
public final class LayerAggregate {
    private final int layer;
    private final int neurons;
    private final float[] max;
    private final float[] min;
    private final double[] sum;
    private final long[] positives;
    // Bin-major ([bin * neurons + neuron]): a token's activations fall into a few bins, so its increments
    // stay within a few cache-resident rows instead of touching one distant row per neuron.
    private final long[] histogram;
    private final TopK top;
    private final TopK bottom; // scored by the negated window minimum
    private final IntervalSamples samples;
    private long tokens;

    /** Windows kept per (neuron, score interval); a page shows a few of them. */
    static final int SAMPLES_PER_INTERVAL = 5;

    public LayerAggregate(int layer, int neurons, int k) {
        this.layer = layer;
        this.neurons = neurons;
        this.max = new float[neurons];
        this.min = new float[neurons];
        this.sum = new double[neurons];
        this.positives = new long[neurons];
        this.histogram = new long[neurons * ActivationBins.COUNT];
        this.top = new TopK(neurons, k);
        this.bottom = new TopK(neurons, k);
        this.samples = new IntervalSamples(neurons, SAMPLES_PER_INTERVAL);
        Arrays.fill(max, Float.NEGATIVE_INFINITY);
        Arrays.fill(min, Float.POSITIVE_INFINITY);
    }

    public int layer() {
        return layer;
    }

    public int neurons() {
        return neurons;
    }

    /** Adds this layer's activations for a batch of windows (in the batch's order). */
    public void add(Activations acts, List<Window> windows) {
        float[] a = acts.layers()[layer];
        float[] windowMax = new float[neurons];
        float[] windowMin = new float[neurons];
        float[] windowSum = new float[neurons];
        int[] windowPositives = new int[neurons];
        for (int b = 0; b < windows.size(); b++) {
            Window window = windows.get(b);
            Arrays.fill(windowMax, Float.NEGATIVE_INFINITY);
            Arrays.fill(windowMin, Float.POSITIVE_INFINITY);
            Arrays.fill(windowSum, 0f);
            Arrays.fill(windowPositives, 0);
            for (int pos = 0; pos < window.length(); pos++) {
                int row = acts.rowStart(b, pos);
                // Branch-free so the JIT can vectorise the loop over neurons.
                for (int n = 0; n < neurons; n++) {
                    float v = a[row + n];
                    windowMax[n] = v > windowMax[n] ? v : windowMax[n];
                    windowMin[n] = v < windowMin[n] ? v : windowMin[n];
                    windowSum[n] += v;
                    windowPositives[n] += v > 0f ? 1 : 0;
                }
                for (int n = 0; n < neurons; n++) {
                    histogram[ActivationBins.of(a[row + n]) * neurons + n]++;
                }
            }
            tokens += window.length();
            final int batchIndex = b;
            for (int n = 0; n < neurons; n++) {
                max[n] = Math.max(max[n], windowMax[n]);
                min[n] = Math.min(min[n], windowMin[n]);
                sum[n] += windowSum[n];
                positives[n] += windowPositives[n];
                // The cheap checks come first: after the first batches almost no (window, neuron) passes one.
                float score = windowMax[n];
                float negated = -windowMin[n];
                boolean toTop = score >= top.threshold(n);
                boolean toBottom = negated >= bottom.threshold(n);
                boolean toSamples = samples.tally(n, score, window.order());
                if (toTop || toBottom || toSamples) {
                    offer(n, window, score, negated, values(acts, a, batchIndex, window, n), toTop, toBottom, toSamples);
                }
            }
        }
    }

    private void offer(int n, Window window, float score, float negated, float[] values,
                       boolean toTop, boolean toBottom, boolean toSamples) {
        if (toTop) {
            top.offer(n, score, window.order(), () -> new TopEntry(score, window, 0, values));
        }
        if (toBottom) {
            bottom.offer(n, negated, window.order(),
                    () -> TopEntry.context(negated, window, values, TopEntry.indexOf(values, -negated)));
        }
        if (toSamples) {
            samples.offer(n, score, window.order(),
                    () -> TopEntry.context(score, window, values, TopEntry.indexOf(values, score)));
        }
    }

    private static float[] values(Activations acts, float[] a, int b, Window window, int n) {
        float[] out = new float[window.length()];
        for (int pos = 0; pos < out.length; pos++) {
            out[pos] = a[acts.rowStart(b, pos) + n];
        }
        return out;
    }

    /** Folds in an aggregate of the same layer over another part of the corpus. */
    public void merge(LayerAggregate other) {
        if (other.layer != layer || other.neurons != neurons) {
            throw new IllegalArgumentException("cannot merge layer " + other.layer + " into layer " + layer);
        }
        for (int n = 0; n < neurons; n++) {
            max[n] = Math.max(max[n], other.max[n]);
            min[n] = Math.min(min[n], other.min[n]);
            sum[n] += other.sum[n];
            positives[n] += other.positives[n];
        }
        for (int i = 0; i < histogram.length; i++) {
            histogram[i] += other.histogram[i];
        }
        tokens += other.tokens;
        top.merge(other.top);
        bottom.merge(other.bottom);
        samples.merge(other.samples);
    }

    public long tokens() {
        return tokens;
    }

    public NeuronStats stats(int n) {
        if (tokens == 0) {
            return new NeuronStats(0f, 0f, 0.0, 0.0, 0);
        }
        return new NeuronStats(max[n], min[n], sum[n] / tokens, (double) positives[n] / tokens, tokens);
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

    /** Counts of neuron {@code n}'s activations per {@link ActivationBins} bin, over every content token. */
    public long[] histogram(int n) {
        long[] counts = new long[ActivationBins.COUNT];
        for (int b = 0; b < counts.length; b++) {
            counts[b] = histogram[b * neurons + n];
        }
        return counts;
    }
}
