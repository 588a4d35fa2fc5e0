package dev.neurodex.scan;

import dev.neurodex.aggregate.ActivationBins;
import dev.neurodex.aggregate.LayerAggregate;
import dev.neurodex.aggregate.TopEntry;
import dev.neurodex.tokenize.Probe;
import java.util.List;

/**
 * How a scan runs.
 *
 * @param context   positions per window including the model's framing (CLS/SEP or BOS); 0 for the model's default
 * @param topK      windows kept per neuron
 * @param batchSize windows per forward pass (0: as many as fit {@value #BATCH_TOKENS} positions); windows of
 *                  similar length are batched together
 * @param maxTokens stop after this many content tokens (0: the whole corpus)
 * @param probes    hypotheses labelling tokens, each scored as a detector against every neuron
 * @param keep      positions of each top window whose values are kept, around its max token: the scan's memory
 *                  is neurons × k × keep floats whatever the context; windows up to this long are kept whole
 */
public record ScanConfig(int context, int topK, int batchSize, long maxTokens, int keep, List<Probe> probes) {

    public ScanConfig(int context, int topK, int batchSize, long maxTokens, int keep) {
        this(context, topK, batchSize, maxTokens, keep, List.of());
    }

    /** Positions kept per top window by default: all of a 128-position window, the 128 around the max of longer ones. */
    public static final int KEEP = 128;

    /** Pages show 30 top examples; a thousand is more than any page or study needs, and bounds the state. */
    public static final int MAX_TOP_K = 1000;

    /** Values kept per top window at most: a whole window at context 4096. */
    public static final int MAX_KEEP = 4096;

    /**
     * Positions per forward pass at most: each layer's activations for a batch are one Java array, and
     * 65,536 positions of 4,096 neurons are already a gigabyte.
     */
    public static final int MAX_BATCH_POSITIONS = 1 << 16;

    /** Positions per forward pass when no batch size is given: memory stays flat whatever the context. */
    public static final int BATCH_TOKENS = 4096;

    /** This configuration with defaults filled in: the model's context when none was given, and the batch size. */
    public ScanConfig resolved(int modelDefaultContext) {
        int c = context == 0 ? modelDefaultContext : context;
        return new ScanConfig(c, topK, batchSize == 0 ? Math.max(1, BATCH_TOKENS / c) : batchSize, maxTokens, keep, probes);
    }

    /**
     * A lower bound on the heap a scan of this configuration needs: the kept values of every neuron's top and
     * bottom windows, its histogram, and two batches of one layer's activations. More than the JVM may use means
     * the build would fail hours in; it is refused before it starts.
     */
    public long minimumHeapBytes(long neurons, int dMlp) {
        long entry = 48; // a TopEntry, its WindowRef share and the array header
        long perNeuron = topK * (keep * 4L + entry)
                + LayerAggregate.BOTTOM * ((TopEntry.BEFORE + 1 + TopEntry.AFTER) * 4L + entry)
                + ActivationBins.COUNT * 8L * (1 + probes.size()) + 32;
        return neurons * perNeuron + 2L * batchSize * context * dMlp * 4;
    }

    public ScanConfig {
        probes = List.copyOf(probes);
        if (probes.size() > Probe.MAX) {
            throw new IllegalArgumentException("at most " + Probe.MAX + " --probe options, got " + probes.size());
        }
        if (probes.stream().map(Probe::name).distinct().count() != probes.size()) {
            throw new IllegalArgumentException("--probe names must differ");
        }
        if (context != 0 && context < 3) {
            throw new IllegalArgumentException("--context must be at least 3, got " + context);
        }
        if (topK < 1 || topK > MAX_TOP_K) {
            throw new IllegalArgumentException("--top-k must be between 1 and " + MAX_TOP_K + ", got " + topK);
        }
        if (batchSize < 0) {
            throw new IllegalArgumentException("--batch-size must not be negative, got " + batchSize);
        }
        if (keep < 1 || keep > MAX_KEEP) {
            throw new IllegalArgumentException("--keep-values must be between 1 and " + MAX_KEEP + ", got " + keep);
        }
        if (context > MAX_BATCH_POSITIONS) {
            throw new IllegalArgumentException("--context must be at most " + MAX_BATCH_POSITIONS + ", got " + context);
        }
        if ((long) batchSize * Math.max(context, 1) > MAX_BATCH_POSITIONS) {
            throw new IllegalArgumentException("--batch-size " + batchSize + " windows of " + context + " positions is more "
                    + "than " + MAX_BATCH_POSITIONS + " positions per forward pass");
        }
        if (maxTokens < 0) {
            throw new IllegalArgumentException("--max-tokens must not be negative, got " + maxTokens);
        }
    }
}
