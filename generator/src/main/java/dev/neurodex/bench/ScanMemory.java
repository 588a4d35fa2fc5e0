package dev.neurodex.bench;

import ai.djl.ndarray.NDManager;
import dev.neurodex.corpus.BadRecords;
import dev.neurodex.corpus.CorpusReader;
import dev.neurodex.model.LoadedModel;
import dev.neurodex.model.ModelCatalog;
import dev.neurodex.model.OfflineEngine;
import dev.neurodex.scan.ScanConfig;
import dev.neurodex.scan.ScanProgress;
import dev.neurodex.scan.Scanner;
import dev.neurodex.tokenize.WindowTokenizer;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A child process of the benchmark: scans the corpus listed {@code repeat} times (a corpus that many times
 * longer) up to {@code repeat × tokens} tokens and prints its peak resident memory (VmHWM), which a process
 * cannot reset, hence one process per measurement.
 * Arguments: model, corpus, tokens, repeat, context, batch size, threads, hook point, SAE directories.
 */
public final class ScanMemory {
    private ScanMemory() {}

    public static void main(String[] args) throws Exception {
        OfflineEngine.configure();
        String model = args[0];
        Path corpus = Path.of(args[1]);
        long tokens = Long.parseLong(args[2]);
        int repeat = Integer.parseInt(args[3]);
        List<Path> roots = new ArrayList<>();
        for (int i = 0; i < repeat; i++) {
            roots.add(corpus);
        }
        try (NDManager manager = OfflineEngine.newManager(Integer.parseInt(args[6]));
             LoadedModel loaded = ModelCatalog.open(model, manager);
             WindowTokenizer tokenizer = WindowTokenizer.load(new ByteArrayInputStream(loaded.tokenizerJson()));
             NDManager saeWeights = manager.newSubManager()) {
            List<Path> saes = java.util.Arrays.stream(args).skip(8).map(Path::of).toList();
            var tapped = dev.neurodex.scan.TappedModel.open(loaded.model(), dev.neurodex.model.HookPoint.named(args[7]), saes,
                    saeWeights);
            ScanConfig config = new ScanConfig(Integer.parseInt(args[4]), 20, Integer.parseInt(args[5]), tokens * repeat, ScanConfig.KEEP)
                    .resolved(loaded.model().info().defaultContext());
            new Scanner(tapped, tokenizer, config)
                    .scan(new CorpusReader(roots, new BadRecords(false, new PrintWriter(System.err, true))), ScanProgress.NONE);
        }
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                System.out.println(line.replaceAll("\\D+", "")); // kB
            }
        }
    }
}
