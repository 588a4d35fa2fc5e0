package dev.neurodex.store;

import com.fasterxml.jackson.annotation.JsonFormat;
import dev.neurodex.aggregate.NeuronStats;
import java.util.List;

/**
 * The neuron record, {@code <model>/<layer>/<neuron>.json}: the data contract in DESIGN.md, plus the fields
 * documented in the README (histogram, intervals, bottom, maxTokens, concentration).
 */
public record NeuronRecord(String model, int layer, int neuron, String hook, Stats stats, List<Example> top,
                           Histogram histogram, List<Interval> intervals, List<Example> bottom,
                           List<TokenCount> maxTokens, double concentration, Logits logits) {

    /**
     * The direct logit effect of a causal model's neuron: tokens its output direction most promotes ({@code top})
     * and suppresses ({@code bottom}) through the unembedding, each as [token, value]; null for encoders.
     */
    public record Logits(List<List<Object>> top, List<List<Object>> bottom) {}

    /** Over all content tokens of the corpus; density is the fraction with activation > 0. */
    public record Stats(float max, float min, double mean, double density, long tokens) {
        static Stats of(NeuronStats s) {
            return new Stats(s.max(), s.min(), s.mean(), s.density(), s.tokens());
        }
    }

    /** Where a window's document is: a path relative to the corpus root, and the 1-based JSONL line or null. */
    public record Doc(String file, Integer line) {}

    /**
     * One window. {@code tokens} are surface strings of the document, {@code values} the neuron's activation at
     * each, {@code maxCharStart}/{@code maxCharEnd} the span of the token at {@code maxIndex} in code points.
     * {@code start} is the window position of the first token given: 0 for top examples (the whole window),
     * and for samples and bottom examples, which carry only the context around their extreme token.
     */
    public record Example(float value, Doc doc, int window, String source, List<String> tokens, float[] values,
                          int maxIndex, int maxCharStart, int maxCharEnd, int start) {}

    /** Activation counts over every content token: non-empty bins of relative width 1/8, as [low, high, count]. */
    public record Histogram(List<Bin> bins) {}

    @JsonFormat(shape = JsonFormat.Shape.ARRAY)
    public record Bin(double low, double high, long count) {}

    /** Windows sampled uniformly among the {@code windows} whose score lies in [low, high). */
    public record Interval(double low, double high, long windows, List<Example> samples) {}

    /** A token that is the max token of {@code count} top examples, with their mean score. */
    public record TokenCount(String token, int count, double mean) {}
}
