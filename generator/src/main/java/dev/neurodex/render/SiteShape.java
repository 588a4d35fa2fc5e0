package dev.neurodex.render;

/**
 * The few facts about a model every page needs.
 *
 * @param attentionNote what a reader must know about context: an encoder's activations see the right context too
 */
public record SiteShape(String model, String architecture, int layers, int neuronsPerLayer, boolean causal,
                        String attentionNote, String modelSha256, String corpusDigest) {

    /** @param corpusDigest the corpus files with their sha256, as the manifest lists them */
    public static SiteShape of(String model, String architecture, int layers, int neuronsPerLayer, boolean causal,
                               String modelSha256, String corpusDigest) {
        String note = causal
                ? "This is a causal model: an activation depends only on the tokens to its left."
                : "This model is an encoder: each activation depends on the whole window, including the tokens "
                        + "to its right, so the context after a token matters as much as the context before it.";
        return new SiteShape(model, architecture, layers, neuronsPerLayer, causal, note, modelSha256, corpusDigest);
    }
}
