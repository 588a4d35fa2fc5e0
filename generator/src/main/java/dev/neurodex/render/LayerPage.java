package dev.neurodex.render;

import dev.neurodex.store.NeuronRecord;
import java.util.List;

/** The layer index: every neuron of the layer with its key statistics. */
public record LayerPage(String model, int layer, String hook, String prevHref, String prevLabel, String nextHref,
                        String nextLabel, List<Row> neurons) {

    /** @param topToken the max token of the neuron's top example, as surface text */
    public record Row(int neuron, String href, String max, String min, String mean, String density, String topToken) {}

    public static Row row(NeuronRecord r) {
        String token = r.top().isEmpty() ? "" : r.top().get(0).tokens().get(r.top().get(0).maxIndex());
        return new Row(r.neuron(), r.neuron() + ".html", Format.value(r.stats().max()), Format.value(r.stats().min()),
                Format.value(r.stats().mean()), Format.percent(r.stats().density()), token);
    }

    public static LayerPage of(SiteShape shape, int layer, String hook, List<Row> rows) {
        boolean first = layer == 0;
        boolean last = layer == shape.layers() - 1;
        return new LayerPage(shape.model(), layer, hook,
                first ? "" : "../" + (layer - 1) + "/index.html", first ? "" : "← layer " + (layer - 1),
                last ? "" : "../" + (layer + 1) + "/index.html", last ? "" : "layer " + (layer + 1) + " →", rows);
    }
}
