package dev.neurodex.model.gpt2;

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
import dev.neurodex.model.ModelException;
import dev.neurodex.model.ModelInfo;
import dev.neurodex.model.StateDict;
import dev.neurodex.model.WindowFrame;
import java.util.List;

/**
 * The GPT-2 forward pass in DJL NDArray ops: pre-LayerNorm blocks, causal attention, GELU in its tanh form,
 * learned positions. Exposes {@code blocks.{L}.mlp.hook_post} = gelu_new(c_fc(ln_2(x))).
 */
public final class Gpt2Model implements HookedModel, DirectLogits.Source {
    private static final double GELU_C = Math.sqrt(2 / Math.PI);
    private final Gpt2Config config;
    private final ModelInfo info;
    private final NDManager manager;
    private final Gpt2Weights w;

    public Gpt2Model(Gpt2Config config, StateDict weights, ModelInfo info, NDManager parent) {
        this.config = config;
        this.info = info;
        this.manager = parent.newSubManager();
        this.w = Gpt2Weights.load(weights, config, manager);
    }

    @Override
    public ModelInfo info() {
        return info;
    }

    @Override
    public WindowFrame frame() {
        // BOS first (TransformerLens convention); padding sits to the right, where causality already hides it.
        return new WindowFrame(new int[] {config.bos()}, new int[0], config.bos());
    }

    @Override
    public Activations run(List<int[]> windows, Activations recycled) {
        WindowFrame frame = frame();
        int batch = windows.size();
        int longest = windows.stream().mapToInt(x -> frame.framedLength(x.length)).max().orElse(0);
        if (longest > config.positions()) {
            throw new ModelException("window of " + longest + " positions exceeds the model's " + config.positions());
        }
        int seq = frame.batchLength(windows, config.positions());
        long[] ids = frame.ids(windows, seq, new int[batch]);
        // The scope also frees results of ops whose first operand is a weight (they belong to the weights' manager).
        try (NDScope scope = new NDScope(); NDManager m = manager.newSubManager()) {
            NDArray tokens = m.create(ids, new Shape(batch, seq));
            NDArray mask = m.create(WindowFrame.causalMask(seq), new Shape(1, 1, seq, seq));
            NDArray x = tokens.getNDArrayInternal().embedding(tokens, w.tokenEmbedding(), SparseFormat.DENSE)
                    .singletonOrThrow().add(w.positionEmbedding().get("0:" + seq)); // [batch, seq, embed]
            float[][] hooks = new float[config.layers()][];
            for (int l = 0; l < config.layers(); l++) {
                Gpt2Weights.Block block = w.blocks().get(l);
                x = x.add(attention(norm(x, block.ln1()), block, mask, batch, seq));
                NDArray post = gelu(linear(norm(x, block.ln2()), block.fc())); // [batch, seq, d_mlp]
                hooks[l] = Activations.copy(post, Activations.spare(recycled, l));
                if (l == config.layers() - 1) {
                    break; // nothing reads the last block's output: skip its projection
                }
                x = x.add(linear(post, block.proj()));
            }
            return new Activations(batch, seq, 1, config.inner(), hooks);
        }
    }

    private NDArray attention(NDArray x, Gpt2Weights.Block block, NDArray mask, int batch, int seq) {
        NDList qkv = linear(x, block.attention()).split(3, 2);
        NDArray q = heads(qkv.get(0), batch, seq); // [batch, heads, seq, head_dim]
        NDArray k = heads(qkv.get(1), batch, seq);
        NDArray v = heads(qkv.get(2), batch, seq);
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).div(Math.sqrt(config.headDim())).add(mask);
        NDArray context = scores.softmax(-1).matMul(v).transpose(0, 2, 1, 3).reshape(batch, seq, config.embed());
        return linear(context, block.attentionOut());
    }

    private NDArray heads(NDArray x, int batch, int seq) {
        return x.reshape(batch, seq, config.heads(), config.headDim()).transpose(0, 2, 1, 3);
    }

    /** gelu_new: 0.5 x (1 + tanh(sqrt(2/π) (x + 0.044715 x³))). */
    private static NDArray gelu(NDArray x) {
        return x.pow(3).mul(0.044715).add(x).mul(GELU_C).tanh().add(1).mul(x).mul(0.5);
    }

    private static NDArray linear(NDArray x, Gpt2Weights.Linear l) {
        return x.getNDArrayInternal().linear(x, l.weight(), l.bias()).singletonOrThrow();
    }

    private NDArray norm(NDArray x, Gpt2Weights.Norm n) {
        return LayerNorm.layerNorm(x, new Shape(config.embed()), n.weight(), n.bias(), config.layerNormEps())
                .singletonOrThrow();
    }

    /**
     * (W_out ∘ ln_f.weight) · W_U for every neuron of a layer; GPT-2 ties W_U to the token embedding. Done in
     * chunks of neurons so that only chunk × vocab floats are alive at once.
     */
    @Override
    public DirectLogits directLogits(int layer, int k) {
        try (NDScope scope = new NDScope()) {
            NDArray directions = w.blocks().get(layer).proj().weight().transpose().mul(w.finalNorm().weight()); // [d_mlp, embed]
            return DirectLogits.compute(directions, w.tokenEmbedding().transpose(), k);
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
