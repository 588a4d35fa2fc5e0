package dev.neurodex.model.hf;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.neurodex.model.HostTensor;
import dev.neurodex.model.ModelException;
import dev.neurodex.model.StateDict;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Reads a .safetensors file into float32 host tensors. Written here rather than through DJL because DJL
 * crashes the JVM on BF16, the dtype most recent checkpoints use: F16 and BF16 are widened to F32 on load.
 * Format: an 8-byte little-endian header length, a JSON header naming each tensor's dtype, shape and byte
 * range, then the raw little-endian data.
 */
public final class Safetensors {
    /** Duplicate tensor names in a header are an error, not "the last one wins". */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    /** The largest Java array, which holds a tensor once it is read. */
    private static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    private Safetensors() {}

    /** Writes F32 tensors (name → shape, name → data, in the maps' order), as safetensors' save_file does. */
    public static void write(Path file, Map<String, long[]> shapes, Map<String, float[]> data) throws java.io.IOException {
        Map<String, Object> header = new java.util.LinkedHashMap<>();
        long offset = 0;
        for (Map.Entry<String, long[]> t : shapes.entrySet()) {
            long bytes = 4L * data.get(t.getKey()).length;
            header.put(t.getKey(), Map.of("dtype", "F32", "shape", t.getValue(), "data_offsets", List.of(offset, offset + bytes)));
            offset += bytes;
        }
        byte[] text = JSON.writeValueAsBytes(header);
        int padded = (text.length + 7) / 8 * 8;
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(8 + padded + offset)).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(padded).put(text);
        for (int i = text.length; i < padded; i++) {
            out.put((byte) ' ');
        }
        int at = 8 + padded;
        for (String name : shapes.keySet()) {
            out.position(at);
            out.asFloatBuffer().put(data.get(name));
            at += 4 * data.get(name).length;
        }
        java.nio.file.Files.write(file, out.array());
    }

    public static void read(Path file, StateDict into) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer size = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, size, 0);
            long headerLength = size.flip().getLong();
            if (headerLength <= 0 || headerLength > 100_000_000 || 8 + headerLength > channel.size()) {
                throw new ModelException(file + ": not a safetensors file (header length " + headerLength + ")");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLength);
            readFully(channel, header, 8);
            JsonNode tensors;
            try {
                tensors = JSON.readTree(header.array());
            } catch (JsonProcessingException e) {
                throw new ModelException(file + ": the header is not valid JSON (" + e.getOriginalMessage() + ")");
            }
            if (tensors == null || !tensors.isObject()) {
                throw new ModelException(file + ": the header is not a JSON object");
            }
            long dataStart = 8 + headerLength;
            List<Entry> entries = new ArrayList<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = tensors.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> entry = it.next();
                if (!entry.getKey().equals("__metadata__")) {
                    entries.add(entry(file, entry.getKey(), entry.getValue(), channel.size() - dataStart));
                }
            }
            checkDisjoint(file, entries);
            for (Entry e : entries) {
                into.put(tensor(channel, dataStart, e));
            }
        } catch (IOException e) {
            throw new ModelException(file + ": cannot read safetensors (" + e.getMessage() + ")", e);
        }
    }

    /** One header entry, checked: dtype known, shape non-negative with a product that fits an array, range in the data. */
    private record Entry(String name, String dtype, long[] shape, int count, long begin, long end) {}

    private static Entry entry(Path file, String name, JsonNode info, long dataLength) {
        String where = file + ": tensor " + name;
        if (!info.isObject()) {
            throw new ModelException(where + ": its header entry is not an object");
        }
        JsonNode dtypeNode = info.get("dtype");
        JsonNode shapeNode = info.get("shape");
        JsonNode offsets = info.get("data_offsets");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw new ModelException(where + ": no \"dtype\" string");
        }
        if (shapeNode == null || !shapeNode.isArray()) {
            throw new ModelException(where + ": no \"shape\" array");
        }
        if (offsets == null || !offsets.isArray() || offsets.size() != 2 || !offsets.get(0).canConvertToLong()
                || !offsets.get(1).canConvertToLong() || !offsets.get(0).isIntegralNumber() || !offsets.get(1).isIntegralNumber()) {
            throw new ModelException(where + ": \"data_offsets\" must be two integers [begin, end]");
        }
        String dtype = dtypeNode.asText();
        int width = switch (dtype) {
            case "F32" -> 4;
            case "F16", "BF16" -> 2;
            default -> throw new ModelException(where + " has dtype " + dtype
                    + "; only F32, F16 and BF16 weights are supported");
        };
        long[] shape = new long[shapeNode.size()];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToLong() || d.asLong() < 0) {
                throw new ModelException(where + ": shape " + shapeNode + " holds " + d + ", not a size");
            }
            shape[i] = d.asLong();
            count = shape[i] == 0 ? 0 : count > MAX_ELEMENTS / shape[i] ? MAX_ELEMENTS + 1 : count * shape[i];
        }
        if (count > MAX_ELEMENTS) {
            throw new ModelException(where + ": shape " + shapeNode + " has more than " + MAX_ELEMENTS + " elements");
        }
        long begin = offsets.get(0).asLong();
        long end = offsets.get(1).asLong();
        if (begin < 0 || end < begin || end > dataLength) {
            throw new ModelException(where + ": data_offsets [" + begin + ", " + end + "] lie outside the data section (0 to "
                    + dataLength + " bytes)");
        }
        if (end - begin != count * width) {
            throw new ModelException(where + ": data_offsets [" + begin + ", " + end + "] hold " + (end - begin)
                    + " bytes, but shape " + shapeNode + " of " + dtype + " needs " + count * width);
        }
        return new Entry(name, dtype, shape, (int) count, begin, end);
    }

    /** Two tensors may not share bytes: a crafted file could otherwise make one weight alias another. */
    private static void checkDisjoint(Path file, List<Entry> entries) {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        for (int i = 1; i < sorted.size(); i++) {
            Entry a = sorted.get(i - 1);
            Entry b = sorted.get(i);
            if (b.begin() < a.end()) {
                throw new ModelException(file + ": tensors " + a.name() + " and " + b.name() + " overlap in the data section");
            }
        }
    }

    private static HostTensor tensor(FileChannel channel, long dataStart, Entry e) throws IOException {
        ByteBuffer raw = channel.map(FileChannel.MapMode.READ_ONLY, dataStart + e.begin(), e.end() - e.begin())
                .order(ByteOrder.LITTLE_ENDIAN);
        float[] data = new float[e.count()];
        switch (e.dtype()) {
            case "F32" -> raw.asFloatBuffer().get(data);
            case "BF16" -> {
                for (int i = 0; i < data.length; i++) {
                    data[i] = Float.intBitsToFloat((raw.getShort(2 * i) & 0xFFFF) << 16);
                }
            }
            default -> {
                for (int i = 0; i < data.length; i++) {
                    data[i] = halfToFloat(raw.getShort(2 * i));
                }
            }
        }
        return new HostTensor(e.name(), e.shape(), data);
    }

    /** IEEE 754 half precision to float (Java 17 has no Float.float16ToFloat). */
    static float halfToFloat(short half) {
        int h = half & 0xFFFF;
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1F;
        int mantissa = h & 0x3FF;
        if (exp == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mantissa << 13)); // inf or NaN
        }
        if (exp == 0) {
            float value = mantissa * 0x1p-24f; // zero or subnormal
            return sign == 0 ? value : -value;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mantissa << 13));
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw new IOException("unexpected end of file");
            }
        }
    }
}
