package dev.neurodex.render;

/**
 * Maps an activation to one of eight colour steps per sign on a neuron's single signed scale
 * (CSS classes {@code p1..p8}, {@code n1..n8}); values within 1/16 of the scale of zero stay white.
 * Classes instead of inline colours keep pages small and let the stylesheet choose the palette.
 */
final class Palette {
    static final int STEPS = 8;

    private Palette() {}

    // Constants, not concatenation: a page asks for thousands of classes.
    private static final String[] POSITIVE = {"", "p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8"};
    private static final String[] NEGATIVE = {"", "n1", "n2", "n3", "n4", "n5", "n6", "n7", "n8"};

    static String cssClass(double value, double scale) {
        double t = Math.min(1, Math.abs(value) / scale);
        int step = (int) Math.ceil(t * STEPS - 0.5);
        if (step <= 0) {
            return "";
        }
        return value > 0 ? POSITIVE[step] : NEGATIVE[step];
    }
}
