package dev.neurodex.render;

import dev.neurodex.store.NeuronRecord;
import java.util.List;

/** The model index: its layers with a summary of each, and how the site was built. */
public record ModelPage(String model, String architecture, int layerCount, int neuronsPerLayer, String neuronCount,
                        String hook, String attentionNote, List<LayerRow> layers, List<Fact> build) {

    /**
     * @param meanMax mean over the layer's neurons of each neuron's max activation
     * @param dead    neurons whose max activation is ≤ 0 over the whole corpus
     */
    public record LayerRow(int layer, String href, String hook, String meanMax, String dead, String meanDensity) {}

    public record Fact(String key, String value) {}

    public static LayerRow layerRow(int layer, String hook, List<NeuronRecord> records) {
        long dead = records.stream().filter(r -> r.stats().max() <= 0).count();
        return new LayerRow(layer, layer + "/index.html", hook,
                Format.value(records.stream().mapToDouble(r -> r.stats().max()).average().orElse(0)),
                Format.count(dead) + " of " + Format.count(records.size()),
                Format.percent(records.stream().mapToDouble(r -> r.stats().density()).average().orElse(0)));
    }
}
