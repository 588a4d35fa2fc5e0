package dev.neurodex.build;

import ai.djl.ndarray.NDManager;
import dev.neurodex.aggregate.LayerAggregate;
import dev.neurodex.corpus.BadRecords;
import dev.neurodex.corpus.CorpusReader;
import dev.neurodex.model.DirectLogits;
import dev.neurodex.model.HookPoint;
import dev.neurodex.model.UnitGroup;
import dev.neurodex.sae.Sae;
import dev.neurodex.sae.SaeConfig;
import dev.neurodex.scan.TappedModel;
import dev.neurodex.tokenize.Probe;
import dev.neurodex.tokenize.WindowRef;
import java.util.BitSet;
import java.util.TreeMap;
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
        return run(ScanStep.LOCAL, PageStep.LOCAL);
    }

    /** The build with its scan done by {@code step} and its pages by {@code pageStep}; every other phase is the same. */
    public Summary run(ScanStep step, PageStep pageStep) throws InterruptedException {
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
                     config.limits().maxDocumentChars());
             NDManager saeWeights = manager.newSubManager()) {
            TappedModel model = TappedModel.open(loaded.model(), config.hook(), config.saes(), saeWeights);
            ScanConfig scanConfig = config.scan().resolved(loaded.model().info().defaultContext());
            checkHeap(scanConfig, model.units());
            Scanner.checkContext(scanConfig, model.info()); // before any work, wherever the scan runs
            CheckpointPolicy checkpoints = checkpoints(publisher, model, scanConfig, corpus);
            Checkpoint from = checkpoints.restore(log);
            ScanResult scan;
            try (ScanProgress bar = progress.apply(corpus)) {
                scan = step.scan(model, tokenizer, scanConfig, corpus, bad, bar, checkpoints, from);
            }
            Manifest manifest = manifest(loaded, corpus, bad, scan, scanConfig);
            int width = loaded.model().frame().contentTokens(scanConfig.context());
            WindowTexts texts = WindowTextPass.read(config.corpus(), config.limits(), tokenizer, width, scan.aggregate().windows());
            long neighboursStarted = System.nanoTime();
            // Neighbours relate MLP neurons through their weights: other hooks have none.
            NeuronNeighbours neighbours = config.hook() == HookPoint.MLP_POST ? NeuronNeighbours.of(loaded.model()) : null;
            double neighboursSeconds = (System.nanoTime() - neighboursStarted) / 1e9;
            int pages = write(publisher.staging(), model, tokenizer, loaded.tokenizerJson(), neighbours, texts,
                    width, scan, manifest, pageStep);
            publisher.commit();
            checkpoints.clear(); // published: nothing left to resume
            SiteIndex.refresh(publisher.out(), new SiteRenderer(manifest.neurodexVersion()));
            return new Summary(scan.documents(), scan.tokens(), bad.count(), scan.seconds(), scan.phases(),
                    neighboursSeconds, (System.nanoTime() - started) / 1e9, pages, config.out());
        } catch (Throwable e) {
            // Throwable: a Spark step's SparkException is checked but thrown unchecked, and must drop staging too.
            publisher.abandon();
            throw e;
        } finally {
            removeHook(cleanup);
        }
    }

    private static void checkHeap(ScanConfig scan, List<UnitGroup> units) {
        long neurons = units.stream().mapToLong(UnitGroup::width).sum();
        long need = scan.minimumHeapBytes(neurons, units.stream().mapToInt(UnitGroup::width).max().orElse(0));
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
    private CheckpointPolicy checkpoints(SitePublisher publisher, TappedModel model, ScanConfig scan, CorpusReader corpus) {
        ModelInfo info = model.info();
        if (config.checkpointEvery() == 0 && !config.resume()) {
            return CheckpointPolicy.NONE;
        }
        Path file = publisher.out().resolveSibling(".neurodex-checkpoint-" + publisher.out().getFileName() + "-"
                + info.slug());
        int threads = config.threads() > 0 ? config.threads() : Runtime.getRuntime().availableProcessors();
        Checkpoint.Identity identity = new Checkpoint.Identity(info.slug(), info.sha256(), scan.context(), scan.topK(),
                scan.keep(), scan.batchSize(), scan.maxTokens(), threads,
                scan.probes().stream().map(dev.neurodex.tokenize.Probe::spec).toList(),
                java.util.stream.Stream.concat(java.util.stream.Stream.of(model.point().pattern()),
                        model.saes().stream().map(s -> s.config().hookName() + " sha256:" + s.sha256())).toList(),
                corpus.fingerprint());
        return new CheckpointPolicy(file, config.checkpointEvery(), config.resume(), identity);
    }

    private int write(Path root, TappedModel model, WindowTokenizer tokenizer, byte[] tokenizerJson,
                      NeuronNeighbours neighbours, WindowTexts texts, int width, ScanResult scan, Manifest manifest,
                      PageStep step) {
        ModelInfo info = model.info();
        HookPoint point = model.point();
        IntFunction<String> token = TokenLabels.of(tokenizerJson, tokenizer);
        SiteRenderer renderer = new SiteRenderer(manifest.neurodexVersion());
        String corpus = manifest.corpus().files().stream().map(f -> f.path() + " sha256:" + f.sha256())
                .collect(Collectors.joining(", "));
        SiteShape shape = SiteShape.of(info.slug(), info.architecture(), info.layers(), info.dMlp(), info.causal(),
                info.sha256(), corpus).atHook(point.pattern(), point.width(info));
        List<LayerAggregate> groups = scan.aggregate().layers();
        SiteFiles files = new SiteFiles(root.resolve(info.slug()));
        Pages folders = new Pages(manifest.neurodexVersion(), renderer, root.resolve(info.slug()), texts, width, token,
                config.scan().probes(), step);
        List<ModelPage.LayerRow> layerRows = new ArrayList<>();
        List<ModelPage.Summary> summaries = folders.section(shape, "", files, neighbours, groups.subList(0, info.layers()),
                root.resolve("search").resolve(info.slug()),
                group -> point == HookPoint.MLP_POST && model.model() instanceof DirectLogits.Source source
                        ? source.directLogits(group.layer(), LOGIT_TOKENS) : null,
                layerRows);
        List<ModelPage.SaeRow> saeRows = new ArrayList<>();
        List<Manifest.Sae> saeEntries = new ArrayList<>();
        int pages = info.layers() * shape.neuronsPerLayer();
        for (int s = 0; s < model.saes().size(); s++) {
            Sae sae = model.saes().get(s);
            LayerAggregate latents = groups.get(info.layers() + s);
            BitSet alive = new BitSet();
            for (int n = 0; n < sae.config().dSae(); n++) {
                alive.set(n, latents.stats(n).max() > 0);
            }
            SiteShape saeShape = shape.sae(sae.name(), sae.config().hookName(), sae.config().dSae(), sae.sha256(), alive);
            SiteFiles section = files.within(sae.name());
            List<ModelPage.LayerRow> rows = new ArrayList<>();
            List<ModelPage.Summary> saeSummaries = folders.section(saeShape, sae.name(), section, null, List.of(latents),
                    root.resolve("search").resolve(info.slug()).resolve(sae.name()), group -> saeLogits(model, sae), rows);
            Manifest.Sae entry = saeEntry(sae, alive.cardinality());
            saeEntries.add(entry);
            renderer.model(section, saePage(saeShape, entry, manifest, rows, saeSummaries), saeShape);
            saeRows.add(ModelPage.saeRow(sae.name(), entry.hook(), entry.dSae(), saeSummaries, encoding(entry)));
            pages += alive.cardinality();
        }
        manifest = manifest.withSaes(saeEntries);
        renderer.model(files, modelPage(shape, manifest, layerRows, saeRows, summaries), shape);
        files.write("manifest.json", Json.prettyBytes(manifest.withFiles(files.list())));
        return pages;
    }

    /** What every folder of units of a build shares: the renderer, the window texts, token labels and probes. */
    private record Pages(String version, SiteRenderer renderer, Path root, WindowTexts texts, int width,
                         IntFunction<String> token, List<Probe> probes, PageStep step) {
        /**
         * The pages of one folder of units: the model's own layers, or an SAE section. Records, pages, values, the
         * window store, probe rankings and the search index; returns the units' summaries.
         */
        List<ModelPage.Summary> section(SiteShape shape, String name, SiteFiles files, NeuronNeighbours neighbours,
                                        List<LayerAggregate> groups, Path searchFolder,
                                        Function<LayerAggregate, DirectLogits> logits, List<ModelPage.LayerRow> rows) {
            Map<Long, WindowRef> top = new TreeMap<>();
            groups.forEach(g -> g.forEachWindow(true, w -> top.putIfAbsent(w.order(), w)));
            WindowStore windows = new WindowStore(shape.model(), List.copyOf(top.values()), width);
            SearchIndex search = new SearchIndex(shape.model());
            SectionPages pages = new SectionPages(version, shape, root.toAbsolutePath().toString(), name, texts, neighbours,
                    probes.stream().map(Probe::name).toList(), windows);
            LayerWriter writer = pages.writer(token, search, files);
            List<ModelPage.Summary> summaries = new ArrayList<>();
            for (LayerAggregate group : groups) {
                List<ModelPage.Summary> written = writer.finish(group, step.write(pages, writer, group, logits.apply(group)));
                rows.add(ModelPage.layerRow(group.layer(), shape.hookAt(group.layer()), written));
                summaries.addAll(written);
            }
            windows.write(files, texts);
            for (int p = 0; p < probes.size(); p++) {
                renderer.probe(files, ProbePage.of(shape.model(), probes.get(p).name(), probes.get(p).pattern().pattern(),
                        p, summaries), ProbePage.ranking(p, summaries), shape);
            }
            search.write(new SiteFiles(searchFolder));
            return summaries;
        }
    }

    /** An SAE's decoder rows through the final norm and the unembedding, when they live in the residual stream. */
    private static DirectLogits saeLogits(TappedModel model, Sae sae) {
        if (!(model.model() instanceof DirectLogits.Source source) || sae.config().hook().point() == HookPoint.MLP_POST) {
            return null;
        }
        try (NDManager m = OfflineEngine.newManager(0)) {
            return source.directLogits(sae.decoder(m), LOGIT_TOKENS);
        }
    }

    private static Manifest.Sae saeEntry(Sae sae, int alive) {
        SaeConfig c = sae.config();
        return new Manifest.Sae(sae.name(), published(sae.dir().toString()), sae.sha256(), c.modelName(), c.hookName(), c.dIn(), c.dSae(),
                c.activation().name().toLowerCase(java.util.Locale.ROOT), c.k(),
                c.normalization().name().toLowerCase(java.util.Locale.ROOT), c.applyBDecToInput(), sae.center(),
                c.modelKwargs(), alive, c.dSae() - alive);
    }

    private static String encoding(Manifest.Sae s) {
        return s.activation() + (s.k() > 0 ? " k=" + s.k() : "") + (s.normalization().equals("none") ? "" : ", " + s.normalization())
                + (s.applyBDecToInput() ? ", b_dec subtracted" : "") + (s.centered() ? ", centred" : "");
    }

    private Manifest manifest(LoadedModel loaded, CorpusReader corpus, BadRecords bad, ScanResult scan, ScanConfig scanConfig) {
        ModelInfo info = loaded.model().info();
        return new Manifest(NeuronRecord.FORMAT,
                new Manifest.Model(info.slug(), info.architecture(), info.causal(), info.parameters(), published(info.source()),
                        info.sha256(), config.hook().pattern()),
                info.layers(), info.dMlp(),
                new Manifest.Tokenizer(loaded.tokenizerName(), loaded.tokenizerSha256()),
                new Manifest.Corpus(config.corpus().stream().map(p -> published(p.toString())).toList(), corpus.files(),
                        scan.documents(), scan.windows(), scan.tokens(), bad.count(), corpus.skippedFiles()),
                scanConfig.topK(), scanConfig.context(), Version.get(),
                Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(),
                new Manifest.Build(scan.seconds(), scan.seconds() > 0 ? scan.tokens() / scan.seconds() : 0,
                        scanConfig.batchSize(), config.threads(), scanConfig.maxTokens(),
                        scanConfig.probes().stream().map(dev.neurodex.tokenize.Probe::spec).toList()), List.of(), List.of());
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

    private static List<ModelPage.Fact> buildFacts(Manifest m) {
        return List.of(
                new ModelPage.Fact("weights", m.model().source() + " (sha256 " + m.model().sha256() + ")"),
                new ModelPage.Fact("tokenizer", m.tokenizer().name()),
                new ModelPage.Fact("corpus", String.join(", ", m.corpus().roots())),
                new ModelPage.Fact("documents", String.format("%,d", m.corpus().documents())),
                new ModelPage.Fact("content tokens", String.format("%,d", m.corpus().tokens())),
                new ModelPage.Fact("bad records skipped", String.format("%,d", m.corpus().badRecords())),
                new ModelPage.Fact("context", m.context() + " positions per window, framing included"),
                new ModelPage.Fact("top-k", Integer.toString(m.k())),
                new ModelPage.Fact("built", m.buildTime() + " by neurodex " + m.neurodexVersion()));
    }

    private static ModelPage modelPage(SiteShape shape, Manifest m, List<ModelPage.LayerRow> layers,
                                       List<ModelPage.SaeRow> saes, List<ModelPage.Summary> summaries) {
        String headline = String.format("%s · %,d parameters · %d layers × %,d %ss = %,d %ss", shape.architecture(),
                m.model().parameters(), shape.layers(), shape.neuronsPerLayer(),
                shape.unit().equals("neuron") ? "MLP neuron" : "residual dimension",
                (long) shape.layers() * shape.neuronsPerLayer(), shape.unit());
        return new ModelPage(shape.model(), headline, shape.unit(), m.model().hook(), shape.attentionNote(), layers, saes,
                ModelPage.picks(summaries), buildFacts(m));
    }

    /** An SAE section's index: what the SAE is, how its latents were encoded, and the latents worth a look. */
    private static ModelPage saePage(SiteShape shape, Manifest.Sae sae, Manifest m, List<ModelPage.LayerRow> layers,
                                     List<ModelPage.Summary> summaries) {
        String headline = String.format("SAE on %s of %s · %,d latents (%,d alive, %,d dead) · %s", sae.hook(),
                m.model().name(), sae.dSae(), sae.alive(), sae.dead(), encoding(sae));
        List<ModelPage.Fact> facts = new ArrayList<>(List.of(
                new ModelPage.Fact("SAE weights", sae.source() + " (sae_weights.safetensors sha256 " + sae.sha256() + ")"
                        + (sae.trainedOn() == null ? "" : ", trained on " + sae.trainedOn())),
                new ModelPage.Fact("encoder", "d_in " + sae.dIn() + " → d_sae " + sae.dSae() + ", " + sae.activation()
                        + (sae.k() > 0 ? " (k = " + sae.k() + ")" : "")),
                new ModelPage.Fact("input", "normalize_activations " + sae.normalization() + ", apply_b_dec_to_input "
                        + sae.applyBDecToInput()),
                new ModelPage.Fact("centring", sae.centered()
                        ? "applied: each hook vector minus its mean over d_model (TransformerLens's center_writing_weights, "
                                + "as the SAE's model_from_pretrained_kwargs ask)"
                        : "not applied: the hook's values as Hugging Face computes them"
                                + (Boolean.parseBoolean(sae.modelFromPretrainedKwargs().get("center_writing_weights"))
                                        ? " (the SAE asks for center_writing_weights, which TransformerLens applies only "
                                                + "to LayerNorm decoders)" : "")),
                new ModelPage.Fact("model_from_pretrained_kwargs", sae.modelFromPretrainedKwargs().toString())));
        facts.addAll(buildFacts(m));
        return new ModelPage(shape.model(), headline, "latent", sae.hook(), shape.attentionNote(), layers, List.of(),
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
