package dev.neurodex.model.neox;

import dev.neurodex.model.ModelException;
import dev.neurodex.model.hf.HfCheckpoint;

/**
 * The shape of a GPT-NeoX family model (the Pythia suite), from its config.json.
 *
 * @param rotaryDims       leading dimensions of each head that rotary embeddings turn (rotary_pct × head size)
 * @param parallelResidual Pythia adds attention and MLP to the same residual: x + attn(ln1(x)) + mlp(ln2(x))
 * @param exactGelu        "gelu" (erf form, Pythia) rather than the tanh approximation
 */
public record NeoxConfig(int layers, int hidden, int heads, int intermediate, int vocab, int positions,
                         int rotaryDims, double rotaryBase, float layerNormEps, boolean parallelResidual,
                         boolean exactGelu, int bos) {

    public int headDim() {
        return hidden / heads;
    }

    public static NeoxConfig of(HfCheckpoint c) {
        int hidden = c.sizeField("hidden_size");
        int heads = c.sizeField("num_attention_heads");
        if (hidden % heads != 0) {
            throw new ModelException(c.dir().resolve("config.json") + ": hidden_size " + hidden
                    + " is not a multiple of num_attention_heads " + heads);
        }
        String act = c.config().path("hidden_act").asText("gelu");
        if (!act.equals("gelu") && !act.equals("gelu_new") && !act.equals("gelu_fast")) {
            throw new ModelException(c.dir().resolve("config.json") + ": hidden_act \"" + act + "\" is not supported for gpt_neox");
        }
        int rotary = (int) (hidden / heads * c.doubleField("rotary_pct", 1.0, 0, 1));
        double base = c.doubleField("rotary_emb_base", c.doubleField("rope_theta", 10000, 1e-9, 1e12), 1e-9, 1e12);
        int vocab = c.sizeField("vocab_size");
        return new NeoxConfig(c.sizeField("num_hidden_layers"), hidden, heads, c.sizeField("intermediate_size"),
                vocab, c.sizeField("max_position_embeddings"), rotary, base,
                (float) c.doubleField("layer_norm_eps", 1e-5, 1e-30, 1),
                c.config().path("use_parallel_residual").asBoolean(true), act.equals("gelu"),
                c.idField("bos_token_id", 0, vocab));
    }
}
