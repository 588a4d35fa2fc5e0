package dev.neurodex.model.random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.neurodex.model.Activations;
import dev.neurodex.model.LoadedModel;
import dev.neurodex.model.ModelCatalog;
import dev.neurodex.model.OfflineEngine;
import dev.neurodex.tokenize.WindowTokenizer;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Random checkpoints load through the path users take, with GPT-2's own tokenization. */
class RandomCheckpointTest {
    @TempDir
    Path dir;

    @Test
    void theTokenizerIsGpt2s() throws Exception {
        RandomCheckpoint.write(new RandomCheckpoint.Shape("t", "gpt2", 1, 8, 2, 16, 64, 50257), 1, dir);
        try (WindowTokenizer tokenizer = WindowTokenizer.load(Files.newInputStream(dir.resolve("tokenizer.json")))) {
            // GPT-2's ids, as its published vocabulary has them.
            assertArrayEquals(new long[] {15496, 995}, tokenizer.ids("Hello world"));
            assertArrayEquals(new long[] {464, 1049}, tokenizer.ids("The great"));
            assertEquals(" world", tokenizer.token(995));
            assertEquals("<|endoftext|>", tokenizer.token(50256));
        }
    }

    @Test
    void bothFamiliesLoadAndRun() throws Exception {
        for (RandomCheckpoint.Shape shape : List.of(
                new RandomCheckpoint.Shape("tiny-gpt2", "gpt2", 2, 16, 2, 32, 64, 50257),
                new RandomCheckpoint.Shape("tiny-pythia", "gpt_neox", 2, 16, 2, 32, 64, 50304),
                // A Llama shape with a smaller vocabulary than GPT-2's: its tokenizer is GPT-2's cut to fit.
                new RandomCheckpoint.Shape("tiny-llama", "llama", 2, 16, 4, 32, 64, 1000, 2, false))) {
            Path d = dir.resolve(shape.name());
            RandomCheckpoint.write(shape, 7, d);
            byte[] first = Files.readAllBytes(d.resolve("model.safetensors"));
            RandomCheckpoint.write(shape, 7, d);
            assertArrayEquals(first, Files.readAllBytes(d.resolve("model.safetensors")), "same seed, same bytes");
            try (NDManager manager = OfflineEngine.newManager(1);
                 LoadedModel loaded = ModelCatalog.open(d.toString(), manager);
                 WindowTokenizer tokenizer = WindowTokenizer.load(new ByteArrayInputStream(loaded.tokenizerJson()))) {
                assertEquals(shape.family(), loaded.model().info().architecture());
                assertEquals(shape.parameters(), loaded.model().info().parameters());
                int[] ids = java.util.Arrays.stream(tokenizer.ids("Call me Ishmael.")).mapToInt(i -> (int) i).toArray();
                List<Activations> acts = loaded.model().run(List.of(ids));
                float max = Float.NEGATIVE_INFINITY;
                for (float v : acts.get(1).values()) {
                    assertTrue(Float.isFinite(v));
                    max = Math.max(max, v);
                }
                assertTrue(max > 0, shape.name() + ": some neuron fires");
            }
        }
    }

    /** Parameter counts of the published models these shapes stand for. */
    @Test
    void llamaShapesCountAsThePublishedModels() {
        assertEquals(134_515_008L, RandomCheckpoint.KNOWN.get("smollm-135m").parameters());
        assertEquals(1_100_048_384L, RandomCheckpoint.KNOWN.get("tinyllama-1.1b").parameters());
    }
}
