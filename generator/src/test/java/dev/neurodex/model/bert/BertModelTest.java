package dev.neurodex.model.bert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnx.proto.OnnxMl;
import dev.neurodex.model.Activations;
import dev.neurodex.model.LoadedModel;
import dev.neurodex.model.ModelCatalog;
import dev.neurodex.model.OfflineEngine;
import dev.neurodex.model.onnx.OnnxStateDict;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The DJL forward against ONNX Runtime running the original graph, with the MLP tensors added as outputs. */
class BertModelTest {
    private static final double TOLERANCE = 1e-4;
    private static NDManager manager;
    private static LoadedModel loaded;
    private static OrtEnvironment env;
    private static OrtSession session;

    @BeforeAll
    static void load() throws Exception {
        manager = OfflineEngine.newManager(2);
        loaded = ModelCatalog.open(ModelCatalog.DEFAULT, manager);
        OnnxMl.ModelProto onnx = OnnxStateDict.parse(new ByteArrayInputStream(ModelCatalog.defaultOnnxBytes()), "test");
        OnnxMl.ModelProto.Builder builder = onnx.toBuilder();
        for (int l = 0; l < 6; l++) {
            builder.getGraphBuilder().addOutput(OnnxMl.ValueInfoProto.newBuilder().setName(ortHook(l)));
            for (dev.neurodex.model.HookPoint point : dev.neurodex.model.HookPoint.values()) {
                if (point != dev.neurodex.model.HookPoint.MLP_POST) {
                    builder.getGraphBuilder().addOutput(OnnxMl.ValueInfoProto.newBuilder().setName(ortTensor(point, l)));
                }
            }
        }
        env = OrtEnvironment.getEnvironment();
        session = env.createSession(builder.build().toByteArray(), new OrtSession.SessionOptions());
    }

    @AfterAll
    static void close() throws Exception {
        session.close();
        loaded.close();
        manager.close();
    }

    /**
     * The graph's tensor of a TransformerLens hook point: resid_mid and resid_post are the sums before each
     * post-LayerNorm (TransformerLens's BertBlock), resid_pre the previous block's normalised output.
     */
    private static String ortTensor(dev.neurodex.model.HookPoint point, int l) {
        String p = "/encoder/layer." + l + "/";
        return switch (point) {
            case RESID_PRE -> l == 0 ? "/embeddings/LayerNorm/Add_1_output_0"
                    : "/encoder/layer." + (l - 1) + "/output/LayerNorm/Add_1_output_0";
            case ATTN_OUT -> p + "attention/output/dense/Add_output_0";
            case RESID_MID -> p + "attention/output/Add_output_0";
            case MLP_POST -> ortHook(l);
            case MLP_OUT -> p + "output/dense/Add_output_0";
            case RESID_POST -> p + "output/Add_output_0";
        };
    }

    @Test
    void everyHookPointMatchesOnnxRuntimesTensors() throws Exception {
        int[] content = new int[40];
        for (int i = 0; i < content.length; i++) {
            content[i] = 2000 + 37 * i;
        }
        Map<String, float[]> seen = dev.neurodex.model.HookPointChecks.run(loaded.model(), List.of(content),
                java.util.EnumSet.allOf(dev.neurodex.model.HookPoint.class), 6);
        Map<String, OnnxTensor> inputs = ortInputs(content);
        try (OrtSession.Result ort = session.run(inputs)) {
            for (dev.neurodex.model.HookPoint point : dev.neurodex.model.HookPoint.values()) {
                for (int l = 0; l < 6; l++) {
                    float[] expected = flat(ort, ortTensor(point, l));
                    float[] got = seen.get(point.at(l));
                    double diff = 0;
                    for (int i = 0; i < expected.length; i++) {
                        diff = Math.max(diff, Math.abs(got[i] - expected[i]));
                    }
                    assertTrue(diff <= 1e-3, point.at(l) + ": max abs diff " + diff);
                }
            }
        }
        inputs.values().forEach(OnnxTensor::close);
    }

    /** ONNX Runtime's inputs for one window framed as [CLS] content [SEP], unpadded. */
    private static Map<String, OnnxTensor> ortInputs(int[] content) throws ai.onnxruntime.OrtException {
        long[] framed = new long[content.length + 2];
        framed[0] = 101;
        for (int i = 0; i < content.length; i++) {
            framed[i + 1] = content[i];
        }
        framed[framed.length - 1] = 102;
        long[] ones = new long[framed.length];
        java.util.Arrays.fill(ones, 1);
        return Map.of("input_ids", OnnxTensor.createTensor(env, new long[][] {framed}),
                "attention_mask", OnnxTensor.createTensor(env, new long[][] {ones}),
                "token_type_ids", OnnxTensor.createTensor(env, new long[][] {new long[framed.length]}));
    }

    private static String ortHook(int layer) {
        return "/encoder/layer." + layer + "/intermediate/intermediate_act_fn/Mul_1_output_0";
    }

    /**
     * What neighbours are computed from, for a post-LayerNorm model: W_in rows times the LayerNorm before the MLP,
     * W_out's columns times the LayerNorm after it.
     */
    @Test
    void mlpDirectionsFoldTheLayerNormsAroundTheMlp() throws Exception {
        dev.neurodex.model.StateDict w = OnnxStateDict.read(
                OnnxStateDict.parse(new ByteArrayInputStream(ModelCatalog.defaultOnnxBytes()), "test"), "test");
        dev.neurodex.model.MlpDirections m = (dev.neurodex.model.MlpDirections) loaded.model();
        int d = 384;
        int inner = 1536;
        for (int l : new int[] {0, 5}) {
            String p = "encoder.layer." + l + ".";
            float[] in = w.find(p + "intermediate.dense.weight").data(); // [inner, d]
            float[] out = w.find(p + "output.dense.weight").data(); // [d, inner]
            float[] before = w.find(p + "attention.output.LayerNorm.weight").data();
            float[] after = w.find(p + "output.LayerNorm.weight").data();
            float[] read = m.readDirections(l).toFloatArray();
            float[] write = m.writeDirections(l).toFloatArray();
            for (int n = 0; n < inner; n += 97) {
                for (int i = 0; i < d; i++) {
                    assertEquals(in[n * d + i] * before[i], read[n * d + i], 1e-6);
                    assertEquals(out[i * inner + n] * after[i], write[n * d + i], 1e-6);
                }
            }
        }
    }

    @Test
    void hooksAndHiddenStateMatchOnnxRuntimeWithPaddingInTheBatch() throws Exception {
        Random random = new Random(7);
        List<int[]> windows = new ArrayList<>();
        for (int length : new int[] {126, 5, 60, 1, 126, 33}) {
            int[] ids = new int[length];
            for (int i = 0; i < length; i++) {
                ids[i] = 1000 + random.nextInt(29000);
            }
            windows.add(ids);
        }
        BertModel bert = (BertModel) loaded.model();
        List<Activations> acts = new java.util.ArrayList<>();
        float[] finalHidden = bert.finalHidden(windows, layer -> acts.add(layer.copy()));
        for (int b = 0; b < windows.size(); b++) {
            int[] content = windows.get(b);
            Map<String, OnnxTensor> inputs = ortInputs(content);
            int framedLength = content.length + 2;
            try (OrtSession.Result ort = session.run(inputs)) {
                for (int l = 0; l < 6; l++) {
                    float[] expected = flat(ort, ortHook(l));
                    double diff = 0;
                    // every position, framing included: the whole sequence must agree
                    for (int pos = -1; pos <= content.length; pos++) {
                        for (int n = 0; n < 1536; n++) {
                            float got = acts.get(l).value(b, pos, n);
                            diff = Math.max(diff, Math.abs(got - expected[(pos + 1) * 1536 + n]));
                        }
                    }
                    assertTrue(diff <= TOLERANCE, "window " + b + " layer " + l + ": max abs diff " + diff);
                }
                float[] hidden = flat(ort, "last_hidden_state");
                double diff = 0;
                for (int pos = 0; pos < framedLength; pos++) {
                    for (int h = 0; h < 384; h++) {
                        diff = Math.max(diff, Math.abs(finalHidden[(b * acts.get(0).seqLen() + pos) * 384 + h] - hidden[pos * 384 + h]));
                    }
                }
                assertTrue(diff <= TOLERANCE, "window " + b + " final hidden state: max abs diff " + diff);
            }
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    @Test
    void aWindowAloneGivesTheSameActivationsAsInABatch() {
        int[] a = {2000, 2001, 2002, 2003};
        int[] b = new int[100];
        java.util.Arrays.fill(b, 3000);
        List<Activations> alone = loaded.model().run(List.of(a));
        List<Activations> batched = loaded.model().run(List.of(b, a));
        double diff = 0;
        for (int pos = 0; pos < a.length; pos++) {
            for (int n = 0; n < 1536; n++) {
                diff = Math.max(diff, Math.abs(alone.get(5).value(0, pos, n)
                        - batched.get(5).value(1, pos, n)));
            }
        }
        assertTrue(diff <= TOLERANCE, "padding changed activations by " + diff);
        assertEquals(6, batched.size());
    }

    private static float[] flat(OrtSession.Result result, String name) throws Exception {
        OnnxTensor tensor = (OnnxTensor) result.get(name).orElseThrow();
        java.nio.FloatBuffer buffer = tensor.getFloatBuffer();
        float[] out = new float[buffer.remaining()];
        buffer.get(out);
        return out;
    }
}
