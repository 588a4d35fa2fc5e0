package dev.neurodex.store;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.neurodex.aggregate.ActivationBins;
import dev.neurodex.aggregate.NeuronStats;
import java.util.List;

/**
 * The neuron record, {@code <model>/<layer>/<neuron>.json}, format {@value #FORMAT}: the data contract in
 * DESIGN.md plus the fields documented in the README. Examples carry token ids and the neuron's values around
 * their extreme token, quantised to thousandths of {@code valueScale} (the exact score and statistics are kept);
 * what a page needs beyond that (token text, the whole run of kept values) rides along unserialised.
 */
@JsonPropertyOrder({"format", "model", "layer", "neuron", "hook", "stats", "valueScale", "top", "histogram",
        "intervals", "bottom", "maxTokens", "concentration", "logits", "neighbours", "probes"})
public record NeuronRecord(int format, String model, int layer, int neuron, String hook, Stats stats, double valueScale,
                           List<Example> top, Histogram histogram, List<Interval> intervals, List<Example> bottom,
                           List<TokenCount> maxTokens, double concentration, Logits logits, Neighbours neighbours,
                           List<ProbeResult> probes) {

    /**
     * The neuron as a detector of one probe's label ({@code --probe NAME=REGEX}), from histograms: figures are null
     * when no token (or every token) carries the label. See {@link dev.neurodex.aggregate.ProbeScore}.
     */
    @JsonPropertyOrder({"name", "labelled", "auroc", "aurocError", "threshold", "precision", "recall", "f1", "meanOn",
            "meanOff"})
    public record ProbeResult(String name, long labelled, Double auroc, Double aurocError, Double threshold,
                              Double precision, Double recall, Double f1, Double meanOn, Double meanOff)
            implements java.io.Serializable {
        public static ProbeResult of(String name, dev.neurodex.aggregate.ProbeScore s) {
            return new ProbeResult(name, s.labelled(), finite(s.auroc()), finite(s.aurocError()), finite(s.threshold()),
                    finite(s.precision()), finite(s.recall()), finite(s.f1()), finite(s.meanOn()), finite(s.meanOff()));
        }

        private static Double finite(double v) {
            return Double.isFinite(v) ? v : null;
        }

        /** For ranking: a missing AUROC ranks last. */
        public double aurocOrZero() {
            return auroc == null ? 0 : auroc;
        }
    }

    /**
     * The version of this layout; 1 was whole windows with token strings and float values, 2 had no count of
     * non-finite activations ({@code stats.nonFinite}), no neighbours and tokens as the tokenizer decodes them alone;
     * 3 had only mlp.hook_post neurons (4: {@code hook} may name any hook point, and SAE sections hold latent records
     * at {@code <model>/<sae>/<layer>/<latent>.json} whose {@code model} is "model/sae").
     */
    public static final int FORMAT = 4;

    /** Values are stored as round(value / valueScale × QUANTA). */
    public static final int QUANTA = 1000;

    /**
     * The direct logit effect of a causal model's neuron: tokens its output direction most promotes ({@code top})
     * and suppresses ({@code bottom}) through the unembedding, each as [token, id, value]; null for encoders.
     */
    public record Logits(List<List<Object>> top, List<List<Object>> bottom) {}

    /**
     * Neighbours by weights, each as [layer, neuron, cosine]: {@code similar} the neurons of this layer writing the
     * most alike directions; {@code upstream} the earlier neurons whose output this one reads most and
     * {@code downstream} the later ones that read its output most (virtual weights, by absolute value). Null for a
     * model whose weights neurodex does not hold (ONNX).
     */
    public record Neighbours(List<List<Number>> similar, List<List<Number>> upstream, List<List<Number>> downstream) {}

    /**
     * Over all content tokens of the corpus; {@code nonFinite} of them had a NaN or infinite activation and are
     * left out of the rest: mean and density are over the finite ones.
     */
    public record Stats(float max, float min, double mean, double density, long tokens, long nonFinite) {
        static Stats of(NeuronStats s) {
            return new Stats(s.max(), s.min(), s.mean(), s.density(), s.tokens(), s.nonFinite());
        }
    }

    /** Where a window's document is: a path relative to the corpus root, and the 1-based JSONL line or null. */
    public record Doc(String file, Integer line) {}

    /**
     * One window. {@code ids} and {@code values} cover window positions {@code start ..}: the token ids and the
     * neuron's activation at each, in thousandths of the record's valueScale; {@code maxIndex} indexes them,
     * {@code maxCharStart}/{@code maxCharEnd} give that token's span in the document in code points.
     *
     * @param tokens the surface text at each position (for pages and search; a program reads the ids)
     * @param kept   everything the scan kept of the window, for the page's whole-window view
     */
    @JsonPropertyOrder({"value", "doc", "window", "source", "start", "ids", "values", "maxIndex", "maxCharStart",
            "maxCharEnd"})
    public record Example(float value, Doc doc, int window, String source, int start, int[] ids, int[] values,
                          int maxIndex, int maxCharStart, int maxCharEnd, @JsonIgnore List<String> tokens,
                          @JsonIgnore Kept kept) {}

    /**
     * A window's whole kept run of values, and the window itself for the whole-window view.
     *
     * @param order  the window's place in the corpus (one window store entry per window)
     * @param start  window position of {@code values[0]}
     * @param length tokens in the window
     */
    public record Kept(long order, int start, float[] values, int length) {}

    /**
     * Activation counts over every content token, in bins 1/8 octave wide, numbered outwards from bin 0 (|v| <
     * 2^-10): bin b > 0 holds [2^(-10 + (b-1)/8), 2^(-10 + b/8)), bin -b its negative mirror; {@code counts}
     * runs from {@code firstBin} to the highest non-empty bin.
     */
    public record Histogram(int firstBin, long[] counts) {

        /** The lower edge of the i-th count's bin. */
        public double low(int i) {
            return ActivationBins.low(ActivationBins.ZERO + firstBin + i);
        }

        public double high(int i) {
            return ActivationBins.high(ActivationBins.ZERO + firstBin + i);
        }
    }

    /** Windows sampled uniformly among the {@code windows} whose score lies in [low, high). */
    public record Interval(double low, double high, long windows, List<Example> samples) {}

    /** A token (trimmed, lower-cased) that is the max token of {@code count} top examples, with their mean score. */
    public record TokenCount(String token, List<Integer> ids, int count, double mean) {}

    /** The examples in the order a page shows them: top, samples interval by interval, most negative. */
    public List<Example> pageOrder() {
        List<Example> all = new java.util.ArrayList<>(top);
        intervals.forEach(i -> all.addAll(i.samples()));
        all.addAll(bottom);
        return all;
    }

    /** The activation a quantised value stands for. */
    public double value(int quantised) {
        return quantised * valueScale / QUANTA;
    }
}
