package dev.neurodex.model.gpt2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.neurodex.model.HostTensor;
import dev.neurodex.model.StateDict;
import java.util.ArrayList;
import java.util.List;

/**
 * GPT-2's weights as NDArrays. GPT-2 stores its projections as Conv1D, [in, out]; they are transposed here
 * once to PyTorch Linear's [out, in]. Checkpoints saved from GPT2LMHeadModel carry a "transformer." prefix.
 */
record Gpt2Weights(NDArray tokenEmbedding, NDArray positionEmbedding, List<Block> blocks, Norm finalNorm) {

    record Norm(NDArray weight, NDArray bias) {}

    record Linear(NDArray weight, NDArray bias) {}

    record Block(Norm ln1, Linear attention, Linear attentionOut, Norm ln2, Linear fc, Linear proj) {}

    static Gpt2Weights load(StateDict dict, Gpt2Config c, NDManager manager) {
        String prefix = dict.contains("transformer.wte.weight") ? "transformer." : "";
        Loader l = new Loader(dict, prefix, manager);
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < c.layers(); i++) {
            String p = "h." + i + ".";
            blocks.add(new Block(
                    l.norm(p + "ln_1", c.embed()),
                    l.conv1d(p + "attn.c_attn", c.embed(), 3 * c.embed()),
                    l.conv1d(p + "attn.c_proj", c.embed(), c.embed()),
                    l.norm(p + "ln_2", c.embed()),
                    l.conv1d(p + "mlp.c_fc", c.embed(), c.inner()),
                    l.conv1d(p + "mlp.c_proj", c.inner(), c.embed())));
        }
        return new Gpt2Weights(l.tensor("wte.weight", c.vocab(), c.embed()),
                l.tensor("wpe.weight", c.positions(), c.embed()), List.copyOf(blocks), l.norm("ln_f", c.embed()));
    }

    private record Loader(StateDict dict, String prefix, NDManager manager) {
        NDArray tensor(String name, long... shape) {
            HostTensor t = dict.get(prefix + name, shape);
            return manager.create(t.data(), new Shape(shape));
        }

        /** A Conv1D stored [in, out], returned as Linear [out, in]. */
        Linear conv1d(String module, int in, int out) {
            HostTensor w = dict.get(prefix + module + ".weight", in, out).transposed();
            return new Linear(manager.create(w.data(), new Shape(out, in)), tensor(module + ".bias", out));
        }

        Norm norm(String module, int size) {
            return new Norm(tensor(module + ".weight", size), tensor(module + ".bias", size));
        }
    }
}
