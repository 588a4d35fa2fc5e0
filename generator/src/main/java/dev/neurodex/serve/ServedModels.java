package dev.neurodex.serve;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.neurodex.corpus.CorpusLimits;
import dev.neurodex.model.Activations;
import dev.neurodex.model.HookPoint;
import dev.neurodex.model.HookedModel;
import dev.neurodex.sae.Sae;
import dev.neurodex.scan.TappedModel;
import dev.neurodex.model.LoadedModel;
import dev.neurodex.model.ModelCatalog;
import dev.neurodex.store.Json;
import dev.neurodex.tokenize.WindowText;
import dev.neurodex.tokenize.WindowTokenizer;
import dev.neurodex.corpus.Document;
import dev.neurodex.corpus.Origin;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The models of a served site, loaded when first asked for. A site's manifest names its model's weights by sha256
 * only (no path of the building machine is published), so the server is told where models are ({@code --model},
 * as build takes it) and serves each model of the site whose weights match. Forward passes share the machine: a
 * fixed number run at once, the others wait their turn for a while and then get a "busy" answer.
 */
public final class ServedModels implements AutoCloseable {
    /**
     * A model of the site (or an SAE section of one), ready: the same forward code as build, the page layer of each
     * group of units it hands over, and each unit's max from the site.
     */
    record Served(LoadedModel loaded, HookedModel hooked, WindowTokenizer tokenizer, int context, int[] layerOf,
                  float[][] maxes) {}

    /**
     * What a page's requests name: a model's own units, or an SAE section ({@code "model/sae"}); its pages lie in
     * layers {@code firstLayer} to {@code firstLayer + layers - 1}, {@code width} units each.
     */
    record Target(String slug, JsonNode manifest, JsonNode sae, int firstLayer, int layers, int width) {
        boolean has(int layer, int unit) {
            return layer >= firstLayer && layer < firstLayer + layers && unit >= 0 && unit < width;
        }
    }

    /** The request's text as the model saw it, this neuron's values, and each token's strongest neurons. */
    record Result(List<String> tokens, int[] ids, float[] values, boolean truncated, List<List<float[]>> top) {}

    static final class Busy extends Exception {
        Busy() {
            super("busy: too many texts are being run; try again");
        }
    }

    private final Path site;
    private final List<String> candidates;
    private final NDManager manager;
    private final int threads;
    private final Semaphore running;
    private final Map<String, Served> loaded = new HashMap<>();
    private final Map<String, LoadedModel> models = new HashMap<>(); // by slug: a model and its sections share weights
    private final List<Path> saeCandidates;

    public ServedModels(Path site, List<String> candidates, NDManager manager, int threads, int concurrent) {
        this(site, candidates, List.of(), manager, threads, concurrent);
    }

    /** @param saes SAE directories; each serves the sections whose manifest entry names the same weights' sha256 */
    public ServedModels(Path site, List<String> candidates, List<Path> saes, NDManager manager, int threads,
                        int concurrent) {
        this.saeCandidates = List.copyOf(saes);
        this.site = site;
        this.candidates = new ArrayList<>(candidates);
        if (!this.candidates.contains(ModelCatalog.DEFAULT)) {
            this.candidates.add(ModelCatalog.DEFAULT);
        }
        this.manager = manager;
        this.threads = threads;
        this.running = new Semaphore(concurrent, true);
    }

    /** The manifest of model {@code slug} in the site, or null. */
    JsonNode manifest(String slug) throws IOException {
        if (!slug.matches("[a-z0-9][a-z0-9._-]{0,63}")) {
            return null;
        }
        Path file = site.resolve(slug).resolve("manifest.json");
        return Files.isRegularFile(file) ? Json.MAPPER.readTree(file.toFile()) : null;
    }

    /** What {@code name} ("model" or "model/sae") is in the site, or null when it is nothing. */
    Target target(String name) throws IOException {
        String[] parts = name.split("/", -1);
        JsonNode manifest = parts.length <= 2 ? manifest(parts[0]) : null;
        if (manifest == null) {
            return null;
        }
        if (parts.length == 1) {
            return new Target(parts[0], manifest, null, 0, manifest.path("layers").asInt(),
                    manifest.path("neuronsPerLayer").asInt());
        }
        for (JsonNode sae : manifest.path("saes")) {
            if (sae.path("name").asText().equals(parts[1])) {
                HookPoint.At at = HookPoint.At.parse(sae.path("hook").asText());
                return at == null ? null : new Target(parts[0], manifest, sae, at.layer(), 1, sae.path("dSae").asInt());
            }
        }
        return null;
    }

    /**
     * The model or section {@code name} of the site, loading it (and the candidates before it) on first use; null
     * if none of the weights the server was given fits.
     */
    synchronized Served get(String name) throws IOException {
        Served s = loaded.get(name);
        if (s != null) {
            return s;
        }
        Target target = target(name);
        if (target == null) {
            return null;
        }
        LoadedModel model = model(target.slug(), target.manifest().at("/model/sha256").asText());
        if (model == null) {
            return null;
        }
        HookedModel hooked;
        float[][] maxes;
        int[] layerOf;
        if (target.sae() == null) {
            HookPoint point = HookPoint.named(target.manifest().at("/model/hook").asText().replace("blocks.{L}.", ""));
            hooked = point == null || point == HookPoint.MLP_POST ? model.model()
                    : new TappedModel(model.model(), point, List.of());
            layerOf = java.util.stream.IntStream.range(0, target.layers()).toArray();
            maxes = maxes(site.resolve(target.slug()), layerOf);
        } else {
            Path dir = saeDirectory(target.sae().path("sha256").asText());
            if (dir == null) {
                return null;
            }
            Sae sae = Sae.load(dir, model.model().layerNormDecoder(), manager,
                    c -> TappedModel.requireFits(model.model(), c, dir));
            hooked = new TappedModel(model.model(), null, List.of(sae));
            layerOf = new int[] {target.firstLayer()};
            maxes = maxes(site.resolve(target.slug()).resolve(target.sae().path("name").asText()), layerOf);
        }
        WindowTokenizer tokenizer = WindowTokenizer.load(model.tokenizerJson(), model.tokenizerName(),
                CorpusLimits.DOCUMENT_CHARS);
        s = new Served(model, hooked, tokenizer, target.manifest().path("context").asInt(model.model().info().defaultContext()),
                layerOf, maxes);
        loaded.put(name, s);
        return s;
    }

    /** The weights of model {@code slug} among the candidates, by their sha256; null when none has them. */
    private LoadedModel model(String slug, String sha) {
        LoadedModel known = models.get(slug);
        if (known != null) {
            return known;
        }
        for (String candidate : candidates) {
            LoadedModel model = ModelCatalog.open(candidate, slug, null, threads, manager);
            if (model.model().info().sha256().equals(sha)) {
                models.put(slug, model);
                return model;
            }
            model.close();
        }
        return null;
    }

    /** The SAE directory among those given whose sae_weights.safetensors has {@code sha256}, or null. */
    private Path saeDirectory(String sha256) throws IOException {
        for (Path dir : saeCandidates) {
            Path weights = dir.resolve("sae_weights.safetensors");
            if (Files.isRegularFile(weights)) {
                try (var in = Files.newInputStream(weights)) {
                    if (org.apache.commons.codec.digest.DigestUtils.sha256Hex(in).equals(sha256)) {
                        return dir;
                    }
                }
            }
        }
        return null;
    }

    /** Each unit's max over the corpus, from {@code <folder>/<layer>/max.json}; empty where it is missing. */
    private static float[][] maxes(Path folder, int[] layers) throws IOException {
        float[][] out = new float[layers.length][];
        for (int g = 0; g < layers.length; g++) {
            Path file = folder.resolve(layers[g] + "/max.json");
            out[g] = Files.isRegularFile(file) ? Json.MAPPER.readValue(file.toFile(), float[].class) : new float[0];
        }
        return out;
    }

    /**
     * Runs {@code text} (cut to one window) and returns neuron {@code (layer, neuron)}'s value at each token, and for
     * each token the {@code top} neurons of all layers by activation relative to their max over the corpus.
     */
    Result run(Served s, String text, int layer, int neuron, int top) throws Busy, InterruptedException {
        int width = s.loaded().model().frame().contentTokens(s.context());
        List<WindowText> windows = s.tokenizer().texts(new Document(new Origin("request", null, null), text), width);
        if (windows.isEmpty()) {
            return new Result(List.of(), new int[0], new float[0], false, List.of());
        }
        WindowText w = windows.get(0);
        int n = w.length();
        int[] ids = w.ids(0, n);
        float[] values = new float[n];
        List<List<float[]>> best = new ArrayList<>();
        List<java.util.PriorityQueue<float[]>> heaps = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            heaps.add(new java.util.PriorityQueue<>((a, b) -> Float.compare(a[3], b[3])));
        }
        if (!running.tryAcquire(30, TimeUnit.SECONDS)) {
            throw new Busy();
        }
        try {
            s.hooked().run(List.of(ids), acts -> collect(acts, s, layer, neuron, n, values, heaps, top));
        } finally {
            running.release();
        }
        for (var heap : heaps) {
            List<float[]> sorted = new ArrayList<>(heap);
            sorted.sort((a, b) -> Float.compare(b[3], a[3]));
            best.add(sorted);
        }
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            tokens.add(w.token(i));
        }
        return new Result(tokens, ids, values, windows.size() > 1, best);
    }

    private static void collect(Activations acts, Served s, int layer, int neuron, int n, float[] values,
                                List<java.util.PriorityQueue<float[]>> heaps, int top) {
        int l = s.layerOf()[acts.layer()];
        float[] max = s.maxes()[acts.layer()];
        for (int pos = 0; pos < n; pos++) {
            if (l == layer) {
                values[pos] = acts.value(0, pos, neuron);
            }
            var heap = heaps.get(pos);
            for (int m = 0; m < acts.dMlp(); m++) {
                float v = acts.value(0, pos, m);
                float scale = m < max.length && max[m] > 0 ? max[m] : Float.NaN;
                float ratio = Float.isNaN(scale) ? Float.NEGATIVE_INFINITY : v / scale;
                if (heap.size() < top) {
                    heap.add(new float[] {l, m, v, ratio});
                } else if (ratio > heap.peek()[3]) {
                    heap.poll();
                    heap.add(new float[] {l, m, v, ratio});
                }
            }
        }
    }

    @Override
    public synchronized void close() {
        for (Served s : loaded.values()) {
            s.tokenizer().close();
        }
        models.values().forEach(LoadedModel::close);
    }
}
