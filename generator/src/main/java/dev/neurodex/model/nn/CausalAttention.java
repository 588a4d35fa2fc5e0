package dev.neurodex.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * softmax(q kᵀ + causal mask) v, a block of queries at a time. A block of queries sees only the keys up to its
 * last position, so the scores of a 1,024-position window are a few [batch, heads, block, ≤ seq] pieces, freed
 * block by block, instead of one [batch, heads, seq, seq] array of which half is masked: about half the work
 * and a bounded fraction of the memory.
 */
public final class CausalAttention {
    /** Queries per block: small enough to bound memory, large enough that each matrix product stays efficient. */
    static final int BLOCK = 256;

    private final NDArray mask; // [seq, seq]: -inf above the diagonal
    private final float softcap; // Gemma 2: scores become cap · tanh(score / cap) before the mask; 0: none

    /** The mask for windows of {@code seq} positions, created in {@code manager}. */
    public CausalAttention(NDManager manager, int seq) {
        this(manager, seq, 0, 0);
    }

    /**
     * With a sliding window (Mistral): a query sees the {@code window} latest positions, itself included, as
     * Hugging Face's sliding_window_overlay (key > query − window); 0 for none. With {@code softcap}, scores are
     * capped softly at ±softcap before the mask (Gemma 2's attn_logit_softcapping); 0 for none.
     */
    public CausalAttention(NDManager manager, int seq, int window, float softcap) {
        this.softcap = softcap;
        float[] m = new float[seq * seq];
        for (int q = 0; q < seq; q++) {
            java.util.Arrays.fill(m, q * seq + q + 1, (q + 1) * seq, Float.NEGATIVE_INFINITY);
            if (window > 0 && q - window >= 0) {
                java.util.Arrays.fill(m, q * seq, q * seq + q - window + 1, Float.NEGATIVE_INFINITY);
            }
        }
        this.mask = manager.create(m, new Shape(seq, seq));
    }

    /**
     * @param q [batch, heads, seq, head_dim], already scaled by 1/sqrt(head_dim)
     * @param k [batch, heads, seq, head_dim]
     * @param v [batch, heads, seq, head_dim]
     * @return [batch, seq, heads · head_dim]
     */
    public NDArray apply(NDArray q, NDArray k, NDArray v) {
        Shape shape = q.getShape();
        int batch = (int) shape.get(0);
        int seq = (int) shape.get(2);
        NDList blocks = new NDList();
        for (int from = 0; from < seq; from += BLOCK) {
            int to = Math.min(seq, from + BLOCK);
            String keys = ":, :, 0:" + to + ", :";
            String queries = ":, :, " + from + ":" + to + ", :";
            String maskRows = from + ":" + to + ", 0:" + to;
            blocks.add(Scoped.keep(() -> capped(q.get(queries).matMul(k.get(keys).transpose(0, 1, 3, 2)))
                    .addi(mask.get(maskRows)).softmax(-1).matMul(v.get(keys)))); // [batch, heads, block, head_dim]
        }
        NDArray context = blocks.size() == 1 ? blocks.get(0) : NDArrays.concat(blocks, 2);
        return context.transpose(0, 2, 1, 3).reshape(batch, seq, shape.get(1) * shape.get(3));
    }

    private NDArray capped(NDArray scores) {
        return softcap > 0 ? scores.divi(softcap).tanh().muli(softcap) : scores;
    }
}
