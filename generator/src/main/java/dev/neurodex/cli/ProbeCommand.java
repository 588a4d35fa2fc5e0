package dev.neurodex.cli;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.neurodex.corpus.BadRecords;
import dev.neurodex.corpus.CorpusLimits;
import dev.neurodex.corpus.CorpusReader;
import dev.neurodex.model.LoadedModel;
import dev.neurodex.model.ModelCatalog;
import dev.neurodex.model.ModelInfo;
import dev.neurodex.model.OfflineEngine;
import dev.neurodex.scan.NeuronProbe;
import dev.neurodex.scan.ScanConfig;
import dev.neurodex.store.Json;
import dev.neurodex.text.Printable;
import dev.neurodex.tokenize.Probe;
import dev.neurodex.tokenize.TokenLabels;
import dev.neurodex.tokenize.WindowTokenizer;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.IntFunction;
import dev.neurodex.model.HookPoint;
import dev.neurodex.model.UnitGroup;
import dev.neurodex.scan.TappedModel;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code neurodex probe}: one neuron against one hypothesis, exactly, with its worst misses as text. */
@Command(name = "probe", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Run the corpus through the model and score one neuron as a detector of a regex's matches: "
                + "exact AUROC, best-F1 threshold, means on and off, and the worst false positives and negatives.")
final class ProbeCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--neuron", required = true, paramLabel = "L/N", description = "The neuron: layer/neuron, e.g. 3/117.")
    String neuron;

    @Option(names = "--regex", required = true, paramLabel = "REGEX",
            description = "Tokens overlapping a match carry the label, as with build --probe.")
    String regex;

    @Option(names = "--model", defaultValue = ModelCatalog.DEFAULT, paramLabel = "NAME|DIR",
            description = "The model, as build takes it (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--hook", defaultValue = "mlp.hook_post", paramLabel = "POINT",
            description = "Where the unit is read, as build's --hook (default: ${DEFAULT-VALUE}).")
    String hook;

    @Option(names = "--sae", paramLabel = "DIR",
            description = "Score a latent of this SAELens directory instead: --neuron is then <its hook's layer>/<latent>.")
    Path sae;

    @Option(names = "--name", paramLabel = "SLUG", description = "The model's name in the site (default: as build derives it).")
    String name;

    @Option(names = "--site", defaultValue = "site", paramLabel = "DIR",
            description = "A site built from this model: its manifest gives the context and must name the same weights "
                    + "(default: ${DEFAULT-VALUE}; ignored when it does not hold the model).")
    Path site;

    @Option(names = "--corpus", arity = "1..*", paramLabel = "PATH", description = "Corpus (default: the shipped one).")
    List<Path> corpus;

    @Option(names = "--context", defaultValue = "0", paramLabel = "C",
            description = "Positions per window (default: the site's, else the model's default).")
    int context;

    @Option(names = "--max-tokens", defaultValue = "0", paramLabel = "N", description = "Stop after N content tokens.")
    long maxTokens;

    @Option(names = "--examples", defaultValue = "5", paramLabel = "K", description = "Worst misses shown each way (default: ${DEFAULT-VALUE}).")
    int examples;

    @CommandLine.Mixin
    EngineThreads threads;

    @Override
    public Integer call() throws Exception {
        int[] ln = parseNeuron();
        Probe probe;
        try {
            probe = Probe.parse("probe=" + regex);
            if (examples < 0 || examples > 1000) {
                throw new IllegalArgumentException("--examples must be between 0 and 1000, got " + examples);
            }
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage().replace("--probe probe", "--regex"));
        }
        HookPoint point = HookPoint.named(hook);
        if (point == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--hook must be one of " + HookPoint.names()
                    + ", got '" + hook + "'");
        }
        PrintWriter out = spec.commandLine().getOut();
        try (NDManager manager = OfflineEngine.newManager(threads.get());
             LoadedModel loaded = ModelCatalog.open(model, name, null, threads.get(), manager);
             WindowTokenizer tokenizer = WindowTokenizer.load(loaded.tokenizerJson(), loaded.tokenizerName(),
                     CorpusLimits.DOCUMENT_CHARS);
             NDManager saeWeights = manager.newSubManager()) {
            ModelInfo info = loaded.model().info();
            TappedModel tapped = sae == null ? new TappedModel(loaded.model(), point, List.of())
                    : TappedModel.open(loaded.model(), null, List.of(sae), saeWeights);
            List<UnitGroup> units = tapped.units();
            int group = java.util.stream.IntStream.range(0, units.size()).filter(g -> units.get(g).layer() == ln[0])
                    .findFirst().orElse(-1);
            if (group < 0 || ln[1] >= units.get(group).width()) {
                UnitGroup first = units.get(0);
                throw new CommandLine.ParameterException(spec.commandLine(), "--neuron " + neuron + " is not in "
                        + (sae == null ? info.slug() + " (" + info.layers() + " layers of " + first.width() + " at "
                                + point.pattern() + ")"
                                : "the SAE " + sae + " (layer " + first.layer() + ", " + first.width() + " latents)"));
            }
            String unit = sae == null ? "L" + ln[0] + "N" + ln[1] : tapped.saes().get(0).name() + "/" + ln[1];
            int siteContext = siteContext(info);
            ScanConfig scan = new ScanConfig(context > 0 ? context : siteContext, 1, 0, maxTokens, 1)
                    .resolved(info.defaultContext());
            CorpusReader reader = new CorpusReader(corpus == null ? List.of(DefaultCorpus.locate()) : corpus,
                    new BadRecords(false, spec.commandLine().getErr()));
            NeuronProbe.Result r = NeuronProbe.run(tapped, tokenizer, reader, scan, group, ln[1], probe, examples);
            IntFunction<String> labels = TokenLabels.of(loaded.tokenizerJson(), tokenizer);
            out.println(Printable.line(String.format(Locale.ROOT, "%s (%s) of %s as a detector of /%s/ over %,d tokens "
                    + "(%,d labelled, context %d)", unit, units.get(group).hook(), info.slug(), regex, r.tokens(),
                    r.labelled(), scan.context())));
            out.println(String.format(Locale.ROOT, "AUROC %.4f; best F1 %.4f at activation >= %.4g (precision %.4f, "
                    + "recall %.4f); mean activation %.4g on the label, %.4g off it", r.auroc(), r.f1(), r.threshold(),
                    r.precision(), r.recall(), r.meanOn(), r.meanOff()));
            misses(out, "worst false positives (no label, highest activation):", r.falsePositives(), tokenizer, labels);
            misses(out, "worst false negatives (labelled, lowest activation):", r.falseNegatives(), tokenizer, labels);
        }
        return ExitCodes.OK;
    }

    private int[] parseNeuron() {
        if (!neuron.matches("\\d{1,4}/\\d{1,8}")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--neuron takes LAYER/NEURON, e.g. 3/117, got '"
                    + neuron + "'");
        }
        String[] parts = neuron.split("/");
        return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
    }

    /** The context the site's pages were built with, if the site holds this model built from these weights; else 0. */
    private int siteContext(ModelInfo info) throws java.io.IOException {
        Path manifest = site.resolve(info.slug()).resolve("manifest.json");
        if (!Files.isRegularFile(manifest)) {
            return 0;
        }
        JsonNode m = Json.MAPPER.readTree(manifest.toFile());
        String sha = m.at("/model/sha256").asText();
        if (!sha.equals(info.sha256())) {
            throw new IllegalArgumentException(manifest + " was built from other weights (sha256 " + sha + ", this model's "
                    + info.sha256() + "): pass --site of this model's site, or --name");
        }
        return m.path("context").asInt(0);
    }

    /** Each miss as a line: activation, document, and its context with the token in brackets. */
    private static void misses(PrintWriter out, String title, List<NeuronProbe.Miss> misses, WindowTokenizer tokenizer,
                               IntFunction<String> labels) {
        out.println(title);
        for (NeuronProbe.Miss m : misses) {
            int[] ids = m.window().ids();
            int at = m.position();
            String text = tokenizer.decode(ids, Math.max(0, at - 10), at) + " [" + labels.apply(ids[at]) + "] "
                    + tokenizer.decode(ids, at + 1, Math.min(ids.length, at + 5));
            out.println(Printable.line(String.format(Locale.ROOT, "  %9.4f  %s  %s", m.value(),
                    m.window().ref().origin().where(), text.replace('\n', ' '))));
        }
    }
}
