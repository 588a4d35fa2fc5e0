package dev.neurodex.model;

/**
 * What a site says about the model it was built from; written to the manifest.
 *
 * @param slug         the URL segment of the model's pages ({@code all-minilm-l6-v2})
 * @param architecture the family ({@code bert})
 * @param causal       whether an activation sees only the tokens to its left
 * @param source       where the weights came from, as a user would recognise it
 * @param dModel       width of the residual stream (0 when unknown, as for an ONNX graph)
 * @param sha256       checksum of the weights file, so a page can be tied to exact weights
 */
public record ModelInfo(String slug, String architecture, int layers, int dModel, int dMlp, int maxPositions,
                        boolean causal, long parameters, String source, String sha256) {

    public int neurons() {
        return layers * dMlp;
    }

    /**
     * Forward-pass cost per content token at context {@code c} with {@code w} content tokens per window: the
     * linear layers (4·d² for attention projections, 2·d·d_mlp for the MLP, two FLOPs per multiply-add) plus
     * attention scores and mixing over the positions a token sees (all of them in an encoder, half on average
     * in a causal model), spread over the window's content tokens. The forward stops at the last hook, so the last
     * block's MLP output projection is not counted. 0 when d_model is unknown.
     */
    public double flopsPerToken(int c, int w) {
        double seen = causal ? (c + 1) / 2.0 : c;
        double perPosition = layers * (2.0 * (4.0 * dModel * dModel + 2.0 * dModel * dMlp) + 4.0 * seen * dModel)
                - 2.0 * dModel * dMlp;
        return perPosition * c / w;
    }

    /** Context when none is asked for: 128 for an encoder (BERT's usual), min(1024, maximum) for a causal model. */
    public int defaultContext() {
        return causal ? Math.min(1024, maxPositions) : Math.min(128, maxPositions);
    }
}
