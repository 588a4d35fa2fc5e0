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
    default Activations run(List<int[]> windows) {
        return run(windows, null);
    }

    /**
     * As {@link #run(List)}, writing into the arrays of {@code recycled} (an earlier result the caller is done
     * with; null for new arrays) where they are large enough. A scan's batches are hundreds of MB of activations:
     * allocating them anew for each batch kept the JVM's garbage collector marking concurrently with the forward.
     */
    Activations run(List<int[]> windows, Activations recycled);

    @Override
    void close();
}
