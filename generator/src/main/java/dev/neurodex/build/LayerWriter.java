package dev.neurodex.build;

import dev.neurodex.aggregate.LayerAggregate;
import dev.neurodex.model.DirectLogits;
import dev.neurodex.render.LayerPage;
import dev.neurodex.render.ModelPage;
import dev.neurodex.render.SiteRenderer;
import dev.neurodex.render.SiteShape;
import dev.neurodex.store.Json;
import dev.neurodex.store.LayerExport;
import dev.neurodex.store.LayerValues;
import dev.neurodex.store.NeuronRecord;
import dev.neurodex.store.RecordBuilder;
import dev.neurodex.store.SearchIndex;
import dev.neurodex.store.SiteFiles;
import dev.neurodex.store.WindowStore;
import java.io.ByteArrayOutputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Writes one layer of a model's folder. Its units are written in blocks of {@value #BLOCK}: per unit its record,
 * page and search postings, per block its values file and its gzip member of the layer export, so that blocks
 * may be written in parallel, here or on other machines. Then the layer's own files: the export, max.json and
 * the index page. {@code bench} times this same class, so its pages per second are a build's.
 */
public record LayerWriter(SiteRenderer renderer, SiteShape shape, RecordBuilder records, SearchIndex search,
                          WindowStore windows, SiteFiles files) {

    /** Units of a block: a values file's and an export member's worth. */
    public static final int BLOCK = LayerValues.NEURONS_PER_FILE;

    static {
        if (BLOCK != LayerExport.LINES) {
            throw new AssertionError("a block must be one values file and one export member");
        }
    }

    /** What the layer's index needs from a unit with a page. */
    public record Written(ModelPage.Summary summary, LayerPage.Row row) implements Serializable {}

    /** A block written: its units' summaries and rows, in unit order, and its gzip member of the export. */
    public record Block(int from, List<Written> written, byte[] export) implements Serializable {}

    /** How many blocks a layer of {@code units} has. */
    public static int blocks(int units) {
        return (units + BLOCK - 1) / BLOCK;
    }

    /** Writes block {@code b} of the layer: units [b·BLOCK, (b+1)·BLOCK), those with a page. */
    public Block block(LayerAggregate layer, DirectLogits logits, int b) {
        int l = layer.layer();
        int from = b * BLOCK;
        int to = Math.min(shape.neuronsPerLayer(), from + BLOCK);
        LayerValues values = new LayerValues(shape.model(), l);
        List<Written> written = new ArrayList<>();
        List<byte[]> lines = new ArrayList<>();
        // An SAE's dead latents get no record and no page: the layer page lists them.
        for (int n = from; n < to; n++) {
            if (!shape.hasPage(n)) {
                continue;
            }
            NeuronRecord record = records.build(layer, n, logits);
            byte[] json = Json.bytes(record);
            files.write(l + "/" + n + ".json", json);
            renderer.neuron(files, record, shape, windows::key);
            values.add(record);
            search.add(record);
            written.add(new Written(ModelPage.Summary.of(record), LayerPage.row(record)));
            lines.add(json);
        }
        values.write(files, from, to);
        return new Block(from, written, lines.isEmpty() ? new byte[0] : LayerExport.of(lines));
    }

    /** Writes every block of the layer, in parallel; returns them in order. */
    public List<Block> blocks(LayerAggregate layer, DirectLogits logits) {
        return IntStream.range(0, blocks(shape.neuronsPerLayer())).parallel().mapToObj(b -> block(layer, logits, b))
                .toList();
    }

    /** Writes every block of the layer, then the layer's own files; returns the summaries. */
    public List<ModelPage.Summary> write(LayerAggregate layer, DirectLogits logits) {
        return finish(layer, blocks(layer, logits));
    }

    /**
     * The layer's own files from its written blocks (in order): the export, each unit's max for serve, and the
     * index page. Returns the units' summaries in unit order.
     */
    public List<ModelPage.Summary> finish(LayerAggregate layer, List<Block> blocks) {
        int l = layer.layer();
        ByteArrayOutputStream export = new ByteArrayOutputStream();
        blocks.forEach(b -> export.writeBytes(b.export()));
        files.write(l + "/layer.jsonl.gz", export.toByteArray());
        // Each neuron's max over the corpus, for serve's "strongest neurons on this token" (relative to their max).
        files.write(l + "/max.json", Json.bytes(IntStream.range(0, shape.neuronsPerLayer())
                .mapToObj(n -> layer.stats(n).max()).toList()));
        List<Written> written = blocks.stream().flatMap(b -> b.written().stream()).toList();
        renderer.layer(files, LayerPage.of(shape, l, written.stream().map(Written::row).toList()), shape);
        return written.stream().map(Written::summary).toList();
    }
}
