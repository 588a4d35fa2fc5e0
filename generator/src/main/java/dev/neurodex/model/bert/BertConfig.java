package dev.neurodex.model.bert;

/**
 * The shape of a BERT encoder.
 *
 * @param heads        not recoverable from the weights alone, so it must come from the model's config
 * @param layerNormEps BERT uses 1e-12; a wrong value shifts every activation slightly
 * @param maxPositions learned absolute positions: a window may not be longer than this, framing included
 */
public record BertConfig(int layers, int hidden, int heads, int intermediate, int vocab,
                         int maxPositions, int typeVocab, float layerNormEps) {

    public int headDim() {
        return hidden / heads;
    }

    /** all-MiniLM-L6-v2 (sentence-transformers), as published in its config.json. */
    public static BertConfig miniLmL6() {
        return new BertConfig(6, 384, 12, 1536, 30522, 512, 2, 1e-12f);
    }
}
