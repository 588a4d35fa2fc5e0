package dev.neurodex.store;

import dev.neurodex.aggregate.LayerAggregate;
import dev.neurodex.aggregate.TopEntry;
import dev.neurodex.model.HookName;
import dev.neurodex.tokenize.Window;
import java.util.List;

/** Turns a layer's aggregation state into neuron records. */
public final class RecordBuilder {
    private final String model;

    public RecordBuilder(String model) {
        this.model = model;
    }

    public NeuronRecord build(LayerAggregate layer, int neuron) {
        List<NeuronRecord.Example> top = layer.top(neuron).stream().map(RecordBuilder::example).toList();
        return new NeuronRecord(model, layer.layer(), neuron, HookName.mlpPost(layer.layer()),
                NeuronRecord.Stats.of(layer.stats(neuron)), top);
    }

    private static NeuronRecord.Example example(TopEntry e) {
        Window w = e.window();
        int max = e.maxIndex();
        return new NeuronRecord.Example(e.score(), new NeuronRecord.Doc(w.origin().file(), w.origin().line()),
                w.index(), w.origin().source(), List.of(w.tokens()), e.values(), max, w.charStart()[max], w.charEnd()[max]);
    }
}
