package dev.neurodex.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.neurodex.model.OfflineEngine;
import dev.neurodex.model.TinyCheckpoints;
import dev.neurodex.model.gpt2.Gpt2ModelTest;
import dev.neurodex.tokenize.WindowTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A neuron planted to fire on exactly one token is the best detector of a probe for that token. */
class ProbeBuildTest {
    private static final int D = 16; // Gpt2ModelTest.EMBED
    private static final int INNER = 64;
    private static final int PLANTED = 3;

    @TempDir
    Path dir;

    /**
     * A tiny GPT-2 whose layer-0 neuron 3 computes GELU(10 · cos(ln_2(x), v) − 5) with v the embedding of
     * "whale": attention and positions are zeroed, every other token's embedding is orthogonal to v, so the neuron
     * sees 5 on "whale" and −5 elsewhere.
     */
    private Path plantedModel(int whale) throws Exception {
        Path model = TinyCheckpoints.gpt2Directory(dir.resolve("planted"));
        var shapes = Gpt2ModelTest.shapes("");
        Map<String, float[]> w = TinyCheckpoints.random(shapes, 5);
        float[] v = new float[D];
        for (int i = 0; i < D; i++) {
            v[i] = i < D / 2 ? 1 : -1; // mean 0, variance 1: LayerNorm leaves it as it is
        }
        float[] wte = w.get("wte.weight");
        for (int t = 0; t < wte.length / D; t++) {
            double dot = 0;
            for (int i = 0; i < D; i++) {
                dot += wte[t * D + i] * v[i];
            }
            for (int i = 0; i < D; i++) {
                wte[t * D + i] = t == whale ? v[i] : (float) (wte[t * D + i] - dot / D * v[i]);
            }
        }
        java.util.Arrays.fill(w.get("wpe.weight"), 0f);
        java.util.Arrays.fill(w.get("h.0.attn.c_proj.weight"), 0f);
        java.util.Arrays.fill(w.get("h.0.attn.c_proj.bias"), 0f);
        java.util.Arrays.fill(w.get("h.0.ln_2.weight"), 1f);
        java.util.Arrays.fill(w.get("h.0.ln_2.bias"), 0f);
        float[] fc = w.get("h.0.mlp.c_fc.weight"); // [embed, inner]
        for (int i = 0; i < D; i++) {
            fc[i * INNER + PLANTED] = v[i] * 10f / D;
        }
        w.get("h.0.mlp.c_fc.bias")[PLANTED] = -5f;
        try (var manager = OfflineEngine.newManager(1)) {
            TinyCheckpoints.writeWithDjl(model.resolve("model.safetensors"), shapes, w, manager);
        }
        return model;
    }

    @Test
    void aPlantedNeuronRanksFirstWithAurocOne() throws Exception {
        int whale;
        try (WindowTokenizer tokenizer = WindowTokenizer.load(getClass().getResourceAsStream("/all-minilm-l6-v2-tokenizer.json"))) {
            long[] ids = tokenizer.ids("whale");
            assertEquals(1, ids.length);
            whale = (int) ids[0];
        }
        Path model = plantedModel(whale);
        Path corpus = TestCorpus.write(dir.resolve("c.jsonl"), "test",
                "the whale surfaced near the ship and the whale dove again.",
                "sailors watched the sea for hours; nothing rose.", "a whale, then another whale, then whales.",
                "no animals in this sentence at all, only words.");
        Path out = dir.resolve("site");
        assertEquals(0, Main.execute("build", "--model", model.toString(), "--corpus", corpus.toString(), "--out",
                out.toString(), "--quiet", "--probe", "whale=\\bwhale\\b", "--probe", "ship=ship"));
        ObjectMapper json = new ObjectMapper();
        JsonNode record = json.readTree(out.resolve("planted/0/" + PLANTED + ".json").toFile());
        JsonNode score = record.at("/probes/0");
        assertEquals("whale", score.get("name").asText());
        assertEquals(4, score.get("labelled").asLong(), "four standalone 'whale' tokens ('whales' is not one)");
        assertEquals(1.0, score.get("auroc").asDouble());
        assertEquals(1.0, score.get("f1").asDouble());
        assertTrue(score.get("meanOn").asDouble() > 4.9 && Math.abs(score.get("meanOff").asDouble()) < 1e-3, score.toString());
        JsonNode ranking = json.readTree(out.resolve("planted/probes/whale.json").toFile()).get("neurons");
        assertEquals(2 * INNER, ranking.size());
        assertEquals(0, ranking.get(0).get(0).asInt());
        assertEquals(PLANTED, ranking.get(0).get(1).asInt());
        String page = Files.readString(out.resolve("planted/probes/whale.html"));
        assertTrue(page.indexOf("L0N" + PLANTED + "<") < page.indexOf("</tbody>") && page.contains("\\bwhale\\b"));
        assertTrue(Files.readString(out.resolve("planted/0/" + PLANTED + ".html")).contains("probes/whale.html"));
        assertTrue(Files.readString(out.resolve("planted/index.html")).contains("Probe whale"));
        // The same neuron afterwards, exactly, with the site's context; then a neuron that is no detector.
        java.io.StringWriter text = new java.io.StringWriter();
        picocli.CommandLine cli = new picocli.CommandLine(new Main());
        cli.setOut(new java.io.PrintWriter(text, true));
        assertEquals(0, cli.execute("probe", "--model", model.toString(), "--site", out.toString(), "--neuron",
                "0/" + PLANTED, "--regex", "\\bwhale\\b", "--corpus", corpus.toString()));
        String printed = text.toString();
        assertTrue(printed.contains("4 labelled") && printed.contains("AUROC 1.0000; best F1 1.0000"), printed);
        assertTrue(printed.contains("worst false positives") && printed.contains("c.jsonl:"), printed);
        String falseNegatives = printed.substring(printed.indexOf("worst false negatives"));
        assertTrue(falseNegatives.contains("[whale]"), printed);
        assertEquals(2, Main.execute("probe", "--model", model.toString(), "--neuron", "9/0", "--regex", "x",
                "--corpus", corpus.toString()));
    }
}
