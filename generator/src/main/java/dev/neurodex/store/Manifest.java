package dev.neurodex.store;

import dev.neurodex.corpus.CorpusFile;
import java.util.List;

/**
 * {@code <model>/manifest.json}: how a model's pages were built, so that a reader can reproduce them.
 *
 * @param format the layout of the model's folder and records ({@link NeuronRecord#FORMAT})
 */
public record Manifest(int format, Model model, int layers, int neuronsPerLayer, Tokenizer tokenizer, Corpus corpus,
                       int k, int context, String neurodexVersion, String buildTime, Build build, List<Sae> saes,
                       List<SiteFile> files) {

    /** A file of the model's folder, path relative to it. */
    public record SiteFile(String path, long bytes, String sha256) implements java.io.Serializable {}

    public Manifest withFiles(List<SiteFile> list) {
        return new Manifest(format, model, layers, neuronsPerLayer, tokenizer, corpus, k, context, neurodexVersion, buildTime,
                build, saes, list);
    }

    public Manifest withSaes(List<Sae> list) {
        return new Manifest(format, model, layers, neuronsPerLayer, tokenizer, corpus, k, context, neurodexVersion, buildTime,
                build, list, files);
    }

    /**
     * An SAE section of the model, {@code <model>/<name>/}: where its latents were read and how they were encoded.
     *
     * @param centered whether each hook vector's mean over d_model was subtracted first (TransformerLens's
     *                 center_writing_weights, as the SAE's model_from_pretrained_kwargs ask, in a LayerNorm decoder)
     * @param dead     latents never above 0 over the corpus: they have no page
     * @param trainedOn the model its cfg.json names (model_name), or null
     */
    public record Sae(String name, String source, String sha256, String trainedOn, String hook, int dIn, int dSae, String activation, int k,
                      String normalization, boolean applyBDecToInput, boolean centered,
                      java.util.Map<String, String> modelFromPretrainedKwargs, int alive, int dead) {}

    /** @param hook the hook of every layer, with {@code {L}} for the layer number */
    public record Model(String name, String architecture, boolean causal, long parameters, String source,
                        String sha256, String hook) {}

    public record Tokenizer(String name, String sha256) {}

    public record Corpus(List<String> roots, List<CorpusFile> files, long documents, long windows, long tokens,
                         long badRecords, List<String> skippedFiles) {}

    /**
     * @param tokensPerSecond content tokens per second of the scan alone
     * @param probes          the --probe options, NAME=REGEX, in order ({@code probes/<name>.html} rank the neurons)
     */
    public record Build(double scanSeconds, double tokensPerSecond, int batchSize, int threads, long maxTokens,
                        List<String> probes) {}
}
