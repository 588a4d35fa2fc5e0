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
        assertTrue(top.get("tokens").size() <= 39, "windows hold context - 1 content tokens");
        String page = Files.readString(out.resolve("my-gpt2/0/5.html"));
        assertTrue(page.contains("depends only on the tokens to its left"), "causal note");
        JsonNode logits = json.readTree(out.resolve("my-gpt2/1/7.json").toFile()).get("logits");
        assertEquals(10, logits.get("top").size());
        assertEquals(10, logits.get("bottom").size());
        assertTrue(logits.get("top").get(0).get(1).asDouble() >= logits.get("top").get(9).get(1).asDouble());
        assertTrue(logits.get("top").get(0).get(0).isTextual());
        assertTrue(page.contains("Promotes (direct logit effect)"));
    }
}
