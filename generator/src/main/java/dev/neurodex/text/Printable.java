package dev.neurodex.text;

/**
 * Text from files (names, corpus excerpts, messages quoting them) made safe for one line of a terminal: a file
 * named with an escape sequence must not repaint the screen, and a newline must not split an error in two.
 */
public final class Printable {
    private Printable() {}

    /** Control characters, the C1 range, DEL, line and paragraph separators and bidi overrides, as hex escapes. */
    public static String line(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String escaped = escape(c);
            if (escaped != null && out == null) {
                out = new StringBuilder(s.length() + 16).append(s, 0, i);
            }
            if (out != null) {
                if (escaped != null) {
                    out.append(escaped);
                } else {
                    out.append(c);
                }
            }
        }
        return out == null ? s : out.toString();
    }

    private static String escape(char c) {
        if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0)) {
            return String.format("\\x%02x", (int) c);
        }
        if (c == '\u2028' || c == '\u2029' || (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069')) {
            return String.format("\\x{%04x}", (int) c);
        }
        return null;
    }
}
