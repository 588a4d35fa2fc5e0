package dev.neurodex.model.gpt2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.neurodex.model.StateDict;
import dev.neurodex.model.nn.LayerNorm;
import dev.neurodex.model.nn.Linear;
import dev.neurodex.model.nn.Weights;
import java.util.ArrayList;
import java.util.List;

/**
 * GPT-2's weights as NDArrays. GPT-2 stores its projections as Conv1D, [in, out]; they are transposed on load
 * to Linear's [out, in]. Checkpoints saved from GPT2LMHeadModel carry a "transformer." prefix.
 */
record Gpt2Weights(NDArray tokenEmbedding, NDArray positionEmbedding, List<Block> blocks, LayerNorm finalNorm) {

    record Block(LayerNorm ln1, Linear attention, Linear attentionOut, LayerNorm ln2, Linear fc, Linear proj) {}

    static Gpt2Weights load(StateDict dict, Gpt2Config c, NDManager manager) {
        Weights w = new Weights(dict, dict.contains("transformer.wte.weight") ? "transformer." : "", manager);
        float eps = c.layerNormEps();
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < c.layers(); i++) {
            String p = "h." + i + ".";
            blocks.add(new Block(
                    w.layerNorm(p + "ln_1", c.embed(), eps),
                    w.conv1d(p + "attn.c_attn", c.embed(), 3 * c.embed()),
                    w.conv1d(p + "attn.c_proj", c.embed(), c.embed()),
                    w.layerNorm(p + "ln_2", c.embed(), eps),
                    w.conv1d(p + "mlp.c_fc", c.embed(), c.inner()),
                    w.conv1d(p + "mlp.c_proj", c.inner(), c.embed())));
        }
        return new Gpt2Weights(w.tensor("wte.weight", c.vocab(), c.embed()),
                w.tensor("wpe.weight", c.positions(), c.embed()), List.copyOf(blocks), w.layerNorm("ln_f", c.embed(), eps));
    }
}
