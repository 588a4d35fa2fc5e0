package dev.neurodex.corpus;

/**
 * Where to cut a long text so that each piece stays within {@code --max-document-chars}: after the last line break
 * in the piece's second half, else after its last space or tab there, else at the limit itself (never inside a
 * character). Windows never cross a cut, so a cut at a line break costs a book nothing but a shorter window.
 */
final class Pieces {
    private Pieces() {}

    /** The length of the first piece of {@code s[from, end)}, at most {@code max}. */
    static int cut(CharSequence s, int from, int end, int max) {
        if (end - from <= max) {
            return end - from;
        }
        int limit = from + max;
        int half = from + max / 2;
        for (int i = limit - 1; i >= half; i--) {
            if (s.charAt(i) == '\n') {
                return i + 1 - from;
            }
        }
        for (int i = limit - 1; i >= half; i--) {
            if (s.charAt(i) == ' ' || s.charAt(i) == '\t') {
                return i + 1 - from;
            }
        }
        return Character.isLowSurrogate(s.charAt(limit)) ? max - 1 : max;
    }

    /** As {@link #cut(CharSequence, int, int, int)} over UTF-8 bytes: a cut never falls inside a character. */
    static int cut(byte[] b, int from, int end, int max) {
        if (end - from <= max) {
            return end - from;
        }
        int limit = from + max;
        int half = from + max / 2;
        for (int i = limit - 1; i >= half; i--) {
            if (b[i] == '\n') {
                return i + 1 - from;
            }
        }
        for (int i = limit - 1; i >= half; i--) {
            if (b[i] == ' ' || b[i] == '\t') {
                return i + 1 - from;
            }
        }
        int i = limit;
        while (i > from + 1 && (b[i] & 0xC0) == 0x80) {
            i--; // back to the first byte of the character at the limit
        }
        return i - from;
    }
}
