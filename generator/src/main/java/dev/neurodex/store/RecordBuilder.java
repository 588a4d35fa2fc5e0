package dev.neurodex.store;

import dev.neurodex.aggregate.ActivationBins;
import dev.neurodex.aggregate.LayerAggregate;
import dev.neurodex.aggregate.ScoreInterval;
import dev.neurodex.aggregate.TopEntry;
import dev.neurodex.model.DirectLogits;
import dev.neurodex.model.HookName;
import dev.neurodex.tokenize.WindowRef;
import dev.neurodex.tokenize.WindowText;
import dev.neurodex.tokenize.WindowTexts;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/** Turns a layer's aggregation state into neuron records. */
public final class RecordBuilder {
    /** Context kept around the extreme token of samples and bottom examples (as a page shows by default). */
    public static final int BEFORE = TopEntry.BEFORE;
    public static final int AFTER = TopEntry.AFTER;
    static final int INTERVALS = 5;
    static final int SAMPLES = 4;

    private final String model;
    private final WindowTexts texts;
    private final IntFunction<String> token;

    /**
     * @param texts the text of every window the aggregate keeps
     * @param token the text of a token id, for the direct logit tables
     */
    public RecordBuilder(String model, WindowTexts texts, IntFunction<String> token) {
        this.model = model;
        this.texts = texts;
        this.token = token;
    }

    /** @param logits the layer's direct logit effect, or null (encoders have none) */
    public NeuronRecord build(LayerAggregate layer, int neuron, DirectLogits logits) {
        List<TopEntry> topEntries = layer.top(neuron);
        List<NeuronRecord.Example> top = topEntries.stream().map(this::example).toList();
        Set<Long> inTop = topEntries.stream().map(e -> e.window().order()).collect(Collectors.toSet());
        List<NeuronRecord.Example> bottom = layer.bottom(neuron).stream().map(this::example).toList();
        List<TokenCount> tokens = maxTokens(top);
        double concentration = top.isEmpty() ? 0 : (double) tokens.get(0).count() / top.size();
        return new NeuronRecord(model, layer.layer(), neuron, HookName.mlpPost(layer.layer()),
                NeuronRecord.Stats.of(layer.stats(neuron)), top, histogram(layer.histogram(neuron)),
                intervals(layer.intervals(neuron), inTop), bottom, tokens.stream().map(TokenCount::record).toList(),
                concentration, logits == null ? null : new NeuronRecord.Logits(
                        pairs(logits.topIds()[neuron], logits.topValues()[neuron]),
                        pairs(logits.bottomIds()[neuron], logits.bottomValues()[neuron])));
    }

    private List<List<Object>> pairs(int[] ids, float[] values) {
        List<List<Object>> out = new ArrayList<>();
        for (int i = 0; i < ids.length; i++) {
            out.add(List.of(token.apply(ids[i]), values[i]));
        }
        return out;
    }

    private static NeuronRecord.Histogram histogram(long[] counts) {
        List<NeuronRecord.Bin> bins = new ArrayList<>();
        for (int b = 0; b < counts.length; b++) {
            if (counts[b] > 0) {
                bins.add(new NeuronRecord.Bin(ActivationBins.low(b), ActivationBins.high(b), counts[b]));
            }
        }
        return new NeuronRecord.Histogram(bins);
    }

    /** The highest intervals that still have samples once the top-k windows are left out. */
    private List<NeuronRecord.Interval> intervals(List<ScoreInterval> all, Set<Long> inTop) {
        List<NeuronRecord.Interval> out = new ArrayList<>();
        for (ScoreInterval interval : all) {
            List<NeuronRecord.Example> samples = interval.samples().stream()
                    .filter(e -> !inTop.contains(e.window().order())).limit(SAMPLES).map(this::example).toList();
            if (!samples.isEmpty() && out.size() < INTERVALS) {
                out.add(new NeuronRecord.Interval(interval.low(), interval.high(), interval.windows(), samples));
            }
        }
        return out;
    }

    /** An entry as a record example: the window's tokens at the positions the entry holds values for. */
    private NeuronRecord.Example example(TopEntry e) {
        WindowRef w = e.window();
        WindowText text = texts.get(w);
        int from = e.start();
        int to = from + e.values().length;
        int max = from + e.maxIndex();
        List<String> tokens = IntStream.range(from, to).mapToObj(text::token).toList();
        return new NeuronRecord.Example(e.score(), new NeuronRecord.Doc(w.origin().file(), w.origin().line()),
                w.index(), w.origin().source(), tokens, e.values(), max - from, text.charStart(max), text.charEnd(max), from);
    }

    /** Max tokens of the top examples, grouped as a reader would (case and surrounding space ignored). */
    private static List<TokenCount> maxTokens(List<NeuronRecord.Example> top) {
        Map<String, List<NeuronRecord.Example>> groups = new LinkedHashMap<>();
        for (NeuronRecord.Example e : top) {
            String token = e.tokens().get(e.maxIndex()).strip().toLowerCase(Locale.ROOT);
            groups.computeIfAbsent(token, t -> new ArrayList<>()).add(e);
        }
        return groups.entrySet().stream()
                .map(g -> new TokenCount(g.getKey(), g.getValue().size(),
                        g.getValue().stream().mapToDouble(NeuronRecord.Example::value).average().orElse(0)))
                .sorted(Comparator.comparingInt(TokenCount::count).reversed().thenComparing(t -> -t.mean()))
                .toList();
    }

    private record TokenCount(String token, int count, double mean) {
        NeuronRecord.TokenCount record() {
            return new NeuronRecord.TokenCount(token, count, mean);
        }
    }
}
