package dev.neurodex.model.neox;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.norm.LayerNorm;
import dev.neurodex.model.Activations;
import dev.neurodex.model.DirectLogits;
import dev.neurodex.model.HookedModel;
import dev.neurodex.model.HostTensor;
import dev.neurodex.model.ModelException;
import dev.neurodex.model.ModelInfo;
import dev.neurodex.model.StateDict;
import dev.neurodex.model.WindowFrame;
import java.util.ArrayList;
import java.util.List;

/**
 * The GPT-NeoX forward pass (Pythia) in DJL NDArray ops: parallel attention and MLP, rotary embeddings on the
 * first rotary_pct of each head, untied unembedding. Exposes {@code blocks.{L}.mlp.hook_post} =
 * gelu(dense_h_to_4h(post_attention_layernorm(x))).
 */
public final class NeoxModel implements HookedModel, DirectLogits.Source {
    private final NeoxConfig config;
    private final ModelInfo info;
    private final NDManager manager;
    private final NDArray embedIn;
    private final NDArray embedOut;
    private final Norm finalNorm;
    private final List<Block> blocks = new ArrayList<>();

    private record Norm(NDArray weight, NDArray bias) {}

    private record Linear(NDArray weight, NDArray bias) {}

    private record Block(Norm inputNorm, Norm postNorm, Linear qkv, Linear dense, Linear up, Linear down) {}

    public NeoxModel(NeoxConfig c, StateDict dict, ModelInfo info, NDManager parent) {
        this.config = c;
        this.info = info;
        this.manager = parent.newSubManager();
        String p = "gpt_neox.";
        for (int i = 0; i < c.layers(); i++) {
            String l = p + "layers." + i + ".";
            blocks.add(new Block(norm(dict, l + "input_layernorm"), norm(dict, l + "post_attention_layernorm"),
                    linear(dict, l + "attention.query_key_value", 3 * c.hidden(), c.hidden()),
                    linear(dict, l + "attention.dense", c.hidden(), c.hidden()),
                    linear(dict, l + "mlp.dense_h_to_4h", c.intermediate(), c.hidden()),
                    linear(dict, l + "mlp.dense_4h_to_h", c.hidden(), c.intermediate())));
        }
        this.embedIn = tensor(dict, p + "embed_in.weight", c.vocab(), c.hidden());
        this.embedOut = tensor(dict, "embed_out.weight", c.vocab(), c.hidden());
        this.finalNorm = norm(dict, p + "final_layer_norm");
    }

    private NDArray tensor(StateDict dict, String name, long... shape) {
        HostTensor t = dict.get(name, shape);
        return manager.create(t.data(), new Shape(shape));
    }

    private Linear linear(StateDict dict, String module, int out, int in) {
        return new Linear(tensor(dict, module + ".weight", out, in), tensor(dict, module + ".bias", out));
    }

    private Norm norm(StateDict dict, String module) {
        return new Norm(tensor(dict, module + ".weight", config.hidden()), tensor(dict, module + ".bias", config.hidden()));
    }

    @Override
    public ModelInfo info() {
        return info;
    }

    @Override
    public WindowFrame frame() {
        return new WindowFrame(new int[] {config.bos()}, new int[0], config.bos());
    }

    @Override
    public Activations run(List<int[]> windows, Activations recycled) {
        int batch = windows.size();
        WindowFrame frame = frame();
        int longest = windows.stream().mapToInt(x -> frame.framedLength(x.length)).max().orElse(0);
        if (longest > config.positions()) {
            throw new ModelException("window of " + longest + " positions exceeds the model's " + config.positions());
        }
        int seq = frame.batchLength(windows, config.positions());
        long[] ids = frame.ids(windows, seq, new int[batch]);
        try (NDScope scope = new NDScope(); NDManager m = manager.newSubManager()) {
            NDArray tokens = m.create(ids, new Shape(batch, seq));
            NDArray mask = m.create(WindowFrame.causalMask(seq), new Shape(1, 1, seq, seq));
            NDArray[] rotary = rotary(m, seq);
            NDArray x = tokens.getNDArrayInternal().embedding(tokens, embedIn, SparseFormat.DENSE).singletonOrThrow();
            float[][] hooks = new float[config.layers()][];
            for (int l = 0; l < config.layers(); l++) {
                Block block = blocks.get(l);
                boolean last = l == config.layers() - 1;
                // Nothing reads the last block's output: with a parallel residual its MLP does not see its
                // attention either, so neither is computed.
                NDArray attention = last && config.parallelResidual() ? null
                        : attention(norm(x, block.inputNorm()), block, mask, rotary, batch, seq);
                NDArray mlpIn = config.parallelResidual() ? x : x.add(attention);
                NDArray post = gelu(linear(norm(mlpIn, block.postNorm()), block.up())); // [batch, seq, d_mlp]
                hooks[l] = Activations.copy(post, Activations.spare(recycled, l));
                if (last) {
                    break;
                }
                x = x.add(attention).add(linear(post, block.down()));
            }
            return new Activations(batch, seq, 1, config.intermediate(), hooks);
        }
    }

    /** cos and sin of the rotary angles, [seq, rotaryDims], halves repeated as in GPT-NeoX. */
    private NDArray[] rotary(NDManager m, int seq) {
        int rd = config.rotaryDims();
        float[] cos = new float[seq * rd];
        float[] sin = new float[seq * rd];
        for (int t = 0; t < seq; t++) {
            for (int i = 0; i < rd / 2; i++) {
                double angle = t / Math.pow(config.rotaryBase(), 2.0 * i / rd);
                cos[t * rd + i] = cos[t * rd + i + rd / 2] = (float) Math.cos(angle);
                sin[t * rd + i] = sin[t * rd + i + rd / 2] = (float) Math.sin(angle);
            }
        }
        return new NDArray[] {m.create(cos, new Shape(seq, rd)), m.create(sin, new Shape(seq, rd))};
    }

    private NDArray attention(NDArray x, Block block, NDArray mask, NDArray[] rotary, int batch, int seq) {
        int hd = config.headDim();
        // GPT-NeoX packs q, k, v per head: [batch, seq, heads, 3 * head_dim].
        NDArray qkv = linear(x, block.qkv()).reshape(batch, seq, config.heads(), 3 * hd).transpose(0, 2, 1, 3);
        NDList parts = qkv.split(3, 3);
        NDArray q = rotate(parts.get(0), rotary);
        NDArray k = rotate(parts.get(1), rotary);
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).div(Math.sqrt(hd)).add(mask);
        NDArray context = scores.softmax(-1).matMul(parts.get(2)).transpose(0, 2, 1, 3).reshape(batch, seq, config.hidden());
        return linear(context, block.dense());
    }

    /** Rotary embedding on the first rotaryDims of each head: x·cos + rotate_half(x)·sin; the rest passes. */
    private NDArray rotate(NDArray x, NDArray[] rotary) {
        int rd = config.rotaryDims();
        int hd = config.headDim();
        NDArray turned = x.get(":, :, :, 0:" + rd);
        NDArray first = turned.get(":, :, :, 0:" + rd / 2);
        NDArray second = turned.get(":, :, :, " + rd / 2 + ":" + rd);
        NDArray half = second.neg().concat(first, -1);
        NDArray rotated = turned.mul(rotary[0]).add(half.mul(rotary[1]));
        return rd == hd ? rotated : rotated.concat(x.get(":, :, :, " + rd + ":" + hd), -1);
    }

    private NDArray gelu(NDArray x) {
        if (config.exactGelu()) {
            return x.getNDArrayInternal().gelu();
        }
        return x.pow(3).mul(0.044715).add(x).mul(Math.sqrt(2 / Math.PI)).tanh().add(1).mul(x).mul(0.5);
    }

    private static NDArray linear(NDArray x, Linear l) {
        return x.getNDArrayInternal().linear(x, l.weight(), l.bias()).singletonOrThrow();
    }

    private NDArray norm(NDArray x, Norm n) {
        return LayerNorm.layerNorm(x, new Shape(config.hidden()), n.weight(), n.bias(), config.layerNormEps())
                .singletonOrThrow();
    }

    /** (W_out ∘ final_layer_norm.weight) · W_U, with the untied embed_out as W_U. */
    @Override
    public DirectLogits directLogits(int layer, int k) {
        try (NDScope scope = new NDScope()) {
            NDArray directions = blocks.get(layer).down().weight().transpose().mul(finalNorm.weight()); // [d_mlp, hidden]
            return DirectLogits.compute(directions, embedOut.transpose(), k);
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
