package dev.neurodex.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.neurodex.model.OfflineEngine;
import dev.neurodex.model.TinyCheckpoints;
import dev.neurodex.model.gpt2.Gpt2ModelTest;
import dev.neurodex.model.hf.Safetensors;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SAE latents through the whole CLI, on a tiny GPT-2 whose embeddings carry a planted feature: dimension 0 of the
 * residual stream entering block 0 is 10 on tokens of even id and 0 elsewhere. Latent 0 reads that dimension with
 * a bias of -5, so it must fire (at exactly 5) on every even token and nowhere else; latents 1 and 2 can never fire.
 */
class SaeBuildTest {
    static final int D = 16; // the tiny GPT-2's d_model
    static final int LATENTS = 8;

    @TempDir
    static Path dir;
    static Path model;
    static Path corpus;

    @BeforeAll
    static void write() throws Exception {
        model = dir.resolve("planted");
        Files.createDirectories(model);
        Map<String, long[]> shapes = Gpt2ModelTest.shapes("");
        Map<String, float[]> weights = TinyCheckpoints.random(shapes, 9);
        float[] wte = weights.get("wte.weight");
        for (int v = 0; v < wte.length / D; v++) {
            wte[v * D] = v % 2 == 0 ? 10 : 0;
        }
        float[] wpe = weights.get("wpe.weight");
        for (int p = 0; p < wpe.length / D; p++) {
            wpe[p * D] = 0;
        }
        try (NDManager manager = OfflineEngine.newManager(1)) {
            TinyCheckpoints.writeWithDjl(model.resolve("model.safetensors"), shapes, weights, manager);
        }
        TinyCheckpoints.writeConfig(model, Gpt2ModelTest.config());
        TinyCheckpoints.writeTokenizer(model);
        corpus = TestCorpus.write(dir.resolve("c.jsonl"), "test", "The whale surfaced and dove again. ".repeat(6),
                "Call me Ishmael. Some years ago, never mind how long precisely.", "A short one.");
    }

    /** An SAE on blocks.0.hook_resid_pre with the planted latent 0 and two that cannot fire. */
    static Path plantedSae(String name, Map<String, Object> cfgChanges, String dropTensor) throws Exception {
        Path d = dir.resolve(name);
        Files.createDirectories(d);
        float[] wEnc = new float[D * LATENTS];
        float[] bEnc = new float[LATENTS];
        wEnc[0] = 1; // latent 0 reads dimension 0
        bEnc[0] = -5;
        bEnc[1] = -1; // reads nothing: never above 0
        wEnc[2] = -1; // reads dimension 0 negated: at most 0
        bEnc[2] = 0;
        java.util.Random random = new java.util.Random(1);
        for (int j = 3; j < LATENTS; j++) {
            for (int i = 1; i < D; i++) {
                wEnc[i * LATENTS + j] = (float) random.nextGaussian();
            }
        }
        float[] wDec = new float[LATENTS * D];
        for (int i = 0; i < wDec.length; i++) {
            wDec[i] = (float) random.nextGaussian();
        }
        weights(d, new long[] {D, LATENTS}, wEnc, bEnc, wDec, dropTensor);
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("architecture", "standard");
        cfg.put("d_in", D);
        cfg.put("d_sae", LATENTS);
        cfg.put("apply_b_dec_to_input", true);
        cfg.put("normalize_activations", "none");
        cfg.put("metadata", Map.of("hook_name", "blocks.0.hook_resid_pre", "model_name", "planted"));
        cfg.putAll(cfgChanges);
        new ObjectMapper().writeValue(d.resolve("cfg.json").toFile(), cfg);
        return d;
    }

    /** sae_weights.safetensors with W_enc of {@code encoderShape}, b_dec 0, and without {@code drop} (null: all). */
    static void weights(Path d, long[] encoderShape, float[] wEnc, float[] bEnc, float[] wDec, String drop)
            throws java.io.IOException {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        Map<String, float[]> data = new LinkedHashMap<>();
        shapes.put("W_enc", encoderShape);
        data.put("W_enc", wEnc);
        shapes.put("b_enc", new long[] {LATENTS});
        data.put("b_enc", bEnc);
        shapes.put("W_dec", new long[] {LATENTS, D});
        data.put("W_dec", wDec);
        shapes.put("b_dec", new long[] {D});
        data.put("b_dec", new float[D]);
        if (drop != null) {
            shapes.remove(drop);
        }
        Safetensors.write(d.resolve("sae_weights.safetensors"), shapes, data);
    }

    @Test
    void aPlantedLatentFiresExactlyWhereItWasBuiltToAndDeadLatentsGetNoPage() throws Exception {
        Path sae = plantedSae("res-planted", Map.of(), null);
        Path out = dir.resolve("site");
        assertEquals(0, Main.execute("build", "--model", model.toString(), "--corpus", corpus.toString(), "--out",
                out.toString(), "--quiet", "--top-k", "5", "--sae", sae.toString()));
        ObjectMapper json = new ObjectMapper();
        Path section = out.resolve("planted/res-planted");
        JsonNode record = json.readTree(section.resolve("0/0.json").toFile());
        assertEquals("planted/res-planted", record.get("model").asText());
        assertEquals("blocks.0.hook_resid_pre", record.get("hook").asText());
        assertEquals(5.0, record.at("/stats/max").asDouble(), 1e-4);
        int even = 0;
        int checked = 0;
        for (String part : new String[] {"top", "bottom"}) {
            for (JsonNode example : record.get(part)) {
                for (int i = 0; i < example.get("ids").size(); i++) {
                    boolean planted = example.get("ids").get(i).asInt() % 2 == 0;
                    double value = example.get("values").get(i).asDouble() / 1000 * record.get("valueScale").asDouble();
                    assertEquals(planted ? 5.0 : 0.0, value, 0.01, part + " position " + i);
                    even += planted ? 1 : 0;
                    checked++;
                }
            }
        }
        assertTrue(even > 0 && even < checked, even + " of " + checked + " tokens planted: the test can fail");
        assertTrue(record.at("/stats/density").asDouble() > 0 && record.at("/stats/density").asDouble() < 1);
        assertEquals(10, record.at("/logits/top").size(), "decoder row through ln_f and W_U");

        assertFalse(Files.exists(section.resolve("0/1.html")) || Files.exists(section.resolve("0/2.json")), "dead: no page");
        String layer = Files.readString(section.resolve("0/index.html"));
        assertTrue(layer.contains("<span id=\"dead\">1–2</span>"), "dead latents listed");
        String page = Files.readString(section.resolve("0/0.html"));
        assertTrue(page.contains("latent 0") && page.contains("href=\"../../../assets/neurodex.css\""), "one level deeper");
        assertTrue(page.contains("data-section=\"res-planted\"") && page.contains("class=\"try\""), "serve runs latents too");
        assertTrue(page.contains("href=\"3.html\""), "next latent with a page skips the dead");
        JsonNode manifest = json.readTree(out.resolve("planted/manifest.json").toFile());
        assertEquals(4, manifest.get("format").asInt());
        JsonNode entry = manifest.get("saes").get(0);
        assertEquals("res-planted", entry.get("name").asText());
        assertEquals(2, entry.get("dead").asInt());
        assertTrue(manifest.toString().contains("\"res-planted/0/0.html\""), "section files listed with the model's");
        assertTrue(Files.readString(out.resolve("planted/index.html")).contains("href=\"res-planted/index.html\""));
        String sectionPage = Files.readString(section.resolve("index.html"));
        assertTrue(sectionPage.contains("SAE on blocks.0.hook_resid_pre") && sectionPage.contains("trained on planted"));
        assertEquals("planted", entry.get("trainedOn").asText());
        assertTrue(Files.readString(out.resolve("assets/models.js")).contains("\"planted/res-planted\""), "searched");
        try (var shards = Files.list(out.resolve("search/planted/res-planted"))) {
            assertTrue(shards.findAny().isPresent());
        }
        assertTrue(Files.isDirectory(section.resolve("windows")), "whole windows of the section's examples");
    }

    @Test
    void aResidualHookGivesPagesOfTheStreamsDimensions() throws Exception {
        Path out = dir.resolve("resid");
        assertEquals(0, Main.execute("build", "--model", model.toString(), "--corpus", corpus.toString(), "--out",
                out.toString(), "--quiet", "--top-k", "3", "--hook", "hook_resid_pre"));
        JsonNode record = new ObjectMapper().readTree(out.resolve("planted/0/0.json").toFile());
        assertEquals("blocks.0.hook_resid_pre", record.get("hook").asText());
        assertEquals(10.0, record.at("/stats/max").asDouble(), 1e-4, "the planted dimension");
        assertTrue(Files.exists(out.resolve("planted/1/" + (D - 1) + ".html")));
        assertFalse(Files.exists(out.resolve("planted/1/" + D + ".html")), "d_model dimensions, not d_mlp neurons");
        assertTrue(record.get("neighbours").isNull(), "neighbours relate MLP neurons only");
        String modelPage = Files.readString(out.resolve("planted/index.html"));
        assertTrue(modelPage.contains("blocks.{L}.hook_resid_pre") && modelPage.contains("residual dimension"));
    }

    /** serve runs a section's latents and a residual hook's dimensions as the build did. */
    @Test
    void serveRunsTypedTextThroughAnSaeSectionAndAResidualHook() throws Exception {
        Path sae = plantedSae("served", Map.of(), null);
        Path out = dir.resolve("served-site");
        assertEquals(0, Main.execute("build", "--model", model.toString(), "--corpus", corpus.toString(), "--out",
                out.toString(), "--quiet", "--top-k", "2", "--sae", sae.toString()));
        assertEquals(0, Main.execute("build", "--model", model.toString(), "--name", "resid", "--corpus", corpus.toString(),
                "--out", out.toString(), "--quiet", "--top-k", "2", "--hook", "hook_resid_pre"));
        ObjectMapper json = new ObjectMapper();
        try (NDManager manager = OfflineEngine.newManager(1);
             dev.neurodex.serve.ServedModels models = new dev.neurodex.serve.ServedModels(out, java.util.List.of(
                     model.toString()), java.util.List.of(sae), manager, 0, 1);
             dev.neurodex.serve.SiteServer server = dev.neurodex.serve.SiteServer.start(out, "127.0.0.1", 0, models)) {
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            java.util.function.BiFunction<String, Integer, JsonNode> ask = (name, layer) -> {
                try {
                    String body = json.writeValueAsString(Map.of("model", name, "layer", layer, "neuron", 0,
                            "text", "Call me Ishmael, the whale said."));
                    var r = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
                                    + server.port() + "/api/activations")).header("Content-Type", "application/json")
                            .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString());
                    return ((com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(r.body())).put("status", r.statusCode());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
            for (String name : new String[] {"planted/served", "resid"}) {
                JsonNode r = ask.apply(name, 0);
                assertEquals(200, r.get("status").asInt(), r.toString());
                double fires = name.equals("resid") ? 10 : 5;
                int even = 0;
                for (int i = 0; i < r.get("ids").size(); i++) {
                    boolean planted = r.get("ids").get(i).asInt() % 2 == 0;
                    even += planted ? 1 : 0;
                    assertEquals(planted ? fires : 0, r.get("values").get(i).asDouble(), 1e-4, name + " token " + i);
                }
                assertTrue(even > 0 && even < r.get("ids").size(), "the text has planted tokens and others");
            }
            assertEquals(404, ask.apply("planted/served", 1).get("status").asInt(), "a section has only its hook's layer");
            assertEquals(404, ask.apply("planted/nothing", 0).get("status").asInt());
        }
    }

    /** The probe command scores a latent: named as the section names it, its activations the planted ones. */
    @Test
    void theProbeCommandScoresALatent() throws Exception {
        Path sae = plantedSae("probed", Map.of(), null);
        java.io.StringWriter text = new java.io.StringWriter();
        picocli.CommandLine cli = new picocli.CommandLine(new Main());
        cli.setOut(new java.io.PrintWriter(text));
        assertEquals(0, cli.execute("probe", "--model", model.toString(), "--sae", sae.toString(), "--neuron", "0/0",
                "--regex", "(?i)whale", "--corpus", corpus.toString(), "--site", dir.resolve("none").toString()));
        String printed = text.toString();
        assertTrue(printed.contains("probed/0 (blocks.0.hook_resid_pre) of planted"), printed);
        assertTrue(printed.contains("mean activation"), printed);
        String error = failure("probe", "--model", model.toString(), "--sae", sae.toString(), "--neuron", "1/0",
                "--regex", "x", "--corpus", corpus.toString());
        assertTrue(error.contains("is not in the SAE") && error.contains("layer 0, 8 latents"), error);
    }

    private static String failure(String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            assertTrue(Main.execute(args) != 0, "must fail");
        } finally {
            System.setErr(old);
        }
        String text = err.toString(StandardCharsets.UTF_8).strip();
        assertEquals(1, text.lines().count(), "one line: " + text);
        return text;
    }

    @Test
    void malformedSaeDirectoriesGiveOneClearErrorAndLeaveTheSiteAsItWas() throws Exception {
        Path out = dir.resolve("kept");
        Path good = plantedSae("good", Map.of(), null);
        assertEquals(0, Main.execute("build", "--model", model.toString(), "--corpus", corpus.toString(), "--out",
                out.toString(), "--quiet", "--top-k", "2", "--sae", good.toString()));
        byte[] before = Files.readAllBytes(out.resolve("planted/manifest.json"));
        Map<String, String[]> cases = new LinkedHashMap<>();
        cases.put("missing-tensor", new String[] {"missing tensor W_dec"});
        cases.put("wrong-shape", new String[] {"tensor W_enc has shape [8, 16], expected [16, 8]"});
        cases.put("gated", new String[] {"\"architecture\" is \"gated\"", "standard (ReLU), jumprelu and topk"});
        cases.put("deep-hook", new String[] {"hook blocks.7.hook_resid_pre is not in planted", "layers 0 to 1"});
        cases.put("odd-hook", new String[] {"hook \"blocks.0.attn.hook_z\" is not one neurodex computes"});
        cases.put("wide", new String[] {"is 16 wide in planted, but the SAE's d_in is 32"});
        cases.put("scaled", new String[] {"\"normalize_activations\" is \"expected_average_only_in\"",
                "fold_activation_norm_scaling_factor"});
        cases.put("no-cfg", new String[] {"not an SAELens directory (no cfg.json)"});
        for (Map.Entry<String, String[]> c : cases.entrySet()) {
            Path sae = switch (c.getKey()) {
                case "missing-tensor" -> plantedSae(c.getKey(), Map.of(), "W_dec");
                case "wrong-shape" -> {
                    Path d = plantedSae(c.getKey(), Map.of(), null);
                    weights(d, new long[] {LATENTS, D}, new float[D * LATENTS], new float[LATENTS],
                            new float[D * LATENTS], null);
                    yield d;
                }
                case "gated" -> plantedSae(c.getKey(), Map.of("architecture", "gated"), null);
                case "deep-hook" -> plantedSae(c.getKey(), Map.of("metadata", Map.of("hook_name", "blocks.7.hook_resid_pre")), null);
                case "odd-hook" -> plantedSae(c.getKey(), Map.of("metadata", Map.of("hook_name", "blocks.0.attn.hook_z")), null);
                case "wide" -> plantedSae(c.getKey(), Map.of("d_in", 32), null);
                case "scaled" -> plantedSae(c.getKey(), Map.of("normalize_activations", "expected_average_only_in"), null);
                default -> Files.createDirectories(dir.resolve(c.getKey()));
            };
            String error = failure("build", "--model", model.toString(), "--corpus", corpus.toString(), "--out",
                    out.toString(), "--quiet", "--top-k", "2", "--sae", sae.toString());
            for (String expected : c.getValue()) {
                assertTrue(error.contains(expected), c.getKey() + ": " + error);
            }
            assertTrue(error.contains(sae.toString()), c.getKey() + " names the directory: " + error);
            assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(out.resolve("planted/manifest.json"))),
                    c.getKey() + ": the site is as it was");
        }
    }
}
