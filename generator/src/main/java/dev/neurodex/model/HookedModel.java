package dev.neurodex.model;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A transformer that runs windows of token ids and hands over its {@code blocks.{L}.mlp.hook_post}
 * activations. One implementation per architecture family; the scan knows nothing else about it.
 */
public interface HookedModel extends AutoCloseable {

    ModelInfo info();

    WindowFrame frame();

    /**
     * Runs one batch of windows (content ids only; the model adds its framing and padding) and hands each
     * layer's activations to {@code hook} as soon as they are computed, in layer order. The array handed over
     * is reused for the next layer: the hook is done with it when it returns. So only one layer's activations
     * exist at a time, whatever the depth of the model.
     * Padding is masked: an activation does not depend on the other windows in the batch.
     */
    void run(List<int[]> windows, Consumer<Activations> hook);

    /** The groups of units a scan of this model aggregates, by default each layer's mlp.hook_post neurons. */
    default List<UnitGroup> units() {
        ModelInfo info = info();
        return java.util.stream.IntStream.range(0, info.layers())
                .mapToObj(l -> new UnitGroup(l, HookPoint.MLP_POST.at(l), info.dMlp(), null)).toList();
    }

    /**
     * Whether this is a decoder with pre-LayerNorm blocks (GPT-2, NeoX): the models in which TransformerLens's
     * center_writing_weights subtracts each residual vector's mean (it skips RMSNorm models).
     */
    default boolean layerNormDecoder() {
        return false;
    }

    /** The hook points this family computes, each of every layer (the default: mlp.hook_post only). */
    default java.util.Set<HookPoint> hookPoints() {
        return java.util.EnumSet.of(HookPoint.MLP_POST);
    }

    /**
     * Runs one batch handing {@code sink} the engine's tensors of the points {@code plan} asks for, as soon as each
     * is computed; the pass stops after the last one. Only families whose {@link #hookPoints} go beyond
     * mlp.hook_post implement it.
     */
    default void run(List<int[]> windows, HookPlan plan, HookSink sink) {
        throw new ModelException(info().architecture() + " models expose only " + HookPoint.MLP_POST.pattern());
    }

    /** Forward FLOPs per content token (see {@link ModelInfo#flopsPerToken}); families of another shape say theirs. */
    default double flopsPerToken(int context, int width) {
        return info().flopsPerToken(context, width);
    }

    /** Every layer's activations for one batch, as copies (for tests and tools, not for a scan). */
    default List<Activations> run(List<int[]> windows) {
        List<Activations> layers = new ArrayList<>();
        run(windows, layer -> layers.add(layer.copy()));
        return layers;
    }

    @Override
    void close();
}
