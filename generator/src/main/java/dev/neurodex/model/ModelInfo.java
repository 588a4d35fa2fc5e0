package dev.neurodex.model;

/**
 * What a site says about the model it was built from; written to the manifest.
 *
 * @param slug         the URL segment of the model's pages ({@code all-minilm-l6-v2})
 * @param architecture the family ({@code bert})
 * @param causal       whether an activation sees only the tokens to its left
 * @param source       where the weights came from, as a user would recognise it
 * @param sha256       checksum of the weights file, so a page can be tied to exact weights
 */
public record ModelInfo(String slug, String architecture, int layers, int dMlp, int maxPositions,
                        boolean causal, long parameters, String source, String sha256) {

    public int neurons() {
        return layers * dMlp;
    }

    /** Context when none is asked for: 128 for an encoder (BERT's usual), min(1024, maximum) for a causal model. */
    public int defaultContext() {
        return causal ? Math.min(1024, maxPositions) : Math.min(128, maxPositions);
    }
}
