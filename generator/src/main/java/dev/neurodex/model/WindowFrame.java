package dev.neurodex.model;

/**
 * How a model wants a window of content tokens framed: {@code [CLS] window [SEP]} for an encoder,
 * {@code BOS window} for a causal model. Framing positions are excluded from every statistic.
 */
public record WindowFrame(int[] prefix, int[] suffix, int padId) {

    /** Content tokens per window at a context of {@code context} positions. */
    public int contentTokens(int context) {
        return context - prefix.length - suffix.length;
    }

    public int framedLength(int contentLength) {
        return prefix.length + contentLength + suffix.length;
    }
}
