package dev.neurodex.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.neurodex.model.OfflineEngine;
import dev.neurodex.model.TinyCheckpoints;
import dev.neurodex.model.gpt2.Gpt2ModelTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A user's GPT-2 directory through the whole CLI: causal framing, BOS excluded, the model's own context. */
class CausalBuildTest {
    @TempDir
    Path dir;

    @Test
    void buildsASiteForAHuggingFaceGpt2Directory() throws Exception {
        Path model = Files.createDirectories(dir.resolve("My-GPT2"));
        Map<String, long[]> shapes = Gpt2ModelTest.shapes("");
        try (NDManager manager = OfflineEngine.newManager(1)) {
            TinyCheckpoints.writeWithDjl(model.resolve("model.safetensors"), shapes, TinyCheckpoints.random(shapes, 9), manager);
        }
        TinyCheckpoints.writeConfig(model, Gpt2ModelTest.config());
        TinyCheckpoints.writeTokenizer(model);
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
