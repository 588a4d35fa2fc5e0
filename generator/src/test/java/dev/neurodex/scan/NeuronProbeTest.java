package dev.neurodex.scan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NeuronProbeTest {
    @Test
    void exactScoresMatchABruteForceWithTies() {
        Random random = new Random(5);
        for (int trial = 0; trial < 20; trial++) {
            float[] on = new float[1 + random.nextInt(40)];
            float[] off = new float[1 + random.nextInt(60)];
            for (int i = 0; i < on.length; i++) {
                on[i] = random.nextInt(10) / 2f; // coarse values: many ties
            }
            for (int i = 0; i < off.length; i++) {
                off[i] = random.nextInt(8) / 2f;
            }
            Arrays.sort(on);
            Arrays.sort(off);
            NeuronProbe.Result r = NeuronProbe.score(on, off, List.of(), List.of());
            double above = 0;
            for (float a : on) {
                for (float b : off) {
                    above += a > b ? 1 : a == b ? 0.5 : 0;
                }
            }
            assertEquals(above / on.length / off.length, r.auroc(), 1e-12);
            double best = -1;
            for (float t : concat(on, off)) {
                long tp = count(on, t);
                long fp = count(off, t);
                double p = (double) tp / (tp + fp);
                double rc = (double) tp / on.length;
                best = Math.max(best, tp == 0 ? 0 : 2 * p * rc / (p + rc));
            }
            assertEquals(best, r.f1(), 1e-12);
            assertEquals(count(on, (float) r.threshold()) / (double) on.length, r.recall(), 1e-12);
        }
    }

    private static long count(float[] a, float t) {
        return Arrays.stream(toDouble(a)).filter(v -> v >= t).count();
    }

    private static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }

    private static float[] concat(float[] a, float[] b) {
        float[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
