package dev.neurodex.model.gpt2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.neurodex.model.Activations;
import dev.neurodex.model.LoadedModel;
import dev.neurodex.model.ModelCatalog;
import dev.neurodex.model.ModelException;
import dev.neurodex.model.OfflineEngine;
import dev.neurodex.model.TinyCheckpoints;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A tiny random GPT-2 in Hugging Face layout, loaded as a user's directory is, against a plain-Java forward. */
public class Gpt2ModelTest {
    static final int LAYERS = 2;
    static final int EMBED = 16;
    static final int HEADS = 4;
    static final int INNER = 64;
    static final int POSITIONS = 40;
    static final int VOCAB = 30522;
    static final int BOS = 101;

    @TempDir
    static Path dir;
    static NDManager manager;
    static Map<String, long[]> shapes;
    static Map<String, float[]> weights;

    public static Map<String, long[]> shapes(String prefix) {
        Map<String, long[]> s = new LinkedHashMap<>();
        s.put(prefix + "wte.weight", new long[] {VOCAB, EMBED});
        s.put(prefix + "wpe.weight", new long[] {POSITIONS, EMBED});
        for (int l = 0; l < LAYERS; l++) {
            String p = prefix + "h." + l + ".";
            s.put(p + "ln_1.weight", new long[] {EMBED});
            s.put(p + "ln_1.bias", new long[] {EMBED});
            s.put(p + "attn.c_attn.weight", new long[] {EMBED, 3 * EMBED});
            s.put(p + "attn.c_attn.bias", new long[] {3 * EMBED});
            s.put(p + "attn.c_proj.weight", new long[] {EMBED, EMBED});
            s.put(p + "attn.c_proj.bias", new long[] {EMBED});
            s.put(p + "ln_2.weight", new long[] {EMBED});
            s.put(p + "ln_2.bias", new long[] {EMBED});
            s.put(p + "mlp.c_fc.weight", new long[] {EMBED, INNER});
            s.put(p + "mlp.c_fc.bias", new long[] {INNER});
            s.put(p + "mlp.c_proj.weight", new long[] {INNER, EMBED});
            s.put(p + "mlp.c_proj.bias", new long[] {EMBED});
        }
        s.put(prefix + "ln_f.weight", new long[] {EMBED});
        s.put(prefix + "ln_f.bias", new long[] {EMBED});
        return s;
    }

    public static Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("model_type", "gpt2");
        c.put("n_layer", LAYERS);
        c.put("n_embd", EMBED);
        c.put("n_head", HEADS);
        c.put("n_inner", null);
        c.put("n_positions", POSITIONS);
        c.put("vocab_size", VOCAB);
        c.put("layer_norm_epsilon", 1e-5);
        c.put("activation_function", "gelu_new");
        c.put("bos_token_id", BOS);
        return c;
    }

    static Path checkpoint(String name, Map<String, Object> config) throws Exception {
        Path d = Files.createDirectories(dir.resolve(name));
        TinyCheckpoints.writeConfig(d, config);
        TinyCheckpoints.writeTokenizer(d);
        return d;
    }

    @BeforeAll
    static void write() throws Exception {
        manager = OfflineEngine.newManager(2);
        shapes = shapes("");
        weights = TinyCheckpoints.random(shapes, 5);
        TinyCheckpoints.writeWithDjl(checkpoint("tiny-gpt2", config()).resolve("model.safetensors"), shapes, weights, manager);
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    private static List<int[]> windows() {
        return List.of(new int[] {2000, 2001, 2002, 2003, 2004, 7000, 12}, new int[] {5, 6}, new int[] {30000, 1, 2, 3});
    }

    private static void assertMatchesReference(LoadedModel loaded, Map<String, float[]> w) {
        List<Activations> acts = loaded.model().run(windows());
        for (int b = 0; b < windows().size(); b++) {
            float[][] expected = new Gpt2Reference(w, "").hooks(windows().get(b));
            for (int l = 0; l < LAYERS; l++) {
                double diff = 0;
                for (int pos = 0; pos < windows().get(b).length; pos++) {
                    for (int n = 0; n < INNER; n++) {
                        diff = Math.max(diff, Math.abs(acts.get(l).value(b, pos, n) - expected[l][(pos + 1) * INNER + n]));
                    }
                }
                assertTrue(diff <= 1e-4, "window " + b + " layer " + l + ": max abs diff " + diff);
            }
        }
    }

    @Test
    void loadsFromAHuggingFaceDirectoryAndMatchesThePlainJavaForward() throws Exception {
        try (LoadedModel loaded = ModelCatalog.open(dir.resolve("tiny-gpt2").toString(), manager)) {
            assertEquals("tiny-gpt2", loaded.model().info().slug());
            assertEquals(LAYERS, loaded.model().info().layers());
            assertEquals(INNER, loaded.model().info().dMlp());
            assertTrue(loaded.model().info().causal());
            assertEquals(POSITIONS, loaded.model().info().defaultContext());
            assertArrayEquals(new int[] {BOS}, loaded.model().frame().prefix());
            assertMatchesReference(loaded, weights);
        }
    }

    /** Every hook point of every layer, against the reference's residual stream and sublayer outputs. */
    @Test
    void everyHookPointMatchesThePlainJavaForward() throws Exception {
        try (LoadedModel loaded = ModelCatalog.open(dir.resolve("tiny-gpt2").toString(), manager)) {
            Map<String, float[]> seen = dev.neurodex.model.HookPointChecks.run(loaded.model(), windows(),
                    java.util.EnumSet.allOf(dev.neurodex.model.HookPoint.class), LAYERS);
            int seq = (int) Math.ceil((windows().get(0).length + 1) / 32.0) * 32;
            for (int b = 0; b < windows().size(); b++) {
                Map<String, float[][]> expected = new Gpt2Reference(weights, "").points(windows().get(b));
                for (dev.neurodex.model.HookPoint point : dev.neurodex.model.HookPoint.values()) {
                    int width = point == dev.neurodex.model.HookPoint.MLP_POST ? INNER : EMBED;
                    for (int l = 0; l < LAYERS; l++) {
                        float[] got = seen.get(point.at(l));
                        double diff = 0;
                        for (int t = 0; t <= windows().get(b).length; t++) {
                            for (int i = 0; i < width; i++) {
                                diff = Math.max(diff, Math.abs(got[(b * seq + t) * width + i]
                                        - expected.get(point.suffix())[l][t * width + i]));
                            }
                        }
                        assertTrue(diff <= 1e-4, point.at(l) + " window " + b + ": max abs diff " + diff);
                    }
                }
            }
        }
    }

    @Test
    void changingALaterTokenLeavesEarlierActivationsBitwiseUnchanged() throws Exception {
        try (LoadedModel loaded = ModelCatalog.open(dir.resolve("tiny-gpt2").toString(), manager)) {
            int[] a = {100, 200, 300, 400, 500};
            int[] b = {100, 200, 300, 999, 500};
            List<Activations> x = loaded.model().run(List.of(a));
            List<Activations> y = loaded.model().run(List.of(b));
            for (int l = 0; l < LAYERS; l++) {
                for (int pos = 0; pos < 3; pos++) {
                    for (int n = 0; n < INNER; n++) {
                        assertEquals(Float.floatToRawIntBits(x.get(l).value(0, pos, n)),
                                Float.floatToRawIntBits(y.get(l).value(0, pos, n)), "layer " + l + " pos " + pos);
                    }
                }
                boolean changed = false;
                for (int n = 0; n < INNER; n++) {
                    changed |= x.get(l).value(0, 3, n) != y.get(l).value(0, 3, n);
                }
                assertTrue(changed, "the changed position itself changes");
            }
        }
    }

    @Test
    void bf16AndShardedCheckpointsLoad() throws Exception {
        Map<String, long[]> prefixed = shapes("transformer.");
        Map<String, float[]> data = new LinkedHashMap<>();
        weights.forEach((k, v) -> data.put("transformer." + k, v));
        Path bf16 = checkpoint("tiny-gpt2-bf16", config());
        TinyCheckpoints.writeBf16(bf16.resolve("model.safetensors"), prefixed, data);
        try (LoadedModel loaded = ModelCatalog.open(bf16.toString(), manager)) {
            assertMatchesReference(loaded, TinyCheckpoints.toBf16(weights));
        }

        Path sharded = checkpoint("tiny-gpt2-sharded", config());
        Map<String, long[]> first = new LinkedHashMap<>();
        Map<String, long[]> second = new LinkedHashMap<>();
        Map<String, String> weightMap = new LinkedHashMap<>();
        shapes.forEach((k, v) -> {
            boolean one = k.startsWith("h.0") || k.startsWith("w");
            (one ? first : second).put(k, v);
            weightMap.put(k, one ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors");
        });
        TinyCheckpoints.writeWithDjl(sharded.resolve("model-00001-of-00002.safetensors"), first, weights, manager);
        TinyCheckpoints.writeWithDjl(sharded.resolve("model-00002-of-00002.safetensors"), second, weights, manager);
        Files.writeString(sharded.resolve("model.safetensors.index.json"),
                new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(Map.of("weight_map", weightMap)));
        try (LoadedModel loaded = ModelCatalog.open(sharded.toString(), manager)) {
            assertMatchesReference(loaded, weights);
        }
    }

    @Test
    void directLogitEffectMatchesABruteForcePerNeuronComputation() throws Exception {
        try (LoadedModel loaded = ModelCatalog.open(dir.resolve("tiny-gpt2").toString(), manager)) {
            int k = 10;
            dev.neurodex.model.DirectLogits logits = ((Gpt2Model) loaded.model()).directLogits(1, k);
            float[] proj = weights.get("h.1.mlp.c_proj.weight"); // Conv1D [inner, embed]
            float[] gain = weights.get("ln_f.weight");
            float[] wte = weights.get("wte.weight");
            for (int n = 0; n < INNER; n += 5) {
                double[] effect = new double[VOCAB];
                for (int t = 0; t < VOCAB; t++) {
                    for (int e = 0; e < EMBED; e++) {
                        effect[t] += (double) proj[n * EMBED + e] * gain[e] * wte[t * EMBED + e];
                    }
                }
                Integer[] order = new Integer[VOCAB];
                for (int t = 0; t < VOCAB; t++) {
                    order[t] = t;
                }
                java.util.Arrays.sort(order, (a, b) -> Double.compare(effect[b], effect[a]));
                for (int i = 0; i < k; i++) {
                    assertEquals(effect[order[i]], logits.topValues()[n][i], 1e-4, "neuron " + n + " top " + i);
                    assertEquals(effect[order[VOCAB - 1 - i]], logits.bottomValues()[n][i], 1e-4, "neuron " + n + " bottom " + i);
                }
                assertEquals(order[0], logits.topIds()[n][0]);
                assertEquals(order[VOCAB - 1], logits.bottomIds()[n][0]);
            }
        }
    }

    @Test
    void malformedDirectoriesFailWithClearErrors() throws Exception {
        Map<String, Object> neox = new LinkedHashMap<>(config());
        neox.put("model_type", "mamba");
        Path unsupported = checkpoint("unsupported", neox);
        TinyCheckpoints.writeWithDjl(unsupported.resolve("model.safetensors"), shapes, weights, manager);
        assertTrue(assertThrows(ModelException.class, () -> ModelCatalog.open(unsupported.toString(), manager))
                .getMessage().contains("model_type \"mamba\" is not supported"));

        Map<String, long[]> missing = new LinkedHashMap<>(shapes);
        missing.remove("h.1.mlp.c_fc.bias");
        Path noTensor = checkpoint("missing-tensor", config());
        TinyCheckpoints.writeWithDjl(noTensor.resolve("model.safetensors"), missing, weights, manager);
        assertTrue(assertThrows(ModelException.class, () -> ModelCatalog.open(noTensor.toString(), manager))
                .getMessage().contains("missing tensor h.1.mlp.c_fc.bias"));

        Map<String, Object> small = new LinkedHashMap<>(config());
        small.put("vocab_size", 1000);
        Map<String, long[]> smallShapes = new LinkedHashMap<>(shapes);
        smallShapes.put("wte.weight", new long[] {1000, EMBED});
        Map<String, float[]> smallWeights = new LinkedHashMap<>(weights);
        smallWeights.put("wte.weight", new float[1000 * EMBED]);
        Path vocab = checkpoint("wrong-tokenizer", small);
        TinyCheckpoints.writeWithDjl(vocab.resolve("model.safetensors"), smallShapes, smallWeights, manager);
        assertTrue(assertThrows(ModelException.class, () -> ModelCatalog.open(vocab.toString(), manager))
                .getMessage().contains("does not belong to this model"));

        Path noWeights = checkpoint("no-weights", config());
        assertTrue(assertThrows(ModelException.class, () -> ModelCatalog.open(noWeights.toString(), manager))
                .getMessage().contains("no model.safetensors"));

        Map<String, Object> noLayers = new LinkedHashMap<>(config());
        noLayers.remove("n_layer");
        Path noField = checkpoint("no-field", noLayers);
        TinyCheckpoints.writeWithDjl(noField.resolve("model.safetensors"), shapes, weights, manager);
        assertTrue(assertThrows(ModelException.class, () -> ModelCatalog.open(noField.toString(), manager))
                .getMessage().contains("\"n_layer\""));
    }
}
