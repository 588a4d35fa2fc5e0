package dev.neurodex.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.neurodex.model.ModelCatalog;
import dev.neurodex.model.onnx.OnnxStateDict;
import dev.neurodex.tokenize.WindowTokenizer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One real build of a small hostile corpus through the CLI, checked page by page and record by record, and
 * against an independent computation (ONNX Runtime on the original graph, windows cut here, brute-force top-1).
 */
class BuildEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String[] TEXTS = {
        "The whale </span><script>alert('pwned')</script> surfaced & dove; \"quotes\" and 'apostrophes'.",
        "<img src=x onerror=alert(1)> Call me Ishmael. Some years ago, never mind how long precisely.",
        "<a href=\"javascript:alert(2)\">click</a> Tom & Jerry <b>bold</b> &amp; &lt;escaped&gt; text 😀 東京",
        "def f(x):\n    return x < 3 and x > 1  # \"code\" & more\n" + "print(f(2))\n".repeat(60),
        "",
        "Short.",
    };

    private static final WindowTokenizer TOKENIZER =
            WindowTokenizer.load(BuildEndToEndTest.class.getResourceAsStream("/all-minilm-l6-v2-tokenizer.json"));

    @TempDir
    static Path dir;
    static Path out;
    static Path corpus;

    @BeforeAll
    static void build() throws IOException {
        corpus = TestCorpus.write(dir.resolve("hostile.jsonl"), "<b>src</b>", TEXTS);
        out = dir.resolve("site");
        int code = Main.execute("build", "--corpus", corpus.toString(), "--out", out.toString(), "--quiet",
                "--top-k", "5", "--context", "64", "--batch-size", "4");
        assertEquals(0, code);
    }

    @Test
    void everyNeuronHasAPageAndARecordAndTheIndexesExist() throws IOException {
        Path model = out.resolve("all-minilm-l6-v2");
        long pages;
        long records;
        try (Stream<Path> files = Files.walk(model)) {
            List<String> names = files.map(p -> model.relativize(p).toString()).toList();
            pages = names.stream().filter(n -> n.matches("\\d+/\\d+\\.html")).count();
            records = names.stream().filter(n -> n.matches("\\d+/\\d+\\.json")).count();
        }
        assertEquals(9216, pages);
        assertEquals(9216, records);
        for (String f : List.of("index.html", "all-minilm-l6-v2/index.html", "all-minilm-l6-v2/manifest.json",
                "all-minilm-l6-v2/0/index.html", "all-minilm-l6-v2/5/index.html", "assets/neurodex.css",
                "assets/neurodex.js", "README.md")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        JsonNode manifest = JSON.readTree(model.resolve("manifest.json").toFile());
        assertEquals(5, manifest.get("k").asInt());
        assertEquals(64, manifest.get("context").asInt());
        assertEquals(TEXTS.length, manifest.at("/corpus/documents").asInt());
        assertEquals(64, manifest.at("/model/sha256").asText().length());
        assertEquals("blocks.{L}.mlp.hook_post", manifest.at("/model/hook").asText());
        // The building machine's paths are not published: only the names of the corpus roots.
        assertEquals(List.of(corpus.getFileName().toString()),
                JSON.convertValue(manifest.at("/corpus/roots"), List.class));
    }

    @Test
    void corpusMarkupNeverBecomesMarkup() throws IOException {
        List<Path> pages = new ArrayList<>();
        for (int n : new int[] {0, 1, 2, 700, 1535}) {
            pages.add(out.resolve("all-minilm-l6-v2/3/" + n + ".html"));
        }
        pages.add(out.resolve("all-minilm-l6-v2/3/index.html"));
        pages.add(out.resolve("search.html"));
        pages.add(out.resolve("all-minilm-l6-v2/index.html"));
        pages.add(out.resolve("index.html"));
        boolean sawHostileText = false;
        for (Path page : pages) {
            String html = Files.readString(page);
            var doc = Jsoup.parse(html);
            for (Element script : doc.select("script")) {
                assertTrue(script.attr("src").matches("(\\.\\./)*assets/(neurodex|models|search)\\.js"), page + ": " + script);
                assertEquals("", script.data(), page + ": inline script");
            }
            assertEquals(0, doc.select("img, b, iframe, object, embed").size(), page + " has corpus elements");
            for (Element e : doc.getAllElements()) {
                e.attributes().forEach(a -> {
                    assertFalse(a.getKey().toLowerCase().startsWith("on"), page + ": event handler " + a);
                    assertFalse(a.getValue().toLowerCase().contains("javascript:"), page + ": " + a);
                });
            }
            assertFalse(html.contains("<script>alert"), page.toString());
            sawHostileText |= doc.text().contains("alert") || doc.text().contains("<b>src</b>");
        }
        assertTrue(sawHostileText, "the hostile text should still be shown, as text");
        // The scripts pages load on demand hold corpus text only inside JSON strings: they parse as JSON.
        for (String script : List.of("all-minilm-l6-v2/windows/0.js", "all-minilm-l6-v2/3/values/0.js")) {
            String js = Files.readString(out.resolve(script));
            assertTrue(js.matches("(?s)neurodex(Windows|Values)\\(.*\\);\n"), script);
            JsonNode args = JSON.readTree("[" + js.substring(js.indexOf('(') + 1, js.lastIndexOf(')')) + "]");
            assertEquals("all-minilm-l6-v2", args.get(0).asText());
        }
        assertTrue(Files.readString(out.resolve("all-minilm-l6-v2/windows/0.js")).contains("alert"), "hostile text kept as text");
    }

    @Test
    void recordsFollowTheSchemaAndAgreeWithAnIndependentComputation() throws Exception {
        // Independent: tokenize each text, cut windows of 62, run ONNX Runtime per window, brute force per neuron.
        List<float[][]> windowActs = new ArrayList<>(); // per window: [layer][pos * 1536 + n]
        List<int[]> windowWhere = new ArrayList<>(); // doc line, window index
        Map<String, long[]> windowIds = new java.util.HashMap<>(); // "line/window" -> the window's token ids
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OnnxMl.ModelProto.Builder graph = OnnxStateDict.parse(new ByteArrayInputStream(ModelCatalog.defaultOnnxBytes()), "t").toBuilder();
        for (int l = 0; l < 6; l++) {
            graph.getGraphBuilder().addOutput(OnnxMl.ValueInfoProto.newBuilder()
                    .setName("/encoder/layer." + l + "/intermediate/intermediate_act_fn/Mul_1_output_0"));
        }
        try (OrtSession session = env.createSession(graph.build().toByteArray(), new OrtSession.SessionOptions());
             WindowTokenizer tokenizer = WindowTokenizer.load(getClass().getResourceAsStream("/all-minilm-l6-v2-tokenizer.json"))) {
            for (int d = 0; d < TEXTS.length; d++) {
                long[] ids = TEXTS[d].isEmpty() ? new long[0] : tokenizer.ids(TEXTS[d]);
                for (int from = 0, w = 0; from < ids.length; from += 62, w++) {
                    long[] content = Arrays.copyOfRange(ids, from, Math.min(ids.length, from + 62));
                    long[] framed = new long[content.length + 2];
                    framed[0] = 101;
                    System.arraycopy(content, 0, framed, 1, content.length);
                    framed[framed.length - 1] = 102;
                    long[] ones = new long[framed.length];
                    Arrays.fill(ones, 1);
                    try (OnnxTensor a = OnnxTensor.createTensor(env, new long[][] {framed});
                         OnnxTensor b = OnnxTensor.createTensor(env, new long[][] {ones});
                         OnnxTensor c = OnnxTensor.createTensor(env, new long[][] {new long[framed.length]});
                         OrtSession.Result r = session.run(Map.of("input_ids", a, "attention_mask", b, "token_type_ids", c))) {
                        float[][] perLayer = new float[6][];
                        for (int l = 0; l < 6; l++) {
                            FloatBuffer fb = ((OnnxTensor) r.get(1 + l)).getFloatBuffer();
                            float[] all = new float[fb.remaining()];
                            fb.get(all);
                            perLayer[l] = Arrays.copyOfRange(all, 1536, 1536 * (1 + content.length)); // drop CLS, SEP
                        }
                        windowActs.add(perLayer);
                        windowWhere.add(new int[] {d + 1, w});
                        windowIds.put((d + 1) + "/" + w, content);
                    }
                }
            }
        }
        for (int layer = 0; layer < 6; layer++) {
            for (int n = 0; n < 1536; n += 7) {
                JsonNode r = JSON.readTree(out.resolve("all-minilm-l6-v2/" + layer + "/" + n + ".json").toFile());
                checkSchema(r, layer, n, windowIds);
                double max = Double.NEGATIVE_INFINITY;
                double min = Double.POSITIVE_INFINITY;
                double sum = 0;
                long positive = 0;
                long tokens = 0;
                int best = -1;
                double bestScore = Double.NEGATIVE_INFINITY;
                for (int w = 0; w < windowActs.size(); w++) {
                    float[] a = windowActs.get(w)[layer];
                    double score = Double.NEGATIVE_INFINITY;
                    for (int pos = 0; pos < a.length / 1536; pos++) {
                        float v = a[pos * 1536 + n];
                        score = Math.max(score, v);
                        max = Math.max(max, v);
                        min = Math.min(min, v);
                        sum += v;
                        positive += v > 0 ? 1 : 0;
                        tokens++;
                    }
                    if (score > bestScore) {
                        bestScore = score;
                        best = w;
                    }
                }
                JsonNode stats = r.get("stats");
                String at = "L" + layer + "N" + n;
                assertEquals(max, stats.get("max").asDouble(), 1e-4, at);
                assertEquals(min, stats.get("min").asDouble(), 1e-4, at);
                assertEquals(sum / tokens, stats.get("mean").asDouble(), 1e-5, at);
                assertEquals(tokens, stats.get("tokens").asLong(), at);
                assertEquals(0, stats.get("nonFinite").asLong(), at);
                assertEquals((double) positive / tokens, stats.get("density").asDouble(), 2.0 / tokens, at);
                JsonNode top1 = r.get("top").get(0);
                assertEquals(bestScore, top1.get("value").asDouble(), 1e-4, at);
                assertEquals(windowWhere.get(best)[0], top1.at("/doc/line").asInt(), at + " top-1 document");
                assertEquals(windowWhere.get(best)[1], top1.get("window").asInt(), at + " top-1 window");
            }
        }
    }

    private static void checkSchema(JsonNode r, int layer, int n, Map<String, long[]> windowIds) {
        assertEquals(4, r.get("format").asInt());
        assertEquals("all-minilm-l6-v2", r.get("model").asText());
        assertEquals(layer, r.get("layer").asInt());
        assertEquals(n, r.get("neuron").asInt());
        assertEquals("blocks." + layer + ".mlp.hook_post", r.get("hook").asText());
        for (String f : List.of("max", "min", "mean", "density", "tokens")) {
            assertTrue(r.get("stats").get(f).isNumber(), f);
        }
        JsonNode neighbours = r.get("neighbours");
        assertEquals(10, neighbours.get("similar").size());
        assertEquals(layer == 0 ? 0 : 10, neighbours.get("upstream").size());
        assertEquals(layer == 5 ? 0 : 10, neighbours.get("downstream").size());
        for (JsonNode link : neighbours.get("upstream")) {
            assertTrue(link.get(0).asInt() < layer && Math.abs(link.get(2).asDouble()) <= 1.0001, link.toString());
        }
        double scale = r.get("valueScale").asDouble();
        assertEquals(Math.max(Math.abs(r.at("/stats/max").asDouble()), Math.abs(r.at("/stats/min").asDouble())), scale, 1e-6);
        JsonNode top = r.get("top");
        assertTrue(top.size() >= 1 && top.size() <= 5);
        double previous = Double.POSITIVE_INFINITY;
        for (JsonNode ex : top) {
            double value = ex.get("value").asDouble();
            assertTrue(value <= previous, "top is sorted descending");
            previous = value;
            assertEquals("hostile.jsonl", ex.at("/doc/file").asText());
            assertTrue(ex.at("/doc/line").isInt());
            assertEquals("<b>src</b>", ex.get("source").asText());
            JsonNode ids = ex.get("ids");
            JsonNode values = ex.get("values");
            assertEquals(ids.size(), values.size());
            int maxIndex = ex.get("maxIndex").asInt();
            assertEquals(Math.round(value / scale * 1000), values.get(maxIndex).asLong(), "values are thousandths of the scale");
            // The ids are the window's own, at its positions start..
            long[] window = windowIds.get(ex.at("/doc/line").asInt() + "/" + ex.get("window").asInt());
            int start = ex.get("start").asInt();
            for (int i = 0; i < ids.size(); i++) {
                assertEquals(window[start + i], ids.get(i).asLong(), "id at window position " + (start + i));
            }
            assertTrue(start == 0 || maxIndex == 30, "30 positions before the max, or the window's start");
            // The max token's span in the document, in code points, holds what the tokenizer read there.
            int[] cps = TEXTS[ex.at("/doc/line").asInt() - 1].codePoints().toArray();
            int from = ex.get("maxCharStart").asInt();
            int to = ex.get("maxCharEnd").asInt();
            String span = java.text.Normalizer.normalize(new String(cps, from, to - from), java.text.Normalizer.Form.NFD)
                    .replaceAll("\\p{M}", "").toLowerCase(java.util.Locale.ROOT);
            String token = TOKENIZER.token(ids.get(maxIndex).asInt()).replace("##", "");
            assertTrue(token.equals("[UNK]") || span.equals(token), "span '" + span + "' of token '" + token + "'");
        }
    }

    @Test
    void bulkExportAndManifestListEveryFileWithItsChecksum() throws IOException {
        Path model = out.resolve("all-minilm-l6-v2");
        List<String> lines;
        try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(model.resolve("2/layer.jsonl.gz")))) {
            lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
        assertEquals(1536, lines.size());
        for (int n : new int[] {0, 99, 1535}) {
            assertEquals(JSON.readTree(model.resolve("2/" + n + ".json").toFile()), JSON.readTree(lines.get(n)));
        }
        JsonNode files = JSON.readTree(model.resolve("manifest.json").toFile()).get("files");
        long expected;
        try (Stream<Path> all = Files.walk(model)) {
            expected = all.filter(Files::isRegularFile).count() - 1; // all but the manifest itself
        }
        assertEquals(expected, files.size());
        for (JsonNode f : files) {
            if (f.get("path").asText().equals("4/17.html") || f.get("path").asText().equals("0/layer.jsonl.gz")) {
                byte[] bytes = Files.readAllBytes(model.resolve(f.get("path").asText()));
                assertEquals(bytes.length, f.get("bytes").asLong());
                assertEquals(org.apache.commons.codec.digest.DigestUtils.sha256Hex(bytes), f.get("sha256").asText());
            }
        }
    }

    @Test
    void searchShardsHoldTheFiringTokens() throws IOException {
        Path shard = out.resolve("search/all-minilm-l6-v2/" + dev.neurodex.store.SearchIndex.shard("whale") + ".js");
        String js = Files.readString(shard);
        assertTrue(js.startsWith("neurodexSearchShard(\"all-minilm-l6-v2\","), js.substring(0, 40));
        JsonNode terms = JSON.readTree(js.substring(js.indexOf('{'), js.lastIndexOf(')')));
        assertTrue(terms.has("whale"), "whale is a max token somewhere in this corpus");
        JsonNode posting = terms.get("whale").get(0);
        JsonNode record = JSON.readTree(out.resolve("all-minilm-l6-v2/" + posting.get(0).asInt() + "/"
                + posting.get(1).asInt() + ".json").toFile());
        JsonNode example = record.get("top").get(posting.get(2).asInt() - 1);
        long whale = TOKENIZER.ids("whale")[0];
        boolean found = false;
        for (JsonNode id : example.get("ids")) {
            found |= id.asLong() == whale;
        }
        assertTrue(found, "the posting points at an example holding the token");
    }

    @Test
    void strictBuildFailsAndLeavesThePreviousSiteIntact() throws IOException {
        Path bad = dir.resolve("bad.jsonl");
        Files.writeString(bad, "{\"text\": \"fine\"}\n{broken\n", StandardCharsets.UTF_8);
        String before = Files.readString(out.resolve("all-minilm-l6-v2/3/117.json"));
        int code = Main.execute("build", "--corpus", bad.toString(), "--out", out.toString(), "--quiet", "--strict");
        assertEquals(1, code);
        assertEquals(before, Files.readString(out.resolve("all-minilm-l6-v2/3/117.json")));
        try (Stream<Path> siblings = Files.list(dir)) {
            assertEquals(List.of(), siblings.filter(p -> p.getFileName().toString().startsWith(".neurodex")).toList(),
                    "the staging directory is removed");
        }
        assertNotNull(before);
    }
}
