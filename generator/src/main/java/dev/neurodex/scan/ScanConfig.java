package dev.neurodex.scan;

/**
 * How a scan runs.
 *
 * @param context   positions per window including the model's framing (CLS/SEP or BOS); 0 for the model's default
 * @param topK      windows kept per neuron
 * @param batchSize windows per forward pass (0: as many as fit {@value #BATCH_TOKENS} positions); windows of
 *                  similar length are batched together
 * @param maxTokens stop after this many content tokens (0: the whole corpus)
 * @param keep      positions of each top window whose values are kept, around its max token: the scan's memory
 *                  is neurons × k × keep floats whatever the context; windows up to this long are kept whole
 */
public record ScanConfig(int context, int topK, int batchSize, long maxTokens, int keep) {

    /** Positions kept per top window by default: all of a 128-position window, the 128 around the max of longer ones. */
    public static final int KEEP = 128;

    /** Positions per forward pass when no batch size is given: memory stays flat whatever the context. */
    public static final int BATCH_TOKENS = 4096;

    /** This configuration with defaults filled in: the model's context when none was given, and the batch size. */
    public ScanConfig resolved(int modelDefaultContext) {
        int c = context == 0 ? modelDefaultContext : context;
        return new ScanConfig(c, topK, batchSize == 0 ? Math.max(1, BATCH_TOKENS / c) : batchSize, maxTokens, keep);
    }

    public ScanConfig {
        if (context != 0 && context < 3) {
            throw new IllegalArgumentException("--context must be at least 3, got " + context);
        }
        if (topK < 1) {
            throw new IllegalArgumentException("--top-k must be at least 1, got " + topK);
        }
        if (batchSize < 0) {
            throw new IllegalArgumentException("--batch-size must not be negative, got " + batchSize);
        }
        if (keep < 1) {
            throw new IllegalArgumentException("--keep-values must be at least 1, got " + keep);
        }
        if (maxTokens < 0) {
            throw new IllegalArgumentException("--max-tokens must not be negative, got " + maxTokens);
        }
    }
}
