package dev.neurodex.model.neox;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.neurodex.model.CausalDecoder;
import dev.neurodex.model.DirectLogits;
import dev.neurodex.model.HookPlan;
import dev.neurodex.model.HookPoint;
import dev.neurodex.model.HookSink;
import dev.neurodex.model.MlpDirections;
import dev.neurodex.model.ModelInfo;
import dev.neurodex.model.StateDict;
import dev.neurodex.model.nn.CausalAttention;
import dev.neurodex.model.nn.Embedding;
import dev.neurodex.model.nn.Gelu;
import dev.neurodex.model.nn.LayerNorm;
import dev.neurodex.model.nn.Linear;
import dev.neurodex.model.nn.Rotary;
import dev.neurodex.model.nn.Scoped;
import dev.neurodex.model.nn.Weights;
import java.util.ArrayList;
import java.util.List;

/**
 * The GPT-NeoX forward pass (Pythia) in DJL NDArray ops: parallel attention and MLP, rotary embeddings on the
 * first rotary_pct of each head, untied unembedding. Exposes {@code blocks.{L}.mlp.hook_post} =
 * gelu(dense_h_to_4h(post_attention_layernorm(x))).
 */
public final class NeoxModel extends CausalDecoder {
    private final NeoxConfig config;
    private final NDArray embedIn;
    private final NDArray embedOut;
    private final LayerNorm finalNorm;
    private final List<Block> blocks = new ArrayList<>();

    private record Block(LayerNorm inputNorm, LayerNorm postNorm, Linear qkv, Linear dense, Linear up, Linear down) {}

    public NeoxModel(NeoxConfig c, StateDict dict, ModelInfo info, NDManager parent) {
        super(info, c.bos(), parent);
        this.config = c;
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
    public boolean layerNormDecoder() {
        return true;
    }

    /** With a parallel residual there is no stream between attention and MLP: no hook_resid_mid. */
    @Override
    public java.util.Set<HookPoint> hookPoints() {
        java.util.Set<HookPoint> points = java.util.EnumSet.allOf(HookPoint.class);
        if (config.parallelResidual()) {
            points.remove(HookPoint.RESID_MID);
        }
        return points;
    }

    @Override
    public void run(List<int[]> windows, HookPlan plan, HookSink sink) {
        int batch = windows.size();
        Gelu gelu = config.exactGelu() ? Gelu.EXACT : Gelu.TANH;
        boolean parallel = config.parallelResidual();
        try (NDScope scope = new NDScope(); NDManager m = manager.newSubManager()) {
            NDArray tokens = frame().tokens(windows, config.positions(), m);
            int seq = (int) tokens.getShape().get(1);
            CausalAttention attention = new CausalAttention(m, seq);
            Rotary rotary = new Rotary(m, seq, Rotary.inverseFrequencies(config.rotaryDims(), config.rotaryBase()));
            NDArray x = Embedding.lookup(tokens, embedIn);
            Scoped.blocks(x, plan.lastLayer() + 1, (l, in) -> {
                Block block = blocks.get(l);
                plan.offer(sink, HookPoint.RESID_PRE, l, in);
                // With a parallel residual the MLP does not see the attention: when nothing asked for reads it
                // (the last block, usually), it is not computed.
                boolean attend = !parallel || plan.wants(HookPoint.ATTN_OUT, l) || plan.needsAfter(HookPoint.MLP_OUT, l);
                NDArray attn = attend ? attention(block.inputNorm().apply(in), block, attention, rotary, batch, seq) : null;
                plan.offer(sink, HookPoint.ATTN_OUT, l, attn);
                NDArray mlpIn = parallel ? in : in.add(attn);
                if (!parallel) {
                    plan.offer(sink, HookPoint.RESID_MID, l, mlpIn);
                }
                NDArray post = gelu.apply(block.up().apply(block.postNorm().apply(mlpIn))); // [batch, seq, d_mlp]
                plan.offer(sink, HookPoint.MLP_POST, l, post);
                if (!plan.needsAfter(HookPoint.MLP_POST, l)) {
                    return null;
                }
                return plan.afterMlp(sink, l, block.down().apply(post), parallel ? in.add(attn) : mlpIn);
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
    public DirectLogits directLogits(NDArray residualDirections, int k) {
        return DirectLogits.ofResidual(residualDirections, finalNorm.weight(), embedOut, k);
    }

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
}
