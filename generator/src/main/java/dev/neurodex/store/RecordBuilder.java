package dev.neurodex.store;

import dev.neurodex.model.NeuronNeighbours;
import dev.neurodex.aggregate.ActivationBins;
import dev.neurodex.aggregate.LayerAggregate;
import dev.neurodex.aggregate.NeuronStats;
import dev.neurodex.aggregate.ScoreInterval;
import dev.neurodex.aggregate.TopEntry;
import dev.neurodex.model.DirectLogits;
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
import java.util.TreeSet;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/** Turns a layer's aggregation state into neuron records. */
public final class RecordBuilder {
    /** Positions a record (and a page, before the whole window is shown) holds around a top example's max token. */
    public static final int TOP_BEFORE = 30;
    public static final int TOP_AFTER = 10;
    /** The same for samples and the most negative examples, which a page shows more briefly: all the scan keeps. */
    public static final int SAMPLE_BEFORE = TopEntry.BEFORE;
    public static final int SAMPLE_AFTER = TopEntry.AFTER;
    static final int INTERVALS = 5;
    static final int SAMPLES = 4;

    private final String model;
    private final WindowTexts texts;
    private final IntFunction<String> token;
    private final NeuronNeighbours neighbours;
    private final List<String> probes;
    private final String hook;

    /**
     * @param texts      the text of every window the aggregate keeps
     * @param token      the label of a token id, for the tables of tokens
     * @param neighbours the model's neighbours by weights, or null
     * @param probes     the names of the scan's probes, in their order
     */
    public RecordBuilder(String model, WindowTexts texts, IntFunction<String> token, NeuronNeighbours neighbours,
                         List<String> probes) {
        this(model, "blocks.{L}.mlp.hook_post", texts, token, neighbours, probes);
    }

    /** @param hook the units' hook, {@code {L}} standing for the layer */
    public RecordBuilder(String model, String hook, WindowTexts texts, IntFunction<String> token,
                         NeuronNeighbours neighbours, List<String> probes) {
        this.hook = hook;
        this.model = model;
        this.texts = texts;
        this.token = token;
        this.neighbours = neighbours;
        this.probes = List.copyOf(probes);
    }

    /** @param logits the layer's direct logit effect, or null (encoders have none) */
    public NeuronRecord build(LayerAggregate layer, int neuron, DirectLogits logits) {
        NeuronStats stats = layer.stats(neuron);
        double scale = valueScale(stats);
        List<TopEntry> topEntries = layer.top(neuron);
        List<NeuronRecord.Example> top = topEntries.stream().map(e -> example(e, scale, TOP_BEFORE, TOP_AFTER)).toList();
        Set<Long> inTop = topEntries.stream().map(e -> e.window().order()).collect(Collectors.toSet());
        List<NeuronRecord.Example> bottom = layer.bottom(neuron).stream()
                .map(e -> example(e, scale, SAMPLE_BEFORE, SAMPLE_AFTER)).toList();
        List<NeuronRecord.TokenCount> tokens = maxTokens(top);
        double concentration = top.isEmpty() ? 0 : (double) tokens.get(0).count() / top.size();
        return new NeuronRecord(NeuronRecord.FORMAT, model, layer.layer(), neuron, hook.replace("{L}", Integer.toString(layer.layer())),
                NeuronRecord.Stats.of(stats), scale, top, histogram(layer.histogram(neuron)),
                intervals(layer.intervals(neuron), inTop, scale), bottom, tokens, concentration,
                logits == null ? null : new NeuronRecord.Logits(
                        logitRows(logits.topIds()[neuron], logits.topValues()[neuron]),
                        logitRows(logits.bottomIds()[neuron], logits.bottomValues()[neuron])),
                neighbours == null ? null : new NeuronRecord.Neighbours(links(neighbours.similar(layer.layer(), neuron)),
                        links(neighbours.upstream(layer.layer(), neuron)), links(neighbours.downstream(layer.layer(), neuron))),
                IntStream.range(0, probes.size())
                        .mapToObj(p -> NeuronRecord.ProbeResult.of(probes.get(p), layer.probeScore(p, neuron))).toList());
    }

    private static List<List<Number>> links(List<NeuronNeighbours.Link> links) {
        return links.stream().map(l -> List.<Number>of(l.layer(), l.neuron(), l.value())).toList();
    }

    /** The neuron's largest absolute activation, never zero: values are quantised and coloured relative to it. */
    public static double valueScale(NeuronStats s) {
        double scale = Math.max(Math.abs(s.max()), Math.abs(s.min()));
        return scale > 0 && Double.isFinite(scale) ? scale : 1;
    }

    private List<List<Object>> logitRows(int[] ids, float[] values) {
        List<List<Object>> out = new ArrayList<>();
        for (int i = 0; i < ids.length; i++) {
            out.add(List.of(token.apply(ids[i]), ids[i], values[i]));
        }
        return out;
    }

    /** The counts from the lowest non-empty bin to the highest. */
    private static NeuronRecord.Histogram histogram(long[] counts) {
        int first = 0;
        while (first < counts.length && counts[first] == 0) {
            first++;
        }
        int last = counts.length - 1;
        while (last >= first && counts[last] == 0) {
            last--;
        }
        return first > last ? new NeuronRecord.Histogram(0, new long[0])
                : new NeuronRecord.Histogram(first - ActivationBins.ZERO, java.util.Arrays.copyOfRange(counts, first, last + 1));
    }

    /** The highest intervals that still have samples once the top-k windows are left out. */
    private List<NeuronRecord.Interval> intervals(List<ScoreInterval> all, Set<Long> inTop, double scale) {
        List<NeuronRecord.Interval> out = new ArrayList<>();
        for (ScoreInterval interval : all) {
            List<NeuronRecord.Example> samples = interval.samples().stream()
                    .filter(e -> !inTop.contains(e.window().order())).limit(SAMPLES)
                    .map(e -> example(e, scale, SAMPLE_BEFORE, SAMPLE_AFTER)).toList();
            if (!samples.isEmpty() && out.size() < INTERVALS) {
                out.add(new NeuronRecord.Interval(interval.low(), interval.high(), interval.windows(), samples));
            }
        }
        return out;
    }

    /** An entry as a record example: ids, text and quantised values of the positions around its extreme token. */
    private NeuronRecord.Example example(TopEntry e, double scale, int before, int after) {
        WindowRef w = e.window();
        WindowText text = texts.get(w);
        int max = e.start() + e.maxIndex(); // window position of the extreme token
        int from = Math.max(e.start(), max - before);
        int to = Math.min(e.start() + e.values().length, max + after + 1);
        int[] values = new int[to - from];
        for (int p = from; p < to; p++) {
            values[p - from] = quantise(e.values()[p - e.start()], scale);
        }
        List<String> tokens = IntStream.range(from, to).mapToObj(text::token).toList();
        return new NeuronRecord.Example(e.score(), new NeuronRecord.Doc(w.origin().file(), w.origin().line()), w.index(),
                w.origin().source(), from, text.ids(from, to), values, max - from, text.charStart(max), text.charEnd(max),
                tokens, new NeuronRecord.Kept(w.order(), e.start(), e.values(), w.length()));
    }

    static int quantise(float value, double scale) {
        return (int) Math.round(value / scale * NeuronRecord.QUANTA);
    }

    /** Max tokens of the top examples, grouped as a reader would (case and surrounding space ignored). */
    private List<NeuronRecord.TokenCount> maxTokens(List<NeuronRecord.Example> top) {
        Map<String, List<NeuronRecord.Example>> groups = new LinkedHashMap<>();
        for (NeuronRecord.Example e : top) {
            // By the token's own label, not the document text it covers: the second byte-level token of a
            // character covers no text, but is a token all the same.
            String token = this.token.apply(e.ids()[e.maxIndex()]).strip().toLowerCase(Locale.ROOT);
            groups.computeIfAbsent(token, t -> new ArrayList<>()).add(e);
        }
        return groups.entrySet().stream()
                .map(g -> new NeuronRecord.TokenCount(g.getKey(),
                        List.copyOf(g.getValue().stream().map(e -> e.ids()[e.maxIndex()]).collect(Collectors.toCollection(TreeSet::new))),
                        g.getValue().size(), g.getValue().stream().mapToDouble(NeuronRecord.Example::value).average().orElse(0)))
                .sorted(Comparator.comparingInt(NeuronRecord.TokenCount::count).reversed().thenComparing(t -> -t.mean()))
                .toList();
    }
}
