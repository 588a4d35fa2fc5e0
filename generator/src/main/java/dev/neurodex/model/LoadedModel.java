package dev.neurodex.model;

/**
 * A model ready to run together with the tokenizer it was trained with.
 *
 * @param tokenizerJson the tokenizer.json bytes, as Hugging Face tokenizers reads them
 */
public record LoadedModel(HookedModel model, byte[] tokenizerJson, String tokenizerName, String tokenizerSha256)
        implements AutoCloseable {

    @Override
    public void close() {
        model.close();
    }
}
