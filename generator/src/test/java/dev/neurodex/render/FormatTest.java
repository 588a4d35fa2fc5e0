package dev.neurodex.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FormatTest {
    @Test
    void fourSignificantDigits() {
        assertEquals("4.213", Format.value(4.21349));
        assertEquals("-0.1700", Format.value(-0.16997));
        assertEquals("10.00", Format.value(9.99996));
        assertEquals("0.001000", Format.value(0.00099996));
        assertEquals("1235", Format.value(1234.5));
        assertEquals("0", Format.value(0));
        assertEquals("1.000e-05", Format.value(0.00001));
        assertEquals("0.0001000", Format.value(0.0001));
    }

    @Test
    void randomValuesKeepFourSignificantDigitsAndRoundToTheNearest() {
        java.util.Random random = new java.util.Random(5);
        for (int i = 0; i < 200_000; i++) {
            double v = (random.nextBoolean() ? 1 : -1) * Math.pow(10, -4 + 8 * random.nextDouble());
            String s = Format.value(v);
            String digits = s.replace("-", "").replace(".", "").replaceFirst("^0+", "");
            assertEquals(Math.abs(v) < 1000 ? 4 : Long.toString(Math.round(Math.abs(v))).length(), digits.length(), s);
            double step = Math.pow(10, Math.floor(Math.log10(Math.abs(v))) - 3);
            assertTrue(Math.abs(Double.parseDouble(s) - v) <= step * 0.5000001 || Math.abs(v) >= 1000, v + " -> " + s);
            assertEquals(v < 0, s.startsWith("-"), s);
        }
    }

    @Test
    void paletteIsSignedAndWhiteNearZero() {
        assertEquals("p8", Palette.cssClass(4, 4));
        assertEquals("n8", Palette.cssClass(-4, 4));
        assertEquals("", Palette.cssClass(0.1, 4));
        assertEquals("p4", Palette.cssClass(2, 4));
        assertEquals("n1", Palette.cssClass(-0.3, 4));
    }

    @Test
    void histogramCoordinatesMatchPercentPointOneF() {
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 10_000; i++) {
            double v = (random.nextDouble() - 0.3) * Math.pow(10, random.nextInt(4));
            String printf = String.format(java.util.Locale.ROOT, "%.1f", v);
            assertEquals(printf.equals("-0.0") ? "0.0" : printf, HistogramView.px(v), "of " + v); // no "-0.0" in SVG
        }
        assertEquals("0.0", HistogramView.px(-0.01));
    }
}
