package dev.neurodex.model.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.norm.LayerNorm;
import dev.neurodex.model.Activations;
import dev.neurodex.model.HookedModel;
import dev.neurodex.model.ModelException;
import dev.neurodex.model.ModelInfo;
import dev.neurodex.model.StateDict;
import dev.neurodex.model.WindowFrame;
import java.util.List;

/**
 * The BERT encoder forward pass in DJL NDArray ops (post-LayerNorm blocks, exact GELU, learned absolute
 * positions), exposing {@code blocks.{L}.mlp.hook_post} = GELU(intermediate.dense(x)).
 */
public final class BertModel implements HookedModel {
    private final BertConfig config;
    private final ModelInfo info;
    private final WindowFrame frame;
    private final NDManager manager;
    private final BertWeights w;

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
    public Activations run(List<int[]> windows, Activations recycled) {
        return forward(windows, false, recycled).activations();
    }

    /** The hook activations plus the final hidden state [batch, seq, hidden], for checking against a reference. */
    public Result forward(List<int[]> windows, boolean keepHidden) {
        return forward(windows, keepHidden, null);
    }

    private Result forward(List<int[]> windows, boolean keepHidden, Activations recycled) {
        int batch = windows.size();
        int longest = windows.stream().mapToInt(x -> frame.framedLength(x.length)).max().orElse(0);
        if (longest > config.maxPositions()) {
            throw new ModelException("window of " + longest + " positions exceeds the model's " + config.maxPositions());
        }
        int seq = frame.batchLength(windows, config.maxPositions());
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
            NDArray x = embed(tokens, seq); // [batch, seq, hidden]
            float[][] hooks = new float[config.layers()][];
            for (int l = 0; l < config.layers(); l++) {
                BertWeights.Layer layer = w.layers().get(l);
                x = norm(attention(x, layer, bias, batch, seq).add(x), layer.attentionNorm());
                NDArray post = linear(x, layer.intermediate()).getNDArrayInternal().gelu(); // [batch, seq, d_mlp]
                hooks[l] = Activations.copy(post, Activations.spare(recycled, l));
                if (l == config.layers() - 1 && !keepHidden) {
                    break; // nothing reads the last block's output: its projection would be ~5% of the work
                }
                x = norm(linear(post, layer.output()).add(x), layer.outputNorm());
            }
            Activations acts = new Activations(batch, seq, frame.prefix().length, config.intermediate(), hooks);
            return new Result(acts, keepHidden ? x.toFloatArray() : null);
        }
    }

    public record Result(Activations activations, float[] finalHidden) {}

    private NDArray embed(NDArray tokens, int seq) {
        NDArray words = tokens.getNDArrayInternal()
                .embedding(tokens, w.wordEmbeddings(), ai.djl.ndarray.types.SparseFormat.DENSE).singletonOrThrow();
        NDArray positions = w.positionEmbeddings().get("0:" + seq);
        NDArray x = words.add(positions).add(w.tokenTypeEmbeddings().get(0)); // token type 0 everywhere
        return norm(x, w.embeddingNorm());
    }

    /** @param bias -inf on padded keys, 0 elsewhere; null when no window of the batch is padded */
    private NDArray attention(NDArray x, BertWeights.Layer layer, NDArray bias, int batch, int seq) {
        NDArray q = heads(linear(x, layer.query()), batch, seq); // [batch, heads, seq, head_dim]
        NDArray k = heads(linear(x, layer.key()), batch, seq);
        NDArray v = heads(linear(x, layer.value()), batch, seq);
        // Scaling q rather than the scores: a [.., seq, head_dim] pass instead of a [.., seq, seq] one.
        NDArray scores = q.div(Math.sqrt(config.headDim())).matMul(k.transpose(0, 1, 3, 2));
        if (bias != null) {
            scores = scores.add(bias);
        }
        NDArray context = scores.softmax(-1).matMul(v) // [batch, heads, seq, head_dim]
                .transpose(0, 2, 1, 3).reshape(batch, seq, config.hidden());
        return linear(context, layer.attentionOut());
    }

    private NDArray heads(NDArray x, int batch, int seq) {
        return x.reshape(batch, seq, config.heads(), config.headDim()).transpose(0, 2, 1, 3);
    }

    private static NDArray linear(NDArray x, BertWeights.Linear l) {
        return x.getNDArrayInternal().linear(x, l.weight(), l.bias()).singletonOrThrow();
    }

    private NDArray norm(NDArray x, BertWeights.Norm n) {
        NDList out = LayerNorm.layerNorm(x, new Shape(config.hidden()), n.weight(), n.bias(), config.layerNormEps());
        return out.singletonOrThrow();
    }

    @Override
    public void close() {
        manager.close();
    }

}
