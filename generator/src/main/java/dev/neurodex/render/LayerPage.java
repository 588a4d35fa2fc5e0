package dev.neurodex.render;

import dev.neurodex.store.NeuronRecord;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** The layer index: every neuron of the layer with its key statistics and a sparkline of its histogram. */
public record LayerPage(String model, int layer, String hook, String unit, String prevHref, String prevLabel,
                        String nextHref, String nextLabel, List<Row> neurons, String dead) {

    /**
     * One neuron; the {@code *Value} fields are raw numbers for sorting, the others what the reader sees.
     *
     * @param topTokens the most common max tokens of the top examples
     * @param spark     polyline points of the histogram, log-scaled counts, in an 80×18 box
     */
    public record Row(int neuron, String href, String max, String maxValue, String min, String minValue, String mean,
                      String meanValue, String density, String densityValue, String concentration,
                      String concentrationValue, String topTokens, String spark)
            implements java.io.Serializable {}

    public static Row row(NeuronRecord r) {
        String tokens = r.maxTokens().stream().limit(3).map(t -> t.token() + (t.count() > 1 ? " ×" + t.count() : ""))
                .collect(Collectors.joining(" · "));
        return new Row(r.neuron(), r.neuron() + ".html", Format.value(r.stats().max()), raw(r.stats().max()),
                Format.value(r.stats().min()), raw(r.stats().min()), Format.value(r.stats().mean()), raw(r.stats().mean()),
                Format.percent(r.stats().density()), raw(r.stats().density()), Format.percent(r.concentration()),
                raw(r.concentration()), tokens, spark(r));
    }

    private static String spark(NeuronRecord r) {
        long[] counts = HistogramView.bin(r, 24);
        long most = 1;
        for (long c : counts) {
            most = Math.max(most, c);
        }
        StringBuilder points = new StringBuilder();
        for (int i = 0; i < counts.length; i++) {
            double y = 17 - Math.log1p(counts[i]) / Math.log1p(most) * 16;
            points.append(String.format(Locale.ROOT, "%.1f,%.1f ", i * 80.0 / (counts.length - 1), y));
        }
        return points.toString().strip();
    }

    private static String raw(double v) {
        return Double.toString(v);
    }

    /** @param rows the units with a page (an SAE's dead latents have none: {@link #dead} lists them) */
    public static LayerPage of(SiteShape shape, int layer, List<Row> rows) {
        boolean first = layer == 0 || shape.section() != null;
        boolean last = layer == shape.layers() - 1 || shape.section() != null;
        return new LayerPage(shape.model(), layer, shape.hookAt(layer), shape.unit(),
                first ? "" : "../" + (layer - 1) + "/index.html", first ? "" : "← layer " + (layer - 1),
                last ? "" : "../" + (layer + 1) + "/index.html", last ? "" : "layer " + (layer + 1) + " →", rows,
                shape.alive() == null ? "" : ranges(shape.alive(), shape.neuronsPerLayer()));
    }

    /** The units without a page, as ranges: "3, 17–20, 4000" ("" when there are none). */
    static String ranges(java.util.BitSet alive, int units) {
        StringBuilder out = new StringBuilder();
        for (int from = alive.nextClearBit(0); from < units; from = alive.nextClearBit(from)) {
            int to = Math.min(units, alive.nextSetBit(from) < 0 ? units : alive.nextSetBit(from));
            out.append(out.length() == 0 ? "" : ", ").append(from).append(to - 1 > from ? "–" + (to - 1) : "");
            from = to;
        }
        return out.toString();
    }
}
