package dev.neurodex.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.neurodex.build.BuildConfig;
import dev.neurodex.build.ScanStep;
import dev.neurodex.corpus.BadRecords;
import dev.neurodex.corpus.CorpusLimits;
import dev.neurodex.corpus.CorpusReader;
import dev.neurodex.model.LoadedModel;
import dev.neurodex.model.ModelCatalog;
import dev.neurodex.model.OfflineEngine;
import dev.neurodex.scan.CheckpointPolicy;
import dev.neurodex.scan.ScanConfig;
import dev.neurodex.scan.ScanProgress;
import dev.neurodex.scan.ScanResult;
import dev.neurodex.scan.TappedModel;
import dev.neurodex.tokenize.WindowTokenizer;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Spark scan against a local scan of the same corpus, state byte for byte: parts that start and end inside a
 * JSON Lines file, a text file in pieces and a tar's members, bad records on either side of a cut and a file of
 * nothing but bad records, a token budget that ends the scan in the middle, and a part whose first attempt fails.
 */
class SparkScanStepTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final CorpusLimits LIMITS = new CorpusLimits(CorpusLimits.DEFAULT.maxLineBytes(), 1000,
            CorpusLimits.DEFAULT.maxFileBytes(), CorpusLimits.DEFAULT.maxTarNameBytes(), false);

    /** Batches of 2 windows: pools of 32, so that this small corpus (~150 windows) makes several parts. */
    private static final int BATCH = 2;
    private static final java.io.StringWriter LOG = new java.io.StringWriter();

    @TempDir
    static Path dir;
    static Path corpus;
    static JavaSparkContext spark;
    static NDManager manager;
    static LoadedModel loaded;
    static WindowTokenizer tokenizer;
    static TappedModel model;

    @BeforeAll
    static void start() throws Exception {
        corpus = corpus(Files.createDirectories(dir.resolve("corpus")));
        // Two attempts per task: the retry test's part fails once.
        spark = new JavaSparkContext(new SparkConf().setMaster("local[2,2]").setAppName("neurodex-test")
                .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1"));
        OfflineEngine.configure();
        manager = OfflineEngine.newManager(1);
        loaded = ModelCatalog.open(ModelCatalog.DEFAULT, null, null, 1, manager);
        tokenizer = WindowTokenizer.load(loaded.tokenizerJson(), loaded.tokenizerName(), LIMITS.maxDocumentChars());
        model = TappedModel.open(loaded.model(), dev.neurodex.model.HookPoint.MLP_POST, List.of(), manager.newSubManager());
    }

    @AfterAll
    static void stop() {
        spark.close();
        tokenizer.close();
        loaded.close();
        manager.close();
    }

    private static String words(Random random, int n) {
        String[] words = {"whale", "ship", "the", "sea", "captain", "rope", "storm", "deck", "harbor", "Ishmael", "1851"};
        StringBuilder text = new StringBuilder();
        for (int w = 0; w < n; w++) {
            text.append(words[random.nextInt(words.length)]).append(w % 17 == 16 ? "\n" : " ");
        }
        return text.toString().strip();
    }

    private static String jsonl(Random random, int documents, int badAt) throws Exception {
        StringBuilder lines = new StringBuilder();
        for (int d = 0; d < documents; d++) {
            lines.append(JSON.writeValueAsString(Map.of("text", words(random, 3 + random.nextInt(250))))).append('\n');
            if (d % badAt == badAt - 1) {
                lines.append("{broken\n");
            }
        }
        return lines.toString();
    }

    private static Path corpus(Path corpus) throws Exception {
        Random random = new Random(7);
        Files.writeString(corpus.resolve("a.jsonl"), jsonl(random, 40, 9));
        Files.writeString(corpus.resolve("b.txt"), words(random, 1500)); // pieces of at most 1,000 characters
        Files.writeString(corpus.resolve("c-bad.jsonl"), "not json\n[1, 2]\n");
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(Files.newOutputStream(corpus.resolve("d.tar")))) {
            for (String member : List.of("x.jsonl", "y.jsonl")) {
                byte[] bytes = jsonl(random, 15, 6).getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry entry = new TarArchiveEntry(member);
                entry.setSize(bytes.length);
                tar.putArchiveEntry(entry);
                tar.write(bytes);
                tar.closeArchiveEntry();
            }
        }
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(gz)) {
            out.write(jsonl(random, 12, 100).getBytes(StandardCharsets.UTF_8));
        }
        Files.write(corpus.resolve("e.jsonl.gz"), gz.toByteArray());
        return corpus;
    }

    /**
     * A scan's outcome as the site sees it: every unit's statistics, extremes and samples (in the order records list
     * them; a heap's internal order may differ), the counts, the files listed and the bad records.
     */
    private record Outcome(List<String> state, long documents, long windows, long tokens, List<dev.neurodex.corpus.CorpusFile> files, long bad) {}

    private static Outcome scan(ScanStep step, long maxTokens) throws Exception {
        ScanConfig config = new ScanConfig(0, 5, BATCH, maxTokens, ScanConfig.KEEP).resolved(
                loaded.model().info().defaultContext());
        BadRecords bad = new BadRecords(false, new PrintWriter(OutputStream.nullOutputStream()));
        CorpusReader reader = new CorpusReader(List.of(corpus), LIMITS, bad);
        ScanResult r = step.scan(model, tokenizer, config, reader, bad, ScanProgress.NONE, CheckpointPolicy.NONE, null);
        return new Outcome(units(r.aggregate()), r.documents(), r.windows(), r.tokens(),
                reader.files(), bad.count());
    }

    private static List<String> units(dev.neurodex.aggregate.ModelAggregate state) {
        List<String> out = new java.util.ArrayList<>();
        for (dev.neurodex.aggregate.LayerAggregate layer : state.layers()) {
            for (int n = 0; n < layer.neurons(); n++) {
                out.add("L" + layer.layer() + "N" + n + " " + layer.stats(n) + " top " + entries(layer.top(n)) + " bottom "
                        + entries(layer.bottom(n)) + " histogram " + java.util.Arrays.toString(layer.histogram(n))
                        + " intervals " + layer.intervals(n).stream().map(i -> i.low() + ".." + i.high() + " x"
                                + i.windows() + " " + entries(i.samples())).toList());
            }
        }
        return out;
    }

    private static String entries(List<dev.neurodex.aggregate.TopEntry> entries) {
        return entries.stream().map(e -> e.score() + "@" + e.window() + "+" + e.start() + java.util.Arrays.toString(e.values()))
                .toList().toString();
    }

    private static ScanStep spark(int parts, long maxTokens) {
        BuildConfig build = new BuildConfig(ModelCatalog.DEFAULT, null, null, List.of(corpus), LIMITS, dir.resolve("out"),
                new ScanConfig(0, 5, BATCH, maxTokens, ScanConfig.KEEP), 1, false, 0, false);
        return new SparkScanStep(spark, build, parts, new PrintWriter(LOG, true));
    }

    private static void assertSame(Outcome local, Outcome distributed) {
        assertEquals(local.files(), distributed.files());
        assertEquals(List.of(local.documents(), local.windows(), local.tokens(), local.bad()),
                List.of(distributed.documents(), distributed.windows(), distributed.tokens(), distributed.bad()));
        for (int i = 0; i < local.state().size(); i++) {
            assertEquals(local.state().get(i), distributed.state().get(i), "the merged state is the local scan's");
        }
        assertEquals(local.state().size(), distributed.state().size());
    }

    private static Outcome whole;

    /** The local scan of the whole corpus, done once. */
    private static synchronized Outcome whole() throws Exception {
        if (whole == null) {
            whole = scan(ScanStep.LOCAL, 0);
        }
        return whole;
    }

    @Test
    void partsCutInsideFilesMergeIntoTheLocalState() throws Exception {
        Outcome local = whole();
        assertEquals(5, local.files().size());
        assertEquals(4 + 2 + 2 + 2, local.bad(), "4 in a.jsonl, 2 in c-bad.jsonl, 2 in each member of d.tar");
        for (int parts : new int[] {1, 3, 7}) {
            LOG.getBuffer().setLength(0);
            assertSame(local, scan(spark(parts, 0), 0));
            // Pools of 32 windows: 7 parts asked for, 6 made (the corpus's windows cut at multiples of 32).
            assertTrue(LOG.toString().contains(" in " + (parts == 7 ? 6 : parts) + " parts"), LOG.toString());
        }
    }

    @Test
    void aBudgetEndsTheScanWhereALocalScanEndsIt() throws Exception {
        long total = whole().tokens();
        long budget = total * 3 / 5;
        Outcome local = scan(ScanStep.LOCAL, budget);
        assertEquals(budget, local.tokens());
        assertTrue(local.files().stream().anyMatch(f -> !f.complete()), "a file cut short: " + local.files());
        assertSame(local, scan(spark(4, budget), budget));
    }

    @Test
    void aRetriedPartGivesTheSameState() throws Exception {
        java.util.concurrent.atomic.AtomicInteger failed = new java.util.concurrent.atomic.AtomicInteger();
        org.apache.spark.scheduler.SparkListener listener = new org.apache.spark.scheduler.SparkListener() {
            @Override
            public void onTaskEnd(org.apache.spark.scheduler.SparkListenerTaskEnd end) {
                if (!(end.reason() instanceof org.apache.spark.Success$)) {
                    failed.incrementAndGet();
                }
            }
        };
        spark.sc().addSparkListener(listener);
        System.setProperty(PartJob.FAIL_ONCE, "1");
        try {
            assertSame(whole(), scan(spark(3, 0), 0));
        } finally {
            System.clearProperty(PartJob.FAIL_ONCE);
            spark.sc().removeSparkListener(listener);
        }
        assertEquals(1, failed.get(), "one task failed and was retried");
    }
}
