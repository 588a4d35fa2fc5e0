package dev.neurodex.model.hf;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.neurodex.model.ModelException;
import dev.neurodex.model.StateDict;
import dev.neurodex.model.TinyCheckpoints;
import dev.neurodex.model.gpt2.Gpt2Config;
import dev.neurodex.model.gpt2.Gpt2ModelTest;
import dev.neurodex.tokenize.TokenizerException;
import dev.neurodex.tokenize.WindowTokenizer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Model directories built to break the loader: each is one clear error naming the file and the field or tensor. */
class HostileModelTest {
    @TempDir
    Path dir;

    /** A safetensors file with this header (JSON text) and {@code data} bytes of zeros after it. */
    private Path safetensors(String header, int data) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + json.length + data).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(json.length).put(json);
        Path file = dir.resolve("t" + System.nanoTime() + ".safetensors");
        Files.write(file, b.array());
        return file;
    }

    private void refused(String header, int data, String expected) throws IOException {
        Path file = safetensors(header, data);
        String m = assertThrows(ModelException.class, () -> Safetensors.read(file, new StateDict("x"))).getMessage();
        assertTrue(m.contains(file.toString()) && m.contains(expected), m);
    }

    @Test
    void safetensorsHeadersAreCheckedBeforeAnyByteIsRead() throws IOException {
        refused("{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [-8, 0]}}", 8, "outside the data section");
        refused("{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 9223372036854775807]}}", 8,
                "outside the data section");
        refused("{\"a\": {\"dtype\": \"F32\", \"shape\": [2]}}", 8, "tensor a: \"data_offsets\" must be two integers");
        refused("{\"a\": [1, 2]}", 8, "tensor a: its header entry is not an object");
        refused("{\"a\": {\"dtype\": \"F32\", \"shape\": [-1], \"data_offsets\": [0, 8]}}", 8, "holds -1, not a size");
        refused("{\"a\": {\"dtype\": \"F32\", \"shape\": [65536, 65536], \"data_offsets\": [0, 8]}}", 8,
                "more than 2147483639 elements");
        refused("{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}, "
                + "\"b\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [4, 12]}}", 12, "tensors a and b overlap");
        refused("{\"a\": {\"dtype\": \"F32\", \"shape\": [3], \"data_offsets\": [0, 8]}}", 8, "needs 12");
        refused("{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}, "
                + "\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}}", 8, "Duplicate field 'a'");
        refused("{\"a\": ", 8, "not valid JSON");
        refused("[1]", 8, "not a JSON object");
    }

    @Test
    void shardsMustStayInsideTheModelDirectory() throws IOException {
        Path model = TinyCheckpoints.gpt2Directory(dir.resolve("model"));
        Path other = TinyCheckpoints.gpt2Directory(dir.resolve("other"));
        Files.move(model.resolve("model.safetensors"), model.resolve("model-00001-of-00001.safetensors"));
        for (String shard : new String[] {"../other/model.safetensors", other.resolve("model.safetensors").toString()}) {
            Files.writeString(model.resolve("model.safetensors.index.json"),
                    "{\"weight_map\": {\"wte.weight\": " + new ObjectMapper().writeValueAsString(shard) + "}}");
            String m = assertThrows(ModelException.class, () -> HfCheckpoint.read(model)).getMessage();
            assertTrue(m.contains("is not a file name inside"), m);
        }
        Files.createSymbolicLink(model.resolve("linked.safetensors"), other.resolve("model.safetensors"));
        Files.writeString(model.resolve("model.safetensors.index.json"), "{\"weight_map\": {\"wte.weight\": \"linked.safetensors\"}}");
        String m = assertThrows(ModelException.class, () -> HfCheckpoint.read(model)).getMessage();
        assertTrue(m.contains("links outside"), m);
    }

    @Test
    void configSizesAndIdsAreValidated() throws IOException {
        Path model = TinyCheckpoints.gpt2Directory(dir.resolve("model"));
        Object[][] cases = {
            {"n_layer", 0, "\"n_layer\" is 0; a size must be between 1"},
            {"n_head", 0, "\"n_head\" is 0"},
            {"n_positions", 0, "\"n_positions\" is 0"},
            {"n_embd", -1, "\"n_embd\" is -1"},
            {"n_embd", "64", "\"n_embd\" is missing or not an integer"},
            {"bos_token_id", 1 << 20, "not a token id of the vocabulary"},
            {"layer_norm_epsilon", -1e-5, "\"layer_norm_epsilon\" is -1.0E-5"},
        };
        for (Object[] c : cases) {
            Map<String, Object> config = new LinkedHashMap<>(Gpt2ModelTest.config());
            config.put((String) c[0], c[1]);
            TinyCheckpoints.writeConfig(model, config);
            HfCheckpoint checkpoint = HfCheckpoint.read(model);
            String m = assertThrows(ModelException.class, () -> Gpt2Config.of(checkpoint)).getMessage();
            assertTrue(m.contains("config.json") && m.contains((String) c[2]), c[0] + ": " + m);
        }
    }

    @Test
    void aTokenizerFileMustBeATokenizerThatCannotExplode() {
        String m = assertThrows(TokenizerException.class, () -> WindowTokenizer.load(
                "{\"name\": \"not a tokenizer\"}".getBytes(StandardCharsets.UTF_8), "m/tokenizer.json", 1_000_000)).getMessage();
        assertTrue(m.contains("m/tokenizer.json: not a Hugging Face tokenizer"), m);
        String bomb = "{\"normalizer\": {\"type\": \"Replace\", \"pattern\": {\"String\": \"a\"}, \"content\": \""
                + "a".repeat(500) + "\"}, \"model\": {\"type\": \"WordLevel\", \"vocab\": {\"a\": 0}, \"unk_token\": \"a\"}}";
        m = assertThrows(TokenizerException.class, () -> WindowTokenizer.load(bomb.getBytes(StandardCharsets.UTF_8),
                "m/tokenizer.json", 1_000_000)).getMessage();
        assertTrue(m.contains("may make a text up to 500 times longer"), m);
        m = assertThrows(TokenizerException.class, () -> WindowTokenizer.load(
                "{\"model\": {\"type\": \"WordLevel\", \"vocab\": 7}}".getBytes(StandardCharsets.UTF_8),
                "m/tokenizer.json", 1000)).getMessage();
        assertTrue(m.startsWith("m/tokenizer.json: the tokenizer library refuses it"), m);
    }
}
