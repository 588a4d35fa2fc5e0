package dev.neurodex.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.neurodex.cli.Main;
import dev.neurodex.model.random.RandomCheckpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model given as a URI reaches the driver and every executor through Hadoop's file systems ({@code file:} here,
 * {@code hdfs://} on a cluster), and {@code build-spark} publishes the records a local build of the folder writes.
 */
class ModelFilesTest {
    @TempDir
    Path dir;

    @Test
    void pathsAndNamesStayWhereTheyAre() {
        assertFalse(ModelFiles.remote("minilm"));
        assertFalse(ModelFiles.remote("/models/gpt2"));
        assertFalse(ModelFiles.remote("C:\\models\\gpt2"));
        assertTrue(ModelFiles.remote("hdfs://namenode:8020/models/gpt2"));
        assertTrue(ModelFiles.remote("file:/models/gpt2"));
        assertEquals("/models/gpt2", ModelFiles.local("/models/gpt2", new org.apache.hadoop.conf.Configuration()));
    }

    @Test
    void aModelFromAHadoopFileSystemBuildsTheSiteOfTheFolder() throws Exception {
        Path model = dir.resolve("tiny-gpt2");
        RandomCheckpoint.write(new RandomCheckpoint.Shape("tiny-gpt2", "gpt2", 2, 64, 4, 256, 128, 1000), 3, model);
        Path corpus = Files.createDirectories(dir.resolve("corpus"));
        for (int f = 0; f < 2; f++) {
            StringBuilder lines = new StringBuilder();
            for (int d = 0; d < 20; d++) {
                lines.append("{\"text\": \"").append(("line " + f + " " + d + " of the ship and the sea. ").repeat(1 + d % 7))
                        .append("\"}\n");
            }
            Files.writeString(corpus.resolve(f + ".jsonl"), lines);
        }
        Path local = dir.resolve("local");
        Path spark = dir.resolve("spark");
        // Batches of 2 windows, pools of 32: the 40 windows make two parts.
        List<String> common = List.of("--corpus", corpus.toString(), "--quiet", "--threads", "1", "--top-k", "4",
                "--batch-size", "2");
        assertEquals(0, Main.execute(Stream.of(Stream.of("build"), common.stream(), Stream.of("--model",
                model.toString(), "--out", local.toString())).flatMap(s -> s).toArray(String[]::new)));
        assertEquals(0, Main.execute(new SparkBuildCommand(), Stream.concat(common.stream(), Stream.of("--model",
                model.toUri().toString(), "--out", spark.toString(), "--master", "local[2]", "--partitions", "3"))
                .toArray(String[]::new)));

        List<Path> records;
        try (Stream<Path> files = Files.walk(local.resolve("tiny-gpt2"))) {
            records = files.filter(p -> p.toString().endsWith(".json") && !p.endsWith("manifest.json")).toList();
        }
        assertEquals(2 * 256 + 2 * 1, records.size(), "a record per neuron and max.json per layer");
        for (Path ref : records) {
            Path mine = spark.resolve(local.relativize(ref));
            assertEquals(Files.readString(ref), Files.readString(mine), mine.toString());
        }
        assertNotEquals(-1, Files.readString(spark.resolve("tiny-gpt2/manifest.json")).indexOf("\"source\" : \"tiny-gpt2\""),
                "the site names the model as its folder is named");
    }

    @Test
    void aStrictBuildStopsAtTheBadRecordItNames() throws Exception {
        Path corpus = Files.createDirectories(dir.resolve("strict"));
        Files.writeString(corpus.resolve("a.jsonl"), "{\"text\": \"hello world\"}\n{broken\n{\"text\": \"more\"}\n");
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream saved = System.err;
        System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
        int code;
        try {
            code = Main.execute(new SparkBuildCommand(), "--corpus", corpus.toString(), "--out",
                    dir.resolve("strict-site").toString(), "--master", "local[2]", "--strict", "--quiet");
        } finally {
            System.setErr(saved);
        }
        String lines = err.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(1, code, lines);
        String error = lines.lines().filter(l -> l.startsWith("neurodex: error:")).findFirst().orElseThrow();
        assertEquals("neurodex: error: bad record at a.jsonl:2: broken JSON (Unexpected character ('b' (code 98)): was "
                + "expecting double-quote to start field name) (--strict stops at the first one)", error);
        assertFalse(Files.exists(dir.resolve("strict-site")), "nothing published");
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(List.of(), left.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".neurodex"))
                    .toList(), "no staging folder left behind");
        }
    }

    @Test
    void aMissingModelIsNamed() {
        String missing = dir.resolve("no-such-model").toUri().toString();
        int code = Main.execute(new SparkBuildCommand(), "--model", missing, "--corpus", dir.toString(), "--out",
                dir.resolve("out").toString(), "--master", "local[1]", "--quiet");
        assertNotEquals(0, code);
        assertFalse(Files.exists(dir.resolve("out")), "nothing published");
    }
}
