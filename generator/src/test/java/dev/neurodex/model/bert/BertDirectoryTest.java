package dev.neurodex.model.bert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ai.djl.ndarray.NDManager;
import dev.neurodex.model.Activations;
import dev.neurodex.model.HostTensor;
import dev.neurodex.model.LoadedModel;
import dev.neurodex.model.ModelCatalog;
import dev.neurodex.model.OfflineEngine;
import dev.neurodex.model.StateDict;
import dev.neurodex.model.TinyCheckpoints;
import dev.neurodex.model.onnx.OnnxStateDict;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The BERT family from a Hugging Face directory: MiniLM's own weights saved as safetensors load to the same model. */
class BertDirectoryTest {
    @TempDir
    Path dir;

    @Test
    void miniLmAsAHuggingFaceDirectoryGivesTheSameActivations() throws Exception {
        StateDict weights = OnnxStateDict.read(
                OnnxStateDict.parse(new ByteArrayInputStream(ModelCatalog.defaultOnnxBytes()), "t"), "t");
        Map<String, long[]> shapes = new LinkedHashMap<>();
        Map<String, float[]> data = new LinkedHashMap<>();
        for (String name : weights.names()) {
            if (name.startsWith("onnx::")) {
                continue;
            }
            HostTensor t = weights.find(name);
            shapes.put(name, t.shape());
            data.put(name, t.data());
        }
        Path model = Files.createDirectories(dir.resolve("MiniLM-HF"));
        try (NDManager manager = OfflineEngine.newManager(2)) {
            TinyCheckpoints.writeWithDjl(model.resolve("model.safetensors"), shapes, data, manager);
            Map<String, Object> config = new LinkedHashMap<>();
            config.put("model_type", "bert");
            config.put("num_hidden_layers", 6);
            config.put("hidden_size", 384);
            config.put("num_attention_heads", 12);
            config.put("intermediate_size", 1536);
            config.put("vocab_size", 30522);
            config.put("max_position_embeddings", 512);
            config.put("type_vocab_size", 2);
            config.put("layer_norm_eps", 1e-12);
            TinyCheckpoints.writeConfig(model, config);
            TinyCheckpoints.writeTokenizer(model);
            List<int[]> windows = List.of(new int[] {2023, 2003, 1037, 3231}, new int[] {7592, 2088});
            try (LoadedModel fromDir = ModelCatalog.open(model.toString(), manager);
                 LoadedModel builtIn = ModelCatalog.open(ModelCatalog.DEFAULT, manager)) {
                assertEquals("minilm-hf", fromDir.model().info().slug());
                assertFalse(fromDir.model().info().causal());
                List<Activations> a = fromDir.model().run(windows);
                List<Activations> b = builtIn.model().run(windows);
                for (int l = 0; l < 6; l++) {
                    for (int i = 0; i < a.get(l).values().length; i++) {
                        assertEquals(b.get(l).values()[i], a.get(l).values()[i], 1e-6, "layer " + l);
                    }
                }
            }
        }
    }
}
