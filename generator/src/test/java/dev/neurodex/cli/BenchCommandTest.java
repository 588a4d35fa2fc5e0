package dev.neurodex.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.neurodex.model.random.RandomCheckpoint;
import dev.neurodex.tokenize.Gpt2Vocabulary;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bench on any model directory: a byte-level vocabulary of 257 tokens must not be fed ids it does not have. */
class BenchCommandTest {
    @TempDir
    Path dir;

    @Test
    void benchesACausalModelWithATinyByteLevelVocabulary() throws Exception {
        Path model = dir.resolve("bytes-gpt2");
        RandomCheckpoint.writeWeights(new RandomCheckpoint.Shape("bytes-gpt2", "gpt2", 2, 32, 2, 64, 128, 257), 3, model);
        Files.write(model.resolve("tokenizer.json"), Gpt2Vocabulary.bytesOnly());
        Path corpus = TestCorpus.write(dir.resolve("c.jsonl"), "test", "Call me Ishmael. Some years ago, never mind how "
                + "long precisely, having little or no money in my purse, and nothing particular to interest me on shore.");
        Path json = dir.resolve("bench.json");
        assertEquals(0, Main.execute("bench", "--model", model.toString(), "--corpus", corpus.toString(),
                "--context", "64", "--reps", "1", "--scan-tokens", "400", "--json", json.toString()));
        JsonNode figures = new ObjectMapper().readTree(json.toFile());
        assertEquals(64, figures.get("context").asInt());
        for (String rate : new String[] {"forward_tokens_per_s", "scan_tokens_per_s", "render_pages_per_s", "peak_rss_mb"}) {
            assertTrue(figures.get(rate).asDouble() > 0, rate + " " + figures.get(rate));
        }
        assertTrue(figures.get("flops_per_token").asDouble() > 0);
    }
}
