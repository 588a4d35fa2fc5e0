package dev.neurodex.model;

import java.util.List;

/**
 * A transformer that runs windows of token ids and hands back its {@code blocks.{L}.mlp.hook_post}
 * activations. One implementation per architecture family; the scan knows nothing else about it.
 */
public interface HookedModel extends AutoCloseable {

    ModelInfo info();

    WindowFrame frame();

    /**
     * Runs one batch of windows (content ids only; the model adds its framing and padding).
     * Padding is masked: an activation does not depend on the other windows in the batch.
     */
    Activations run(List<int[]> windows);

    @Override
    void close();
}
