package dev.neurodex.cli;

import dev.neurodex.build.BuildConfig;
import dev.neurodex.build.SiteBuild;
import dev.neurodex.corpus.CorpusLimits;
import dev.neurodex.model.ModelCatalog;
import dev.neurodex.scan.ScanConfig;
import dev.neurodex.store.SiteNames;
import dev.neurodex.tokenize.Probe;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import dev.neurodex.model.HookPoint;

/** {@code neurodex build}: scan a corpus through a model and publish the site. */
@Command(name = "build", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Scan a corpus through a model and publish one page per MLP neuron.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the site was published", "1:the build failed; the previous site is unchanged",
                "2:bad command line"})
public class BuildCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", defaultValue = ModelCatalog.DEFAULT, paramLabel = "NAME|DIR",
            description = "Model to scan: a known name or a Hugging Face directory (config.json, model.safetensors "
                    + "or its shards, tokenizer.json) of a gpt2 or bert model (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--hook-regex", paramLabel = "PATTERN",
            description = "With an .onnx --model: the tensors read as MLP activations, one per layer in graph order "
                    + "(e.g. 'intermediate_act_fn/Mul_1_output_0'); tokenizer.json must sit beside the .onnx file.")
    String hookRegex;

    @Option(names = "--hook", defaultValue = "mlp.hook_post", paramLabel = "POINT",
            description = "Where the model's own units are read, as TransformerLens names it: mlp.hook_post (the MLP "
                    + "neurons; default), hook_resid_pre, hook_resid_mid, hook_resid_post, hook_mlp_out, hook_attn_out "
                    + "(the d_model dimensions of the residual stream).")
    String hook;

    @Option(names = "--sae", paramLabel = "DIR",
            description = "An SAELens directory (cfg.json, sae_weights.safetensors) whose latents get pages of their "
                    + "own, <model>/<dir name>/<layer>/<latent>.html; repeatable. Its hook comes from cfg.json.")
    List<Path> saes;

    @Option(names = "--name", paramLabel = "SLUG",
            description = "The model's name in the site and its URLs (default: the directory's name).")
    String name;

    @Option(names = "--corpus", arity = "1..*", paramLabel = "PATH",
            description = "Corpus files or directories: .jsonl / .txt / .tar, optionally .gz .zst .xz .bz2 "
                    + "(default: the corpus shipped in corpus/).")
    List<Path> corpus;

    @Option(names = "--out", defaultValue = "site", paramLabel = "DIR",
            description = "Output folder, replaced as a whole when the build succeeds (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--top-k", defaultValue = "20", paramLabel = "K", description = "Top windows kept per neuron (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--keep-values", defaultValue = "" + ScanConfig.KEEP, paramLabel = "N",
            description = "Positions of each top window whose activations are kept, around its max token: windows "
                    + "up to N tokens are kept whole, longer ones keep their text and these N values (default: "
                    + "${DEFAULT-VALUE}). The scan's memory is neurons x top-k x N floats, whatever the context.")
    int keepValues;

    @Option(names = "--context", defaultValue = "0", paramLabel = "C",
            description = "Positions per window including [CLS]/[SEP] or BOS (default: 128 for encoders, "
                    + "min(1024, the model's maximum) for causal models).")
    int context;

    @Option(names = "--max-tokens", defaultValue = "0", paramLabel = "N",
            description = "Stop after N content tokens (default: the whole corpus).")
    long maxTokens;

    @Option(names = "--batch-size", defaultValue = "0", paramLabel = "N",
            description = "Windows per forward pass (default: 4096 positions' worth, 32 windows at context 128).")
    int batchSize;

    @CommandLine.Mixin
    EngineThreads threads;

    @Option(names = "--max-line-bytes", defaultValue = "64M", paramLabel = "SIZE", converter = SizeConverter.class,
            description = "A JSON Lines record longer than this is skipped and counted (default: ${DEFAULT-VALUE}).")
    long maxLineBytes;

    @Option(names = "--max-document-chars", defaultValue = "" + CorpusLimits.DOCUMENT_CHARS, paramLabel = "N",
            description = "Longer documents are tokenized in pieces of at most N characters, cut at a line break or "
                    + "a space (default: ${DEFAULT-VALUE}).")
    int maxDocumentChars;

    @Option(names = "--max-file-bytes", defaultValue = "64G", paramLabel = "SIZE", converter = SizeConverter.class,
            description = "Decompressed bytes read from one file or archive member; the rest is skipped and counted "
                    + "(default: ${DEFAULT-VALUE}).")
    long maxFileBytes;

    @Option(names = "--max-tar-name-bytes", defaultValue = "" + CorpusLimits.TAR_NAME_BYTES, paramLabel = "N",
            description = "A tar member name (or PAX header) longer than this ends the reading of that archive, "
                    + "counted as a bad record (default: ${DEFAULT-VALUE}).")
    int maxTarNameBytes;

    @Option(names = "--follow-symlinks", description = "Follow symbolic links inside corpus directories (as find -L); "
            + "by default they are skipped and listed, so that nothing outside the given paths is read.")
    boolean followSymlinks;

    @Option(names = "--probe", paramLabel = "NAME=REGEX",
            description = "A hypothesis to rank every neuron against (repeatable): tokens overlapping a match of REGEX "
                    + "carry the label NAME; each neuron is scored as its detector (AUROC, best-F1 threshold, means on "
                    + "and off), on a page per probe and on each neuron's page.")
    List<String> probes;

    @Option(names = "--strict", description = "Stop at the first bad corpus record (exit 1) instead of skipping it.")
    boolean strict;

    @Option(names = "--checkpoint-every", defaultValue = "0", paramLabel = "N",
            description = "Save the scan's state after every N content tokens, beside --out, so that --resume can "
                    + "continue after a crash or kill (default: no checkpoints).")
    long checkpointEvery;

    @Option(names = "--resume", description = "Continue from the last checkpoint of this --out and model (same "
            + "model, corpus and options); starts from the beginning if there is none.")
    boolean resume;

    @Option(names = "--quiet", description = "No progress bar.")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        BuildConfig config = config();
        LogAboveBar log = new LogAboveBar(spec.commandLine().getErr());
        SiteBuild.Summary s = build(config, c -> new SiteBuild(c, new PrintWriter(log, true),
                corpus -> quiet ? dev.neurodex.scan.ScanProgress.NONE : new TerminalProgress(corpus, maxTokens, log)),
                new PrintWriter(log, true));
        spec.commandLine().getOut().println(String.format(Locale.ROOT,
                "built %s: %,d documents, %,d tokens, %,d bad records skipped, scan %.1f s (%,.0f tokens/s; "
                        + "forward %.1f s, aggregation %.1f s), neighbours %.1f s, total %.1f s, %,d pages -> %s",
                config.model(), s.documents(), s.tokens(), s.badRecords(), s.scanSeconds(),
                s.scanSeconds() > 0 ? s.tokens() / s.scanSeconds() : 0, s.scanPhases().forward(),
                s.scanPhases().aggregate(), s.neighboursSeconds(), s.totalSeconds(), s.pages(),
                s.out().resolve("index.html")));
        return ExitCodes.OK;
    }

    /**
     * Runs the build of {@code config}, made by {@code site}; a subclass may scan elsewhere (the Spark command hands
     * it a {@code SparkScanStep}) or fetch the model first.
     */
    protected SiteBuild.Summary build(BuildConfig config, java.util.function.Function<BuildConfig, SiteBuild> site,
                                      PrintWriter log) throws Exception {
        return site.apply(config).run();
    }

    private BuildConfig config() {
        try {
            ScanConfig scan = new ScanConfig(context, topK, batchSize, maxTokens, keepValues,
                    probes == null ? List.of() : probes.stream().map(Probe::parse).toList());
            List<Path> paths = corpus == null ? List.of(DefaultCorpus.locate()) : corpus;
            if (name != null && SiteNames.problem(name) != null) {
                throw new IllegalArgumentException("--name " + SiteNames.problem(name));
            }
            if (hookRegex != null) {
                java.util.regex.Pattern.compile(hookRegex); // a bad pattern is a usage error, before any work
            }
            CorpusLimits limits = new CorpusLimits((int) Math.min(maxLineBytes, Integer.MAX_VALUE), maxDocumentChars,
                    maxFileBytes, maxTarNameBytes, followSymlinks);
            HookPoint point = HookPoint.named(hook.startsWith("blocks.") ? "" : hook);
            if (point == null) {
                throw new IllegalArgumentException("--hook must be one of " + HookPoint.names() + " (the same point of "
                        + "every layer), got '" + hook + "'");
            }
            if (saes != null && saes.stream().distinct().count() != saes.size()) {
                throw new IllegalArgumentException("--sae names the same directory twice");
            }
            return new BuildConfig(model, name, hookRegex, paths, limits, out, scan, threads.get(), strict, checkpointEvery,
                    resume, point, saes == null ? List.of() : saes);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}
