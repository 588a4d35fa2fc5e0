package dev.neurodex.model.gpt2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.neurodex.model.LoadedModel;
import dev.neurodex.model.ModelCatalog;
import dev.neurodex.model.NeuronNeighbours;
import dev.neurodex.model.OfflineEngine;
import dev.neurodex.model.TinyCheckpoints;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Neighbours by weights against a brute force in double precision, straight from the checkpoint's tensors. */
class NeuronNeighboursTest {
    private static final int L = Gpt2ModelTest.LAYERS;
    private static final int N = Gpt2ModelTest.INNER;
    private static final int D = Gpt2ModelTest.EMBED;

    @TempDir
    Path dir;

    /** Read direction of neuron n: column n of c_fc ([embed, inner], Conv1D) times ln_2's weight. */
    private static double[] read(Map<String, float[]> w, int l, int n) {
        float[] fc = w.get("h." + l + ".mlp.c_fc.weight");
        float[] ln = w.get("h." + l + ".ln_2.weight");
        double[] v = new double[D];
        for (int i = 0; i < D; i++) {
            v[i] = (double) fc[i * N + n] * ln[i];
        }
        return v;
    }

    /** Write direction of neuron n: row n of c_proj ([inner, embed], Conv1D). */
    private static double[] write(Map<String, float[]> w, int l, int n) {
        float[] proj = w.get("h." + l + ".mlp.c_proj.weight");
        double[] v = new double[D];
        for (int i = 0; i < D; i++) {
            v[i] = proj[n * D + i];
        }
        return v;
    }

    private static double cos(double[] a, double[] b) {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }

    private record Ref(int layer, int neuron, double value, double key) {}

    /** Our list must hold the k best by key, in order, each value the true cosine of the neuron it names. */
    private static void same(List<Ref> all, List<NeuronNeighbours.Link> ours, Map<Long, Double> truth, String at) {
        all.sort(Comparator.comparingDouble(r -> -r.key()));
        assertEquals(Math.min(NeuronNeighbours.K, all.size()), ours.size(), at);
        for (int i = 0; i < ours.size(); i++) {
            NeuronNeighbours.Link link = ours.get(i);
            assertEquals(all.get(i).value(), link.value(), 1e-4, at + " rank " + i);
            assertEquals(truth.get((long) link.layer() << 32 | link.neuron()), link.value(), 1e-4, at + " rank " + i);
        }
    }

    @Test
    void neighboursMatchABruteForceOverTheWeights() throws Exception {
        Path model = TinyCheckpoints.gpt2Directory(dir.resolve("tiny"));
        Map<String, float[]> w = TinyCheckpoints.random(Gpt2ModelTest.shapes(""), 9);
        NeuronNeighbours neighbours;
        try (NDManager manager = OfflineEngine.newManager(1);
             LoadedModel loaded = ModelCatalog.open(model.toString(), manager)) {
            neighbours = NeuronNeighbours.of(loaded.model());
        }
        int checked = 0;
        for (int l = 0; l < L; l++) {
            for (int n = 0; n < N; n++) {
                String at = "L" + l + "N" + n;
                List<Ref> similar = new ArrayList<>();
                List<Ref> upstream = new ArrayList<>();
                List<Ref> downstream = new ArrayList<>();
                Map<Long, Double> sameTruth = new java.util.HashMap<>();
                Map<Long, Double> upTruth = new java.util.HashMap<>();
                Map<Long, Double> downTruth = new java.util.HashMap<>();
                for (int m = 0; m < N; m++) {
                    if (m != n) {
                        double c = cos(write(w, l, n), write(w, l, m));
                        similar.add(new Ref(l, m, c, c));
                        sameTruth.put((long) l << 32 | m, c);
                    }
                }
                for (int l1 = 0; l1 < l; l1++) {
                    for (int m = 0; m < N; m++) {
                        double c = cos(write(w, l1, m), read(w, l, n));
                        upstream.add(new Ref(l1, m, c, Math.abs(c)));
                        upTruth.put((long) l1 << 32 | m, c);
                    }
                }
                for (int l2 = l + 1; l2 < L; l2++) {
                    for (int m = 0; m < N; m++) {
                        double c = cos(write(w, l, n), read(w, l2, m));
                        downstream.add(new Ref(l2, m, c, Math.abs(c)));
                        downTruth.put((long) l2 << 32 | m, c);
                    }
                }
                same(similar, neighbours.similar(l, n), sameTruth, at + " similar");
                same(upstream, neighbours.upstream(l, n), upTruth, at + " upstream");
                same(downstream, neighbours.downstream(l, n), downTruth, at + " downstream");
                checked++;
            }
        }
        assertEquals(L * N, checked);
        assertTrue(neighbours.upstream(L - 1, 0).size() == NeuronNeighbours.K && neighbours.upstream(0, 0).isEmpty());
    }
}
