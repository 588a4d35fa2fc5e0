package dev.neurodex.model.gpt2;

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
import dev.neurodex.model.nn.Scoped;
import java.util.List;

/**
 * The GPT-2 forward pass in DJL NDArray ops: pre-LayerNorm blocks, causal attention, GELU in its tanh form,
 * learned positions. Exposes {@code blocks.{L}.mlp.hook_post} = gelu_new(c_fc(ln_2(x))).
 */
public final class Gpt2Model extends CausalDecoder {
    private final Gpt2Config config;
    private final Gpt2Weights w;

    public Gpt2Model(Gpt2Config config, StateDict weights, ModelInfo info, NDManager parent) {
        super(info, config.bos(), parent);
        this.config = config;
        this.w = Gpt2Weights.load(weights, config, manager);
    }

    @Override
    public boolean layerNormDecoder() {
        return true;
    }

    @Override
    public void run(List<int[]> windows, HookPlan plan, HookSink sink) {
        int batch = windows.size();
        // The scope also frees results of ops whose first operand is a weight (they belong to the weights' manager).
        try (NDScope scope = new NDScope(); NDManager m = manager.newSubManager()) {
            NDArray tokens = frame().tokens(windows, config.positions(), m);
            int seq = (int) tokens.getShape().get(1);
            CausalAttention attention = new CausalAttention(m, seq);
            NDArray x = Embedding.lookup(tokens, w.tokenEmbedding()).add(w.positionEmbedding().get("0:" + seq)); // [batch, seq, embed]
            Scoped.blocks(x, plan.lastLayer() + 1, (l, in) -> {
                Gpt2Weights.Block block = w.blocks().get(l);
                plan.offer(sink, HookPoint.RESID_PRE, l, in);
                NDArray attn = attention(block.ln1().apply(in), block, attention, batch, seq);
                plan.offer(sink, HookPoint.ATTN_OUT, l, attn);
                NDArray h = attn.addi(in);
                plan.offer(sink, HookPoint.RESID_MID, l, h);
                NDArray post = Gelu.TANH.apply(block.fc().apply(block.ln2().apply(h))); // [batch, seq, d_mlp]
                plan.offer(sink, HookPoint.MLP_POST, l, post);
                // Nothing after the last point asked for is computed (the last block's projection, usually).
                if (!plan.needsAfter(HookPoint.MLP_POST, l)) {
                    return null;
                }
                return plan.afterMlp(sink, l, block.proj().apply(post), h);
            });
        }
    }

    private NDArray attention(NDArray x, Gpt2Weights.Block block, CausalAttention attention, int batch, int seq) {
        NDList qkv = block.attention().apply(x).split(3, 2);
        NDArray q = heads(qkv.get(0), batch, seq).divi(Math.sqrt(config.headDim())); // [batch, heads, seq, head_dim]
        NDArray k = heads(qkv.get(1), batch, seq);
        NDArray v = heads(qkv.get(2), batch, seq);
        return block.attentionOut().apply(attention.apply(q, k, v));
    }

    private NDArray heads(NDArray x, int batch, int seq) {
        return x.reshape(batch, seq, config.heads(), config.headDim()).transpose(0, 2, 1, 3);
    }

    /**
     * (W_out ∘ ln_f.weight) · W_U for every neuron of a layer; GPT-2 ties W_U to the token embedding. Done in
     * chunks of neurons so that only chunk × vocab floats are alive at once.
     */
    @Override
    public DirectLogits directLogits(NDArray residualDirections, int k) {
        return DirectLogits.ofResidual(residualDirections, w.finalNorm().weight(), w.tokenEmbedding(), k);
    }

    @Override
    public DirectLogits directLogits(int layer, int k) {
        return DirectLogits.of(w.blocks().get(layer).proj(), w.finalNorm().weight(), w.tokenEmbedding(), k);
    }

    /** c_fc's rows, times ln_2's weight (GPT-2 normalises the stream before the MLP). */
    @Override
    public NDArray readDirections(int layer) {
        Gpt2Weights.Block block = w.blocks().get(layer);
        return MlpDirections.read(block.fc(), block.ln2().weight());
    }

    @Override
    public NDArray writeDirections(int layer) {
        return MlpDirections.write(w.blocks().get(layer).proj());
    }
}
