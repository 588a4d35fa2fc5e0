package dev.neurodex.model;

import java.util.List;

/**
 * How a model wants a window of content tokens framed: {@code [CLS] window [SEP]} for an encoder,
 * {@code BOS window} for a causal model. Framing positions are excluded from every statistic.
 */
public record WindowFrame(int[] prefix, int[] suffix, int padId) {

    /**
     * A causal model's frame: BOS first (TransformerLens's convention); padding, as BOS, sits to the right, where
     * causality already hides it.
     */
    public static WindowFrame bosFirst(int bos) {
        return new WindowFrame(new int[] {bos}, new int[0], bos);
    }

    /** Content tokens per window at a context of {@code context} positions. */
    public int contentTokens(int context) {
        return context - prefix.length - suffix.length;
    }

    public int framedLength(int contentLength) {
        return prefix.length + contentLength + suffix.length;
    }

    /** Batches are padded to a multiple of this many positions. */
    static final int SHAPE_STEP = 32;

    /**
     * The padded length of a batch: its longest framed window rounded up to a multiple of {@value #SHAPE_STEP}
     * (at most {@code cap}). PyTorch plans its kernels anew for every tensor shape; a handful of shapes instead
     * of one per window length made the scan's forward passes ~40% faster, and padding is masked.
     */
    public int batchLength(List<int[]> windows, int cap) {
        int longest = windows.stream().mapToInt(w -> framedLength(w.length)).max().orElse(0);
        return Math.min(cap, (longest + SHAPE_STEP - 1) / SHAPE_STEP * SHAPE_STEP);
    }

    /** {@link #batchLength}, after checking that every framed window fits the model's {@code positions}. */
    public int checkedBatchLength(List<int[]> windows, int positions) {
        int longest = windows.stream().mapToInt(w -> framedLength(w.length)).max().orElse(0);
        if (longest > positions) {
            throw new ModelException("window of " + longest + " positions exceeds the model's " + positions);
        }
        return batchLength(windows, positions);
    }

    /**
     * A batch's framed token ids in the engine, [windows, seq] ({@link #checkedBatchLength} long), in {@code manager}:
     * where a causal family's forward pass starts.
     */
    public ai.djl.ndarray.NDArray tokens(List<int[]> windows, int positions, ai.djl.ndarray.NDManager manager) {
        int seq = checkedBatchLength(windows, positions);
        return manager.create(ids(windows, seq, new int[windows.size()]), new ai.djl.ndarray.types.Shape(windows.size(), seq));
    }

    /**
     * Framed token ids of a batch, row-major [windows, seq], padded on the right with {@code padId}.
     *
     * @param realLength set to each window's framed length (where its padding starts)
     */
    public long[] ids(List<int[]> windows, int seq, int[] realLength) {
        long[] ids = new long[windows.size() * seq];
        java.util.Arrays.fill(ids, padId);
        for (int b = 0; b < windows.size(); b++) {
            int at = b * seq;
            for (int id : prefix) ids[at++] = id;
            for (int id : windows.get(b)) ids[at++] = id;
            for (int id : suffix) ids[at++] = id;
            realLength[b] = at - b * seq;
        }
        return ids;
    }
}
