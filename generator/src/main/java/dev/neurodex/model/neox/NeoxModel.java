package dev.neurodex.model.neox;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import dev.neurodex.model.Activations;
import dev.neurodex.model.DirectLogits;
import dev.neurodex.model.HookBuffer;
import dev.neurodex.model.HookedModel;
import dev.neurodex.model.MlpDirections;
import dev.neurodex.model.ModelInfo;
import dev.neurodex.model.StateDict;
import dev.neurodex.model.WindowFrame;
import dev.neurodex.model.nn.CausalAttention;
import dev.neurodex.model.nn.Gelu;
import dev.neurodex.model.nn.LayerNorm;
import dev.neurodex.model.nn.Linear;
import dev.neurodex.model.nn.Rotary;
import dev.neurodex.model.nn.Scoped;
import dev.neurodex.model.nn.Weights;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The GPT-NeoX forward pass (Pythia) in DJL NDArray ops: parallel attention and MLP, rotary embeddings on the
 * first rotary_pct of each head, untied unembedding. Exposes {@code blocks.{L}.mlp.hook_post} =
 * gelu(dense_h_to_4h(post_attention_layernorm(x))).
 */
public final class NeoxModel implements HookedModel, DirectLogits.Source, MlpDirections {
    private final NeoxConfig config;
    private final ModelInfo info;
    private final NDManager manager;
    private final NDArray embedIn;
    private final NDArray embedOut;
    private final LayerNorm finalNorm;
    private final List<Block> blocks = new ArrayList<>();
    private final HookBuffer hooks = new HookBuffer();

    private record Block(LayerNorm inputNorm, LayerNorm postNorm, Linear qkv, Linear dense, Linear up, Linear down) {}

    public NeoxModel(NeoxConfig c, StateDict dict, ModelInfo info, NDManager parent) {
        this.config = c;
        this.info = info;
        this.manager = parent.newSubManager();
        Weights w = new Weights(dict, "", manager);
        float eps = c.layerNormEps();
        for (int i = 0; i < c.layers(); i++) {
            String l = "gpt_neox.layers." + i + ".";
            blocks.add(new Block(w.layerNorm(l + "input_layernorm", c.hidden(), eps),
                    w.layerNorm(l + "post_attention_layernorm", c.hidden(), eps),
                    w.linear(l + "attention.query_key_value", 3 * c.hidden(), c.hidden()),
                    w.linear(l + "attention.dense", c.hidden(), c.hidden()),
                    w.linear(l + "mlp.dense_h_to_4h", c.intermediate(), c.hidden()),
                    w.linear(l + "mlp.dense_4h_to_h", c.hidden(), c.intermediate())));
        }
        this.embedIn = w.tensor("gpt_neox.embed_in.weight", c.vocab(), c.hidden());
        this.embedOut = w.tensor("embed_out.weight", c.vocab(), c.hidden());
        this.finalNorm = w.layerNorm("gpt_neox.final_layer_norm", c.hidden(), eps);
    }

    @Override
    public ModelInfo info() {
        return info;
    }

    @Override
    public WindowFrame frame() {
        return WindowFrame.bosFirst(config.bos());
    }

    @Override
    public void run(List<int[]> windows, Consumer<Activations> hook) {
        int batch = windows.size();
        WindowFrame frame = frame();
        int seq = frame.checkedBatchLength(windows, config.positions());
        long[] ids = frame.ids(windows, seq, new int[batch]);
        Gelu gelu = config.exactGelu() ? Gelu.EXACT : Gelu.TANH;
        try (NDScope scope = new NDScope(); NDManager m = manager.newSubManager()) {
            NDArray tokens = m.create(ids, new Shape(batch, seq));
            CausalAttention attention = new CausalAttention(m, seq);
            Rotary rotary = new Rotary(m, seq, Rotary.inverseFrequencies(config.rotaryDims(), config.rotaryBase()));
            NDArray x = tokens.getNDArrayInternal().embedding(tokens, embedIn, SparseFormat.DENSE).singletonOrThrow();
            Scoped.blocks(x, config.layers(), (l, in) -> {
                Block block = blocks.get(l);
                boolean last = l == config.layers() - 1;
                // Nothing reads the last block's output: with a parallel residual its MLP does not see its
                // attention either, so neither is computed.
                NDArray attn = last && config.parallelResidual() ? null
                        : attention(block.inputNorm().apply(in), block, attention, rotary, batch, seq);
                NDArray mlpIn = config.parallelResidual() ? in : in.add(attn);
                NDArray post = gelu.apply(block.up().apply(block.postNorm().apply(mlpIn))); // [batch, seq, d_mlp]
                hook.accept(hooks.take(post, l, batch, seq, 1, config.intermediate()));
                if (last) {
                    return null;
                }
                return (config.parallelResidual() ? in.add(attn) : mlpIn).addi(block.down().apply(post));
            });
        }
    }


    private NDArray attention(NDArray x, Block block, CausalAttention attention, Rotary rotary, int batch, int seq) {
        int hd = config.headDim();
        // GPT-NeoX packs q, k, v per head: [batch, seq, heads, 3 * head_dim].
        NDArray qkv = block.qkv().apply(x).reshape(batch, seq, config.heads(), 3 * hd).transpose(0, 2, 1, 3);
        NDList parts = qkv.split(3, 3);
        NDArray q = rotary.apply(parts.get(0), hd).divi(Math.sqrt(hd));
        NDArray k = rotary.apply(parts.get(1), hd);
        return block.dense().apply(attention.apply(q, k, parts.get(2)));
    }


    /** (W_out ∘ final_layer_norm.weight) · W_U, with the untied embed_out as W_U. */
    @Override
    public DirectLogits directLogits(int layer, int k) {
        return DirectLogits.of(blocks.get(layer).down(), finalNorm.weight(), embedOut, k);
    }

    /** dense_h_to_4h's rows, times post_attention_layernorm's weight (the norm in front of the MLP). */
    @Override
    public NDArray readDirections(int layer) {
        return MlpDirections.read(blocks.get(layer).up(), blocks.get(layer).postNorm().weight());
    }

    @Override
    public NDArray writeDirections(int layer) {
        return MlpDirections.write(blocks.get(layer).down());
    }

    @Override
    public void close() {
        manager.close();
    }
}
