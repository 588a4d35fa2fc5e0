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
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Writes one layer of a model's folder: for every neuron, in parallel, its record, page, search postings, line of
 * the layer export and entries of the values files; then the export, the values files and the layer's index
 * page. {@code bench} times this same class, so its pages per second are a build's.
 */
public record LayerWriter(SiteRenderer renderer, SiteShape shape, RecordBuilder records, SearchIndex search,
                          WindowStore windows, SiteFiles files) {

    /** @param logits the layer's direct logit effect, or null; returns the neurons' summaries in neuron order */
    public List<ModelPage.Summary> write(LayerAggregate layer, DirectLogits logits) {
        int l = layer.layer();
        LayerValues values = new LayerValues(shape.model(), l);
        record Written(ModelPage.Summary summary, LayerPage.Row row, byte[] json) {}
        // An SAE's dead latents get no record and no page: the layer page lists them.
        List<Written> written = IntStream.range(0, shape.neuronsPerLayer()).filter(shape::hasPage).parallel().mapToObj(n -> {
            NeuronRecord record = records.build(layer, n, logits);
            byte[] json = Json.bytes(record);
            files.write(l + "/" + n + ".json", json);
            renderer.neuron(files, record, shape, windows::key);
            values.add(record);
            search.add(record);
            return new Written(ModelPage.Summary.of(record), LayerPage.row(record), json);
        }).sorted(Comparator.comparingInt(w -> w.summary().neuron())).toList();
        files.write(l + "/layer.jsonl.gz", LayerExport.of(written.stream().map(Written::json).toList()));
        values.write(files, shape.neuronsPerLayer());
        // Each neuron's max over the corpus, for serve's "strongest neurons on this token" (relative to their max).
        files.write(l + "/max.json", Json.bytes(IntStream.range(0, shape.neuronsPerLayer())
                .mapToObj(n -> layer.stats(n).max()).toList()));
        renderer.layer(files, LayerPage.of(shape, l, written.stream().map(Written::row).toList()), shape);
        return written.stream().map(Written::summary).toList();
    }
}
