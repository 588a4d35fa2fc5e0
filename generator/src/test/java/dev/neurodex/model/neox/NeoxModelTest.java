package dev.neurodex.model.neox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.neurodex.model.Activations;
import dev.neurodex.model.LoadedModel;
import dev.neurodex.model.ModelCatalog;
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

/** A tiny random Pythia-style GPT-NeoX in Hugging Face layout against a plain-Java forward. */
class NeoxModelTest {
    static final int LAYERS = 2;
    static final int HIDDEN = 32;
    static final int HEADS = 4;
    static final int INNER = 64;
    static final int POSITIONS = 40;
    static final int VOCAB = 30522;
    static final double ROTARY_PCT = 0.5;

    @TempDir
    static Path dir;
    static NDManager manager;
    static Map<String, long[]> shapes = new LinkedHashMap<>();
    static Map<String, float[]> weights;

    @BeforeAll
    static void write() throws Exception {
        manager = OfflineEngine.newManager(2);
        shapes.put("gpt_neox.embed_in.weight", new long[] {VOCAB, HIDDEN});
        for (int l = 0; l < LAYERS; l++) {
            String p = "gpt_neox.layers." + l + ".";
            for (String norm : List.of("input_layernorm", "post_attention_layernorm")) {
                shapes.put(p + norm + ".weight", new long[] {HIDDEN});
                shapes.put(p + norm + ".bias", new long[] {HIDDEN});
            }
            shapes.put(p + "attention.query_key_value.weight", new long[] {3 * HIDDEN, HIDDEN});
            shapes.put(p + "attention.query_key_value.bias", new long[] {3 * HIDDEN});
            shapes.put(p + "attention.dense.weight", new long[] {HIDDEN, HIDDEN});
            shapes.put(p + "attention.dense.bias", new long[] {HIDDEN});
            shapes.put(p + "mlp.dense_h_to_4h.weight", new long[] {INNER, HIDDEN});
            shapes.put(p + "mlp.dense_h_to_4h.bias", new long[] {INNER});
            shapes.put(p + "mlp.dense_4h_to_h.weight", new long[] {HIDDEN, INNER});
            shapes.put(p + "mlp.dense_4h_to_h.bias", new long[] {HIDDEN});
        }
        shapes.put("gpt_neox.final_layer_norm.weight", new long[] {HIDDEN});
        shapes.put("gpt_neox.final_layer_norm.bias", new long[] {HIDDEN});
        shapes.put("embed_out.weight", new long[] {VOCAB, HIDDEN});
        weights = TinyCheckpoints.random(shapes, 21);
        Path d = Files.createDirectories(dir.resolve("pythia-tiny"));
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("model_type", "gpt_neox");
        config.put("num_hidden_layers", LAYERS);
        config.put("hidden_size", HIDDEN);
        config.put("num_attention_heads", HEADS);
        config.put("intermediate_size", INNER);
        config.put("max_position_embeddings", POSITIONS);
        config.put("vocab_size", VOCAB);
        config.put("rotary_pct", ROTARY_PCT);
        config.put("rotary_emb_base", 10000);
        config.put("layer_norm_eps", 1e-5);
        config.put("use_parallel_residual", true);
        config.put("hidden_act", "gelu");
        config.put("bos_token_id", 0);
        config.put("tie_word_embeddings", false);
        TinyCheckpoints.writeConfig(d, config);
        TinyCheckpoints.writeTokenizer(d);
        TinyCheckpoints.writeWithDjl(d.resolve("model.safetensors"), shapes, weights, manager);
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    /** What neighbours are computed from: W_in rows times post_attention_layernorm's weight, and W_out's columns. */
    @Test
    void mlpDirectionsAreTheCheckpointsTensors() throws Exception {
        try (LoadedModel loaded = ModelCatalog.open(dir.resolve("pythia-tiny").toString(), manager)) {
            dev.neurodex.model.MlpDirections m = (dev.neurodex.model.MlpDirections) loaded.model();
            for (int l = 0; l < LAYERS; l++) {
                String p = "gpt_neox.layers." + l + ".";
                float[] up = weights.get(p + "mlp.dense_h_to_4h.weight"); // [inner, hidden]
                float[] down = weights.get(p + "mlp.dense_4h_to_h.weight"); // [hidden, inner]
                float[] ln = weights.get(p + "post_attention_layernorm.weight");
                float[] read = m.readDirections(l).toFloatArray();
                float[] write = m.writeDirections(l).toFloatArray();
                for (int n = 0; n < INNER; n++) {
                    for (int i = 0; i < HIDDEN; i++) {
                        assertEquals(up[n * HIDDEN + i] * ln[i], read[n * HIDDEN + i], 1e-6);
                        assertEquals(down[i * INNER + n], write[n * HIDDEN + i], 1e-6);
                    }
                }
            }
        }
    }

    @Test
    void matchesThePlainJavaForwardAndIsCausal() throws Exception {
        List<int[]> windows = List.of(new int[] {2000, 2001, 2002, 2003, 2004, 7000, 12, 13, 14}, new int[] {5, 6});
        try (LoadedModel loaded = ModelCatalog.open(dir.resolve("pythia-tiny").toString(), manager)) {
            assertEquals("gpt_neox", loaded.model().info().architecture());
            List<Activations> acts = loaded.model().run(windows);
            for (int b = 0; b < windows.size(); b++) {
                float[][] expected = reference(windows.get(b));
                for (int l = 0; l < LAYERS; l++) {
                    double diff = 0;
                    for (int pos = 0; pos < windows.get(b).length; pos++) {
                        for (int n = 0; n < INNER; n++) {
                            diff = Math.max(diff, Math.abs(acts.get(l).value(b, pos, n) - expected[l][(pos + 1) * INNER + n]));
                        }
                    }
                    assertTrue(diff <= 1e-4, "window " + b + " layer " + l + ": max abs diff " + diff);
                }
            }
            int[] changed = windows.get(0).clone();
            changed[6] = 999;
            List<Activations> x = loaded.model().run(List.of(windows.get(0)));
            List<Activations> y = loaded.model().run(List.of(changed));
            for (int pos = 0; pos < 6; pos++) {
                for (int n = 0; n < INNER; n++) {
                    assertEquals(Float.floatToRawIntBits(x.get(1).value(0, pos, n)),
                            Float.floatToRawIntBits(y.get(1).value(0, pos, n)));
                }
            }
        }
    }

    /** Pythia from its definition, one window, BOS (id 0) first. */
    static float[][] reference(int[] window) {
        return reference(window, new java.util.HashMap<>());
    }

    /** @param points filled with every hook point by suffix: [layer][position * width + unit] */
    static float[][] reference(int[] window, Map<String, float[][]> points) {
        for (String point : new String[] {"hook_resid_pre", "hook_attn_out", "hook_mlp_out", "hook_resid_post"}) {
            points.put(point, new float[LAYERS][]);
        }
        int seq = window.length + 1;
        int hd = HIDDEN / HEADS;
        int rd = (int) (hd * ROTARY_PCT);
        double[][] x = new double[seq][HIDDEN];
        for (int t = 0; t < seq; t++) {
            int id = t == 0 ? 0 : window[t - 1];
            for (int i = 0; i < HIDDEN; i++) {
                x[t][i] = weights.get("gpt_neox.embed_in.weight")[id * HIDDEN + i];
            }
        }
        float[][] hooks = new float[LAYERS][seq * INNER];
        points.put("mlp.hook_post", hooks);
        for (int l = 0; l < LAYERS; l++) {
            String p = "gpt_neox.layers." + l + ".";
            points.get("hook_resid_pre")[l] = dev.neurodex.model.HookPointChecks.flat(x);
            double[][] qkv = linear(norm(x, p + "input_layernorm"), p + "attention.query_key_value", HIDDEN, 3 * HIDDEN);
            double[][] ctx = new double[seq][HIDDEN];
            for (int h = 0; h < HEADS; h++) {
                double[][] q = new double[seq][];
                double[][] k = new double[seq][];
                for (int t = 0; t < seq; t++) {
                    q[t] = rope(slice(qkv[t], h * 3 * hd, hd), t, rd);
                    k[t] = rope(slice(qkv[t], h * 3 * hd + hd, hd), t, rd);
                }
                for (int t = 0; t < seq; t++) {
                    double[] s = new double[t + 1];
                    double most = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j <= t; j++) {
                        for (int i = 0; i < hd; i++) {
                            s[j] += q[t][i] * k[j][i];
                        }
                        s[j] /= Math.sqrt(hd);
                        most = Math.max(most, s[j]);
                    }
                    double total = 0;
                    for (int j = 0; j <= t; j++) {
                        s[j] = Math.exp(s[j] - most);
                        total += s[j];
                    }
                    for (int j = 0; j <= t; j++) {
                        for (int i = 0; i < hd; i++) {
                            ctx[t][h * hd + i] += s[j] / total * qkv[j][h * 3 * hd + 2 * hd + i];
                        }
                    }
                }
            }
            double[][] attention = linear(ctx, p + "attention.dense", HIDDEN, HIDDEN);
            double[][] up = linear(norm(x, p + "post_attention_layernorm"), p + "mlp.dense_h_to_4h", HIDDEN, INNER);
            for (int t = 0; t < seq; t++) {
                for (int n = 0; n < INNER; n++) {
                    double v = up[t][n];
                    up[t][n] = 0.5 * v * (1 + erf(v / Math.sqrt(2)));
                    hooks[l][t * INNER + n] = (float) up[t][n];
                }
            }
            double[][] down = linear(up, p + "mlp.dense_4h_to_h", INNER, HIDDEN);
            for (int t = 0; t < seq; t++) {
                for (int i = 0; i < HIDDEN; i++) {
                    x[t][i] += attention[t][i] + down[t][i]; // parallel residual
                }
            }
            points.get("hook_attn_out")[l] = dev.neurodex.model.HookPointChecks.flat(attention);
            points.get("hook_mlp_out")[l] = dev.neurodex.model.HookPointChecks.flat(down);
            points.get("hook_resid_post")[l] = dev.neurodex.model.HookPointChecks.flat(x);
        }
        return hooks;
    }

    /** Every hook point of every layer; with a parallel residual there is no hook_resid_mid to offer. */
    @Test
    void everyHookPointMatchesThePlainJavaForward() throws Exception {
        List<int[]> windows = List.of(new int[] {2000, 2001, 2002, 2003, 2004, 7000, 12, 13, 14}, new int[] {5, 6});
        try (LoadedModel loaded = ModelCatalog.open(dir.resolve("pythia-tiny").toString(), manager)) {
            java.util.Set<dev.neurodex.model.HookPoint> offered = loaded.model().hookPoints();
            assertTrue(!offered.contains(dev.neurodex.model.HookPoint.RESID_MID) && offered.size() == 5, offered.toString());
            Map<String, float[]> seen = dev.neurodex.model.HookPointChecks.run(loaded.model(), windows, offered, LAYERS);
            for (int b = 0; b < windows.size(); b++) {
                Map<String, float[][]> expected = new java.util.HashMap<>();
                reference(windows.get(b), expected);
                for (dev.neurodex.model.HookPoint point : offered) {
                    int width = point == dev.neurodex.model.HookPoint.MLP_POST ? INNER : HIDDEN;
                    for (int l = 0; l < LAYERS; l++) {
                        double diff = 0;
                        for (int t = 0; t <= windows.get(b).length; t++) {
                            for (int i = 0; i < width; i++) {
                                diff = Math.max(diff, Math.abs(seen.get(point.at(l))[(b * 32 + t) * width + i]
                                        - expected.get(point.suffix())[l][t * width + i]));
                            }
                        }
                        assertTrue(diff <= 1e-4, point.at(l) + " window " + b + ": max abs diff " + diff);
                    }
                }
            }
        }
    }

    private static double[] slice(double[] v, int from, int n) {
        return java.util.Arrays.copyOfRange(v, from, from + n);
    }

    /** Rotary on the first rd dims: pairs (i, i + rd/2) turned by t / base^(2i/rd). */
    private static double[] rope(double[] v, int t, int rd) {
        double[] out = v.clone();
        for (int i = 0; i < rd / 2; i++) {
            double angle = t / Math.pow(10000, 2.0 * i / rd);
            double a = v[i];
            double b = v[i + rd / 2];
            out[i] = a * Math.cos(angle) - b * Math.sin(angle);
            out[i + rd / 2] = b * Math.cos(angle) + a * Math.sin(angle);
        }
        return out;
    }

    private static double[][] linear(double[][] x, String module, int in, int out) {
        float[] w = weights.get(module + ".weight"); // [out, in]
        float[] bias = weights.get(module + ".bias");
        double[][] y = new double[x.length][out];
        for (int t = 0; t < x.length; t++) {
            for (int o = 0; o < out; o++) {
                double s = bias[o];
                for (int i = 0; i < in; i++) {
                    s += x[t][i] * w[o * in + i];
                }
                y[t][o] = s;
            }
        }
        return y;
    }

    private static double[][] norm(double[][] x, String module) {
        float[] g = weights.get(module + ".weight");
        float[] b = weights.get(module + ".bias");
        double[][] y = new double[x.length][HIDDEN];
        for (int t = 0; t < x.length; t++) {
            double mean = java.util.Arrays.stream(x[t]).average().orElse(0);
            double var = 0;
            for (double v : x[t]) {
                var += (v - mean) * (v - mean);
            }
            var /= HIDDEN;
            for (int i = 0; i < HIDDEN; i++) {
                y[t][i] = (x[t][i] - mean) / Math.sqrt(var + 1e-5) * g[i] + b[i];
            }
        }
        return y;
    }

    /** erf through Numerical Recipes' erfc approximation (fractional error below 1.2e-7); Java has none. */
    private static double erf(double z) {
        double t = 1.0 / (1.0 + 0.5 * Math.abs(z));
        double ans = 1 - t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
        return z >= 0 ? ans : -ans;
    }
}
