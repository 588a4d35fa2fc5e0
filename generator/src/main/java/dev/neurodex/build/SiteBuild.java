package dev.neurodex.build;

import ai.djl.ndarray.NDManager;
import dev.neurodex.aggregate.LayerAggregate;
import dev.neurodex.corpus.BadRecords;
import dev.neurodex.corpus.CorpusReader;
import dev.neurodex.model.DirectLogits;
import dev.neurodex.model.HookName;
import dev.neurodex.model.HookedModel;
import dev.neurodex.model.LoadedModel;
import dev.neurodex.model.ModelCatalog;
import dev.neurodex.model.ModelInfo;
import dev.neurodex.model.NeuronNeighbours;
import dev.neurodex.model.OfflineEngine;
import dev.neurodex.render.ModelPage;
import dev.neurodex.render.ProbePage;
import dev.neurodex.render.SiteRenderer;
import dev.neurodex.render.SiteShape;
import dev.neurodex.scan.Checkpoint;
import dev.neurodex.scan.CheckpointPolicy;
import dev.neurodex.scan.ScanConfig;
import dev.neurodex.scan.ScanProgress;
import dev.neurodex.scan.ScanResult;
import dev.neurodex.scan.Scanner;
import dev.neurodex.scan.WindowTextPass;
import dev.neurodex.store.Json;
import dev.neurodex.store.SearchIndex;
import dev.neurodex.store.SiteFiles;
import dev.neurodex.store.Manifest;
import dev.neurodex.store.NeuronRecord;
import dev.neurodex.store.RecordBuilder;
import dev.neurodex.store.SiteNames;
import dev.neurodex.store.SitePublisher;
import dev.neurodex.store.WindowStore;
import dev.neurodex.tokenize.TokenLabels;
import dev.neurodex.tokenize.WindowTexts;
import dev.neurodex.tokenize.WindowTokenizer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.stream.Collectors;

/**
 * One build, in phases: check the inputs → scan the corpus (read, tokenize, forward, aggregate) → write records
 * and pages into a staging directory → swap it in for {@code --out}. Any failure leaves the previous site as it was.
 */
public final class SiteBuild {
    /** Tokens shown each way in a causal model's direct logit tables. */
    static final int LOGIT_TOKENS = 10;

    private final BuildConfig config;
    private final PrintWriter log;
    private final Function<CorpusReader, ScanProgress> progress;

    public SiteBuild(BuildConfig config, PrintWriter log, Function<CorpusReader, ScanProgress> progress) {
        this.config = config;
        this.log = log;
        this.progress = progress;
    }

    /** What a finished build reports. */
    /** @param neighboursSeconds computing the neighbours by weights (0 for a model without them) */
    public record Summary(long documents, long tokens, long badRecords, double scanSeconds,
                          ScanResult.Phases scanPhases, double neighboursSeconds, double totalSeconds, int pages,
                          Path out) {}

    public Summary run() throws InterruptedException {
        long started = System.nanoTime();
        BadRecords bad = new BadRecords(config.strict(), log);
        CorpusReader corpus = new CorpusReader(config.corpus(), config.limits(), bad); // fails on a bad path before any work
        String slug = ModelCatalog.slugFor(config.model(), config.name());
        if (SiteNames.problem(slug) != null) {
            throw new IllegalArgumentException("the model's name in the site " + SiteNames.problem(slug)
                    + "; choose another with --name");
        }
        SitePublisher publisher = SitePublisher.begin(config.out(), slug);
        Thread cleanup = new Thread(publisher::abandon, "neurodex-abandon-staging");
        Runtime.getRuntime().addShutdownHook(cleanup); // Ctrl-C: drop the half-built site, keep the old one
        try (NDManager manager = OfflineEngine.newManager(config.threads());
             LoadedModel loaded = ModelCatalog.open(config.model(), config.name(), config.hookRegex(), config.threads(), manager);
             WindowTokenizer tokenizer = WindowTokenizer.load(loaded.tokenizerJson(), loaded.tokenizerName(),
                     config.limits().maxDocumentChars())) {
            ScanConfig scanConfig = config.scan().resolved(loaded.model().info().defaultContext());
            checkHeap(scanConfig, loaded.model().info());
            Scanner scanner = new Scanner(loaded.model(), tokenizer, scanConfig);
            CheckpointPolicy checkpoints = checkpoints(publisher, loaded.model().info(), scanConfig, corpus);
            Checkpoint from = checkpoints.restore(log);
            ScanResult scan;
            try (ScanProgress bar = progress.apply(corpus)) {
                scan = scanner.scan(corpus, bar, checkpoints, from);
            }
            Manifest manifest = manifest(loaded, corpus, bad, scan, scanConfig);
            int width = loaded.model().frame().contentTokens(scanConfig.context());
            WindowTexts texts = WindowTextPass.read(config.corpus(), config.limits(), tokenizer, width, scan.aggregate().windows());
            long neighboursStarted = System.nanoTime();
            NeuronNeighbours neighbours = NeuronNeighbours.of(loaded.model());
            double neighboursSeconds = (System.nanoTime() - neighboursStarted) / 1e9;
            int pages = write(publisher.staging(), loaded.model(), tokenizer, loaded.tokenizerJson(), neighbours, texts,
                    width, scan, manifest);
            publisher.commit();
            checkpoints.clear(); // published: nothing left to resume
            SiteIndex.refresh(publisher.out(), new SiteRenderer(manifest.neurodexVersion()));
            return new Summary(scan.documents(), scan.tokens(), bad.count(), scan.seconds(), scan.phases(),
                    neighboursSeconds, (System.nanoTime() - started) / 1e9, pages, config.out());
        } catch (RuntimeException | InterruptedException | Error e) {
            publisher.abandon();
            throw e;
        } finally {
            removeHook(cleanup);
        }
    }

    private static void checkHeap(ScanConfig scan, ModelInfo info) {
        long neurons = (long) info.layers() * info.dMlp();
        long need = scan.minimumHeapBytes(neurons, info.dMlp());
        long heap = Runtime.getRuntime().maxMemory();
        if (need > heap) {
            throw new IllegalArgumentException(String.format(java.util.Locale.ROOT, "the scan needs at least %.1f GiB of "
                    + "heap (%,d neurons x --top-k %d x --keep-values %d, batches of %d x %d positions) but the JVM may use "
                    + "%.1f GiB: lower --top-k, --keep-values or --batch-size, or run java with a larger -Xmx",
                    need / 1073741824.0, neurons, scan.topK(), scan.keep(), scan.batchSize(), scan.context(),
                    heap / 1073741824.0));
        }
    }

    /** Checkpoints live beside the site, one file per site and model, outside what a publish swaps. */
    private CheckpointPolicy checkpoints(SitePublisher publisher, ModelInfo info, ScanConfig scan, CorpusReader corpus) {
        if (config.checkpointEvery() == 0 && !config.resume()) {
            return CheckpointPolicy.NONE;
        }
        Path file = publisher.out().resolveSibling(".neurodex-checkpoint-" + publisher.out().getFileName() + "-"
                + info.slug());
        int threads = config.threads() > 0 ? config.threads() : Runtime.getRuntime().availableProcessors();
        Checkpoint.Identity identity = new Checkpoint.Identity(info.slug(), info.sha256(), scan.context(), scan.topK(),
                scan.keep(), scan.batchSize(), scan.maxTokens(), threads,
                scan.probes().stream().map(dev.neurodex.tokenize.Probe::spec).toList(), corpus.fingerprint());
        return new CheckpointPolicy(file, config.checkpointEvery(), config.resume(), identity);
    }

    private int write(Path root, HookedModel model, WindowTokenizer tokenizer, byte[] tokenizerJson,
                      NeuronNeighbours neighbours, WindowTexts texts, int width,
                      ScanResult scan, Manifest manifest) {
        ModelInfo info = model.info();
        Map<Integer, String> decoded = new ConcurrentHashMap<>();
        IntFunction<String> token = TokenLabels.of(tokenizerJson, id -> decoded.computeIfAbsent(id, tokenizer::token));
        SiteRenderer renderer = new SiteRenderer(manifest.neurodexVersion());
        String corpus = manifest.corpus().files().stream().map(f -> f.path() + " sha256:" + f.sha256())
                .collect(Collectors.joining(", "));
        SiteShape shape = SiteShape.of(info.slug(), info.architecture(), info.layers(), info.dMlp(), info.causal(),
                info.sha256(), corpus);
        SearchIndex search = new SearchIndex(info.slug());
        SiteFiles files = new SiteFiles(root.resolve(info.slug()));
        WindowStore windows = new WindowStore(info.slug(), scan.aggregate().topWindows(), width);
        LayerWriter writer = new LayerWriter(renderer, shape, new RecordBuilder(info.slug(), texts, token, neighbours,
                config.scan().probes().stream().map(dev.neurodex.tokenize.Probe::name).toList()), search,
                windows, files);
        List<ModelPage.LayerRow> layerRows = new ArrayList<>();
        List<ModelPage.Summary> summaries = new ArrayList<>();
        for (LayerAggregate layer : scan.aggregate().layers()) {
            int l = layer.layer();
            DirectLogits logits = model instanceof DirectLogits.Source source ? source.directLogits(l, LOGIT_TOKENS) : null;
            List<ModelPage.Summary> layerSummaries = writer.write(layer, logits);
            layerRows.add(ModelPage.layerRow(l, HookName.mlpPost(l), layerSummaries));
            summaries.addAll(layerSummaries);
        }
        windows.write(files, texts);
        List<dev.neurodex.tokenize.Probe> probes = config.scan().probes();
        for (int p = 0; p < probes.size(); p++) {
            renderer.probe(files, ProbePage.of(shape.model(), probes.get(p).name(), probes.get(p).pattern().pattern(), p,
                    summaries), ProbePage.ranking(p, summaries));
        }
        renderer.model(files, modelPage(shape, manifest, layerRows, summaries));
        search.write(new SiteFiles(root.resolve("search").resolve(info.slug())));
        files.write("manifest.json", Json.prettyBytes(manifest.withFiles(files.list())));
        return info.layers() * info.dMlp();
    }

    private Manifest manifest(LoadedModel loaded, CorpusReader corpus, BadRecords bad, ScanResult scan, ScanConfig scanConfig) {
        ModelInfo info = loaded.model().info();
        return new Manifest(NeuronRecord.FORMAT,
                new Manifest.Model(info.slug(), info.architecture(), info.causal(), info.parameters(), published(info.source()),
                        info.sha256(), HookName.mlpPost(0).replace(".0.", ".{L}.")),
                info.layers(), info.dMlp(),
                new Manifest.Tokenizer(loaded.tokenizerName(), loaded.tokenizerSha256()),
                new Manifest.Corpus(config.corpus().stream().map(p -> published(p.toString())).toList(), corpus.files(),
                        scan.documents(), scan.windows(), scan.tokens(), bad.count(), corpus.skippedFiles()),
                scanConfig.topK(), scanConfig.context(), Version.get(),
                Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(),
                new Manifest.Build(scan.seconds(), scan.seconds() > 0 ? scan.tokens() / scan.seconds() : 0,
                        scanConfig.batchSize(), config.threads(), scanConfig.maxTokens(),
                        scanConfig.probes().stream().map(dev.neurodex.tokenize.Probe::spec).toList()), List.of());
    }

    /**
     * A path of the building machine as a public site shows it: its last part only, so that a home folder's name
     * or a mount layout is not published.
     */
    static String published(String path) {
        Path p = Path.of(path);
        if (!p.isAbsolute() && !java.nio.file.Files.exists(p)) {
            return path; // a catalog name, not a path
        }
        Path name = p.toAbsolutePath().normalize().getFileName();
        return name == null ? path : name.toString();
    }

    private static ModelPage modelPage(SiteShape shape, Manifest m, List<ModelPage.LayerRow> layers,
                                       List<ModelPage.Summary> summaries) {
        List<ModelPage.Fact> facts = List.of(
                new ModelPage.Fact("weights", m.model().source() + " (sha256 " + m.model().sha256() + ")"),
                new ModelPage.Fact("tokenizer", m.tokenizer().name()),
                new ModelPage.Fact("corpus", String.join(", ", m.corpus().roots())),
                new ModelPage.Fact("documents", String.format("%,d", m.corpus().documents())),
                new ModelPage.Fact("content tokens", String.format("%,d", m.corpus().tokens())),
                new ModelPage.Fact("bad records skipped", String.format("%,d", m.corpus().badRecords())),
                new ModelPage.Fact("context", m.context() + " positions per window, framing included"),
                new ModelPage.Fact("top-k", Integer.toString(m.k())),
                new ModelPage.Fact("built", m.buildTime() + " by neurodex " + m.neurodexVersion()));
        return new ModelPage(shape.model(), shape.architecture(), shape.layers(), shape.neuronsPerLayer(),
                String.format("%,d", (long) shape.layers() * shape.neuronsPerLayer()), m.model().hook(),
                shape.attentionNote(), String.format("%,d", m.model().parameters()), layers,
                ModelPage.picks(summaries), facts);
    }


    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down: the hook is running
        }
    }
}
