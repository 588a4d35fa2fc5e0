package dev.neurodex.sae;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.neurodex.model.hf.Safetensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * An SAE directory in SAELens's current layout with random weights, to measure and test latents at real widths
 * without a download: decoder rows of norm 1, the encoder their transpose (SAELens's initialisation), a negative
 * encoder bias so that a ReLU SAE is sparse.
 */
public final class RandomSae {
    private RandomSae() {}

    /** @param architecture standard, jumprelu or topk; {@code k} for topk */
    public static void write(Path dir, String hook, int dIn, int dSae, String architecture, int k, long seed)
            throws IOException {
        Files.createDirectories(dir);
        SplittableRandom random = new SplittableRandom(seed);
        float[] wDec = new float[dSae * dIn];
        for (int i = 0; i < dSae; i++) {
            double norm = 0;
            for (int j = 0; j < dIn; j++) {
                float v = (float) gaussian(random);
                wDec[i * dIn + j] = v;
                norm += v * v;
            }
            for (int j = 0; j < dIn; j++) {
                wDec[i * dIn + j] /= (float) Math.sqrt(norm);
            }
        }
        float[] wEnc = new float[dIn * dSae];
        for (int i = 0; i < dSae; i++) {
            for (int j = 0; j < dIn; j++) {
                wEnc[j * dSae + i] = wDec[i * dIn + j];
            }
        }
        float[] bEnc = new float[dSae];
        float[] threshold = new float[dSae];
        for (int i = 0; i < dSae; i++) {
            bEnc[i] = (float) (-0.5 - 0.5 * random.nextDouble());
            threshold[i] = (float) (0.1 * random.nextDouble());
        }
        Map<String, long[]> shapes = new LinkedHashMap<>();
        Map<String, float[]> data = new LinkedHashMap<>();
        shapes.put("W_enc", new long[] {dIn, dSae});
        data.put("W_enc", wEnc);
        shapes.put("b_enc", new long[] {dSae});
        data.put("b_enc", bEnc);
        shapes.put("W_dec", new long[] {dSae, dIn});
        data.put("W_dec", wDec);
        shapes.put("b_dec", new long[] {dIn});
        data.put("b_dec", new float[dIn]);
        if (architecture.equals("jumprelu")) {
            shapes.put("threshold", new long[] {dSae});
            data.put("threshold", threshold);
        }
        Safetensors.write(dir.resolve("sae_weights.safetensors"), shapes, data);
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("architecture", architecture);
        cfg.put("d_in", dIn);
        cfg.put("d_sae", dSae);
        if (architecture.equals("topk")) {
            cfg.put("k", k);
        }
        cfg.put("dtype", "float32");
        cfg.put("apply_b_dec_to_input", true);
        cfg.put("normalize_activations", "none");
        cfg.put("metadata", Map.of("hook_name", hook, "model_name", "random"));
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(dir.resolve("cfg.json").toFile(), cfg);
    }

    private static double gaussian(SplittableRandom random) {
        double u = 1 - random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
    }
}
