package dev.neurodex.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.neurodex.model.ModelCatalog;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Any ONNX model: the MiniLM graph run by ONNX Runtime with a hook pattern gives the native path's records. */
class OnnxModelBuildTest {
    @TempDir
    Path dir;

    /** The MiniLM graph as a user's export: {@code <name>} with tokenizer.json beside it. */
    private Path export(String name) throws Exception {
        Path model = Files.createDirectories(dir.resolve("export"));
        Files.write(model.resolve(name), ModelCatalog.defaultOnnxBytes());
        try (InputStream in = getClass().getResourceAsStream("/all-minilm-l6-v2-tokenizer.json")) {
            Files.write(model.resolve("tokenizer.json"), in.readAllBytes());
        }
        return model.resolve(name);
    }

    @Test
    void onnxRuntimePathMatchesTheNativePath() throws Exception {
        Path onnx = export("minilm.onnx");
        Path corpus = TestCorpus.write(dir.resolve("c.jsonl"), "test",
                "Call me Ishmael. Some years ago, never mind how long precisely, I went to sea.",
                "def f(x):\n    return x + 1\n".repeat(20), "The whale, the whale! 😀 東京");
        Path out = dir.resolve("site");
        assertEquals(0, Main.execute("build", "--corpus", corpus.toString(), "--out", out.toString(), "--quiet", "--top-k", "4"));
        assertEquals(0, Main.execute("build", "--model", onnx.toString(), "--hook-regex",
                "intermediate_act_fn/Mul_1_output_0", "--corpus", corpus.toString(), "--out", out.toString(), "--quiet",
                "--top-k", "4"));
        ObjectMapper json = new ObjectMapper();
        JsonNode manifest = json.readTree(out.resolve("minilm/manifest.json").toFile());
        assertEquals(6, manifest.get("layers").asInt());
        assertEquals(1536, manifest.get("neuronsPerLayer").asInt());
        assertEquals(128, manifest.get("context").asInt(), "framed as an encoder, from tokenizer.json");
        for (int layer = 0; layer < 6; layer++) {
            for (int n = 0; n < 1536; n += 31) {
                JsonNode a = json.readTree(out.resolve("all-minilm-l6-v2/" + layer + "/" + n + ".json").toFile());
                JsonNode b = json.readTree(out.resolve("minilm/" + layer + "/" + n + ".json").toFile());
                String at = "L" + layer + "N" + n;
                for (String stat : new String[] {"max", "min", "mean", "density"}) {
                    assertEquals(a.at("/stats/" + stat).asDouble(), b.at("/stats/" + stat).asDouble(), 1e-4, at + " " + stat);
                }
                assertEquals(a.at("/stats/tokens").asLong(), b.at("/stats/tokens").asLong());
                assertEquals(a.get("top").size(), b.get("top").size());
                for (int i = 0; i < a.get("top").size(); i++) {
                    JsonNode x = a.get("top").get(i);
                    JsonNode y = b.get("top").get(i);
                    assertEquals(x.get("value").asDouble(), y.get("value").asDouble(), 1e-4, at + " top " + i);
                    for (int t = 0; t < x.get("values").size(); t++) {
                        // thousandths of the neuron's scale: the two engines may round a value to neighbouring ones
                        assertEquals(x.get("values").get(t).asDouble(), y.get("values").get(t).asDouble(), 1.0);
                    }
                }
                assertEquals(a.at("/top/0/doc/line").asInt(), b.at("/top/0/doc/line").asInt(), at);
                assertEquals(a.at("/top/0/window").asInt(), b.at("/top/0/window").asInt(), at);
            }
        }
        assertTrue(Files.readString(out.resolve("index.html")).contains("minilm/index.html"));
    }

    @Test
    void aPatternMatchingNothingIsAClearError() throws Exception {
        Path onnx = export("m.onnx");
        Path corpus = TestCorpus.write(dir.resolve("c.jsonl"), "test", "text");
        assertEquals(1, Main.execute("build", "--model", onnx.toString(), "--hook-regex", "no_such_tensor",
                "--corpus", corpus.toString(), "--out", dir.resolve("o").toString(), "--quiet"));
        assertEquals(2, Main.execute("build", "--model", onnx.toString(), "--hook-regex", "([",
                "--corpus", corpus.toString(), "--out", dir.resolve("o").toString(), "--quiet"));
    }
}
