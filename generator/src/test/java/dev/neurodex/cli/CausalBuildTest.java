package dev.neurodex.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.neurodex.model.TinyCheckpoints;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A user's GPT-2 directory through the whole CLI: causal framing, BOS excluded, the model's own context. */
class CausalBuildTest {
    @TempDir
    Path dir;

    private Path tinyGpt2(String name) throws Exception {
        return TinyCheckpoints.gpt2Directory(dir.resolve(name));
    }

    @Test
    void severalModelsShareASiteAndARebuildReplacesOnlyItsOwnFolder() throws Exception {
        Path model = tinyGpt2("gpt2-x");
        Path corpus = TestCorpus.write(dir.resolve("c.jsonl"), "test", "The whale surfaced and dove again.");
        Path out = dir.resolve("site");
        for (String name : new String[] {"first", "second"}) {
            assertEquals(0, Main.execute("build", "--model", model.toString(), "--name", name, "--corpus", corpus.toString(),
                    "--out", out.toString(), "--quiet", "--top-k", "2"));
        }
        String index = Files.readString(out.resolve("index.html"));
        assertTrue(index.contains("first/index.html") && index.contains("second/index.html"), "both models listed");
        String models = Files.readString(out.resolve("assets/models.js"));
        assertTrue(models.contains("\"first\"") && models.contains("\"second\""), models);
        assertTrue(Files.isDirectory(out.resolve("search/first")) && Files.isDirectory(out.resolve("search/second")));
        byte[] secondPage = Files.readAllBytes(out.resolve("second/1/3.html"));
        long secondTime = Files.getLastModifiedTime(out.resolve("second/manifest.json")).toMillis();
        String firstBuilt = new ObjectMapper().readTree(out.resolve("first/manifest.json").toFile()).get("buildTime").asText();
        Thread.sleep(1100);
        assertEquals(0, Main.execute("build", "--model", model.toString(), "--name", "first", "--corpus", corpus.toString(),
                "--out", out.toString(), "--quiet", "--top-k", "2"));
        assertEquals(secondTime, Files.getLastModifiedTime(out.resolve("second/manifest.json")).toMillis(), "untouched");
        assertTrue(java.util.Arrays.equals(secondPage, Files.readAllBytes(out.resolve("second/1/3.html"))));
        String rebuilt = new ObjectMapper().readTree(out.resolve("first/manifest.json").toFile()).get("buildTime").asText();
        assertTrue(!rebuilt.equals(firstBuilt), "first was rebuilt");
        try (var entries = Files.list(out)) {
            assertEquals(List.of(), entries.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".neurodex-retired")).toList());
        }
    }

    @Test
    void buildsASiteForAHuggingFaceGpt2Directory() throws Exception {
        Path model = tinyGpt2("My-GPT2");
        String[] texts = {"The whale surfaced and dove again. ".repeat(12), "Short text."};
        Path corpus = TestCorpus.write(dir.resolve("c.jsonl"), "test", texts);
        long expectedTokens = 0;
        try (var tokenizer = dev.neurodex.tokenize.WindowTokenizer.load(Files.newInputStream(model.resolve("tokenizer.json")))) {
            for (String t : texts) {
                expectedTokens += tokenizer.ids(t).length;
            }
        }
        Path out = dir.resolve("site");
        assertEquals(0, Main.execute("build", "--model", model.toString(), "--corpus", corpus.toString(),
                "--out", out.toString(), "--quiet", "--top-k", "3"));
        ObjectMapper json = new ObjectMapper();
        JsonNode manifest = json.readTree(out.resolve("my-gpt2/manifest.json").toFile());
        assertEquals("gpt2", manifest.at("/model/architecture").asText());
        assertTrue(manifest.at("/model/causal").asBoolean());
        assertEquals(40, manifest.get("context").asInt(), "the model's maximum, below 1024");
        assertEquals(expectedTokens, manifest.at("/corpus/tokens").asLong());
        assertEquals(expectedTokens, json.readTree(out.resolve("my-gpt2/1/63.json").toFile()).at("/stats/tokens").asLong(),
                "BOS is not counted");
        JsonNode top = json.readTree(out.resolve("my-gpt2/0/5.json").toFile()).get("top").get(0);
        assertTrue(top.get("start").asInt() + top.get("ids").size() <= 39, "windows hold context - 1 content tokens");
        String page = Files.readString(out.resolve("my-gpt2/0/5.html"));
        assertTrue(page.contains("depends only on the tokens to its left"), "causal note");
        JsonNode logits = json.readTree(out.resolve("my-gpt2/1/7.json").toFile()).get("logits");
        assertEquals(10, logits.get("top").size());
        assertEquals(10, logits.get("bottom").size());
        assertTrue(logits.get("top").get(0).get(2).asDouble() >= logits.get("top").get(9).get(2).asDouble());
        assertTrue(logits.get("top").get(0).get(0).isTextual(), "[token, id, value]");
        assertTrue(logits.get("top").get(0).get(1).isInt(), "[token, id, value]");
        assertTrue(page.contains("Promotes (direct logit effect)"));
    }

    @Test
    void topWindowsLongerThanKeepValuesKeepExactlyTheirValuesAroundTheMax() throws Exception {
        Path model = tinyGpt2("gpt2-keep");
        Path corpus = TestCorpus.write(dir.resolve("c.jsonl"), "test", "The whale surfaced and dove again. ".repeat(12),
                "Call me Ishmael. Some years ago, never mind how long precisely. ".repeat(3));
        Path whole = dir.resolve("whole");
        Path kept = dir.resolve("kept");
        assertEquals(0, Main.execute("build", "--model", model.toString(), "--corpus", corpus.toString(),
                "--out", whole.toString(), "--quiet", "--top-k", "4", "--keep-values", "1024"));
        assertEquals(0, Main.execute("build", "--model", model.toString(), "--corpus", corpus.toString(),
                "--out", kept.toString(), "--quiet", "--top-k", "4", "--keep-values", "8"));
        ObjectMapper json = new ObjectMapper();
        int cut = 0;
        for (int layer = 0; layer < 2; layer++) {
            for (int n = 0; n < 64; n += 7) {
                String record = "gpt2-keep/" + layer + "/" + n + ".json";
                JsonNode a = json.readTree(whole.resolve(record).toFile());
                JsonNode b = json.readTree(kept.resolve(record).toFile());
                assertEquals(a.get("stats"), b.get("stats"), record);
                assertEquals(a.get("top").size(), b.get("top").size());
                for (int i = 0; i < a.get("top").size(); i++) {
                    JsonNode x = a.get("top").get(i);
                    JsonNode y = b.get("top").get(i);
                    String at = record + " top " + i;
                    for (String field : List.of("value", "doc", "window", "maxCharStart", "maxCharEnd")) {
                        assertEquals(x.get(field), y.get(field), at + " " + field);
                    }
                    // The kept run of 8 positions: the max, up to 2 after it, the rest before; the record shows all
                    // of it, and it agrees position by position with the whole window's record.
                    int xMax = x.get("start").asInt() + x.get("maxIndex").asInt();
                    int start = y.get("start").asInt();
                    int length = y.get("values").size();
                    assertEquals(xMax, start + y.get("maxIndex").asInt(), at);
                    assertTrue(length <= 8, at);
                    cut += x.get("values").size() > 8 ? 1 : 0;
                    assertTrue(length - 1 - y.get("maxIndex").asInt() <= 2 || start == 0, at + ": 2 after the max");
                    for (int p = 0; p < length; p++) {
                        int q = start + p - x.get("start").asInt();
                        assertEquals(x.get("values").get(q), y.get("values").get(p), at + " position " + p);
                        assertEquals(x.get("ids").get(q), y.get("ids").get(p), at + " position " + p);
                    }
                }
            }
        }
        assertTrue(cut > 10, "most top examples show more than 8 tokens here: " + cut);
    }
}
