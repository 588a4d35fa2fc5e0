package dev.neurodex.tokenize;

import java.util.Arrays;

/**
 * A window's tokens as text, compactly: the window's text from its first token to its last as one string, with
 * where each token starts in it, plus ids and document spans. About 20 bytes per token, where a string per
 * token took three times as much; token strings are made only for what a page shows.
 */
public final class WindowText implements java.io.Serializable {
    private final String text;
    private final int[] offsets; // UTF-16 start of each token in text, and text.length() at the end
    private final int[] ids;
    private final int[] charStart;
    private final int[] charEnd;

    /**
     * @param tokens    surface text of each token, a substring of the document; the gap before a token is carried
     *                  by it, so joining them reproduces the text from the first token to the last
     * @param charStart start of each token in the document, in Unicode code points
     * @param charEnd   end of each token in the document, in Unicode code points
     */
    public WindowText(int[] ids, String[] tokens, int[] charStart, int[] charEnd) {
        this.ids = ids;
        this.charStart = charStart;
        this.charEnd = charEnd;
        this.offsets = new int[tokens.length + 1];
        StringBuilder joined = new StringBuilder();
        for (int i = 0; i < tokens.length; i++) {
            offsets[i] = joined.length();
            joined.append(tokens[i]);
        }
        offsets[tokens.length] = joined.length();
        this.text = joined.toString();
    }

    public int length() {
        return ids.length;
    }

    public int id(int i) {
        return ids[i];
    }

    public String token(int i) {
        return text.substring(offsets[i], offsets[i + 1]);
    }

    public int charStart(int i) {
        return charStart[i];
    }

    public int charEnd(int i) {
        return charEnd[i];
    }

    /** Token ids of positions {@code from..to}. */
    public int[] ids(int from, int to) {
        return Arrays.copyOfRange(ids, from, to);
    }

    /** The hash {@link WindowRef#idsHash} holds. */
    public int idsHash() {
        return Arrays.hashCode(ids);
    }

    /** The first {@code n} tokens (where a token budget ended the scan mid-window). */
    public WindowText prefix(int n) {
        String[] tokens = new String[n];
        for (int i = 0; i < n; i++) {
            tokens[i] = token(i);
        }
        return new WindowText(Arrays.copyOf(ids, n), tokens, Arrays.copyOf(charStart, n), Arrays.copyOf(charEnd, n));
    }
}
