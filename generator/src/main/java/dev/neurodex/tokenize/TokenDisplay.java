package dev.neurodex.tokenize;

/**
 * A token label as a table cell shows it, so that no two tokens look alike: spaces as {@code ␣}, a newline as
 * {@code ↵}, a tab as {@code ⇥}, a carriage return as {@code ␍} and other control characters as {@code \xNN}.
 */
public final class TokenDisplay {
    private TokenDisplay() {}

    public static String of(String label) {
        StringBuilder s = new StringBuilder(label.length() + 4);
        for (int i = 0; i < label.length(); i++) {
            char c = label.charAt(i);
            switch (c) {
                case ' ' -> s.append('\u2423');
                case '\n' -> s.append('\u21b5');
                case '\t' -> s.append('\u21e5');
                case '\r' -> s.append('\u240d');
                default -> {
                    if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0)) {
                        s.append(String.format("\\x%02x", (int) c));
                    } else {
                        s.append(c);
                    }
                }
            }
        }
        return s.length() == 0 ? "\u2205" : s.toString(); // ∅: an empty token
    }

    /**
     * The same text with control characters other than newline and tab as their Unicode pictures (␛ for ESC):
     * one character each, so a text keeps its length for the page's script, and nothing in it is invisible.
     */
    public static String inText(String text) {
        StringBuilder s = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            char shown = c == '\n' || c == '\t' || c == '\r' ? c
                    : c < 0x20 ? (char) (0x2400 + c) : c == 0x7F ? '\u2421' : c >= 0x80 && c < 0xA0 ? '\ufffd' : c;
            if (shown != c && s == null) {
                s = new StringBuilder(text.length()).append(text, 0, i);
            }
            if (s != null) {
                s.append(shown);
            }
        }
        return s == null ? text : s.toString();
    }
}
