package dev.neurodex.model.onnx;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.neurodex.model.Activations;
import dev.neurodex.model.HookBuffer;
import dev.neurodex.model.HookedModel;
import dev.neurodex.model.ModelException;
import dev.neurodex.model.ModelInfo;
import dev.neurodex.model.WindowFrame;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.Consumer;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Any ONNX model, run by ONNX Runtime, with the intermediate tensors whose names match a pattern added as graph
 * outputs and read as the MLP hooks, layer by layer in graph order. This covers architectures neurodex does not
 * implement (an Optimum export, say). Inputs are fed by name: input_ids, attention_mask and token_type_ids
 * where the graph has them.
 */
public final class OnnxHookedModel implements HookedModel {
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final List<String> hooks;
    private final Set<String> inputs;
    private final WindowFrame frame;
    private final ModelInfo info;
    private final HookBuffer buffer = new HookBuffer();

    /** The tensors of {@code model} matching {@code hookRegex} (found anywhere in the name), in graph order. */
    public static List<String> matching(OnnxMl.ModelProto model, String hookRegex) {
        Pattern pattern = Pattern.compile(hookRegex);
        Set<String> names = new LinkedHashSet<>();
        for (OnnxMl.NodeProto node : model.getGraph().getNodeList()) {
            for (String out : node.getOutputList()) {
                if (pattern.matcher(out).find()) {
                    names.add(out);
                }
            }
        }
        return List.copyOf(names);
    }

    public OnnxHookedModel(OnnxMl.ModelProto model, String hookRegex, WindowFrame frame, boolean causal, String slug,
                           String source, String sha256, int threads) {
        this.hooks = matching(model, hookRegex);
        if (hooks.isEmpty()) {
            throw new ModelException(source + ": no tensor matches --hook-regex '" + hookRegex + "'");
        }
        OnnxMl.ModelProto.Builder builder = model.toBuilder();
        for (String hook : hooks) {
            builder.getGraphBuilder().addOutput(OnnxMl.ValueInfoProto.newBuilder().setName(hook));
        }
        this.frame = frame;
        try {
            OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            if (threads > 0) {
                options.setIntraOpNumThreads(threads);
            }
            this.session = env.createSession(builder.build().toByteArray(), options);
            this.inputs = session.getInputNames();
            if (!inputs.contains("input_ids")) {
                throw new ModelException(source + ": the graph has no input named input_ids (inputs: " + inputs + ")");
            }
            int dMlp = run(List.of(new int[] {frame.padId()})).get(0).dMlp(); // the hooks' width, from one tiny run
            long parameters = model.getGraph().getInitializerList().stream()
                    .mapToLong(t -> t.getDimsList().stream().reduce(1L, (a, b) -> a * b)).sum();
            // A graph does not say how many positions it takes: no limit here, ONNX Runtime says so if exceeded.
            this.info = new ModelInfo(slug, "onnx", hooks.size(), 0, dMlp, Integer.MAX_VALUE, causal, parameters, source, sha256);
        } catch (OrtException e) {
            throw new ModelException(source + ": ONNX Runtime cannot load the model (" + e.getMessage() + ")", e);
        }
    }

    @Override
    public ModelInfo info() {
        return info;
    }

    @Override
    public WindowFrame frame() {
        return frame;
    }

    @Override
    public void run(List<int[]> windows, Consumer<Activations> hook) {
        int batch = windows.size();
        int seq = frame.batchLength(windows, info == null ? Integer.MAX_VALUE : info.maxPositions());
        int[] real = new int[batch];
        long[] flat = frame.ids(windows, seq, real);
        long[][] ids = new long[batch][];
        long[][] mask = new long[batch][seq];
        for (int b = 0; b < batch; b++) {
            ids[b] = java.util.Arrays.copyOfRange(flat, b * seq, (b + 1) * seq);
            java.util.Arrays.fill(mask[b], 0, real[b], 1);
        }
        Map<String, OnnxTensor> feed = new HashMap<>();
        try {
            feed.put("input_ids", OnnxTensor.createTensor(env, ids));
            if (inputs.contains("attention_mask")) {
                feed.put("attention_mask", OnnxTensor.createTensor(env, mask));
            }
            if (inputs.contains("token_type_ids")) {
                feed.put("token_type_ids", OnnxTensor.createTensor(env, new long[batch][seq]));
            }
            try (OrtSession.Result result = session.run(feed, new LinkedHashSet<>(hooks))) {
                for (int l = 0; l < hooks.size(); l++) {
                    OnnxValue value = result.get(hooks.get(l)).orElseThrow();
                    long[] shape = ((OnnxTensor) value).getInfo().getShape();
                    if (shape.length != 3 || shape[0] != batch || shape[1] != seq) {
                        throw new ModelException("hook tensor " + hooks.get(l) + " has shape " + java.util.Arrays.toString(shape)
                                + ", expected [batch, sequence, neurons]");
                    }
                    hook.accept(buffer.take(((OnnxTensor) value).getFloatBuffer(), l, batch, seq, frame.prefix().length,
                            (int) shape[2]));
                }
            }
        } catch (OrtException e) {
            throw new ModelException("ONNX Runtime failed on a batch: " + e.getMessage(), e);
        } finally {
            feed.values().forEach(OnnxTensor::close);
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            // closing is best effort
        }
    }

}
