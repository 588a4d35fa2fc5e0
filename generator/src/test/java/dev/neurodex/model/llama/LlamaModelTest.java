package dev.neurodex.model.llama;

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

/**
 * A tiny random Llama in Hugging Face layout against a plain-Java double-precision forward written from the
 * architecture's definition (modeling_llama.py): RMSNorm, rotary in the rotate-half layout with Llama 3 frequency
 * scaling, grouped key/value heads, causal softmax attention, the gated MLP.
 */
class LlamaModelTest {
    static final int LAYERS = 2;
    static final int HIDDEN = 16;
    static final int HEADS = 4;
    static final int KV_HEADS = 2;
    static final int HEAD_DIM = 4;
    static final int INNER = 24;
    static final int POSITIONS = 40;
    static final int VOCAB = 30522;
    static final double EPS = 1e-6;

    @TempDir
    static Path dir;
    static NDManager manager;
    static Map<String, long[]> shapes = new LinkedHashMap<>();
    static Map<String, float[]> weights;

    @BeforeAll
    static void write() throws Exception {
        manager = OfflineEngine.newManager(2);
        shapes.put("model.embed_tokens.weight", new long[] {VOCAB, HIDDEN});
        for (int l = 0; l < LAYERS; l++) {
            String p = "model.layers." + l + ".";
            shapes.put(p + "input_layernorm.weight", new long[] {HIDDEN});
            shapes.put(p + "self_attn.q_proj.weight", new long[] {HEADS * HEAD_DIM, HIDDEN});
            shapes.put(p + "self_attn.k_proj.weight", new long[] {KV_HEADS * HEAD_DIM, HIDDEN});
            shapes.put(p + "self_attn.v_proj.weight", new long[] {KV_HEADS * HEAD_DIM, HIDDEN});
            shapes.put(p + "self_attn.o_proj.weight", new long[] {HIDDEN, HEADS * HEAD_DIM});
            shapes.put(p + "post_attention_layernorm.weight", new long[] {HIDDEN});
            shapes.put(p + "mlp.gate_proj.weight", new long[] {INNER, HIDDEN});
            shapes.put(p + "mlp.up_proj.weight", new long[] {INNER, HIDDEN});
            shapes.put(p + "mlp.down_proj.weight", new long[] {HIDDEN, INNER});
        }
        shapes.put("model.norm.weight", new long[] {HIDDEN});
        weights = TinyCheckpoints.random(shapes, 31);
        // Untied, plain rotary; and tied (no lm_head) with Llama 3 scaling whose bands this head size reaches.
        Map<String, long[]> untied = new LinkedHashMap<>(shapes);
        untied.put("lm_head.weight", new long[] {VOCAB, HIDDEN});
        Map<String, float[]> untiedWeights = new LinkedHashMap<>(weights);
        untiedWeights.put("lm_head.weight", TinyCheckpoints.random(Map.of("lm_head.weight", new long[] {VOCAB, HIDDEN}), 32)
                .get("lm_head.weight"));
        checkpoint("llama-plain", untied, untiedWeights, null, false);
        checkpoint("llama-3", shapes, weights, Map.of("rope_type", "llama3", "factor", 8.0, "low_freq_factor", 1.0,
                "high_freq_factor", 4.0, "original_max_position_embeddings", 8), true);
        // Mistral with a window shorter than the test windows; Qwen2 with biases on q, k and v.
        Map<String, Object> mistral = new LinkedHashMap<>(config(null, true));
        mistral.put("model_type", "mistral");
        mistral.put("sliding_window", WINDOW);
        checkpoint("mistral", shapes, weights, mistral);
        Map<String, long[]> qwenShapes = new LinkedHashMap<>(shapes);
        for (int l = 0; l < LAYERS; l++) {
            String p = "model.layers." + l + ".self_attn.";
            qwenShapes.put(p + "q_proj.bias", new long[] {HEADS * HEAD_DIM});
            qwenShapes.put(p + "k_proj.bias", new long[] {KV_HEADS * HEAD_DIM});
            qwenShapes.put(p + "v_proj.bias", new long[] {KV_HEADS * HEAD_DIM});
        }
        Map<String, float[]> qwenWeights = new LinkedHashMap<>(weights);
        TinyCheckpoints.random(qwenShapes, 33).forEach((name, values) -> {
            if (name.endsWith("_proj.bias")) {
                qwenWeights.put(name, values);
            }
        });
        Map<String, Object> qwen = new LinkedHashMap<>(config(null, true));
        qwen.put("model_type", "qwen2");
        checkpoint("qwen2", qwenShapes, qwenWeights, qwen);
        biases = qwenWeights;
        Map<String, Object> gemma = new LinkedHashMap<>(config(null, true));
        gemma.put("model_type", "gemma");
        gemma.put("head_dim", HEAD_DIM);
        gemma.put("hidden_activation", "gelu_pytorch_tanh");
        checkpoint("gemma", shapes, weights, gemma);
        Map<String, long[]> gemma2Shapes = new LinkedHashMap<>(shapes);
        for (int l = 0; l < LAYERS; l++) {
            gemma2Shapes.put("model.layers." + l + ".pre_feedforward_layernorm.weight", new long[] {HIDDEN});
            gemma2Shapes.put("model.layers." + l + ".post_feedforward_layernorm.weight", new long[] {HIDDEN});
        }
        gemma2Weights = new LinkedHashMap<>(weights);
        TinyCheckpoints.random(gemma2Shapes, 34).forEach((name, values) -> {
            if (name.contains("feedforward")) {
                gemma2Weights.put(name, values);
            }
        });
        Map<String, Object> gemma2 = new LinkedHashMap<>(gemma);
        gemma2.put("model_type", "gemma2");
        gemma2.put("sliding_window", WINDOW);
        gemma2.put("attn_logit_softcapping", SOFTCAP);
        gemma2.put("query_pre_attn_scalar", QUERY_SCALAR);
        gemma2.put("final_logit_softcapping", 30.0);
        checkpoint("gemma2", gemma2Shapes, gemma2Weights, gemma2);
    }

    static final double SOFTCAP = 0.5;
    static final double QUERY_SCALAR = 8;
    static Map<String, float[]> gemma2Weights;
    /** Gemma 2's differences, in the reference (on top of Gemma's). */
    static boolean gemma2Reference;

    static final int WINDOW = 3;
    /** The Qwen2 checkpoint's weights, biases included. */
    static Map<String, float[]> biases;

    private static void checkpoint(String name, Map<String, long[]> s, Map<String, float[]> w, Map<String, Object> scaling,
                                   boolean tied) throws Exception {
        checkpoint(name, s, w, config(scaling, tied));
    }

    private static void checkpoint(String name, Map<String, long[]> s, Map<String, float[]> w, Map<String, Object> config)
            throws Exception {
        Path d = Files.createDirectories(dir.resolve(name));
        TinyCheckpoints.writeConfig(d, config);
        TinyCheckpoints.writeTokenizer(d);
        TinyCheckpoints.writeWithDjl(d.resolve("model.safetensors"), s, w, manager);
    }

    private static Map<String, Object> config(Map<String, Object> scaling, boolean tied) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("model_type", "llama");
        config.put("num_hidden_layers", LAYERS);
        config.put("hidden_size", HIDDEN);
        config.put("num_attention_heads", HEADS);
        config.put("num_key_value_heads", KV_HEADS);
        config.put("intermediate_size", INNER);
        config.put("max_position_embeddings", POSITIONS);
        config.put("vocab_size", VOCAB);
        config.put("rms_norm_eps", EPS);
        config.put("rope_theta", 10000.0);
        config.put("rope_scaling", scaling);
        config.put("tie_word_embeddings", tied);
        config.put("hidden_act", "silu");
        config.put("bos_token_id", 101);
        return config;
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    /** Gemma's differences, in the reference: RMSNorm by (1 + w), embeddings × sqrt(hidden), tanh-GELU gate. */
    static boolean gemmaReference;

    private static double[] rms(double[] x, float[] w) {
        double ss = 0;
        for (double v : x) {
            ss += v * v;
        }
        double r = 1 / Math.sqrt(ss / x.length + EPS);
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] * r * (gemmaReference ? 1 + w[i] : w[i]);
        }
        return out;
    }

    /** y = W x for W [out, in] row-major. */
    private static double[] matvec(float[] w, double[] x, int out) {
        double[] y = new double[out];
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < x.length; i++) {
                y[o] += w[o * x.length + i] * x[i];
            }
        }
        return y;
    }

    private static double[] plus(double[] x, float[] bias) {
        if (bias != null) {
            for (int i = 0; i < x.length; i++) {
                x[i] += bias[i];
            }
        }
        return x;
    }

    private static void rotate(double[] v, int offset, int t, double[] freq) {
        int half = HEAD_DIM / 2;
        for (int i = 0; i < half; i++) {
            double c = Math.cos(t * freq[i]);
            double s = Math.sin(t * freq[i]);
            double a = v[offset + i];
            double b = v[offset + i + half];
            v[offset + i] = a * c - b * s;
            v[offset + i + half] = b * c + a * s;
        }
    }

    /** hook_post per layer, [position][neuron], for BOS + ids, in double precision. */
    static double[][][] reference(int[] content, double[] freq) {
        return reference(content, freq, 0, weights);
    }

    /** @param window a query's latest positions attended (0: all); {@code weights} with q/k/v biases if any */
    static double[][][] reference(int[] content, double[] freq, int window, Map<String, float[]> weights) {
        return reference(content, freq, window, weights, new java.util.HashMap<>());
    }

    /** @param points filled with every hook point by suffix: [layer][position][unit] */
    static double[][][] reference(int[] content, double[] freq, int window, Map<String, float[]> weights,
                                  Map<String, double[][][]> points) {
        int[] ids = new int[content.length + 1];
        ids[0] = 101;
        System.arraycopy(content, 0, ids, 1, content.length);
        int n = ids.length;
        float[] embed = weights.get("model.embed_tokens.weight");
        double[][] x = new double[n][HIDDEN];
        for (int t = 0; t < n; t++) {
            for (int i = 0; i < HIDDEN; i++) {
                x[t][i] = embed[ids[t] * HIDDEN + i] * (gemmaReference ? Math.sqrt(HIDDEN) : 1);
            }
        }
        double[][][] hooks = new double[LAYERS][n][];
        for (String point : new String[] {"hook_resid_pre", "hook_attn_out", "hook_resid_mid", "hook_mlp_out",
                "hook_resid_post"}) {
            points.put(point, new double[LAYERS][n][]);
        }
        points.put("mlp.hook_post", hooks);
        for (int l = 0; l < LAYERS; l++) {
            String p = "model.layers." + l + ".";
            for (int t = 0; t < n; t++) {
                points.get("hook_resid_pre")[l][t] = x[t].clone();
            }
            double[][] q = new double[n][];
            double[][] k = new double[n][];
            double[][] v = new double[n][];
            for (int t = 0; t < n; t++) {
                double[] a = rms(x[t], weights.get(p + "input_layernorm.weight"));
                q[t] = plus(matvec(weights.get(p + "self_attn.q_proj.weight"), a, HEADS * HEAD_DIM),
                        weights.get(p + "self_attn.q_proj.bias"));
                k[t] = plus(matvec(weights.get(p + "self_attn.k_proj.weight"), a, KV_HEADS * HEAD_DIM),
                        weights.get(p + "self_attn.k_proj.bias"));
                v[t] = plus(matvec(weights.get(p + "self_attn.v_proj.weight"), a, KV_HEADS * HEAD_DIM),
                        weights.get(p + "self_attn.v_proj.bias"));
                for (int h = 0; h < HEADS; h++) {
                    rotate(q[t], h * HEAD_DIM, t, freq);
                }
                for (int g = 0; g < KV_HEADS; g++) {
                    rotate(k[t], g * HEAD_DIM, t, freq);
                }
            }
            double[][] next = new double[n][];
            for (int t = 0; t < n; t++) {
                double[] context = new double[HEADS * HEAD_DIM];
                for (int h = 0; h < HEADS; h++) {
                    int g = h / (HEADS / KV_HEADS);
                    double[] scores = new double[t + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    int layerWindow = gemma2Reference && l % 2 != 0 ? 0 : window;
                    int first = layerWindow > 0 ? Math.max(0, t - layerWindow + 1) : 0;
                    for (int s = first; s <= t; s++) {
                        for (int i = 0; i < HEAD_DIM; i++) {
                            scores[s] += q[t][h * HEAD_DIM + i] * k[s][g * HEAD_DIM + i];
                        }
                        scores[s] /= Math.sqrt(gemma2Reference ? QUERY_SCALAR : HEAD_DIM);
                        if (gemma2Reference) {
                            scores[s] = SOFTCAP * Math.tanh(scores[s] / SOFTCAP);
                        }
                        max = Math.max(max, scores[s]);
                    }
                    double z = 0;
                    for (int s = first; s <= t; s++) {
                        scores[s] = Math.exp(scores[s] - max);
                        z += scores[s];
                    }
                    for (int s = first; s <= t; s++) {
                        for (int i = 0; i < HEAD_DIM; i++) {
                            context[h * HEAD_DIM + i] += scores[s] / z * v[s][g * HEAD_DIM + i];
                        }
                    }
                }
                double[] o = matvec(weights.get(p + "self_attn.o_proj.weight"), context, HIDDEN);
                if (gemma2Reference) {
                    o = rms(o, weights.get(p + "post_attention_layernorm.weight"));
                }
                double[] h = new double[HIDDEN];
                for (int i = 0; i < HIDDEN; i++) {
                    h[i] = x[t][i] + o[i];
                }
                points.get("hook_attn_out")[l][t] = o;
                points.get("hook_resid_mid")[l][t] = h;
                double[] b = rms(h, weights.get(p + (gemma2Reference ? "pre_feedforward_layernorm.weight"
                        : "post_attention_layernorm.weight")));
                double[] gate = matvec(weights.get(p + "mlp.gate_proj.weight"), b, INNER);
                double[] up = matvec(weights.get(p + "mlp.up_proj.weight"), b, INNER);
                double[] post = new double[INNER];
                for (int j = 0; j < INNER; j++) {
                    double g = gate[j];
                    double act = gemmaReference
                            ? 0.5 * g * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (g + 0.044715 * g * g * g)))
                            : g / (1 + Math.exp(-g));
                    post[j] = act * up[j];
                }
                hooks[l][t] = post;
                double[] down = matvec(weights.get(p + "mlp.down_proj.weight"), post, HIDDEN);
                if (gemma2Reference) {
                    down = rms(down, weights.get(p + "post_feedforward_layernorm.weight"));
                }
                next[t] = new double[HIDDEN];
                for (int i = 0; i < HIDDEN; i++) {
                    next[t][i] = h[i] + down[i];
                }
                points.get("hook_mlp_out")[l][t] = down;
                points.get("hook_resid_post")[l][t] = next[t];
            }
            x = next;
        }
        return hooks;
    }

    private static void matches(String model, double[] freq) throws Exception {
        matches(model, freq, 0, weights);
    }

    private static void matches(String model, double[] freq, int window, Map<String, float[]> w) throws Exception {
        List<int[]> windows = List.of(new int[] {2000, 2001, 2002, 2003, 2004, 7000, 12, 13, 14, 15, 16, 17}, new int[] {5, 6});
        try (LoadedModel loaded = ModelCatalog.open(dir.resolve(model).toString(), manager)) {
            assertEquals(model.startsWith("llama") ? "llama" : model, loaded.model().info().architecture());
            List<Activations> acts = loaded.model().run(windows);
            double worst = 0;
            for (int b = 0; b < windows.size(); b++) {
                double[][][] expected = reference(windows.get(b), freq, window, w);
                for (int l = 0; l < LAYERS; l++) {
                    for (int pos = 0; pos < windows.get(b).length; pos++) {
                        for (int n = 0; n < INNER; n++) {
                            worst = Math.max(worst, Math.abs(acts.get(l).value(b, pos, n) - expected[l][pos + 1][n]));
                        }
                    }
                }
            }
            assertTrue(worst < 2e-4, model + ": largest difference " + worst);
            // Every hook point of every layer (Gemma 2: attn_out and mlp_out after their own norms).
            Map<String, float[]> seen = dev.neurodex.model.HookPointChecks.run(loaded.model(), windows,
                    java.util.EnumSet.allOf(dev.neurodex.model.HookPoint.class), LAYERS);
            int seq = 32;
            for (int b = 0; b < windows.size(); b++) {
                Map<String, double[][][]> points = new java.util.HashMap<>();
                reference(windows.get(b), freq, window, w, points);
                for (dev.neurodex.model.HookPoint point : dev.neurodex.model.HookPoint.values()) {
                    int width = point == dev.neurodex.model.HookPoint.MLP_POST ? INNER : HIDDEN;
                    for (int l = 0; l < LAYERS; l++) {
                        double diff = 0;
                        for (int t = 0; t <= windows.get(b).length; t++) {
                            for (int i = 0; i < width; i++) {
                                diff = Math.max(diff, Math.abs(seen.get(point.at(l))[(b * seq + t) * width + i]
                                        - points.get(point.suffix())[l][t][i]));
                            }
                        }
                        assertTrue(diff < 5e-4, model + " " + point.at(l) + ": largest difference " + diff);
                    }
                }
            }
            // Causal: a later token changes nothing before it.
            int[] changed = windows.get(0).clone();
            changed[8] = 999;
            List<Activations> after = loaded.model().run(List.of(changed));
            for (int pos = 0; pos < 8; pos++) {
                assertEquals(acts.get(1).value(0, pos, 5), after.get(1).value(0, pos, 5), 1e-6);
            }
            assertTrue(Math.abs(acts.get(1).value(0, 9, 5) - after.get(1).value(0, 9, 5)) > 1e-6);
            assertTrue(((dev.neurodex.model.DirectLogits.Source) loaded.model()).directLogits(0, 3).topIds()[0].length == 3);
        }
    }

    @Test
    void matchesAPlainJavaForwardWithGroupedHeadsAndIsCausal() throws Exception {
        matches("llama-plain", dev.neurodex.model.nn.Rotary.inverseFrequencies(HEAD_DIM, 10000));
    }

    @Test
    void llama3RopeScalingDividesLowFrequenciesAndBlendsTheMiddle() throws Exception {
        // head_dim 4: frequencies 1 and 0.01, wavelengths 6.28 (between 8/4 and 8: blended) and 628 (divided by 8).
        double smooth = (8 / (2 * Math.PI) - 1) / (4 - 1);
        double[] expected = {(1 - smooth) * 1 / 8 + smooth * 1, 0.01 / 8};
        matches("llama-3", expected);
    }

    @Test
    void mistralAttendsOnlyItsSlidingWindow() throws Exception {
        matches("mistral", dev.neurodex.model.nn.Rotary.inverseFrequencies(HEAD_DIM, 10000), WINDOW, weights);
    }

    @Test
    void qwen2AddsItsQueryKeyValueBiases() throws Exception {
        matches("qwen2", dev.neurodex.model.nn.Rotary.inverseFrequencies(HEAD_DIM, 10000), 0, biases);
    }

    @Test
    void gemmaScalesEmbeddingsOffsetsNormsAndGatesWithGelu() throws Exception {
        gemmaReference = true;
        try {
            matches("gemma", dev.neurodex.model.nn.Rotary.inverseFrequencies(HEAD_DIM, 10000), 0, weights);
        } finally {
            gemmaReference = false;
        }
    }

    @Test
    void gemma2AddsSandwichNormsSoftCapsAndAlternatesTheWindow() throws Exception {
        gemmaReference = true;
        gemma2Reference = true;
        try {
            matches("gemma2", dev.neurodex.model.nn.Rotary.inverseFrequencies(HEAD_DIM, 10000), WINDOW, gemma2Weights);
        } finally {
            gemmaReference = false;
            gemma2Reference = false;
        }
    }

    /** bench's FLOPs count three MLP matrices and the smaller key/value projections of grouped heads. */
    @Test
    void flopsCountTheGatedMlpAndGroupedHeads() throws Exception {
        try (LoadedModel loaded = ModelCatalog.open(dir.resolve("llama-plain").toString(), manager)) {
            // Per position: 2 layers × (2 × (16·4·(2·4 + 2·2) + 3·16·24) + 4 · 5 positions seen · 4 heads · 4)
            // − the last down projection (2·16·24) = 7,552; over 8 content tokens of a 9-position window: 8,496.
            assertEquals(8496.0, loaded.model().flopsPerToken(9, 8), 1e-9);
        }
    }
}
