package dev.neurodex.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.neurodex.build.BuildConfig;
import dev.neurodex.build.SiteBuild;
import dev.neurodex.cli.Main;
import dev.neurodex.corpus.CorpusLimits;
import dev.neurodex.model.ModelCatalog;
import dev.neurodex.scan.ScanConfig;
import dev.neurodex.scan.ScanProgress;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The scan on Spark in local[2], the corpus in several parts: every record as a local build writes it. */
class SparkBuildTest {
    @TempDir
    Path dir;

    private static final ObjectMapper JSON = new ObjectMapper();

    private Path corpus() throws Exception {
        Path corpus = Files.createDirectories(dir.resolve("corpus"));
        String[] words = {"whale", "ship", "the", "sea", "captain", "rope", "storm", "deck", "harbor", "Ishmael", "1851"};
        java.util.Random random = new java.util.Random(4);
        for (int f = 0; f < 5; f++) {
            StringBuilder lines = new StringBuilder();
            for (int d = 0; d < 12; d++) {
                StringBuilder text = new StringBuilder();
                for (int w = 3 + random.nextInt(150); w > 0; w--) {
                    text.append(words[random.nextInt(words.length)]).append(' ');
                }
                lines.append(JSON.writeValueAsString(Map.of("text", text.toString().strip()))).append('\n');
                if (f == 2 && d == 5) {
                    lines.append("{broken\n"); // a bad record, counted across parts as locally
                }
            }
            Files.writeString(corpus.resolve("part-" + f + ".jsonl"), lines);
        }
        return corpus;
    }

    @Test
    void aScanInSeveralPartsWritesTheRecordsOfALocalBuild() throws Exception {
        Path corpus = corpus();
        Path local = dir.resolve("local");
        assertEquals(0, Main.execute("build", "--corpus", corpus.toString(), "--out", local.toString(), "--quiet",
                "--threads", "1", "--top-k", "5", "--batch-size", "2"));

        Path distributed = dir.resolve("spark");
        BuildConfig config = new BuildConfig(ModelCatalog.DEFAULT, null, null, List.of(corpus), CorpusLimits.DEFAULT,
                distributed, new ScanConfig(0, 5, 2, 0, ScanConfig.KEEP), 1, false, 0, false);
        SparkConf conf = new SparkConf().setMaster("local[2]").setAppName("neurodex-test").set("spark.ui.enabled", "false")
                .set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1");
        PrintWriter log = new PrintWriter(System.err, true);
        try (JavaSparkContext spark = new JavaSparkContext(conf)) {
            SparkScanStep scan = new SparkScanStep(spark, config, 5, log);
            new SiteBuild(config, log, c -> ScanProgress.NONE).run(scan, new SparkPageStep(spark, scan));
        }

        String model = ModelCatalog.DEFAULT;
        List<String> compared = new ArrayList<>();
        try (Stream<Path> files = Files.walk(local.resolve(model))) {
            for (Path ref : files.filter(Files::isRegularFile).toList()) {
                String name = ref.getFileName().toString();
                if (name.equals("manifest.json") || name.equals("index.html") && ref.getParent().equals(local.resolve(model))) {
                    continue; // build time and scan speed differ by nature
                }
                Path mine = distributed.resolve(local.relativize(ref));
                assertTrue(Files.exists(mine), "missing " + mine);
                byte[] x = Files.readAllBytes(ref);
                byte[] y = Files.readAllBytes(mine);
                int at = java.util.Arrays.mismatch(x, y);
                assertEquals(-1, at, () -> "differs: " + mine + " at byte " + at + ": local «"
                        + new String(x, Math.max(0, at - 80), Math.min(x.length - Math.max(0, at - 80), 200))
                        + "» spark «" + new String(y, Math.max(0, at - 80), Math.min(y.length - Math.max(0, at - 80), 200)) + "»");
                compared.add(name);
            }
        }
        assertTrue(compared.contains("0.json") && compared.size() > 9216, "compared " + compared.size() + " files");
        JsonNode a = JSON.readTree(local.resolve(model + "/manifest.json").toFile()).get("corpus");
        JsonNode b = JSON.readTree(distributed.resolve(model + "/manifest.json").toFile()).get("corpus");
        assertEquals(a, b, "the same files, documents, windows, tokens and bad records");
        // Pages written on the executors are listed, with their checksums, as the driver lists its own.
        JsonNode listed = JSON.readTree(distributed.resolve(model + "/manifest.json").toFile()).get("files");
        JsonNode expected = JSON.readTree(local.resolve(model + "/manifest.json").toFile()).get("files");
        assertEquals(expected.size(), listed.size());
        for (int i = 0; i < listed.size(); i++) {
            if (!listed.get(i).get("path").asText().equals("index.html")) {
                assertEquals(expected.get(i), listed.get(i));
            }
        }
        assertEquals(1, a.get("badRecords").asInt());
    }
}
