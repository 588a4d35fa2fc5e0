package dev.neurodex.aggregate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.neurodex.corpus.Origin;
import dev.neurodex.model.Activations;
import dev.neurodex.tokenize.Window;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Probe scores from the scan's histograms against exact computations over the raw activations. */
class ProbeScoreTest {
    private static final int NEURONS = 4;

    @Test
    void histogramScoresMatchExactOnesWithinTheBinError() {
        Random random = new Random(11);
        LayerAggregate agg = new LayerAggregate(0, NEURONS, 3, 16, 2);
        List<float[]> values = new ArrayList<>(); // [neuron] per token
        List<Long> labels = new ArrayList<>();
        long order = 0;
        for (int batch = 0; batch < 30; batch++) {
            int size = 1 + random.nextInt(4);
            int seq = 12;
            float[] acts = new float[size * (seq + 1) * NEURONS];
            List<Window> windows = new ArrayList<>();
            for (int b = 0; b < size; b++) {
                int len = 1 + random.nextInt(seq);
                long[] bits = new long[len];
                for (int pos = 0; pos < len; pos++) {
                    bits[pos] = random.nextInt(4) == 0 ? 1 : 0; // probe 0: a quarter of the tokens; probe 1: none
                    float[] v = new float[NEURONS];
                    for (int n = 0; n < NEURONS; n++) {
                        // neuron 0 leans to the label, neuron 1 ignores it, 2 and 3 are shifted copies
                        double signal = n == 0 ? 1.5 * bits[pos] : n == 2 ? -bits[pos] : 0;
                        v[n] = (float) (random.nextGaussian() + signal);
                        acts[((b * (seq + 1)) + pos + 1) * NEURONS + n] = v[n];
                    }
                    values.add(v);
                    labels.add(bits[pos]);
                }
                windows.add(new Window(new Origin("f", 1, null), order + 1, 0, order++, new int[len], bits));
            }
            agg.add(new Activations(0, size, seq + 1, 1, NEURONS, acts), windows);
        }
        for (int n = 0; n < NEURONS; n++) {
            ProbeScore s = agg.probeScore(0, n);
            List<Float> on = new ArrayList<>();
            List<Float> off = new ArrayList<>();
            for (int t = 0; t < values.size(); t++) {
                (labels.get(t) == 1 ? on : off).add(values.get(t)[n]);
            }
            double above = 0;
            for (float a : on) {
                for (float b : off) {
                    above += a > b ? 1 : a == b ? 0.5 : 0;
                }
            }
            double exact = above / on.size() / off.size();
            assertEquals(on.size(), s.labelled());
            assertTrue(Math.abs(exact - s.auroc()) <= s.aurocError() + 1e-12,
                    "neuron " + n + ": exact " + exact + ", from bins " + s.auroc() + " ± " + s.aurocError());
            assertTrue(s.aurocError() < 0.02, "1/8-octave bins: " + s.aurocError());
            // The threshold is a bin edge: on the raw values it gives exactly the reported precision and recall.
            long tp = on.stream().filter(v -> v >= s.threshold()).count();
            long fp = off.stream().filter(v -> v >= s.threshold()).count();
            assertEquals((double) tp / (tp + fp), s.precision(), 1e-12);
            assertEquals((double) tp / on.size(), s.recall(), 1e-12);
            assertEquals(on.stream().mapToDouble(v -> v).average().orElseThrow(), s.meanOn(), 1e-9);
            assertEquals(off.stream().mapToDouble(v -> v).average().orElseThrow(), s.meanOff(), 1e-6); // window sums are float
        }
        assertTrue(agg.probeScore(0, 0).auroc() > 0.75 && agg.probeScore(0, 2).auroc() < 0.35);
        assertTrue(Double.isNaN(agg.probeScore(1, 0).auroc()), "no token carries probe 1");
        assertEquals(0, agg.probeScore(1, 0).labelled());
    }
}
