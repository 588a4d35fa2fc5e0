package dev.neurodex.model.llama;

import ai.djl.ndarray.NDArray;
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
import dev.neurodex.model.nn.Linear;
import dev.neurodex.model.nn.RmsNorm;
import dev.neurodex.model.nn.Rotary;
import dev.neurodex.model.nn.Scoped;
import dev.neurodex.model.nn.Weights;
import java.util.ArrayList;
import java.util.List;

/**
 * A Llama-family decoder (also Mistral, with its sliding window, and Qwen2, with q/k/v biases), as Hugging Face's
 * modeling_llama computes it: pre-RMSNorm blocks, rotary attention with
 * grouped key/value heads, and a gated MLP, down(silu(gate(x)) · up(x)). The hook, {@code blocks.{L}.mlp.hook_post}
 * as in TransformerLens, is silu(gate(x)) · up(x): the input of down_proj.
 */
public final class LlamaModel extends CausalDecoder {
    private final LlamaConfig config;
    private final NDArray embed;
    private final NDArray unembed;
    private final RmsNorm finalNorm;
    private final List<Block> blocks = new ArrayList<>();

    /** A decoder layer; {@code attnOutNorm} and {@code mlpOutNorm} are Gemma 2's extra norms (null elsewhere). */
    private record Block(RmsNorm inputNorm, Linear q, Linear k, Linear v, Linear o, RmsNorm attnOutNorm, RmsNorm mlpNorm,
                         Linear gate, Linear up, Linear down, RmsNorm mlpOutNorm) {}

    public LlamaModel(LlamaConfig c, StateDict dict, ModelInfo info, NDManager parent) {
        super(info, c.bos(), parent);
        this.config = c;
        Weights w = new Weights(dict, "", manager);
        java.util.function.BiFunction<String, Integer, RmsNorm> norm = (name, size) -> {
            RmsNorm n = w.rmsNorm(name, size, c.rmsNormEps());
            // Gemma stores RMSNorm weights as offsets from 1.
            return c.gemma() ? new RmsNorm(n.weight().add(1f), n.eps()) : n;
        };
        int q = c.heads() * c.headDim();
        int kv = c.kvHeads() * c.headDim();
        for (int i = 0; i < c.layers(); i++) {
            String l = "model.layers." + i + ".";
            blocks.add(new Block(norm.apply(l + "input_layernorm", c.hidden()),
                    w.linear(l + "self_attn.q_proj", q, c.hidden(), c.qkvBias()),
                    w.linear(l + "self_attn.k_proj", kv, c.hidden(), c.qkvBias()),
                    w.linear(l + "self_attn.v_proj", kv, c.hidden(), c.qkvBias()),
                    w.linear(l + "self_attn.o_proj", c.hidden(), q, false),
                    // Gemma 2 names its attention output norm post_attention_layernorm, which Llama uses before the MLP.
                    c.gemma2() ? norm.apply(l + "post_attention_layernorm", c.hidden()) : null,
                    norm.apply(l + (c.gemma2() ? "pre_feedforward_layernorm" : "post_attention_layernorm"), c.hidden()),
                    w.linear(l + "mlp.gate_proj", c.intermediate(), c.hidden(), false),
                    w.linear(l + "mlp.up_proj", c.intermediate(), c.hidden(), false),
                    w.linear(l + "mlp.down_proj", c.hidden(), c.intermediate(), false),
                    c.gemma2() ? norm.apply(l + "post_feedforward_layernorm", c.hidden()) : null));
        }
        this.embed = w.tensor("model.embed_tokens.weight", c.vocab(), c.hidden());
        this.unembed = c.tied() && !dict.contains("lm_head.weight") ? embed : w.tensor("lm_head.weight", c.vocab(), c.hidden());
        this.finalNorm = norm.apply("model.norm", c.hidden());
    }

    /** Attention projections shrink with grouped key/value heads, and the MLP has three matrices, not two. */
    @Override
    public double flopsPerToken(int context, int width) {
        double seen = (context + 1) / 2.0;
        double d = config.hidden();
        double attention = d * config.headDim() * (2.0 * config.heads() + 2.0 * config.kvHeads());
        double perPosition = config.layers() * (2.0 * (attention + 3.0 * d * config.intermediate())
                + 4.0 * seen * config.heads() * config.headDim()) - 2.0 * d * config.intermediate();
        return perPosition * context / width;
    }

    /** Gemma 2's attn_out and mlp_out are taken after their extra norms, as TransformerLens's hooks are. */
    @Override
    public void run(List<int[]> windows, HookPlan plan, HookSink sink) {
        int batch = windows.size();
        try (NDScope scope = new NDScope(); NDManager m = manager.newSubManager()) {
            NDArray tokens = frame().tokens(windows, config.positions(), m);
            int seq = (int) tokens.getShape().get(1);
            CausalAttention full = new CausalAttention(m, seq, 0, config.softcap());
            CausalAttention windowed = new CausalAttention(m, seq, config.slidingWindow(), config.softcap());
            Rotary rotary = new Rotary(m, seq, config.inverseFrequencies());
            NDArray x = Embedding.lookup(tokens, embed);
            if (config.gemma()) {
                x = x.muli((float) Math.sqrt(config.hidden())); // Gemma scales its embeddings by sqrt(hidden_size)
            }
            Scoped.blocks(x, plan.lastLayer() + 1, (l, in) -> {
                Block block = blocks.get(l);
                plan.offer(sink, HookPoint.RESID_PRE, l, in);
                CausalAttention attention = config.window(l) > 0 ? windowed : full;
                NDArray attn = attention(block.inputNorm().apply(in), block, attention, rotary, batch, seq);
                attn = block.attnOutNorm() == null ? attn : block.attnOutNorm().apply(attn);
                plan.offer(sink, HookPoint.ATTN_OUT, l, attn);
                NDArray h = attn.addi(in);
                plan.offer(sink, HookPoint.RESID_MID, l, h);
                NDArray normed = block.mlpNorm().apply(h);
                NDArray gate = block.gate().apply(normed);
                NDArray act = config.gelu() != null ? config.gelu().apply(gate) : gate.getNDArrayInternal().sigmoid().muli(gate);
                NDArray post = act.muli(block.up().apply(normed));
                plan.offer(sink, HookPoint.MLP_POST, l, post);
                // Nothing after the last point asked for is computed (the last block's down projection, usually).
                if (!plan.needsAfter(HookPoint.MLP_POST, l)) {
                    return null;
                }
                NDArray out = block.down().apply(post);
                return plan.afterMlp(sink, l, block.mlpOutNorm() == null ? out : block.mlpOutNorm().apply(out), h);
            });
        }
    }

    private NDArray attention(NDArray x, Block block, CausalAttention attention, Rotary rotary, int batch, int seq) {
        int hd = config.headDim();
        NDArray q = rotary.apply(heads(block.q().apply(x), batch, seq, config.heads()), hd).muli(config.queryScale());
        NDArray k = rotary.apply(heads(block.k().apply(x), batch, seq, config.kvHeads()), hd);
        NDArray v = heads(block.v().apply(x), batch, seq, config.kvHeads());
        int groups = config.heads() / config.kvHeads();
        if (groups > 1) { // each key/value head serves `groups` consecutive query heads (repeat_kv)
            k = k.repeat(1, groups);
            v = v.repeat(1, groups);
        }
        return block.o().apply(attention.apply(q, k, v));
    }

    private NDArray heads(NDArray x, int batch, int seq, int count) {
        return x.reshape(batch, seq, count, config.headDim()).transpose(0, 2, 1, 3);
    }

    /** (W_down columns ∘ model.norm's weight) · W_U. */
    @Override
    public DirectLogits directLogits(NDArray residualDirections, int k) {
        return DirectLogits.ofResidual(residualDirections, finalNorm.weight(), unembed, k);
    }

    @Override
    public DirectLogits directLogits(int layer, int k) {
        RmsNorm after = blocks.get(layer).mlpOutNorm(); // Gemma 2: the MLP's output passes its own norm first
        try (NDScope scope = new NDScope()) {
            NDArray scale = after == null ? finalNorm.weight() : finalNorm.weight().mul(after.weight());
            return DirectLogits.of(blocks.get(layer).down(), scale, unembed, k);
        }
    }

    /** up_proj's rows (TransformerLens's W_in of a gated MLP), times post_attention_layernorm's weight. */
    @Override
    public NDArray readDirections(int layer) {
        return MlpDirections.read(blocks.get(layer).up(), blocks.get(layer).mlpNorm().weight());
    }

    @Override
    public NDArray writeDirections(int layer) {
        NDArray write = MlpDirections.write(blocks.get(layer).down());
        RmsNorm after = blocks.get(layer).mlpOutNorm();
        return after == null ? write : write.mul(after.weight()); // Gemma 2: through the norm after the MLP
    }
}
