package dev.neurodex.aggregate;

import java.io.IOException;

/**
 * Sums of floats kept exactly, as 128-bit fixed-point numbers with 64 fractional bits: integer addition does not
 * depend on order, so a corpus scanned in parts and merged (a resumed or a distributed scan) sums to the same bits
 * as one pass, where a double accumulator would differ in its last place. Magnitudes below 2^-64 are truncated
 * and above 2^62 clamped, each the same way wherever it is added.
 */
final class ExactSums {
    private static final float CLAMP = 0x1p62f;
    private final long[] hi;
    private final long[] lo;

    ExactSums(int size) {
        this(new long[size], new long[size]);
    }

    private ExactSums(long[] hi, long[] lo) {
        this.hi = hi;
        this.lo = lo;
    }

    int size() {
        return hi.length;
    }

    /** Adds a finite {@code v} to sum {@code i}. */
    void add(int i, float v) {
        if (v == 0) {
            return;
        }
        int bits = Float.floatToRawIntBits(Math.max(-CLAMP, Math.min(CLAMP, v)));
        int exp = (bits >>> 23) & 0xFF;
        long mantissa = bits & 0x7FFFFF;
        if (exp == 0) {
            exp = 1; // subnormal
        } else {
            mantissa |= 0x800000;
        }
        // |v| = mantissa · 2^(exp − 150); with 64 fractional bits that is mantissa · 2^(exp − 86).
        int shift = exp - 86;
        long xlo;
        long xhi;
        if (shift >= 64) {
            xlo = 0;
            xhi = mantissa << (shift - 64);
        } else if (shift > 0) {
            xlo = mantissa << shift;
            xhi = mantissa >>> (64 - shift);
        } else {
            xlo = -shift >= 64 ? 0 : mantissa >>> -shift;
            xhi = 0;
        }
        if (bits < 0) { // two's complement of the 128-bit magnitude
            xlo = ~xlo + 1;
            xhi = ~xhi + (xlo == 0 ? 1 : 0);
        }
        long sumLo = lo[i] + xlo;
        hi[i] += xhi + (Long.compareUnsigned(sumLo, lo[i]) < 0 ? 1 : 0);
        lo[i] = sumLo;
    }

    /** Sum {@code i} as the nearest double below it in the last place: the same for the same exact sum. */
    double get(int i) {
        return hi[i] + (lo[i] >>> 11) * 0x1p-53;
    }

    void merge(ExactSums other) {
        for (int i = 0; i < hi.length; i++) {
            long sumLo = lo[i] + other.lo[i];
            hi[i] += other.hi[i] + (Long.compareUnsigned(sumLo, lo[i]) < 0 ? 1 : 0);
            lo[i] = sumLo;
        }
    }

    void write(StateOutput out) throws IOException {
        out.writeLongs(hi);
        out.writeLongs(lo);
    }

    static ExactSums read(StateInput in, int size) throws IOException {
        long[] hi = in.readLongs();
        long[] lo = in.readLongs();
        if (hi.length != size || lo.length != size) {
            throw new IOException("damaged state: " + hi.length + " sums where " + size + " were expected");
        }
        return new ExactSums(hi, lo);
    }
}
