package dev.neurodex.scan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.neurodex.corpus.BadRecords;
import dev.neurodex.corpus.CorpusReader;
import dev.neurodex.model.Activations;
import dev.neurodex.model.HookedModel;
import dev.neurodex.model.LoadedModel;
import dev.neurodex.model.ModelCatalog;
import dev.neurodex.model.ModelInfo;
import dev.neurodex.model.OfflineEngine;
import dev.neurodex.model.WindowFrame;
import dev.neurodex.tokenize.WindowTokenizer;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A window runs in the same batch, with the same companions, whether the corpus is scanned whole or in parts cut
 * at pool boundaries: the engine's results depend on a batch's shape in their last bits, so parts merged into one
 * state give a whole scan's records only if they ran the whole scan's batches.
 */
class ScannerPoolsTest {
    @TempDir
    Path dir;

    /** The model, recording each batch it runs as its windows' ids. */
    private record Recording(HookedModel model, List<String> batches) implements HookedModel {
        @Override
        public ModelInfo info() {
            return model.info();
        }

        @Override
        public WindowFrame frame() {
            return model.frame();
        }

        @Override
        public void run(List<int[]> windows, Consumer<Activations> hook) {
            batches.add(windows.stream().map(Arrays::toString).collect(Collectors.joining(" | ")));
            model.run(windows, hook);
        }

        @Override
        public void close() {}
    }

    @Test
    void partsCutAtPoolsRunTheBatchesOfAWholeScan() throws Exception {
        String[] words = {"whale", "ship", "the", "sea", "captain", "rope", "storm", "deck", "harbor", "Ishmael"};
        Random random = new Random(5);
        StringBuilder lines = new StringBuilder();
        for (int d = 0; d < 40; d++) {
            StringBuilder text = new StringBuilder();
            for (int w = 20 + random.nextInt(400); w > 0; w--) {
                text.append(words[random.nextInt(words.length)]).append(' ');
            }
            lines.append("{\"text\": \"").append(text.toString().strip()).append("\"}\n");
        }
        Path corpus = Files.writeString(dir.resolve("c.jsonl"), lines);
        ScanConfig config = new ScanConfig(128, 5, 2, 0, ScanConfig.KEEP); // pools of 32 windows
        long pool = Scanner.poolWindows(config.batchSize());
        try (NDManager manager = OfflineEngine.newManager(1);
             LoadedModel loaded = ModelCatalog.open(ModelCatalog.DEFAULT, null, null, 1, manager);
             WindowTokenizer tokenizer = WindowTokenizer.load(loaded.tokenizerJson(), loaded.tokenizerName(), 100_000)) {
            Recording whole = new Recording(loaded.model(), new ArrayList<>());
            ScanResult all = new Scanner(whole, tokenizer, config).scan(reader(corpus), ScanProgress.NONE);
            assertTrue(all.windows() > 3 * pool, "enough windows for several pools: " + all.windows());

            Recording parts = new Recording(loaded.model(), new ArrayList<>());
            long[] cuts = {0, pool, 3 * pool, Long.MAX_VALUE};
            long windows = 0;
            for (int i = 0; i + 1 < cuts.length; i++) {
                windows += new Scanner(parts, tokenizer, config).scanPart(reader(corpus),
                        new Scanner.PartStart(0, 0, 0, cuts[i], cuts[i + 1])).windows();
            }
            assertEquals(all.windows(), windows);
            assertEquals(sorted(whole.batches()), sorted(parts.batches()));
        }
    }

    private static CorpusReader reader(Path corpus) {
        return new CorpusReader(List.of(corpus), new BadRecords(false, new PrintWriter(OutputStream.nullOutputStream())));
    }

    private static List<String> sorted(List<String> batches) {
        return batches.stream().sorted().toList();
    }
}
