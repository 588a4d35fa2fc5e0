package dev.neurodex.model;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The hook points of a transformer block, with TransformerLens's names, in the order a forward pass reaches
 * them. Residual-width points ({@link #width}: d_model) hold Hugging Face's values: TransformerLens's
 * from_pretrained would subtract each vector's mean over d_model in LayerNorm models ({@code center_writing_weights}),
 * which changes nothing downstream; an SAE trained on such a model gets the centering it expects (see
 * {@code sae/SaeConfig}).
 */
public enum HookPoint {
    /** The residual stream entering the block. */
    RESID_PRE("hook_resid_pre"),
    /** The attention sublayer's output, bias included (Gemma 2: after its post-attention norm). */
    ATTN_OUT("hook_attn_out"),
    /** resid_pre + attn_out (sequential-residual models only). */
    RESID_MID("hook_resid_mid"),
    /** The MLP hidden activation: act(W_in x) or, gated, act(gate x) · up x. */
    MLP_POST("mlp.hook_post"),
    /** The MLP sublayer's output, bias included (Gemma 2: after its post-feedforward norm). */
    MLP_OUT("hook_mlp_out"),
    /** The residual stream leaving the block (before the final norm, for the last block). */
    RESID_POST("hook_resid_post");

    private final String suffix;

    HookPoint(String suffix) {
        this.suffix = suffix;
    }

    /** {@code hook_resid_pre}, {@code mlp.hook_post}, ...: the name without {@code blocks.{L}.}. */
    public String suffix() {
        return suffix;
    }

    /** {@code blocks.3.hook_resid_pre} */
    public String at(int layer) {
        return "blocks." + layer + "." + suffix;
    }

    /** {@code blocks.{L}.hook_resid_pre}: the manifest's name for "this point of every layer". */
    public String pattern() {
        return "blocks.{L}." + suffix;
    }

    /** Units per layer at this point: the MLP's hidden width or the residual stream's. */
    public int width(ModelInfo info) {
        return this == MLP_POST ? info.dMlp() : info.dModel();
    }

    public static String names() {
        return Arrays.stream(values()).map(HookPoint::suffix).collect(Collectors.joining(", "));
    }

    /** {@code hook_resid_pre} or {@code mlp.hook_post} (a --hook value); null when it is none of them. */
    public static HookPoint named(String suffix) {
        return Arrays.stream(values()).filter(p -> p.suffix.equals(suffix)).findFirst().orElse(null);
    }

    /** A point of one layer: {@code blocks.6.hook_resid_pre}. */
    public record At(HookPoint point, int layer) {
        /** Parses a full hook name; null when it is not {@code blocks.<L>.<one of the points>}. */
        public static At parse(String name) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("blocks\\.(\\d{1,6})\\.(.+)").matcher(name);
            if (!m.matches() || named(m.group(2)) == null) {
                return null;
            }
            return new At(named(m.group(2)), Integer.parseInt(m.group(1)));
        }

        @Override
        public String toString() {
            return point.at(layer);
        }
    }
}
