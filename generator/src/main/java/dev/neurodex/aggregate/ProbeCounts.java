package dev.neurodex.aggregate;

import java.io.IOException;
import java.util.Arrays;

/**
 * For each probe and neuron, the histogram (on {@link ActivationBins}) and the sum of the neuron's activations on
 * the tokens that carry the probe's label. With the layer's histogram of all tokens, that is all a detector score
 * needs (AUROC, the best-F1 threshold, means on and off the label), and like it, it merges by addition: partial
 * scans, checkpoints and distributed scans keep working.
 */
final class ProbeCounts {
    private final int probes;
    private final int neurons;
    private final long[] histogram; // [(probe * neurons + neuron) * COUNT + bin]
    private final ExactSums sum; // [probe * neurons + neuron]

    ProbeCounts(int probes, int neurons) {
        this(probes, neurons, new long[Math.multiplyExact(probes * neurons, ActivationBins.COUNT)],
                new ExactSums(probes * neurons));
    }

    private ProbeCounts(int probes, int neurons, long[] histogram, ExactSums sum) {
        this.probes = probes;
        this.neurons = neurons;
        this.histogram = histogram;
        this.sum = sum;
    }

    void add(int probe, int neuron, float value) {
        int at = probe * neurons + neuron;
        histogram[at * ActivationBins.COUNT + ActivationBins.of(value)]++;
        sum.add(at, value);
    }

    long[] histogram(int probe, int neuron) {
        int at = (probe * neurons + neuron) * ActivationBins.COUNT;
        return Arrays.copyOfRange(histogram, at, at + ActivationBins.COUNT);
    }

    double sum(int probe, int neuron) {
        return sum.get(probe * neurons + neuron);
    }

    void merge(ProbeCounts other) {
        if (other.probes != probes || other.neurons != neurons) {
            throw new IllegalArgumentException("cannot merge probe counts of another shape");
        }
        for (int i = 0; i < histogram.length; i++) {
            histogram[i] += other.histogram[i];
        }
        sum.merge(other.sum);
    }

    void write(StateOutput out) throws IOException {
        out.writeInt(probes);
        out.writeInt(neurons);
        out.writeLongs(histogram);
        sum.write(out);
    }

    static ProbeCounts read(StateInput in) throws IOException {
        int probes = in.readCount(dev.neurodex.tokenize.Probe.MAX);
        int neurons = in.readCount(TopK.MAX_NEURONS);
        long[] histogram = in.readLongs();
        ExactSums sum = ExactSums.read(in, probes * neurons);
        if (histogram.length != (long) probes * neurons * ActivationBins.COUNT) {
            throw new IOException("damaged state: probe counts do not match " + probes + " probes of " + neurons + " neurons");
        }
        return new ProbeCounts(probes, neurons, histogram, sum);
    }
}
