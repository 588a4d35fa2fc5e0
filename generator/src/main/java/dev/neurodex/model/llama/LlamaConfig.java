package dev.neurodex.model.llama;

import com.fasterxml.jackson.databind.JsonNode;
import dev.neurodex.model.ModelException;
import dev.neurodex.model.hf.HfCheckpoint;
import dev.neurodex.model.nn.Gelu;
import dev.neurodex.model.nn.Rotary;

/**
 * The shape of a Llama-family model (Llama 2/3, TinyLlama, SmolLM), from its config.json.
 *
 * @param kvHeads            key/value heads: fewer than {@code heads} is grouped-query attention (1: multi-query)
 * @param inverseFrequencies the rotary frequencies, after {@code rope_scaling} (plain, linear or Llama 3)
 * @param tied               the unembedding is the token embedding (no lm_head.weight)
 * @param qkvBias            the q, k and v projections have biases (Qwen2)
 * @param slidingWindow      a query attends to this many latest positions (Mistral); 0: all
 * @param gelu               the gate's activation when a GELU (Gemma's GeGLU); null: SiLU
 * @param gemma              Gemma's differences: RMSNorm scales by (1 + weight), embeddings are multiplied by
 *                           sqrt(hidden_size)
 * @param gemma2             Gemma 2's: a norm after attention and after the MLP too, scores soft-capped at
 *                           {@code softcap}, queries scaled by {@code queryScale}, the sliding window on even layers
 */
public record LlamaConfig(int layers, int hidden, int heads, int kvHeads, int headDim, int intermediate, int vocab,
                          int positions, float rmsNormEps, double[] inverseFrequencies, boolean tied, int bos,
                          boolean qkvBias, int slidingWindow, Gelu gelu, boolean gemma, boolean gemma2,
                          float softcap, double queryScale) {

    /** The members of the family that differ from Llama by a flag of this record. */
    public enum Variant { LLAMA, MISTRAL, QWEN2, GEMMA, GEMMA2 }

    /** The sliding window of layer {@code l}: Gemma 2 alternates, starting with a windowed layer 0; 0 for none. */
    public int window(int l) {
        return gemma2 && l % 2 != 0 ? 0 : slidingWindow;
    }

    public static LlamaConfig of(HfCheckpoint c, Variant variant) {
        String where = c.dir().resolve("config.json").toString();
        int hidden = c.sizeField("hidden_size");
        int heads = c.sizeField("num_attention_heads");
        int kvHeads = c.sizeField("num_key_value_heads", heads);
        if (heads % kvHeads != 0) {
            throw new ModelException(where + ": num_attention_heads " + heads + " is not a multiple of num_key_value_heads "
                    + kvHeads);
        }
        int headDim = c.sizeField("head_dim", hidden / heads);
        if (headDim % 2 != 0) {
            throw new ModelException(where + ": head_dim " + headDim + " is odd; rotary embeddings turn pairs");
        }
        Gelu gelu = null;
        if (variant == Variant.GEMMA || variant == Variant.GEMMA2) {
            // Gemma reads hidden_activation (hidden_act is an older, ignored name); unset means the tanh GELU.
            String act = c.config().path("hidden_activation").asText("gelu_pytorch_tanh");
            gelu = Gelu.named(act);
            if (gelu == null) {
                throw new ModelException(where + ": hidden_activation \"" + act + "\" is not a GELU");
            }
        } else {
            String act = c.config().path("hidden_act").asText("silu");
            if (!act.equals("silu")) {
                throw new ModelException(where + ": hidden_act \"" + act + "\" is not supported for "
                        + c.modelType() + " (expected silu)");
            }
        }
        if (c.config().path("attention_bias").asBoolean(false) || c.config().path("mlp_bias").asBoolean(false)) {
            throw new ModelException(where + ": attention_bias and mlp_bias are not supported for llama");
        }
        int window = 0;
        if (variant == Variant.MISTRAL || variant == Variant.GEMMA2) {
            window = c.config().path("sliding_window").isNull() ? 0 : c.sizeField("sliding_window", 0);
        }
        if (variant == Variant.QWEN2 && c.config().path("use_sliding_window").asBoolean(false)) {
            throw new ModelException(where + ": use_sliding_window is not supported for qwen2");
        }
        double theta = c.doubleField("rope_theta", 10000, 1, 1e12);
        int vocab = c.sizeField("vocab_size");
        return new LlamaConfig(c.sizeField("num_hidden_layers"), hidden, heads, kvHeads, headDim,
                c.sizeField("intermediate_size"), vocab, c.sizeField("max_position_embeddings"),
                (float) c.doubleField("rms_norm_eps", 1e-6, 1e-30, 1),
                scaled(Rotary.inverseFrequencies(headDim, theta), c.config().path("rope_scaling"), where),
                c.config().path("tie_word_embeddings").asBoolean(variant == Variant.GEMMA || variant == Variant.GEMMA2),
                // Qwen2 tokenizers have no BOS token; its configs name <|endoftext|>, which TransformerLens prepends.
                c.idField("bos_token_id", switch (variant) {
                    case QWEN2 -> c.config().path("eos_token_id").asInt(0);
                    case GEMMA, GEMMA2 -> 2;
                    default -> 1;
                }, vocab),
                variant == Variant.QWEN2, window, gelu, variant == Variant.GEMMA || variant == Variant.GEMMA2,
                variant == Variant.GEMMA2,
                variant == Variant.GEMMA2 ? (float) c.doubleField("attn_logit_softcapping", 0, 0, 1e6) : 0,
                1 / Math.sqrt(variant == Variant.GEMMA2 ? c.doubleField("query_pre_attn_scalar", headDim, 1e-6, 1e9)
                        : headDim));
    }

    /**
     * The frequencies after {@code rope_scaling}, as Hugging Face's modeling_rope_utils computes them: "linear"
     * divides them all by the factor; "llama3" divides the low frequencies by it, keeps the high ones and blends
     * between. Neither changes the attention scale.
     */
    static double[] scaled(double[] f, JsonNode scaling, String where) {
        if (scaling.isMissingNode() || scaling.isNull()) {
            return f;
        }
        String type = scaling.path("rope_type").asText(scaling.path("type").asText("default"));
        double factor = scaling.path("factor").asDouble(1);
        if (!(factor >= 1)) {
            throw new ModelException(where + ": rope_scaling factor " + scaling.path("factor") + " is not a number ≥ 1");
        }
        double[] out = f.clone();
        switch (type) {
            case "default" -> {
                return out;
            }
            case "linear" -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = f[i] / factor;
                }
            }
            case "llama3" -> {
                double low = scaling.path("low_freq_factor").asDouble(1);
                double high = scaling.path("high_freq_factor").asDouble(4);
                double original = scaling.path("original_max_position_embeddings").asDouble(8192);
                if (!(high > low) || !(original > 0)) {
                    throw new ModelException(where + ": rope_scaling llama3 needs high_freq_factor > low_freq_factor and "
                            + "original_max_position_embeddings > 0");
                }
                double lowWavelen = original / low;
                double highWavelen = original / high;
                for (int i = 0; i < out.length; i++) {
                    double wavelen = 2 * Math.PI / f[i];
                    if (wavelen > lowWavelen) {
                        out[i] = f[i] / factor;
                    } else if (wavelen >= highWavelen) {
                        double smooth = (original / wavelen - low) / (high - low);
                        out[i] = (1 - smooth) * f[i] / factor + smooth * f[i];
                    }
                }
            }
            default -> throw new ModelException(where + ": rope_scaling type \"" + type
                    + "\" is not supported (default, linear, llama3)");
        }
        return out;
    }
}
