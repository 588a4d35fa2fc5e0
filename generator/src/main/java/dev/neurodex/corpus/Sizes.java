package dev.neurodex.corpus;

import java.util.Locale;

/** Byte sizes as options take them ({@code 64M}, {@code 2G}, {@code 4096}) and as messages print them. */
public final class Sizes {
    private Sizes() {}

    /** Parses a byte count with an optional binary suffix K, M, G or T (case-insensitive, an optional trailing B). */
    public static long parse(String text) {
        String s = text.trim().toUpperCase(Locale.ROOT);
        if (s.endsWith("IB")) {
            s = s.substring(0, s.length() - 2);
        } else if (s.endsWith("B")) {
            s = s.substring(0, s.length() - 1);
        }
        int shift = 0;
        if (!s.isEmpty()) {
            shift = switch (s.charAt(s.length() - 1)) {
                case 'K' -> 10;
                case 'M' -> 20;
                case 'G' -> 30;
                case 'T' -> 40;
                default -> 0;
            };
        }
        String digits = shift == 0 ? s : s.substring(0, s.length() - 1);
        if (!digits.matches("[0-9]{1,15}")) {
            throw new IllegalArgumentException("'" + text + "' is not a size (a number, optionally with K, M, G or T)");
        }
        long value = Long.parseLong(digits);
        if (value > Long.MAX_VALUE >> shift) {
            throw new IllegalArgumentException("'" + text + "' is too large");
        }
        return value << shift;
    }

    public static String format(long bytes) {
        String[] units = {"bytes", "KiB", "MiB", "GiB", "TiB"};
        int u = 0;
        while (u < units.length - 1 && bytes >= 1024 && bytes % 1024 == 0) {
            bytes /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%,d %s", bytes, units[u]);
    }
}
