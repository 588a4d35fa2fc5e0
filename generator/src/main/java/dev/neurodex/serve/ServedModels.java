package dev.neurodex.serve;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.neurodex.corpus.CorpusLimits;
import dev.neurodex.model.Activations;
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
    /** A model of the site, ready: the same forward code as build, and each neuron's max from the site. */
    record Served(LoadedModel loaded, WindowTokenizer tokenizer, int context, float[][] maxes) {}

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

    public ServedModels(Path site, List<String> candidates, NDManager manager, int threads, int concurrent) {
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

    /** The model {@code slug} of the site, loading it (and the candidates before it) on first use; null if none fits. */
    synchronized Served get(String slug) throws IOException {
        Served s = loaded.get(slug);
        if (s != null) {
            return s;
        }
        JsonNode manifest = manifest(slug);
        if (manifest == null) {
            return null;
        }
        String sha = manifest.at("/model/sha256").asText();
        for (String candidate : candidates) {
            LoadedModel model = ModelCatalog.open(candidate, slug, null, threads, manager);
            if (!model.model().info().sha256().equals(sha)) {
                model.close();
                continue;
            }
            WindowTokenizer tokenizer = WindowTokenizer.load(model.tokenizerJson(), model.tokenizerName(),
                    CorpusLimits.DOCUMENT_CHARS);
            s = new Served(model, tokenizer, manifest.path("context").asInt(model.model().info().defaultContext()),
                    maxes(slug, model.model().info().layers()));
            loaded.put(slug, s);
            return s;
        }
        return null;
    }

    /** Each neuron's max over the corpus, from the site ({@code <layer>/max.json}); NaN where it is missing. */
    private float[][] maxes(String slug, int layers) throws IOException {
        float[][] out = new float[layers][];
        for (int l = 0; l < layers; l++) {
            Path file = site.resolve(slug).resolve(l + "/max.json");
            out[l] = Files.isRegularFile(file) ? Json.MAPPER.readValue(file.toFile(), float[].class) : new float[0];
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
            s.loaded().model().run(List.of(ids), acts -> collect(acts, s.maxes(), layer, neuron, n, values, heaps, top));
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

    private static void collect(Activations acts, float[][] maxes, int layer, int neuron, int n, float[] values,
                                List<java.util.PriorityQueue<float[]>> heaps, int top) {
        int l = acts.layer();
        float[] max = maxes[l];
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
            s.loaded().close();
        }
    }
}
