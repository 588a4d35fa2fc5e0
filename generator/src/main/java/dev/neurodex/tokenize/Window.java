package dev.neurodex.tokenize;

import dev.neurodex.corpus.Origin;

/**
 * A run of at most W consecutive content tokens of one document (DESIGN.md, windowing).
 *
 * @param index     0-based window number within the document
 * @param order     position of the window in the whole corpus; breaks ties between equal scores
 * @param tokens    surface text of each token, a substring of the document; the gap before a token is
 *                  carried by it, so joining the tokens reproduces the text from the first to the last token
 * @param charStart start of each token in the document, in Unicode code points
 * @param charEnd   end of each token in the document, in Unicode code points
 */
public record Window(Origin origin, int index, long order, int[] ids, String[] tokens, int[] charStart, int[] charEnd) {

    public int length() {
        return ids.length;
    }

    /** The first {@code n} tokens of this window (used where a token budget ends mid-window). */
    public Window prefix(int n) {
        return new Window(origin, index, order, java.util.Arrays.copyOf(ids, n), java.util.Arrays.copyOf(tokens, n),
                java.util.Arrays.copyOf(charStart, n), java.util.Arrays.copyOf(charEnd, n));
    }
}
