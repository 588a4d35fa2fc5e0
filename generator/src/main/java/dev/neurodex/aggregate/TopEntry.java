package dev.neurodex.aggregate;

import dev.neurodex.tokenize.WindowRef;

/**
 * One kept window of a neuron.
 *
 * @param score  the neuron's maximum activation over the window's content tokens (for a bottom entry, the
 *               negated minimum while it is in the heap)
 * @param start  window position of {@code values[0]}: entries keep only a run of positions around their
 *               extreme token (the whole window when it is short enough), so that their memory does not grow
 *               with the context
 * @param values the neuron's activation at window positions {@code start ..}
 */
public record TopEntry(float score, WindowRef window, int start, float[] values) {

    /**
     * Tokens kept before and after the extreme token by bottom entries and samples: what their records and pages
     * show, and no more (a neuron keeps dozens of them).
     */
    public static final int BEFORE = 12;
    public static final int AFTER = 4;

    /** Index into {@code values} of the first position holding {@code value}. */
    public static int indexOf(float[] values, float value) {
        for (int i = 0; i < values.length; i++) {
            if (values[i] == value) {
                return i;
            }
        }
        throw new IllegalStateException("value " + value + " not among the window's values");
    }

    /** Index into {@code values} of the first position holding the score (the maximum). */
    public int maxIndex() {
        return indexOf(values, score);
    }

    /** Higher score first; on equal scores the earlier window in corpus order. */
    static boolean better(float score, long order, float otherScore, long otherOrder) {
        return score > otherScore || (score == otherScore && order < otherOrder);
    }
}
