package dev.neurodex.model.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dev.neurodex.model.OfflineEngine;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Attention a block of queries at a time against softmax(q kᵀ + mask) v written out in double precision. */
class CausalAttentionTest {
    private static final int BATCH = 2;
    private static final int HEADS = 3;
    private static final int HEAD_DIM = 4;

    @Test
    void blocksOfQueriesGiveFullCausalAttention() {
        // More positions than a block, and not a multiple of it: a full block, a partial block and the seams.
        int seq = CausalAttention.BLOCK * 2 + 37;
        Random random = new Random(3);
        float[][] qkv = new float[3][BATCH * HEADS * seq * HEAD_DIM];
        for (float[] a : qkv) {
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) random.nextGaussian();
            }
        }
        float[] got;
        try (NDManager manager = OfflineEngine.newManager(1); NDScope scope = new NDScope()) {
            Shape shape = new Shape(BATCH, HEADS, seq, HEAD_DIM);
            NDArray q = manager.create(qkv[0], shape);
            NDArray k = manager.create(qkv[1], shape);
            NDArray v = manager.create(qkv[2], shape);
            NDArray out = new CausalAttention(manager, seq).apply(q, k, v);
            assertEquals(new Shape(BATCH, seq, HEADS * HEAD_DIM), out.getShape());
            got = out.toFloatArray();
        }
        double worst = 0;
        for (int b = 0; b < BATCH; b++) {
            for (int h = 0; h < HEADS; h++) {
                for (int t = 0; t < seq; t++) {
                    double[] expected = reference(qkv, seq, b, h, t);
                    for (int d = 0; d < HEAD_DIM; d++) {
                        worst = Math.max(worst, Math.abs(expected[d] - got[(b * seq + t) * HEADS * HEAD_DIM + h * HEAD_DIM + d]));
                    }
                }
            }
        }
        assertTrue(worst < 1e-5, "max abs diff " + worst);
    }

    /** Query t of head h attends to keys 0..t only. */
    private static double[] reference(float[][] qkv, int seq, int b, int h, int t) {
        int base = (b * HEADS + h) * seq * HEAD_DIM;
        double[] scores = new double[t + 1];
        double top = Double.NEGATIVE_INFINITY;
        for (int s = 0; s <= t; s++) {
            for (int d = 0; d < HEAD_DIM; d++) {
                scores[s] += (double) qkv[0][base + t * HEAD_DIM + d] * qkv[1][base + s * HEAD_DIM + d];
            }
            top = Math.max(top, scores[s]);
        }
        double total = 0;
        for (int s = 0; s <= t; s++) {
            scores[s] = Math.exp(scores[s] - top);
            total += scores[s];
        }
        double[] out = new double[HEAD_DIM];
        for (int s = 0; s <= t; s++) {
            for (int d = 0; d < HEAD_DIM; d++) {
                out[d] += scores[s] / total * qkv[2][base + s * HEAD_DIM + d];
            }
        }
        return out;
    }
}
