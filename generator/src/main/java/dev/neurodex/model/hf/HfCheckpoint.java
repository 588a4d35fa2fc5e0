package dev.neurodex.model.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.neurodex.model.ModelException;
import dev.neurodex.model.StateDict;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeSet;
import org.apache.commons.codec.digest.DigestUtils;

/**
 * A Hugging Face model directory as users download it: {@code config.json}, {@code model.safetensors} or
 * sharded {@code model-0000N-of-0000M.safetensors} with {@code model.safetensors.index.json}, and
 * {@code tokenizer.json}.
 *
 * @param sha256 checksum of the weights: of the single file, or of the index of a sharded checkpoint
 */
public record HfCheckpoint(Path dir, JsonNode config, StateDict weights, Path tokenizer, String weightsFile,
                           String sha256) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static boolean looksLikeOne(Path dir) {
        return Files.isDirectory(dir) && Files.isRegularFile(dir.resolve("config.json"));
    }

    public static HfCheckpoint read(Path dir) {
        Path configFile = dir.resolve("config.json");
        JsonNode config;
        try {
            config = JSON.readTree(configFile.toFile());
        } catch (IOException e) {
            throw new ModelException(configFile + ": not readable JSON (" + e.getMessage() + ")", e);
        }
        Path tokenizer = dir.resolve("tokenizer.json");
        if (!Files.isRegularFile(tokenizer)) {
            throw new ModelException(dir + ": no tokenizer.json (neurodex needs the fast-tokenizer file)");
        }
        StateDict weights = new StateDict(dir.toString());
        Path single = dir.resolve("model.safetensors");
        Path index = dir.resolve("model.safetensors.index.json");
        Path checksummed;
        if (Files.isRegularFile(single)) {
            Safetensors.read(single, weights);
            checksummed = single;
        } else if (Files.isRegularFile(index)) {
            for (String shard : shards(index)) {
                Path file = dir.resolve(shard);
                if (!Files.isRegularFile(file)) {
                    throw new ModelException(index + " names " + shard + ", which is missing");
                }
                Safetensors.read(file, weights);
            }
            checksummed = index;
        } else {
            throw new ModelException(dir + ": no model.safetensors and no model.safetensors.index.json "
                    + "(only safetensors checkpoints are read; convert pytorch_model.bin first)");
        }
        return new HfCheckpoint(dir, config, weights, tokenizer, checksummed.getFileName().toString(), sha256(checksummed));
    }

    private static TreeSet<String> shards(Path index) {
        try {
            JsonNode map = JSON.readTree(index.toFile()).path("weight_map");
            TreeSet<String> files = new TreeSet<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
                files.add(it.next().getValue().asText());
            }
            if (files.isEmpty()) {
                throw new ModelException(index + ": no weight_map");
            }
            return files;
        } catch (IOException e) {
            throw new ModelException(index + ": not readable JSON (" + e.getMessage() + ")", e);
        }
    }

    private static String sha256(Path file) {
        try (var in = Files.newInputStream(file)) {
            return DigestUtils.sha256Hex(in);
        } catch (IOException e) {
            throw new ModelException("cannot read " + file, e);
        }
    }

    /** A required integer of config.json, or a clear error naming it. */
    public int intField(String name) {
        JsonNode v = config.get(name);
        if (v == null || !v.canConvertToInt()) {
            throw new ModelException(dir.resolve("config.json") + ": missing or non-integer \"" + name + "\"");
        }
        return v.asInt();
    }

    public int intField(String name, int fallback) {
        JsonNode v = config.get(name);
        return v == null || v.isNull() ? fallback : intField(name);
    }

    public double doubleField(String name, double fallback) {
        JsonNode v = config.get(name);
        return v == null || v.isNull() ? fallback : v.asDouble();
    }

    public String modelType() {
        return config.path("model_type").asText("");
    }
}
