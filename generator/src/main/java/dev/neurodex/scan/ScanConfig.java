package dev.neurodex.scan;

/**
 * How a scan runs.
 *
 * @param context   positions per window including the model's framing (CLS/SEP or BOS); 0 for the model's default
 * @param topK      windows kept per neuron
 * @param batchSize windows per forward pass; windows of similar length are batched together
 * @param maxTokens stop after this many content tokens (0: the whole corpus)
 */
public record ScanConfig(int context, int topK, int batchSize, long maxTokens) {

    /** This configuration with the context resolved: the given one, or the model's default when it was 0. */
    public ScanConfig withDefaultContext(int modelDefault) {
        return context == 0 ? new ScanConfig(modelDefault, topK, batchSize, maxTokens) : this;
    }

    public ScanConfig {
        if (context != 0 && context < 3) {
            throw new IllegalArgumentException("--context must be at least 3, got " + context);
        }
        if (topK < 1) {
            throw new IllegalArgumentException("--top-k must be at least 1, got " + topK);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("--batch-size must be at least 1, got " + batchSize);
        }
        if (maxTokens < 0) {
            throw new IllegalArgumentException("--max-tokens must not be negative, got " + maxTokens);
        }
    }
}
