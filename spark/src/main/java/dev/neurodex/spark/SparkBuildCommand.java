package dev.neurodex.spark;

import dev.neurodex.build.BuildConfig;
import dev.neurodex.build.PageStep;
import dev.neurodex.build.SiteBuild;
import dev.neurodex.cli.BuildCommand;
import dev.neurodex.cli.Main;
import java.io.PrintWriter;
import java.util.function.Function;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code neurodex build} with its scan run as a Spark job, every other option and phase the same. Run by
 * {@code spark-submit --class dev.neurodex.spark.SparkBuildCommand neurodex-spark.jar …}; without a master from
 * spark-submit it runs in {@code local[*]}.
 */
@Command(name = "build-spark", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Scan a corpus through a model as an Apache Spark job and publish the site, as build does.")
public final class SparkBuildCommand extends BuildCommand {

    @Option(names = "--partitions", defaultValue = "0", paramLabel = "N",
            description = "Parts the corpus is cut into, inside files if need be (default: one per core of the "
                    + "cluster; fewer if the corpus holds fewer pools of 16 batches of windows).")
    int partitions;

    @Option(names = "--master", paramLabel = "URL",
            description = "Spark master (default: spark-submit's, else local[*]: this machine's cores).")
    String master;

    @Option(names = "--pages-on-driver",
            description = "Write the pages on the driver, not on the executors: for a cluster whose executors cannot "
                    + "all write to the folder of --out (by default they write into it, and it must be shared).")
    boolean pagesOnDriver;

    public static void main(String[] args) {
        System.exit(Main.execute(new SparkBuildCommand(), args));
    }

    @Override
    protected SiteBuild.Summary build(BuildConfig config, Function<BuildConfig, SiteBuild> site, PrintWriter log)
            throws Exception {
        if (partitions < 0) {
            throw new IllegalArgumentException("--partitions must not be negative, got " + partitions);
        }
        SparkConf conf = new SparkConf().setAppName("neurodex build " + config.model());
        if (master != null) {
            conf.setMaster(master);
        }
        // The merged states come to the driver a group at a time, and a group may pass Spark's default 1 GiB.
        conf.setIfMissing("spark.driver.maxResultSize", "0");
        if (!conf.contains("spark.master") || conf.get("spark.master").startsWith("local")) {
            // Outside spark-submit: this machine's cores, on loopback only.
            conf.setIfMissing("spark.master", "local[*]").set("spark.driver.host", "127.0.0.1")
                    .set("spark.driver.bindAddress", "127.0.0.1");
        }
        try (JavaSparkContext spark = new JavaSparkContext(conf)) {
            // One part per core by default: each part ships and merges a whole state, so more parts cost more merging.
            int parts = partitions > 0 ? partitions : spark.defaultParallelism();
            // The driver reads the model too (pages, neighbours, logits): from its own copy if it lives elsewhere.
            BuildConfig here = config.withModel(ModelFiles.local(config.model(), spark.hadoopConfiguration()));
            SparkScanStep scan = new SparkScanStep(spark, config, parts, log);
            try {
                return site.apply(here).run(scan, pagesOnDriver ? PageStep.LOCAL : new SparkPageStep(spark, scan));
            } catch (Exception e) {
                // Scala throws SparkException unchecked, so Java cannot catch it by name.
                throw e instanceof SparkException failed ? TaskFailure.of(failed) : e;
            } finally {
                ExecutorModels.closeIdle(); // in local mode the executors are this JVM
            }
        }
    }
}
