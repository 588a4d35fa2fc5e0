package dev.neurodex.store;

import dev.neurodex.aggregate.NeuronStats;
import java.util.List;

/** The neuron record, {@code <model>/<layer>/<neuron>.json}: the data contract in DESIGN.md. */
public record NeuronRecord(String model, int layer, int neuron, String hook, Stats stats, List<Example> top) {

    /** Over all content tokens of the corpus; density is the fraction with activation > 0. */
    public record Stats(float max, float min, double mean, double density, long tokens) {
        static Stats of(NeuronStats s) {
            return new Stats(s.max(), s.min(), s.mean(), s.density(), s.tokens());
        }
    }

    /** Where a window's document is: a path relative to the corpus root, and the 1-based JSONL line or null. */
    public record Doc(String file, Integer line) {}

    /**
     * One top window. {@code tokens} are surface strings of the document, {@code values} the neuron's activation
     * at each, {@code maxCharStart}/{@code maxCharEnd} the max token's span in the document in code points.
     */
    public record Example(float value, Doc doc, int window, String source, List<String> tokens, float[] values,
                          int maxIndex, int maxCharStart, int maxCharEnd) {}
}
