package dev.neurodex.aggregate;

/**
 * Fixed, model-independent histogram bins for activations: 8 bins per octave (relative width 1/8) for
 * magnitudes from 2^-10 to 2^14 on each side, and one bin for |v| < 2^-10. Reading the bin of a float takes a
 * few bit operations, so every token of the corpus can be counted; the counts of two runs simply add.
 */
public final class ActivationBins {
    static final int MIN_EXP = -10;
    static final int MAX_EXP = 13;
    static final int PER_OCTAVE = 8;
    static final int PER_SIDE = (MAX_EXP - MIN_EXP + 1) * PER_OCTAVE;
    /** Index of the bin of values near zero; negative values lie below it, positive above. */
    public static final int ZERO = PER_SIDE;
    public static final int COUNT = 2 * PER_SIDE + 1;

    /**
     * The bin of every float by its top 12 bits (sign, exponent, 3 mantissa bits): all that decides its bin.
     * A table lookup is several times cheaper than the arithmetic, and it runs for every (token, neuron).
     */
    private static final short[] BY_TOP_BITS = new short[1 << 12];

    static {
        for (int top = 0; top < BY_TOP_BITS.length; top++) {
            BY_TOP_BITS[top] = (short) compute(top << 20);
        }
    }

    private ActivationBins() {}

    /** The bin of {@code v}. */
    public static int of(float v) {
        return BY_TOP_BITS[Float.floatToRawIntBits(v) >>> 20];
    }

    private static int compute(int bits) {
        int exp = ((bits >>> 23) & 0xFF) - 127;
        int sub = (bits >>> (23 - 3)) & (PER_OCTAVE - 1);
        int i = Math.min((exp - MIN_EXP) * PER_OCTAVE + sub, PER_SIDE - 1); // above 2^14: the last bin
        int magnitude = (i + 1) & ~((exp - MIN_EXP) >> 31); // below 2^-10: 0, the bin around zero
        int sign = (bits >> 31) | 1; // +1 or -1
        return ZERO + sign * magnitude;
    }

    /** The lowest value of bin {@code b} (bins are [low, high) in value order). */
    public static double low(int b) {
        if (b == ZERO) {
            return -Math.scalb(1.0, MIN_EXP);
        }
        return b > ZERO ? magnitude(b - ZERO - 1, 0) : -magnitude(ZERO - 1 - b, 1);
    }

    public static double high(int b) {
        if (b == ZERO) {
            return Math.scalb(1.0, MIN_EXP);
        }
        return b > ZERO ? magnitude(b - ZERO - 1, 1) : -magnitude(ZERO - 1 - b, 0);
    }

    private static double magnitude(int i, int plus) {
        return Math.scalb(1.0 + (double) (i % PER_OCTAVE + plus) / PER_OCTAVE, i / PER_OCTAVE + MIN_EXP);
    }
}
