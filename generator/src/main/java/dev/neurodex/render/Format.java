package dev.neurodex.render;

import java.util.Locale;

/** How numbers read on the pages; views call these so templates only display strings. */
final class Format {
    private Format() {}

    /** An activation with four significant digits: {@code 4.213}, {@code -0.1702}, {@code 1.234e-05}. */
    static String value(double v) {
        return appendValue(new StringBuilder(12), v).toString();
    }

    /** {@link #value} written into {@code out}: thousands per page, so no string of its own. */
    static StringBuilder appendValue(StringBuilder out, double v) {
        double a = Math.abs(v);
        if (v == 0 || !(a >= 1e-4 && a < 1e9)) {
            return out.append(v == 0 ? "0" : String.format(Locale.ROOT, "%.4g", v));
        }
        // Plain arithmetic instead of String.format, which dominated rendering.
        // Decimals for four significant digits (a >= 1e-4 here), by comparisons: a logarithm costs more.
        int decimals = a >= 1000 ? 0 : a >= 100 ? 1 : a >= 10 ? 2 : a >= 1 ? 3 : a >= 0.1 ? 4 : a >= 0.01 ? 5
                : a >= 0.001 ? 6 : 7;
        long scaled = Math.round(a * POWERS[decimals]);
        if (decimals > 0 && scaled >= 10_000) { // rounding carried into a new digit: 9.9996 -> 10.00
            decimals--;
            scaled = Math.round(a * POWERS[decimals]);
        }
        if (v < 0) {
            out.append('-');
        }
        if (decimals == 0) {
            return out.append(scaled);
        }
        int digits = scaled < 10 ? 1 : scaled < 100 ? 2 : scaled < 1000 ? 3 : scaled < 10_000 ? 4 : 5;
        if (digits <= decimals) {
            out.append("0.");
            for (int i = digits; i < decimals; i++) {
                out.append('0');
            }
            return out.append(scaled);
        }
        long unit = (long) POWERS[decimals];
        out.append(scaled / unit).append('.');
        long fraction = scaled % unit;
        for (long p = unit / 10; p > fraction && p > 1; p /= 10) {
            out.append('0'); // leading zeros of the fraction: 1.05 -> "1" "." "0" "5"
        }
        return out.append(fraction);
    }

    private static final double[] POWERS = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8};

    static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.2f%%", fraction * 100);
    }

    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }
}
