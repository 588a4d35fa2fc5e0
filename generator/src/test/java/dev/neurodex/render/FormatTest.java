package dev.neurodex.render;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
    void paletteIsSignedAndWhiteNearZero() {
        assertEquals("p8", Palette.cssClass(4, 4));
        assertEquals("n8", Palette.cssClass(-4, 4));
        assertEquals("", Palette.cssClass(0.1, 4));
        assertEquals("p4", Palette.cssClass(2, 4));
        assertEquals("n1", Palette.cssClass(-0.3, 4));
    }
}
