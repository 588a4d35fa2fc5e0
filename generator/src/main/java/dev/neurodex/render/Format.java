package dev.neurodex.render;

import java.util.Locale;

/** How numbers read on the pages; views call these so templates only display strings. */
final class Format {
    private Format() {}

    /** An activation with four significant digits: {@code 4.213}, {@code -0.1702}, {@code 1.234e-05}. */
    static String value(double v) {
        double a = Math.abs(v);
        if (v == 0 || !(a >= 1e-4 && a < 1e9)) {
            return v == 0 ? "0" : String.format(Locale.ROOT, "%.4g", v);
        }
        // Thousands of these per page: plain arithmetic instead of String.format, which dominated rendering.
        int decimals = Math.max(0, 3 - (int) Math.floor(Math.log10(a)));
        long scaled = Math.round(a * POWERS[decimals]);
        if (decimals > 0 && scaled >= 10_000) { // rounding carried into a new digit: 9.9996 -> 10.00
            decimals--;
            scaled = Math.round(a * POWERS[decimals]);
        }
        String digits = Long.toString(scaled);
        StringBuilder out = new StringBuilder(12);
        if (v < 0) {
            out.append('-');
        }
        if (decimals == 0) {
            return out.append(digits).toString();
        }
        if (digits.length() <= decimals) {
            out.append("0.");
            out.append("0".repeat(decimals - digits.length()));
            return out.append(digits).toString();
        }
        int point = digits.length() - decimals;
        return out.append(digits, 0, point).append('.').append(digits, point, digits.length()).toString();
    }

    private static final double[] POWERS = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8};

    static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.2f%%", fraction * 100);
    }

    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }
}
