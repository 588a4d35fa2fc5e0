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
                Path file = shardFile(dir, index, shard);
                Safetensors.read(file, weights);
            }
            checksummed = index;
        } else {
            throw new ModelException(dir + ": no model.safetensors and no model.safetensors.index.json "
                    + "(only safetensors checkpoints are read; convert pytorch_model.bin first)");
        }
        return new HfCheckpoint(dir, config, weights, tokenizer, checksummed.getFileName().toString(), sha256(checksummed));
    }

    /** A shard must be a plain file name inside the model directory: an index may not point elsewhere. */
    private static Path shardFile(Path dir, Path index, String shard) {
        if (shard.isEmpty() || shard.contains("/") || shard.contains("\\") || shard.equals("..") || shard.equals(".")
                || shard.indexOf('\0') >= 0) {
            throw new ModelException(index + ": shard \"" + shard + "\" is not a file name inside " + dir);
        }
        Path file = dir.resolve(shard);
        if (!Files.isRegularFile(file)) {
            throw new ModelException(index + " names " + shard + ", which is missing");
        }
        try {
            if (!file.toRealPath().getParent().equals(dir.toRealPath())) {
                throw new ModelException(index + ": shard " + shard + " links outside " + dir);
            }
        } catch (IOException e) {
            throw new ModelException("cannot read " + file, e);
        }
        return file;
    }

    private static TreeSet<String> shards(Path index) {
        try {
            JsonNode map = JSON.readTree(index.toFile()).path("weight_map");
            TreeSet<String> files = new TreeSet<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
                JsonNode shard = it.next().getValue();
                if (!shard.isTextual()) {
                    throw new ModelException(index + ": weight_map holds " + shard + ", not a file name");
                }
                files.add(shard.asText());
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

    /** The largest size a config.json may give (a dimension, a layer count, a vocabulary or a context). */
    static final int MAX_SIZE = 1 << 24;

    /** A required size of config.json: an integer from 1 to {@value #MAX_SIZE}, or a clear error naming it. */
    public int sizeField(String name) {
        JsonNode v = config.get(name);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new ModelException(where(name) + " is missing or not an integer");
        }
        if (v.asInt() < 1 || v.asInt() > MAX_SIZE) {
            throw new ModelException(where(name) + " is " + v.asInt() + "; a size must be between 1 and " + MAX_SIZE);
        }
        return v.asInt();
    }

    public int sizeField(String name, int fallback) {
        JsonNode v = config.get(name);
        return v == null || v.isNull() ? fallback : sizeField(name);
    }

    /** A token id of config.json (BOS, CLS...): an integer within the vocabulary. */
    public int idField(String name, int fallback, int vocab) {
        JsonNode v = config.get(name);
        if (v == null || v.isNull()) {
            if (fallback >= vocab) {
                throw new ModelException(where(name) + " is not given and its default " + fallback
                        + " lies outside the vocabulary of " + vocab);
            }
            return fallback;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 0 || v.asInt() >= vocab) {
            throw new ModelException(where(name) + " is " + v + ", not a token id of the vocabulary (0 to " + (vocab - 1) + ")");
        }
        return v.asInt();
    }

    /** A real number of config.json within [min, max] (an epsilon must be positive: 0 or less makes NaNs). */
    public double doubleField(String name, double fallback, double min, double max) {
        JsonNode v = config.get(name);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isNumber() || !Double.isFinite(v.asDouble()) || v.asDouble() < min || v.asDouble() > max) {
            throw new ModelException(where(name) + " is " + v + "; expected a number from " + min + " to " + max);
        }
        return v.asDouble();
    }

    private String where(String field) {
        return dir.resolve("config.json") + ": \"" + field + "\"";
    }

    public String modelType() {
        return config.path("model_type").asText("");
    }
}
