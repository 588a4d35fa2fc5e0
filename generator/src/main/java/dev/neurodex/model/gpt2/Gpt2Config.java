package dev.neurodex.model.gpt2;

import dev.neurodex.model.ModelException;
import dev.neurodex.model.hf.HfCheckpoint;
import java.util.Set;

/**
 * The shape of a GPT-2 family model (gpt2, distilgpt2, gpt2-medium/large/xl), from its config.json.
 *
 * @param inner        MLP width; config.json leaves it null for the usual 4 × n_embd
 * @param layerNormEps GPT-2 uses 1e-5 (config "layer_norm_epsilon")
 * @param bos          the token TransformerLens prepends to every window (GPT-2: 50256, <|endoftext|>)
 */
public record Gpt2Config(int layers, int embed, int heads, int inner, int vocab, int positions, float layerNormEps,
                         int bos) {

    /** The tanh approximation of GELU, which is what GPT-2 was trained with. */
    static final Set<String> ACTIVATIONS = Set.of("gelu_new", "gelu_pytorch_tanh", "gelu_fast");

    public int headDim() {
        return embed / heads;
    }

    public static Gpt2Config of(HfCheckpoint c) {
        String activation = c.config().path("activation_function").asText("gelu_new");
        if (!ACTIVATIONS.contains(activation)) {
            throw new ModelException(c.dir().resolve("config.json") + ": activation_function \"" + activation
                    + "\" is not supported for gpt2 (expected gelu_new)");
        }
        int embed = c.sizeField("n_embd");
        int heads = c.sizeField("n_head");
        if (embed % heads != 0) {
            throw new ModelException(c.dir().resolve("config.json") + ": n_embd " + embed + " is not a multiple of n_head " + heads);
        }
        int vocab = c.sizeField("vocab_size");
        return new Gpt2Config(c.sizeField("n_layer"), embed, heads, c.sizeField("n_inner", 4 * embed), vocab,
                c.sizeField("n_positions"), (float) c.doubleField("layer_norm_epsilon", 1e-5, 1e-30, 1),
                c.idField("bos_token_id", 50256, vocab));
    }
}
