package dev.neurodex.model;

import ai.djl.ndarray.NDManager;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * What the causal families (GPT-2, GPT-NeoX, Llama) share around their forward pass: a BOS-first frame, every
 * hook point, the plain mlp.hook_post run through the same plan, and the weights' own engine memory.
 */
public abstract class CausalDecoder implements HookedModel, DirectLogits.Source, MlpDirections {
    private final ModelInfo info;
    private final int bos;
    private final HookBuffer hooks = new HookBuffer();
    /** Holds the weights; freed with the model. */
    protected final NDManager manager;

    protected CausalDecoder(ModelInfo info, int bos, NDManager parent) {
        this.info = info;
        this.bos = bos;
        this.manager = parent.newSubManager();
    }

    @Override
    public ModelInfo info() {
        return info;
    }

    @Override
    public WindowFrame frame() {
        return WindowFrame.bosFirst(bos);
    }

    @Override
    public void run(List<int[]> windows, Consumer<Activations> hook) {
        run(windows, HookPlan.every(HookPoint.MLP_POST, info.layers()), hooks.copying(1, hook));
    }

    @Override
    public Set<HookPoint> hookPoints() {
        return EnumSet.allOf(HookPoint.class);
    }

    @Override
    public void close() {
        manager.close();
    }
}
