package dev.neurodex.model.onnx;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.CodedInputStream;
import dev.neurodex.model.HostTensor;
import dev.neurodex.model.ModelException;
import dev.neurodex.model.StateDict;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads the weights an ONNX export stores as initializers, back into PyTorch names and layouts.
 *
 * <p>torch.onnx keeps the names of biases and LayerNorm weights, but renames each Linear weight to
 * {@code onnx::MatMul_NNN} and stores it transposed as [in, out]. The MatMul node that consumes it is still
 * named after the module ({@code /encoder/layer.0/intermediate/dense/MatMul}), so the PyTorch name is
 * recovered from the graph, never from the number.
 */
public final class OnnxStateDict {
    private OnnxStateDict() {}

    public static OnnxMl.ModelProto parse(InputStream in, String origin) {
        try {
            CodedInputStream coded = CodedInputStream.newInstance(in);
            coded.setSizeLimit(Integer.MAX_VALUE); // the weights make the message far larger than protobuf's default
            return OnnxMl.ModelProto.parseFrom(coded);
        } catch (IOException e) {
            throw new ModelException(origin + ": not a readable ONNX model (" + e.getMessage() + ")", e);
        }
    }

    public static StateDict read(OnnxMl.ModelProto model, String origin) {
        OnnxMl.GraphProto graph = model.getGraph();
        Map<String, String> renamed = linearWeightNames(graph);
        StateDict dict = new StateDict(origin);
        for (OnnxMl.TensorProto init : graph.getInitializerList()) {
            if (init.getDataType() != OnnxMl.TensorProto.DataType.FLOAT.getNumber()) {
                continue; // shape constants and the like, not weights
            }
            HostTensor tensor = new HostTensor(init.getName(), dims(init), floats(init));
            String torchName = renamed.get(init.getName());
            dict.put(torchName == null ? tensor : rename(tensor.transposed(), torchName));
        }
        return dict;
    }

    private static Map<String, String> linearWeightNames(OnnxMl.GraphProto graph) {
        Map<String, String> names = new HashMap<>();
        for (OnnxMl.NodeProto node : graph.getNodeList()) {
            if (node.getOpType().equals("MatMul") && node.getInputCount() == 2
                    && node.getInput(1).startsWith("onnx::MatMul") && node.getName().endsWith("/MatMul")) {
                String module = node.getName().substring(1, node.getName().length() - "/MatMul".length());
                names.put(node.getInput(1), module.replace('/', '.') + ".weight");
            }
        }
        return names;
    }

    private static HostTensor rename(HostTensor t, String name) {
        return new HostTensor(name, t.shape(), t.data());
    }

    private static long[] dims(OnnxMl.TensorProto init) {
        return init.getDimsList().stream().mapToLong(Long::longValue).toArray();
    }

    private static float[] floats(OnnxMl.TensorProto init) {
        if (!init.getRawData().isEmpty()) {
            ByteBuffer raw = init.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            float[] out = new float[raw.remaining() / Float.BYTES];
            raw.asFloatBuffer().get(out);
            return out;
        }
        float[] out = new float[init.getFloatDataCount()];
        for (int i = 0; i < out.length; i++) {
            out[i] = init.getFloatData(i);
        }
        return out;
    }
}
