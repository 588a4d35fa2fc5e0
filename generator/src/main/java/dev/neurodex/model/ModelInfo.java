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
}
