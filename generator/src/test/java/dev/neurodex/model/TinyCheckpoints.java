package dev.neurodex.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/** Tiny random checkpoints in the exact Hugging Face layout, for tests of the loading path users take. */
public final class TinyCheckpoints {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TinyCheckpoints() {}

    /** Random tensors with the given names and shapes, small enough that activations stay in a sane range. */
    public static Map<String, float[]> random(Map<String, long[]> shapes, long seed) {
        Random random = new Random(seed);
        Map<String, float[]> out = new LinkedHashMap<>();
        shapes.forEach((name, shape) -> {
            long size = 1;
            for (long d : shape) {
                size *= d;
            }
            float[] data = new float[(int) size];
            boolean norm = name.contains("ln_") || name.contains("LayerNorm") || name.contains("layernorm");
            for (int i = 0; i < data.length; i++) {
                data[i] = norm && name.endsWith("weight") ? 1 + 0.1f * (float) random.nextGaussian()
                        : 0.2f * (float) random.nextGaussian();
            }
            out.put(name, data);
        });
        return out;
    }

    /** Writes {@code model.safetensors} with DJL, as the Python ecosystem would read it. */
    public static void writeWithDjl(Path file, Map<String, long[]> shapes, Map<String, float[]> data, NDManager manager)
            throws IOException {
        NDList list = new NDList();
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            NDArray array = manager.create(data.get(e.getKey()), new Shape(e.getValue()));
            array.setName(e.getKey());
            list.add(array);
        }
        try (OutputStream out = Files.newOutputStream(file)) {
            list.encode(out, NDList.Encoding.SAFETENSORS);
        }
    }

    /** Writes safetensors by hand in BF16 (DJL cannot), keeping the top 16 bits of each float. */
    public static void writeBf16(Path file, Map<String, long[]> shapes, Map<String, float[]> data) throws IOException {
        Map<String, Object> header = new LinkedHashMap<>();
        long offset = 0;
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            long bytes = 2L * data.get(e.getKey()).length;
            header.put(e.getKey(), Map.of("dtype", "BF16", "shape", e.getValue(), "data_offsets", new long[] {offset, offset + bytes}));
            offset += bytes;
        }
        byte[] json = JSON.writeValueAsBytes(header);
        ByteBuffer buffer = ByteBuffer.allocate((int) (8 + json.length + offset)).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(json.length).put(json);
        for (String name : shapes.keySet()) {
            for (float f : data.get(name)) {
                buffer.putShort((short) (Float.floatToRawIntBits(f) >>> 16));
            }
        }
        Files.write(file, buffer.array());
    }

    /** Rounds every value to what BF16 keeps, so a reference computed from it matches the loaded model. */
    public static Map<String, float[]> toBf16(Map<String, float[]> data) {
        Map<String, float[]> out = new LinkedHashMap<>();
        data.forEach((name, values) -> {
            float[] r = new float[values.length];
            for (int i = 0; i < r.length; i++) {
                r[i] = Float.intBitsToFloat(Float.floatToRawIntBits(values[i]) & 0xFFFF0000);
            }
            out.put(name, r);
        });
        return out;
    }

    public static void writeConfig(Path dir, Map<String, Object> config) throws IOException {
        Files.write(dir.resolve("config.json"), JSON.writeValueAsBytes(config));
    }

    /** The MiniLM tokenizer.json (30,522 ids) stands in for the model's tokenizer. */
    public static void writeTokenizer(Path dir) throws IOException {
        try (InputStream in = TinyCheckpoints.class.getResourceAsStream("/all-minilm-l6-v2-tokenizer.json")) {
            Files.write(dir.resolve("tokenizer.json"), in.readAllBytes());
        }
    }

    /** A complete Hugging Face GPT-2 directory (config, safetensors, tokenizer) with random weights. */
    public static Path gpt2Directory(Path dir) throws IOException {
        Files.createDirectories(dir);
        Map<String, long[]> shapes = dev.neurodex.model.gpt2.Gpt2ModelTest.shapes("");
        try (NDManager manager = OfflineEngine.newManager(1)) {
            writeWithDjl(dir.resolve("model.safetensors"), shapes, random(shapes, 9), manager);
        }
        writeConfig(dir, dev.neurodex.model.gpt2.Gpt2ModelTest.config());
        writeTokenizer(dir);
        return dir;
    }
}
