package dev.neurodex.render;

import java.util.BitSet;

/**
 * The few facts about a model, or about one SAE section of it, every page needs.
 *
 * @param attentionNote what a reader must know about context: an encoder's activations see the right context too
 * @param hook          the hook of every layer's units, {@code {L}} standing for the layer
 * @param up            what leads from the folder's pages to the model's: "" for a model, "../" for an SAE section
 *                      (its folder sits inside the model's)
 * @param section       the SAE's name, or null for a model's own units
 * @param alive         for an SAE, the latents with a page (dead ones have none); null when every unit has one
 */
public record SiteShape(String model, String architecture, int layers, int neuronsPerLayer, boolean causal,
                        String attentionNote, String modelSha256, String corpusDigest, String hook, String up,
                        String section, BitSet alive) implements java.io.Serializable {

    /** @param corpusDigest the corpus files with their sha256, as the manifest lists them */
    public static SiteShape of(String model, String architecture, int layers, int neuronsPerLayer, boolean causal,
                               String modelSha256, String corpusDigest) {
        String note = causal
                ? "This is a causal model: an activation depends only on the tokens to its left."
                : "This model is an encoder: each activation depends on the whole window, including the tokens "
                        + "to its right, so the context after a token matters as much as the context before it.";
        return new SiteShape(model, architecture, layers, neuronsPerLayer, causal, note, modelSha256, corpusDigest,
                "blocks.{L}.mlp.hook_post", "", null, null);
    }

    /** The same model with its units taken at another hook, {@code width} per layer. */
    public SiteShape atHook(String hookPattern, int width) {
        return new SiteShape(model, architecture, layers, width, causal, attentionNote, modelSha256, corpusDigest,
                hookPattern, up, section, alive);
    }

    /** An SAE's section of this model: its latents on {@code hook}, pages only for {@code alive} ones. */
    public SiteShape sae(String name, String hook, int latents, String weightsSha256, BitSet alive) {
        return new SiteShape(model + "/" + name, architecture, 1, latents, causal, attentionNote, weightsSha256,
                corpusDigest, hook, "../", name, alive);
    }

    /** The hook of layer {@code layer}'s units. */
    public String hookAt(int layer) {
        return hook.replace("{L}", Integer.toString(layer));
    }

    /** The prefix from a page {@code depth} folders below this model's (or section's) folder to the site's root. */
    public String root(int depth) {
        return "../".repeat(depth) + up + "../";
    }

    public boolean hasPage(int unit) {
        return alive == null || alive.get(unit);
    }

    /** What one unit is called on pages: a neuron, a dimension of the residual stream, or an SAE latent. */
    public String unit() {
        return section != null ? "latent" : hook.endsWith("mlp.hook_post") ? "neuron" : "dimension";
    }
}
