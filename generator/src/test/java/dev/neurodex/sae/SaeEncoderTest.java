package dev.neurodex.sae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.neurodex.model.OfflineEngine;
import dev.neurodex.model.hf.Safetensors;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine's encoder of each activation function and input treatment against SAELens's definition written
 * with plain doubles (sae_lens/saes: process_sae_in, then ReLU, JumpReLU or TopK of x · W_enc + b_enc).
 */
class SaeEncoderTest {
    static final int D_IN = 12;
    static final int D_SAE = 40;
    static final int TOKENS = 6;

    @TempDir
    static Path dir;
    static NDManager manager;

    @BeforeAll
    static void open() {
        manager = OfflineEngine.newManager(1);
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    /** An SAE directory with random weights; {@code cfg} is written as given. */
    static Path sae(String name, Map<String, Object> cfg, boolean threshold, long seed) throws Exception {
        Path d = dir.resolve(name);
        java.nio.file.Files.createDirectories(d);
        Random random = new Random(seed);
        Map<String, long[]> shapes = new LinkedHashMap<>();
        Map<String, float[]> data = new LinkedHashMap<>();
        put(shapes, data, "W_enc", random, 0.5, D_IN, D_SAE);
        put(shapes, data, "b_enc", random, 0.3, D_SAE);
        put(shapes, data, "W_dec", random, 0.5, D_SAE, D_IN);
        put(shapes, data, "b_dec", random, 0.3, D_IN);
        if (threshold) {
            put(shapes, data, "threshold", random, 0.2, D_SAE);
            float[] t = data.get("threshold");
            for (int i = 0; i < t.length; i++) {
                t[i] = Math.abs(t[i]);
            }
        }
        Safetensors.write(d.resolve("sae_weights.safetensors"), shapes, data);
        new ObjectMapper().writeValue(d.resolve("cfg.json").toFile(), cfg);
        return d;
    }

    private static void put(Map<String, long[]> shapes, Map<String, float[]> data, String name, Random random,
                            double scale, long... shape) {
        long size = 1;
        for (long s : shape) {
            size *= s;
        }
        float[] v = new float[(int) size];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (scale * random.nextGaussian());
        }
        shapes.put(name, shape);
        data.put(name, v);
    }

    static Map<String, Object> current(String architecture, String normalization, boolean applyBDec) {
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("architecture", architecture);
        cfg.put("d_in", D_IN);
        cfg.put("d_sae", D_SAE);
        if (architecture.equals("topk")) {
            cfg.put("k", 5);
        }
        cfg.put("apply_b_dec_to_input", applyBDec);
        cfg.put("normalize_activations", normalization);
        cfg.put("metadata", Map.of("hook_name", "blocks.1.hook_resid_pre", "model_name", "tiny",
                "model_from_pretrained_kwargs", Map.of("center_writing_weights", true)));
        return cfg;
    }

    /** SAELens's encode in doubles, one token: x [D_IN] → latents [D_SAE]. */
    static double[] reference(Sae sae, double[] x) {
        SaeConfig c = sae.config();
        Map<String, float[]> w = weights(sae.dir());
        double[] in = x.clone();
        if (sae.center()) {
            double mean = java.util.Arrays.stream(in).average().orElse(0);
            for (int i = 0; i < D_IN; i++) {
                in[i] -= mean;
            }
        }
        if (c.normalization() == SaeConfig.Normalization.CONSTANT_NORM_RESCALE) {
            double norm = Math.sqrt(java.util.Arrays.stream(in).map(v -> v * v).sum());
            for (int i = 0; i < D_IN; i++) {
                in[i] *= Math.sqrt(D_IN) / norm;
            }
        } else if (c.normalization() == SaeConfig.Normalization.LAYER_NORM) {
            double mean = java.util.Arrays.stream(in).average().orElse(0);
            double var = 0;
            for (int i = 0; i < D_IN; i++) {
                in[i] -= mean;
                var += in[i] * in[i];
            }
            double std = Math.sqrt(var / (D_IN - 1));
            for (int i = 0; i < D_IN; i++) {
                in[i] /= std + 1e-5;
            }
        }
        if (c.applyBDecToInput()) {
            for (int i = 0; i < D_IN; i++) {
                in[i] -= w.get("b_dec")[i];
            }
        }
        double[] pre = new double[D_SAE];
        for (int j = 0; j < D_SAE; j++) {
            pre[j] = w.get("b_enc")[j];
            for (int i = 0; i < D_IN; i++) {
                pre[j] += in[i] * w.get("W_enc")[i * D_SAE + j];
            }
        }
        double[] out = new double[D_SAE];
        switch (c.activation()) {
            case RELU -> {
                for (int j = 0; j < D_SAE; j++) {
                    out[j] = Math.max(0, pre[j]);
                }
            }
            case JUMPRELU -> {
                for (int j = 0; j < D_SAE; j++) {
                    out[j] = pre[j] > w.get("threshold")[j] ? Math.max(0, pre[j]) : 0;
                }
            }
            case TOPK -> {
                double[] sorted = pre.clone();
                java.util.Arrays.sort(sorted);
                double kth = sorted[D_SAE - c.k()];
                for (int j = 0; j < D_SAE; j++) {
                    out[j] = pre[j] >= kth ? Math.max(0, pre[j]) : 0;
                }
            }
        }
        return out;
    }

    static Map<String, float[]> weights(Path d) {
        dev.neurodex.model.StateDict dict = new dev.neurodex.model.StateDict(d.toString());
        Safetensors.read(d.resolve("sae_weights.safetensors"), dict);
        Map<String, float[]> out = new java.util.HashMap<>();
        dict.names().forEach(n -> out.put(n, dict.find(n).data()));
        return out;
    }

    private static void assertEncodes(Sae sae, long seed) {
        Random random = new Random(seed);
        float[] x = new float[TOKENS * D_IN];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (2 * random.nextGaussian() + 0.5);
        }
        float[] got;
        try (NDManager m = manager.newSubManager()) {
            NDArray latents = sae.encode(m.create(x, new Shape(2, TOKENS / 2, D_IN)));
            assertEquals(new Shape(2, TOKENS / 2, D_SAE), latents.getShape());
            got = latents.toFloatArray();
        }
        int active = 0;
        for (int t = 0; t < TOKENS; t++) {
            double[] token = new double[D_IN];
            for (int i = 0; i < D_IN; i++) {
                token[i] = x[t * D_IN + i];
            }
            double[] expected = reference(sae, token);
            for (int j = 0; j < D_SAE; j++) {
                assertEquals(expected[j], got[t * D_SAE + j], 1e-4, sae.name() + " token " + t + " latent " + j);
                active += expected[j] > 0 ? 1 : 0;
            }
        }
        assertTrue(active > 0 && active < TOKENS * D_SAE, sae.name() + ": " + active + " active, a test that cannot fail");
    }

    @Test
    void eachActivationFunctionMatchesTheDefinition() throws Exception {
        for (String architecture : new String[] {"standard", "jumprelu", "topk"}) {
            Path d = sae(architecture, current(architecture, "none", true), architecture.equals("jumprelu"), 3);
            assertEncodes(Sae.load(d, false, manager), 11);
        }
        Sae topk = Sae.load(dir.resolve("topk"), false, manager);
        assertEquals(SaeConfig.Activation.TOPK, topk.config().activation());
        assertEquals(5, topk.config().k());
        // The scan's sparse pairs are the dense encoding's non-zero latents, nothing else.
        try (NDManager m = manager.newSubManager()) {
            NDArray x = m.randomNormal(new Shape(2, 4, D_IN));
            float[] dense = topk.encode(x).toFloatArray();
            ai.djl.ndarray.NDList pairs = topk.encodeTopK(x, 3); // 8 positions in chunks of 3
            float[] values = pairs.get(0).toFloatArray();
            long[] indices = pairs.get(1).toLongArray();
            float[] scattered = new float[dense.length];
            for (int i = 0; i < values.length; i++) {
                scattered[i / 5 * D_SAE + (int) indices[i]] = values[i];
            }
            org.junit.jupiter.api.Assertions.assertArrayEquals(dense, scattered, 1e-5f); // chunks: another BLAS blocking
        }
    }

    @Test
    void inputNormalisationsBDecAndCentringMatchTheDefinition() throws Exception {
        for (String normalization : new String[] {"constant_norm_rescale", "layer_norm"}) {
            Path d = sae("n-" + normalization, current("standard", normalization, false), false, 4);
            assertEncodes(Sae.load(d, false, manager), 12);
        }
        Path centred = sae("centred", current("jumprelu", "none", true), true, 5);
        Sae layerNormModel = Sae.load(centred, true, manager);
        assertTrue(layerNormModel.center(), "center_writing_weights asked for, in a LayerNorm decoder");
        assertEncodes(layerNormModel, 13);
        assertTrue(!Sae.load(centred, false, manager).center(), "not in an RMSNorm model: TransformerLens skips it");
    }

    @Test
    void readsTheOlderFlatLayout() throws Exception {
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("d_in", D_IN);
        cfg.put("d_sae", D_SAE);
        cfg.put("hook_point", "blocks.0.hook_resid_post");
        cfg.put("hook_point_layer", 0);
        cfg.put("activation_fn_str", "topk");
        cfg.put("activation_fn_kwargs", Map.of("k", 7));
        cfg.put("model_name", "gpt2-small");
        cfg.put("model_from_pretrained_kwargs", Map.of("center_writing_weights", false));
        Sae sae = Sae.load(sae("flat", cfg, false, 6), true, manager);
        assertEquals(SaeConfig.Activation.TOPK, sae.config().activation());
        assertEquals(7, sae.config().k());
        assertEquals("blocks.0.hook_resid_post", sae.config().hookName());
        assertTrue(sae.config().applyBDecToInput(), "SAELens's default");
        assertTrue(!sae.center());
        assertEncodes(sae, 14);
    }
}
