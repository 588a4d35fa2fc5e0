package dev.neurodex.model.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dev.neurodex.model.Activations;
import dev.neurodex.model.HookBuffer;
import dev.neurodex.model.HookPlan;
import dev.neurodex.model.HookPoint;
import dev.neurodex.model.HookSink;
import dev.neurodex.model.HookedModel;
import dev.neurodex.model.MlpDirections;
import dev.neurodex.model.ModelInfo;
import dev.neurodex.model.StateDict;
import dev.neurodex.model.WindowFrame;
import dev.neurodex.model.nn.Gelu;
import dev.neurodex.model.nn.Scoped;
import java.util.List;
import java.util.function.Consumer;

/**
 * The BERT encoder forward pass in DJL NDArray ops (post-LayerNorm blocks, exact GELU, learned absolute
 * positions), exposing {@code blocks.{L}.mlp.hook_post} = GELU(intermediate.dense(x)).
 */
public final class BertModel implements HookedModel, MlpDirections {
    private final BertConfig config;
    private final ModelInfo info;
    private final WindowFrame frame;
    private final NDManager manager;
    private final BertWeights w;
    private final HookBuffer hooks = new HookBuffer();

    public BertModel(BertConfig config, StateDict weights, String prefix, ModelInfo info, WindowFrame frame,
                     NDManager parent) {
        this.config = config;
        this.info = info;
        this.frame = frame;
        this.manager = parent.newSubManager();
        this.w = BertWeights.load(weights, prefix, config, manager);
    }

    @Override
    public ModelInfo info() {
        return info;
    }

    @Override
    public WindowFrame frame() {
        return frame;
    }

    @Override
    public void run(List<int[]> windows, Consumer<Activations> hook) {
        forward(windows, HookPlan.every(HookPoint.MLP_POST, config.layers()),
                hooks.copying(frame.prefix().length, hook), false);
    }

    @Override
    public java.util.Set<HookPoint> hookPoints() {
        return java.util.EnumSet.allOf(HookPoint.class);
    }

    /**
     * TransformerLens's BertBlock: resid_mid and resid_post are the sums before each post-LayerNorm, and the next
     * block's resid_pre is the normalised stream (Hugging Face's hidden state).
     */
    @Override
    public void run(List<int[]> windows, HookPlan plan, HookSink sink) {
        forward(windows, plan, sink, false);
    }

    /** Runs the whole encoder and returns the final hidden state [batch, seq, hidden], for checking against a reference. */
    public float[] finalHidden(List<int[]> windows, Consumer<Activations> hook) {
        return forward(windows, HookPlan.every(HookPoint.MLP_POST, config.layers()),
                hooks.copying(frame.prefix().length, hook), true);
    }

    private float[] forward(List<int[]> windows, HookPlan plan, HookSink sink, boolean keepHidden) {
        int batch = windows.size();
        int seq = frame.checkedBatchLength(windows, config.maxPositions());
        int[] real = new int[batch];
        long[] ids = frame.ids(windows, seq, real);
        float[] keyBias = new float[batch * seq];
        for (int b = 0; b < batch; b++) {
            // Padded keys get -inf: softmax gives them exactly zero weight, so padding changes nothing.
            java.util.Arrays.fill(keyBias, b * seq + real[b], (b + 1) * seq, Float.NEGATIVE_INFINITY);
        }
        // The scope also frees results of ops whose first operand is a weight (they belong to the weights' manager).
        try (NDScope scope = new NDScope(); NDManager m = manager.newSubManager()) {
            NDArray tokens = m.create(ids, new Shape(batch, seq));
            boolean padded = java.util.Arrays.stream(real).anyMatch(r -> r < seq);
            // Most batches of a scan are full windows: no mask, one pass over the [batch, heads, seq, seq] scores less.
            NDArray bias = padded ? m.create(keyBias, new Shape(batch, 1, 1, seq)) : null;
            int layers = keepHidden ? config.layers() : plan.lastLayer() + 1;
            NDArray last = Scoped.blocks(embed(tokens, seq), layers, (l, x) -> {
                BertWeights.Layer layer = w.layers().get(l);
                plan.offer(sink, HookPoint.RESID_PRE, l, x);
                NDArray attn = attention(x, layer, bias, batch, seq);
                plan.offer(sink, HookPoint.ATTN_OUT, l, attn);
                NDArray mid = attn.addi(x);
                plan.offer(sink, HookPoint.RESID_MID, l, mid);
                NDArray h = layer.attentionNorm().apply(mid);
                NDArray post = Gelu.EXACT.apply(layer.intermediate().apply(h)); // [batch, seq, d_mlp]
                plan.offer(sink, HookPoint.MLP_POST, l, post);
                if (!keepHidden && !plan.needsAfter(HookPoint.MLP_POST, l)) {
                    return null; // nothing reads the rest: the last block's projection would be ~5% of the work
                }
                NDArray out = layer.output().apply(post);
                plan.offer(sink, HookPoint.MLP_OUT, l, out);
                NDArray resid = out.addi(h);
                plan.offer(sink, HookPoint.RESID_POST, l, resid);
                return keepHidden || plan.needsAfter(HookPoint.RESID_POST, l) ? layer.outputNorm().apply(resid) : null;
            });
            return keepHidden ? last.toFloatArray() : null;
        }
    }

    private NDArray embed(NDArray tokens, int seq) {
        NDArray words = tokens.getNDArrayInternal()
                .embedding(tokens, w.wordEmbeddings(), ai.djl.ndarray.types.SparseFormat.DENSE).singletonOrThrow();
        NDArray positions = w.positionEmbeddings().get("0:" + seq);
        NDArray x = words.add(positions).add(w.tokenTypeEmbeddings().get(0)); // token type 0 everywhere
        return w.embeddingNorm().apply(x);
    }

    /** @param bias -inf on padded keys, 0 elsewhere; null when no window of the batch is padded */
    private NDArray attention(NDArray x, BertWeights.Layer layer, NDArray bias, int batch, int seq) {
        NDArray q = heads(layer.query().apply(x), batch, seq); // [batch, heads, seq, head_dim]
        NDArray k = heads(layer.key().apply(x), batch, seq);
        NDArray v = heads(layer.value().apply(x), batch, seq);
        // Scaling q rather than the scores: a [.., seq, head_dim] pass instead of a [.., seq, seq] one.
        NDArray scores = q.divi(Math.sqrt(config.headDim())).matMul(k.transpose(0, 1, 3, 2));
        if (bias != null) {
            scores = scores.addi(bias);
        }
        NDArray context = scores.softmax(-1).matMul(v) // [batch, heads, seq, head_dim]
                .transpose(0, 2, 1, 3).reshape(batch, seq, config.hidden());
        return layer.attentionOut().apply(context);
    }

    private NDArray heads(NDArray x, int batch, int seq) {
        return x.reshape(batch, seq, config.heads(), config.headDim()).transpose(0, 2, 1, 3);
    }

    /** intermediate.dense's rows, times the attention output LayerNorm's weight (BERT normalises after each sublayer). */
    @Override
    public NDArray readDirections(int layer) {
        BertWeights.Layer l = w.layers().get(layer);
        return MlpDirections.read(l.intermediate(), l.attentionNorm().weight());
    }

    /** output.dense's columns, times the LayerNorm after the MLP, through which everything it writes passes. */
    @Override
    public NDArray writeDirections(int layer) {
        BertWeights.Layer l = w.layers().get(layer);
        return MlpDirections.write(l.output()).mul(l.outputNorm().weight());
    }

    @Override
    public void close() {
        manager.close();
    }
}
