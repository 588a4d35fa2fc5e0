package dev.neurodex.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.onnx.proto.OnnxMl;
import dev.neurodex.build.LayerWriter;
import dev.neurodex.corpus.BadRecords;
import dev.neurodex.corpus.CorpusLimits;
import dev.neurodex.corpus.CorpusReader;
import dev.neurodex.model.NeuronNeighbours;
import dev.neurodex.model.HookedModel;
import dev.neurodex.model.LoadedModel;
import dev.neurodex.model.ModelCatalog;
import dev.neurodex.model.ModelInfo;
import dev.neurodex.model.OfflineEngine;
import dev.neurodex.model.TokenizerFrame;
import dev.neurodex.model.onnx.OnnxHookedModel;
import dev.neurodex.model.onnx.OnnxStateDict;
import dev.neurodex.render.SiteRenderer;
import dev.neurodex.render.SiteShape;
import dev.neurodex.scan.ScanConfig;
import dev.neurodex.scan.ScanProgress;
import dev.neurodex.scan.ScanResult;
import dev.neurodex.scan.Scanner;
import dev.neurodex.scan.TappedModel;
import dev.neurodex.scan.WindowTextPass;
import dev.neurodex.store.RecordBuilder;
import dev.neurodex.store.SearchIndex;
import dev.neurodex.store.SiteFiles;
import dev.neurodex.store.WindowStore;
import dev.neurodex.tokenize.WindowTexts;
import dev.neurodex.tokenize.WindowTokenizer;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Measures neurodex against the machine: the engine's matrix multiply on the model's MLP shape, the forward
 * pass alone, the whole scan, ONNX Runtime on the same windows, page rendering and peak memory. Every ratio is
 * taken within one run, from medians of repetitions.
 */
public final class Benchmark {
    private final BenchConfig config;
    private final PrintWriter log;

    public Benchmark(BenchConfig config, PrintWriter log) {
        this.config = config;
        this.log = log;
    }

    public Map<String, Object> run() throws Exception {
        Map<String, Object> r = new LinkedHashMap<>();
        try (NDManager manager = OfflineEngine.newManager(config.threads());
             LoadedModel loaded = ModelCatalog.open(config.model(), manager);
             WindowTokenizer tokenizer = WindowTokenizer.load(new ByteArrayInputStream(loaded.tokenizerJson()));
             NDManager saeWeights = manager.newSubManager()) {
            HookedModel model = TappedModel.open(loaded.model(), config.hook(), config.saes(), saeWeights);
            ModelInfo info = model.info();
            ScanConfig scan = new ScanConfig(config.context(), 20, config.batchSize(), config.scanTokens(), ScanConfig.KEEP)
                    .resolved(info.defaultContext());
            int width = model.frame().contentTokens(scan.context());
            r.put("model", info.slug());
            r.put("hook", config.hook().pattern());
            r.put("sae_latents", config.saes().isEmpty() ? null
                    : ((TappedModel) model).units().stream().filter(u -> u.section() != null).mapToInt(u -> u.width()).sum());
            r.put("context", scan.context());
            r.put("batch_size", scan.batchSize());
            r.put("threads", config.threads());
            double flops = model.flopsPerToken(scan.context(), width);
            List<int[]> windows = corpusWindows(tokenizer, scan.batchSize(), width);
            // Each repetition measures every rate back to back, and each ratio is taken within its repetition:
            // the machine's speed drifts over minutes, so ratios of separately taken medians would mix states.
            List<Double> gflops = new ArrayList<>();
            List<Double> forward = new ArrayList<>();
            List<Double> ort = new ArrayList<>();
            List<Double> scanRate = new ArrayList<>();
            List<Double> roofline = new ArrayList<>();
            List<Double> efficiency = new ArrayList<>();
            List<Double> vsOrt = new ArrayList<>();
            ScanResult last = null;
            try (HookedModel onnx = ortModel()) {
                for (int rep = 1; rep <= config.reps(); rep++) {
                    log.printf("repetition %d of %d: matmul, forward pass%s, scan of %,d tokens...%n", rep, config.reps(),
                            onnx == null ? "" : ", ONNX Runtime", config.scanTokens());
                    log.flush();
                    gflops.add(matmul(manager, scan.batchSize() * scan.context(), info));
                    double[] rates = onnx == null ? forwardRates(windows, model) : forwardRates(windows, model, onnx);
                    forward.add(rates[0]);
                    roofline.add(rates[0] * flops / (gflops.get(gflops.size() - 1) * 1e9));
                    log.printf("  matmul %.1f GFLOP/s, forward %.0f tokens/s (roofline %.3f)%n", gflops.get(gflops.size() - 1),
                            rates[0], roofline.get(roofline.size() - 1));
                    log.flush();
                    if (onnx != null) {
                        ort.add(rates[1]);
                        vsOrt.add(rates[0] / rates[1]);
                    }
                    last = new Scanner(model, tokenizer, scan).scan(
                            new CorpusReader(config.corpus(), new BadRecords(false, log)), ScanProgress.NONE);
                    scanRate.add(last.tokens() / last.seconds());
                    efficiency.add(scanRate.get(scanRate.size() - 1) / forward.get(forward.size() - 1));
                    log.printf("  scan %.0f tokens/s%n", scanRate.get(scanRate.size() - 1));
                }
            }
            r.put("matmul_gflops", Timing.median(gflops));
            r.put("flops_per_token", flops);
            r.put("forward_tokens_per_s", Timing.median(forward));
            r.put("roofline", flops > 0 ? Timing.median(roofline) : null);
            r.put("scan_tokens_per_s", Timing.median(scanRate));
            r.put("pipeline_efficiency", Timing.median(efficiency));
            // Where the last scan's time went: the gap between scan and forward, explained.
            r.put("scan_forward_s", last.phases().forward());
            r.put("scan_aggregate_s", last.phases().aggregate());
            r.put("scan_wait_reader_s", last.phases().waitingForReader());
            r.put("scan_total_s", last.seconds());
            r.put("scan_forward_tokens_per_s", last.tokens() / last.phases().forward());
            r.put("scan_positions_per_token", (double) last.phases().positions() / last.tokens());
            r.put("ort_tokens_per_s", ort.isEmpty() ? null : Timing.median(ort));
            r.put("vs_ort", vsOrt.isEmpty() ? null : Timing.median(vsOrt));
            ScanResult scanned = last;
            log.println("rendering...");
            // Removed only at the end: deleting a layer's files while the next is written stalls the file system.
            Path pages = Files.createTempDirectory("neurodex-bench-render");
            try {
                WindowTexts texts = WindowTextPass.read(config.corpus(), CorpusLimits.DEFAULT, tokenizer, width, scanned.aggregate().windows());
                long started = System.nanoTime();
                NeuronNeighbours neighbours = NeuronNeighbours.of(loaded.model());
                r.put("neighbours_s", neighbours == null ? null : (System.nanoTime() - started) / 1e9);
                RecordBuilder records = new RecordBuilder(info.slug(), texts,
                        dev.neurodex.tokenize.TokenLabels.of(loaded.tokenizerJson(), tokenizer), neighbours, List.of());
                WindowStore store = new WindowStore(info.slug(), scanned.aggregate().topWindows(), width);
                render(scanned, info, records, store, pages); // warm-up: a build renders thousands of pages, the JIT has compiled them
                r.put("render_pages_per_s", Timing.median(config.reps(), () -> render(scanned, info, records, store, pages)));
                Map<String, byte[]> layer = readLayer(pages);
                r.put("render_write_only_pages_per_s", Timing.median(config.reps(), () -> writeOnly(layer, info, pages)));
            } finally {
                try (var walk = Files.walk(pages)) {
                    walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
        log.println("peak memory of the scan, 1x and 4x the tokens (child processes)...");
        double once = peakRssMb(1);
        double four = peakRssMb(4);
        r.put("peak_rss_mb", once);
        r.put("peak_rss_mb_4x", four);
        r.put("rss_growth_4x", four / once);
        return r;
    }

    /** GFLOP/s of [rows, d_model] × [d_model, d_mlp], the shape of the model's MLP input projection. */
    private static double matmul(NDManager manager, int rows, ModelInfo info) {
        int k = info.dModel() > 0 ? info.dModel() : 768;
        try (NDManager m = manager.newSubManager()) {
            NDArray a = m.randomNormal(new Shape(rows, k));
            NDArray b = m.randomNormal(new Shape(k, info.dMlp()));
            a.matMul(b).close(); // warm-up
            double perSecond = Timing.rate(1.0, 1, () -> a.matMul(b).close());
            return perSecond * 2.0 * rows * k * info.dMlp() / 1e9;
        }
    }

    /**
     * Content tokens per second of each model on the same batch, the models taking turns in slices of about half
     * a second until each has run about 3 s: both then see the same machine state, which drifted too much between
     * two 3-second blocks (their ratio ranged from 0.8 to 1.5 within minutes). Slices rather than single batches, so
     * that threads an engine may leave spinning after a run do not tax the other's measurement. Each copies every
     * layer's activations to Java, as the scan does.
     */
    private static double[] forwardRates(List<int[]> windows, HookedModel... models) {
        for (HookedModel model : models) {
            model.run(windows, layer -> {}); // warm-up: first shapes are slow
        }
        long tokens = windows.stream().mapToLong(w -> w.length).sum();
        long[] nanos = new long[models.length];
        long[] calls = new long[models.length];
        do {
            for (int m = 0; m < models.length; m++) {
                long start = System.nanoTime();
                do {
                    models[m].run(windows, layer -> {});
                    calls[m]++;
                } while (System.nanoTime() - start < 0.5e9);
                nanos[m] += System.nanoTime() - start;
            }
        } while (nanos[0] < 3e9);
        double[] rates = new double[models.length];
        for (int m = 0; m < models.length; m++) {
            rates[m] = calls[m] * tokens / (nanos[m] / 1e9);
        }
        return rates;
    }

    /**
     * A batch of full windows from the corpus's first documents (repeated if it has fewer), so the forward pass
     * sees real token ids whatever the model's vocabulary.
     */
    private List<int[]> corpusWindows(WindowTokenizer tokenizer, int batch, int width) {
        List<int[]> windows = new ArrayList<>();
        new CorpusReader(config.corpus(), new BadRecords(false, log)).read(doc -> {
            for (var w : tokenizer.windows(doc, 0, width, 0)) {
                if (w.length() == width) {
                    windows.add(w.ids());
                }
            }
            return windows.size() < batch;
        });
        if (windows.isEmpty()) {
            throw new IllegalArgumentException("the corpus has no document of " + width + " tokens or more to bench on");
        }
        while (windows.size() < batch) {
            windows.add(windows.get(windows.size() % windows.size()));
        }
        return windows.subList(0, batch);
    }

    /**
     * ONNX Runtime on the default model's ONNX graph (it ships with neurodex), the MLP tensors as outputs; null for
     * another model, hook or with SAEs.
     */
    private HookedModel ortModel() throws Exception {
        if (!config.model().equals(ModelCatalog.DEFAULT) || config.hook() != dev.neurodex.model.HookPoint.MLP_POST
                || !config.saes().isEmpty()) {
            return null; // the graph holds the MLP neurons only: no like-for-like ratio otherwise
        }
        OnnxMl.ModelProto graph = OnnxStateDict.parse(new ByteArrayInputStream(ModelCatalog.defaultOnnxBytes()), "onnx");
        byte[] tokenizer;
        try (var in = ModelCatalog.class.getResourceAsStream("/all-minilm-l6-v2-tokenizer.json")) {
            tokenizer = in.readAllBytes();
        }
        return new OnnxHookedModel(graph, "intermediate_act_fn/Mul_1_output_0", TokenizerFrame.of(tokenizer, "tokenizer"),
                false, "ort", "onnx", "", config.threads());
    }

    /**
     * Neuron pages per second, as a build writes them: per neuron its record, page, embed page, search postings
     * and export line (one layer, through the build's own {@link LayerWriter}).
     */
    private static double render(ScanResult scan, ModelInfo info, RecordBuilder records, WindowStore windows, Path parent)
            throws Exception {
        SiteShape shape = SiteShape.of(info.slug(), info.architecture(), info.layers(), info.dMlp(), info.causal(), "", "");
        LayerWriter writer = new LayerWriter(new SiteRenderer("bench"), shape, records,
                new SearchIndex(info.slug()), windows, new SiteFiles(Files.createTempDirectory(parent, "layer")));
        long start = System.nanoTime();
        writer.write(scan.aggregate().layers().get(0), null);
        return info.dMlp() / ((System.nanoTime() - start) / 1e9);
    }

    /** The files of one rendered layer (the bench's first), by path relative to the layer's folder. */
    private static Map<String, byte[]> readLayer(Path pages) throws Exception {
        Path first;
        try (var dirs = Files.list(pages)) {
            first = dirs.sorted().findFirst().orElseThrow();
        }
        Map<String, byte[]> files = new LinkedHashMap<>();
        try (var walk = Files.walk(first)) {
            for (Path f : walk.filter(Files::isRegularFile).toList()) {
                files.put(first.relativize(f).toString(), Files.readAllBytes(f));
            }
        }
        return files;
    }

    /**
     * Pages per second when a layer's files are only written, nothing rendered: what the file system allows.
     */
    private static double writeOnly(Map<String, byte[]> layer, ModelInfo info, Path parent) throws Exception {
        SiteFiles files = new SiteFiles(Files.createTempDirectory(parent, "copy"));
        List<Map.Entry<String, byte[]>> entries = List.copyOf(layer.entrySet());
        long start = System.nanoTime();
        entries.parallelStream().forEach(e -> files.write(e.getKey(), e.getValue()));
        return info.dMlp() / ((System.nanoTime() - start) / 1e9);
    }

    private double peakRssMb(int repeat) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                ScanMemory.class.getName(), config.model(), config.corpus().get(0).toString(),
                Long.toString(config.scanTokens()), Integer.toString(repeat), Integer.toString(config.context()),
                Integer.toString(config.batchSize()), Integer.toString(config.threads()), config.hook().suffix()));
        config.saes().forEach(d -> command.add(d.toString()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("OPT_OUT_TRACKING", "true");
        Process process = pb.start();
        String out = new String(process.getInputStream().readAllBytes()).strip();
        if (process.waitFor() != 0 || out.isEmpty()) {
            throw new IllegalStateException("the memory measurement process failed (exit " + process.exitValue() + ")");
        }
        return Long.parseLong(out.lines().reduce((a, b) -> b).orElseThrow()) / 1024.0;
    }
}
