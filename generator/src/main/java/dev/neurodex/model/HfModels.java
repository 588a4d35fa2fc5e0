package dev.neurodex.model;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.neurodex.model.bert.BertConfig;
import dev.neurodex.model.bert.BertModel;
import dev.neurodex.model.gpt2.Gpt2Config;
import dev.neurodex.model.gpt2.Gpt2Model;
import dev.neurodex.model.hf.HfCheckpoint;
import dev.neurodex.model.llama.LlamaConfig;
import dev.neurodex.model.llama.LlamaModel;
import dev.neurodex.model.neox.NeoxConfig;
import dev.neurodex.model.neox.NeoxModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Iterator;
import java.util.Map;
import org.apache.commons.codec.digest.DigestUtils;

/** The registry of model families a Hugging Face directory may hold, keyed by config.json's model_type. */
final class HfModels {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** How one family turns a checkpoint into a model; one entry per family, nothing else to change. */
    private interface Family {
        HookedModel open(HfCheckpoint checkpoint, String slug, NDManager manager);
    }

    private static final Map<String, Family> FAMILIES = Map.of(
            "gpt_neox", (c, slug, m) -> {
                NeoxConfig config = NeoxConfig.of(c);
                checkVocabulary(c, config.vocab());
                return new NeoxModel(config, c.weights(), new ModelInfo(slug, "gpt_neox", config.layers(), config.hidden(),
                        config.intermediate(), config.positions(), true, c.weights().parameterCount(),
                        c.dir().toString(), c.sha256()), m);
            },
            "gpt2", (c, slug, m) -> {
                Gpt2Config config = Gpt2Config.of(c);
                checkVocabulary(c, config.vocab());
                return new Gpt2Model(config, c.weights(), new ModelInfo(slug, "gpt2", config.layers(), config.embed(), config.inner(),
                        config.positions(), true, c.weights().parameterCount(), c.dir().toString(), c.sha256()), m);
            },
            "llama", (c, slug, m) -> llama(c, slug, m, LlamaConfig.Variant.LLAMA),
            "mistral", (c, slug, m) -> llama(c, slug, m, LlamaConfig.Variant.MISTRAL),
            "qwen2", (c, slug, m) -> llama(c, slug, m, LlamaConfig.Variant.QWEN2),
            "gemma", (c, slug, m) -> llama(c, slug, m, LlamaConfig.Variant.GEMMA),
            "gemma2", (c, slug, m) -> llama(c, slug, m, LlamaConfig.Variant.GEMMA2),
            "bert", (c, slug, m) -> {
                BertConfig config = new BertConfig(c.sizeField("num_hidden_layers"), c.sizeField("hidden_size"),
                        c.sizeField("num_attention_heads"), c.sizeField("intermediate_size"), c.sizeField("vocab_size"),
                        c.sizeField("max_position_embeddings"), c.sizeField("type_vocab_size", 2),
                        (float) c.doubleField("layer_norm_eps", 1e-12, 1e-30, 1));
                if (config.hidden() % config.heads() != 0) {
                    throw new ModelException(c.dir().resolve("config.json") + ": hidden_size " + config.hidden()
                            + " is not a multiple of num_attention_heads " + config.heads());
                }
                checkVocabulary(c, config.vocab());
                String prefix = c.weights().contains("bert.embeddings.word_embeddings.weight") ? "bert." : "";
                int cls = c.idField("cls_token_id", 101, config.vocab());
                int sep = c.idField("sep_token_id", 102, config.vocab());
                int pad = c.idField("pad_token_id", 0, config.vocab());
                return new BertModel(config, c.weights(), prefix,
                        new ModelInfo(slug, "bert", config.layers(), config.hidden(), config.intermediate(), config.maxPositions(), false,
                                c.weights().parameterCount(), c.dir().toString(), c.sha256()),
                        new WindowFrame(new int[] {cls}, new int[] {sep}, pad), m);
            });

    private HfModels() {}

    private static HookedModel llama(HfCheckpoint c, String slug, NDManager m, LlamaConfig.Variant variant) {
        LlamaConfig config = LlamaConfig.of(c, variant);
        checkVocabulary(c, config.vocab());
        return new LlamaModel(config, c.weights(), new ModelInfo(slug, c.modelType(), config.layers(), config.hidden(),
                config.intermediate(), config.positions(), true, c.weights().parameterCount(), c.dir().toString(),
                c.sha256()), m);
    }

    static LoadedModel open(HfCheckpoint c, String slug, NDManager manager) {
        Family family = FAMILIES.get(c.modelType());
        if (family == null) {
            throw new ModelException(c.dir().resolve("config.json") + ": model_type \"" + c.modelType()
                    + "\" is not supported (supported: " + String.join(", ", new java.util.TreeSet<>(FAMILIES.keySet())) + ")");
        }
        byte[] tokenizer;
        try {
            tokenizer = Files.readAllBytes(c.tokenizer());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        HookedModel model = family.open(c, slug, manager);
        return new LoadedModel(model, tokenizer, c.dir().getFileName() + "/tokenizer.json", DigestUtils.sha256Hex(tokenizer));
    }

    /** Every id the tokenizer can produce must have a row in the embedding. */
    private static void checkVocabulary(HfCheckpoint c, int embeddingRows) {
        int maxId = -1;
        try {
            JsonNode tokenizer = JSON.readTree(c.tokenizer().toFile());
            JsonNode vocab = tokenizer.path("model").path("vocab");
            if (vocab.isObject()) {
                for (Iterator<JsonNode> it = vocab.elements(); it.hasNext(); ) {
                    maxId = Math.max(maxId, it.next().asInt());
                }
            } else if (vocab.isArray()) {
                maxId = vocab.size() - 1;
            }
            for (JsonNode added : tokenizer.path("added_tokens")) {
                maxId = Math.max(maxId, added.path("id").asInt());
            }
        } catch (IOException e) {
            throw new ModelException(c.tokenizer() + ": not readable JSON (" + e.getMessage() + ")", e);
        }
        if (maxId >= embeddingRows) {
            throw new ModelException(c.tokenizer() + " produces token ids up to " + maxId + " but the model's embedding has "
                    + embeddingRows + " rows (vocab_size): the tokenizer does not belong to this model");
        }
    }
}
