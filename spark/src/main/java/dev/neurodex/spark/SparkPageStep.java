package dev.neurodex.spark;

import dev.neurodex.aggregate.LayerAggregate;
import dev.neurodex.build.LayerWriter;
import dev.neurodex.build.PageStep;
import dev.neurodex.build.SectionPages;
import dev.neurodex.model.DirectLogits;
import dev.neurodex.store.Manifest;
import dev.neurodex.store.SearchIndex;
import dev.neurodex.tokenize.TokenLabels;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * A layer's pages written on the executors, by ranges of blocks: each executor gets the folder's inputs (window
 * texts, window store, neighbours) once and the layer's merged state once per layer, by broadcast, and writes
 * its blocks' records, pages and values files into the staging folder, which must lie on a file system every
 * executor shares (any folder in local mode). The driver gets back what the layer's index needs, the files'
 * checksums and the search postings, and publishes as a local build does.
 */
public final class SparkPageStep implements PageStep {
    /** Tasks per core and layer: enough to even out blocks of unequal cost. */
    private static final int TASKS_PER_CORE = 4;

    private final JavaSparkContext spark;
    private final Supplier<PartJob> job;
    private final Map<SectionPages, Broadcast<SectionPages>> sent = new IdentityHashMap<>();

    /** @param scan the scan step whose executors' model and tokenizer the pages use */
    public SparkPageStep(JavaSparkContext spark, SparkScanStep scan) {
        this.spark = spark;
        this.job = scan::job;
    }

    /** What a task wrote: its blocks, their files (with checksums) and their search postings. */
    record Written(List<LayerWriter.Block> blocks, List<Manifest.SiteFile> files, SearchIndex search)
            implements Serializable {}

    @Override
    public List<LayerWriter.Block> write(SectionPages pages, LayerWriter writer, LayerAggregate layer, DirectLogits logits) {
        PartJob part = job.get();
        if (part == null) {
            throw new IllegalStateException("pages are written on the executors of a Spark scan: scan first");
        }
        Broadcast<SectionPages> inputs = sent.computeIfAbsent(pages, spark::broadcast);
        Broadcast<byte[]> state = spark.broadcast(StateBytes.of(layer::write));
        int blocks = LayerWriter.blocks(pages.shape().neuronsPerLayer());
        int tasks = Math.max(1, Math.min(blocks, spark.defaultParallelism() * TASKS_PER_CORE));
        List<int[]> ranges = new ArrayList<>();
        for (int t = 0; t < tasks; t++) {
            ranges.add(new int[] {(int) ((long) blocks * t / tasks), (int) ((long) blocks * (t + 1) / tasks)});
        }
        List<Written> done = spark.parallelize(ranges, tasks)
                .map(r -> write(part, inputs.value(), state, logits, r[0], r[1])).collect();
        state.destroy();
        List<LayerWriter.Block> out = new ArrayList<>();
        for (Written w : done) {
            out.addAll(w.blocks());
            writer.files().adopt(w.files());
            writer.search().merge(w.search());
        }
        return out;
    }

    /** The layer a broadcast holds, read once per executor while its tasks write that layer. */
    private static final Map<Long, LayerAggregate> LAYERS = new ConcurrentHashMap<>();

    private static Written write(PartJob job, SectionPages pages, Broadcast<byte[]> state, DirectLogits logits,
                                 int from, int to) {
        return ExecutorModels.with(job, m -> write(m, pages, state, logits, from, to));
    }

    private static Written write(ExecutorModels.Loaded m, SectionPages pages, Broadcast<byte[]> state,
                                 DirectLogits logits, int from, int to) {
        LayerAggregate layer;
        synchronized (LAYERS) {
            LAYERS.keySet().removeIf(id -> id != state.id()); // a task of the next layer: the last one is done
            layer = LAYERS.computeIfAbsent(state.id(), id -> StateBytes.read(state.value(), LayerAggregate::read));
        }
        SearchIndex search = new SearchIndex(pages.shape().model());
        LayerWriter writer = pages.writer(TokenLabels.of(m.loaded().tokenizerJson(), m.tokenizer()), search);
        // In parallel: an executor with one task slot (one model in memory) still writes on all its cores.
        List<LayerWriter.Block> blocks = java.util.stream.IntStream.range(from, to).parallel()
                .mapToObj(b -> writer.block(layer, logits, b)).toList();
        return new Written(blocks, writer.files().list(), search);
    }
}
