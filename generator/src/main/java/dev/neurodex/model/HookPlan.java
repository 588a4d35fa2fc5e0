package dev.neurodex.model;

import java.util.Set;

/**
 * Which hook points a forward pass hands over, and so where it may stop: nothing after the last one asked for is
 * computed (an SAE on layer 6 of twelve costs half a forward pass; mlp.hook_post of the last block skips its
 * down projection).
 */
public record HookPlan(Set<HookPoint.At> points) {

    public HookPlan {
        points = Set.copyOf(points);
    }

    /** {@code point} of every one of {@code layers} layers. */
    public static HookPlan every(HookPoint point, int layers) {
        return new HookPlan(java.util.stream.IntStream.range(0, layers).mapToObj(l -> new HookPoint.At(point, l))
                .collect(java.util.stream.Collectors.toSet()));
    }

    public boolean wants(HookPoint point, int layer) {
        return points.contains(new HookPoint.At(point, layer));
    }

    /** Whether any point asked for comes after {@code point} of {@code layer}. */
    public boolean needsAfter(HookPoint point, int layer) {
        return points.stream().anyMatch(p -> p.layer() > layer
                || p.layer() == layer && p.point().ordinal() > point.ordinal());
    }

    /** Hands {@code tensor} to {@code sink} if this plan asks for {@code point} of {@code layer}. */
    public void offer(HookSink sink, HookPoint point, int layer, ai.djl.ndarray.NDArray tensor) {
        if (wants(point, layer)) {
            sink.accept(point, layer, tensor);
        }
    }

    /**
     * The end of every block: hands over mlp_out and resid_post = {@code residual} + mlp_out (in mlp_out's memory);
     * returns the stream for the next block, or null when nothing after this block is asked for.
     */
    public ai.djl.ndarray.NDArray afterMlp(HookSink sink, int layer, ai.djl.ndarray.NDArray mlpOut,
                                           ai.djl.ndarray.NDArray residual) {
        offer(sink, HookPoint.MLP_OUT, layer, mlpOut);
        ai.djl.ndarray.NDArray resid = mlpOut.addi(residual);
        offer(sink, HookPoint.RESID_POST, layer, resid);
        return needsAfter(HookPoint.RESID_POST, layer) ? resid : null;
    }

    /** The deepest layer asked for. */
    public int lastLayer() {
        return points.stream().mapToInt(HookPoint.At::layer).max().orElse(-1);
    }
}
