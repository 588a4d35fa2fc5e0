package dev.neurodex.render;

import dev.neurodex.store.LayerValues;
import dev.neurodex.store.NeuronRecord;
import dev.neurodex.tokenize.TokenDisplay;
import io.pebbletemplates.pebble.extension.escaper.SafeString;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;
import java.util.stream.Collectors;

/** What a neuron page shows, computed from its record; the template only displays it. */
public record NeuronPage(String model, int layer, int neuron, String name, String unit, String section,
                         String hook, int layers,
                         int neuronsPerLayer, String max, String min, String mean, String density, String tokens,
                         String nonFinite, String scale, String scaleValue, String valuesFile, String attentionNote, Nav nav,
                         HistogramView histogram,
                         List<SafeString> examples, List<IntervalView> intervals, List<SafeString> bottom,
                         List<TokenRow> maxTokens, String concentration, String concentrationLabel, Cite cite,
                         List<LogitRow> promotes, List<LogitRow> suppresses, List<Link> similar, List<Link> upstream,
                         List<Link> downstream, List<ProbeRow> probes) {

    /** The neuron as a detector of one probe's label; the probe's page ranks every neuron. */
    public record ProbeRow(String name, String href, String auroc, String f1, String precision, String recall,
                           String threshold, String meanOn, String meanOff) {}

    /** A neighbour: its name (L3N117), a link to its page and the cosine that ties it to this neuron. */
    public record Link(String name, String href, String value) {}

    /** A row of the direct logit tables: a token, its id and its logit change per unit of activation. */
    public record LogitRow(String token, String id, String value) {}

    /** Links from this page; an empty href means there is no such neighbour. */
    public record Nav(String prevNeuron, String prevNeuronLabel, String nextNeuron, String nextNeuronLabel,
                      String prevLayer, String prevLayerLabel, String nextLayer, String nextLayerLabel,
                      String random) {}

    public record IntervalView(String label, String windows, List<SafeString> samples) {}

    /** What a write-up needs to point at this neuron exactly. */
    public record Cite(String permalink, String modelSha256, String corpus, String embed) {}

    /** A row of the max-token table; {@code ids} are the token ids the row groups. */
    public record TokenRow(String token, String ids, int count, String mean) {}

    /** At this share of the top examples sharing one max token, the neuron is called single-token. */
    public static final double SINGLE_TOKEN = 0.75;

    /** @param windowKey the window store's key of a top window, by its corpus order */
    static NeuronPage of(NeuronRecord r, SiteShape shape, LongFunction<String> windowKey) {
        // The values file lists the examples in page order: top, samples interval by interval, most negative.
        List<SafeString> examples = new ArrayList<>();
        for (int i = 0; i < r.top().size(); i++) {
            NeuronRecord.Example e = r.top().get(i);
            examples.add(ExampleMarkup.of("ex-" + (i + 1), i + 1, e, windowKey.apply(e.kept().order())));
        }
        List<IntervalView> intervals = new ArrayList<>();
        for (int i = 0; i < r.intervals().size(); i++) {
            NeuronRecord.Interval interval = r.intervals().get(i);
            List<SafeString> samples = new ArrayList<>();
            for (int j = 0; j < interval.samples().size(); j++) {
                samples.add(ExampleMarkup.of("in-" + (i + 1) + "-" + (j + 1), j + 1, interval.samples().get(j), null));
            }
            String label = (Double.isInfinite(interval.low()) ? "below " + Format.value(interval.high())
                    : "[" + Format.value(interval.low()) + ", " + Format.value(interval.high()) + ")");
            intervals.add(new IntervalView(label, Format.count(interval.windows()), samples));
        }
        List<SafeString> bottom = new ArrayList<>();
        for (int i = 0; i < r.bottom().size(); i++) {
            bottom.add(ExampleMarkup.of("neg-" + (i + 1), i + 1, r.bottom().get(i), null));
        }
        List<TokenRow> tokens = r.maxTokens().stream().map(t -> new TokenRow(TokenDisplay.of(t.token()),
                t.ids().stream().map(String::valueOf).collect(Collectors.joining(" ")), t.count(), Format.value(t.mean())))
                .toList();
        String label = r.top().size() >= 4 && r.concentration() >= SINGLE_TOKEN ? "single-token neuron" : "";
        String page = r.layer() + "/" + r.neuron() + ".html";
        Cite cite = new Cite(shape.model() + "/" + page, shape.modelSha256(), shape.corpusDigest(),
                r.neuron() + ".html#embed");
        String name = shape.section() != null ? shape.section() + "/" + r.neuron() : "L" + r.layer() + "N" + r.neuron();
        return new NeuronPage(r.model(), r.layer(), r.neuron(), name, shape.unit(),
                shape.section() == null ? "" : shape.section(),
                r.hook(),
                shape.layers(), shape.neuronsPerLayer(), Format.value(r.stats().max()), Format.value(r.stats().min()),
                Format.value(r.stats().mean()), Format.percent(r.stats().density()), Format.count(r.stats().tokens()),
                r.stats().nonFinite() == 0 ? "" : Format.count(r.stats().nonFinite()), Format.value(r.valueScale()), Double.toString(r.valueScale()), LayerValues.file(r.neuron()),
                shape.attentionNote(), shape.alive() != null ? sectionNav(r.neuron(), shape) : nav(r.layer(), r.neuron(), shape),
                HistogramView.of(r, 600, 90), examples, intervals, bottom, tokens, Format.percent(r.concentration()),
                label, cite, logitRows(r.logits() == null ? List.of() : r.logits().top()),
                logitRows(r.logits() == null ? List.of() : r.logits().bottom()),
                links(r, r.neighbours() == null ? List.of() : r.neighbours().similar()),
                links(r, r.neighbours() == null ? List.of() : r.neighbours().upstream()),
                links(r, r.neighbours() == null ? List.of() : r.neighbours().downstream()),
                r.probes() == null ? List.of() : r.probes().stream()
                        .sorted(java.util.Comparator.comparingDouble(p -> -p.aurocOrZero()))
                        .map(p -> new ProbeRow(p.name(), "../" + ProbePage.file(p.name()), text(p.auroc()), text(p.f1()),
                                text(p.precision()), text(p.recall()), text(p.threshold()), text(p.meanOn()),
                                text(p.meanOff()))).toList());
    }

    private static String text(Double v) {
        return v == null ? "–" : Format.value(v);
    }

    private static List<Link> links(NeuronRecord r, List<List<Number>> rows) {
        return rows.stream().map(p -> new Link("L" + p.get(0) + "N" + p.get(1),
                href(r.layer(), p.get(0).intValue(), p.get(1).intValue()),
                String.format(java.util.Locale.ROOT, "%+.3f", p.get(2).doubleValue()))).toList();
    }

    private static List<LogitRow> logitRows(List<List<Object>> rows) {
        return rows.stream().map(p -> new LogitRow(TokenDisplay.of(String.valueOf(p.get(0))), String.valueOf(p.get(1)),
                Format.value(((Number) p.get(2)).doubleValue()))).toList();
    }

    private static Nav nav(int layer, int neuron, SiteShape shape) {
        int per = shape.neuronsPerLayer();
        boolean first = layer == 0 && neuron == 0;
        boolean last = layer == shape.layers() - 1 && neuron == per - 1;
        int prevLayer = neuron == 0 ? layer - 1 : layer;
        int prevNeuron = neuron == 0 ? per - 1 : neuron - 1;
        int nextLayer = neuron == per - 1 ? layer + 1 : layer;
        int nextNeuron = neuron == per - 1 ? 0 : neuron + 1;
        // Without JavaScript the random link still goes somewhere different for each page.
        long mix = (layer * 1_000_003L + neuron) * 0x9E3779B97F4A7C15L;
        int randomLayer = (int) Long.remainderUnsigned(mix >>> 7, shape.layers());
        int randomNeuron = (int) Long.remainderUnsigned(mix >>> 17, per);
        return new Nav(
                first ? "" : href(layer, prevLayer, prevNeuron), first ? "" : "L" + prevLayer + "N" + prevNeuron,
                last ? "" : href(layer, nextLayer, nextNeuron), last ? "" : "L" + nextLayer + "N" + nextNeuron,
                layer == 0 ? "" : href(layer, layer - 1, neuron), layer == 0 ? "" : "L" + (layer - 1) + "N" + neuron,
                layer == shape.layers() - 1 ? "" : href(layer, layer + 1, neuron),
                layer == shape.layers() - 1 ? "" : "L" + (layer + 1) + "N" + neuron,
                href(layer, randomLayer, randomNeuron));
    }

    /** Within an SAE section: the previous and next latents with a page, and a random one of them. */
    private static Nav sectionNav(int latent, SiteShape shape) {
        java.util.BitSet alive = shape.alive();
        int prev = alive.previousSetBit(latent - 1);
        int next = alive.nextSetBit(latent + 1);
        int count = Math.max(1, alive.cardinality());
        long mix = (latent + 1) * 0x9E3779B97F4A7C15L;
        int random = alive.stream().skip(Long.remainderUnsigned(mix >>> 17, count)).findFirst().orElse(latent);
        return new Nav(prev < 0 ? "" : prev + ".html", prev < 0 ? "" : shape.section() + "/" + prev,
                next < 0 ? "" : next + ".html", next < 0 ? "" : shape.section() + "/" + next, "", "", "", "",
                random + ".html");
    }

    /** A link from a page of layer {@code from} to neuron {@code n} of layer {@code to}. */
    static String href(int from, int to, int n) {
        return (from == to ? "" : "../" + to + "/") + n + ".html";
    }
}
