package dev.neurodex.aggregate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Exact sums: the same bits whatever the order of additions and merges, and the true sum within a double's reach. */
class ExactSumsTest {

    @Test
    void anyOrderAndAnySplitGiveTheSameSum() {
        Random random = new Random(8);
        List<Float> values = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            double magnitude = Math.pow(2, random.nextInt(60) - 30);
            values.add((float) (random.nextGaussian() * magnitude));
        }
        values.add(Float.MIN_VALUE);
        values.add(-3e19f); // clamped at -2^62
        ExactSums one = new ExactSums(1);
        values.forEach(v -> one.add(0, v));
        double expected = one.get(0);
        for (int trial = 0; trial < 5; trial++) {
            Collections.shuffle(values, random);
            int cut = random.nextInt(values.size());
            ExactSums a = new ExactSums(1);
            ExactSums b = new ExactSums(1);
            for (int i = 0; i < values.size(); i++) {
                (i < cut ? a : b).add(0, values.get(i));
            }
            b.merge(a);
            assertEquals(Double.doubleToLongBits(expected), Double.doubleToLongBits(b.get(0)), "trial " + trial);
        }
        java.math.BigDecimal exact = java.math.BigDecimal.ZERO;
        for (float v : values) {
            exact = exact.add(new java.math.BigDecimal(Math.max(-0x1p62f, Math.min(0x1p62f, v))));
        }
        assertEquals(exact.doubleValue(), expected, Math.abs(exact.doubleValue()) * 1e-15 + 0x1p-60);
    }
}
