package dev.neurodex.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkFiles;

/**
 * A model's location as a local path, on the driver and on each executor. A plain path (or a catalog name) is
 * used where it is: a folder every node mounts. A URI ({@code hdfs://}, {@code s3a://}, {@code file:}, any file
 * system Hadoop knows) is copied once per JVM through Hadoop's {@link FileSystem} into Spark's scratch folder
 * for the application, so weights reach each node from storage and never through the driver.
 */
final class ModelFiles {
    private ModelFiles() {}

    /** A scheme of two or more letters: {@code C:\models} stays a path. */
    private static final Pattern URI = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]+:.*");
    private static final Map<String, String> FETCHED = new ConcurrentHashMap<>();

    static boolean remote(String location) {
        return URI.matcher(location).matches();
    }

    /** The model at {@code location} as a local path; fetched on first use in this JVM if it is a URI. */
    static String local(String location, Configuration hadoop) {
        return remote(location) ? FETCHED.computeIfAbsent(location, l -> fetch(l, hadoop)) : location;
    }

    private static String fetch(String location, Configuration hadoop) {
        try {
            Path remote = new Path(location);
            FileSystem fs = remote.getFileSystem(hadoop);
            FileStatus status = fs.getFileStatus(remote);
            java.nio.file.Path into = Files.createTempDirectory(java.nio.file.Path.of(SparkFiles.getRootDirectory()),
                    "model-");
            // The copy keeps the model's own name, from which the site names the model.
            java.nio.file.Path local = into.resolve(remote.getName());
            fs.copyToLocalFile(false, remote, new Path(local.toUri()), true);
            if (!status.isDirectory()) {
                // An .onnx graph: its tokenizer.json lies beside it.
                Path tokenizer = new Path(remote.getParent(), "tokenizer.json");
                if (fs.exists(tokenizer)) {
                    fs.copyToLocalFile(false, tokenizer, new Path(into.resolve("tokenizer.json").toUri()), true);
                }
            }
            System.err.printf(java.util.Locale.ROOT, "neurodex: fetched the model %s to %s%n", location, local);
            return local.toString();
        } catch (java.io.FileNotFoundException e) {
            throw new IllegalArgumentException("--model " + location + ": no such file or folder", e);
        } catch (IOException e) {
            throw new UncheckedIOException("--model " + location + ": cannot fetch it (" + e.getMessage() + ")", e);
        }
    }
}
