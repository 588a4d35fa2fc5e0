package dev.neurodex.aggregate;

import dev.neurodex.tokenize.Window;

/**
 * One of a neuron's top windows.
 *
 * @param score  the neuron's maximum activation over the window's content tokens
 * @param values the neuron's activation at each content token of the window
 */
public record TopEntry(float score, Window window, float[] values) {

    /** The first content position holding the score (the maximum; for a bottom entry, the minimum). */
    public int maxIndex() {
        for (int i = 0; i < values.length; i++) {
            if (values[i] == score) {
                return i;
            }
        }
        throw new IllegalStateException("score " + score + " not among the window's values");
    }

    /** Higher score first; on equal scores the earlier window in corpus order. */
    static boolean better(float score, long order, float otherScore, long otherOrder) {
        return score > otherScore || (score == otherScore && order < otherOrder);
    }
}
