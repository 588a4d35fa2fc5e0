package dev.neurodex.render;

import dev.neurodex.store.NeuronRecord;
import java.util.ArrayList;
import java.util.List;

/**
 * The geometry of a neuron's activation histogram as inline SVG: linear bins from min to max, bar heights on a
 * log scale of the count, a line at zero (the density is the mass to its right) and one at the top-k threshold.
 */
public record HistogramView(int width, int height, List<Bar> bars, String zeroX, String thresholdX, String low,
                            String high, String threshold, String density, String points) {

    public record Bar(String x, String y, String w, String h, String title) {}

    static final int BINS = 48;

    static HistogramView of(NeuronRecord r, int width, int height) {
        long[] counts = bin(r, BINS);
        double lo = Math.min(0, r.stats().min());
        double hi = Math.max(r.stats().max(), lo + 1e-6);
        double step = (hi - lo) / BINS;
        long most = 1;
        for (long c : counts) {
            most = Math.max(most, c);
        }
        double logMost = Math.log1p(most);
        double barWidth = (double) width / BINS;
        List<Bar> bars = new ArrayList<>();
        StringBuilder points = new StringBuilder();
        for (int i = 0; i < BINS; i++) {
            double h = counts[i] == 0 ? 0 : Math.max(1, Math.log1p(counts[i]) / logMost * height);
            if (counts[i] > 0) {
                bars.add(new Bar(px(i * barWidth), px(height - h), px(barWidth), px(h),
                        Format.value(lo + i * step) + " to " + Format.value(lo + (i + 1) * step) + ": "
                                + Format.count(counts[i]) + " tokens"));
            }
            points.append(px(i * barWidth + barWidth / 2)).append(',').append(px(height - h)).append(' ');
        }
        double threshold = r.top().isEmpty() ? hi : r.top().get(r.top().size() - 1).value();
        return new HistogramView(width, height, bars, px((0 - lo) / (hi - lo) * width),
                px((threshold - lo) / (hi - lo) * width), Format.value(lo), Format.value(hi), Format.value(threshold),
                Format.percent(r.stats().density()), points.toString().strip());
    }

    /** The record's fine bins gathered into {@code n} linear bins over [min(0, min), max]. */
    static long[] bin(NeuronRecord r, int n) {
        long[] counts = new long[n];
        double lo = Math.min(0, r.stats().min());
        double hi = Math.max(r.stats().max(), lo + 1e-6);
        for (NeuronRecord.Bin b : r.histogram().bins()) {
            double middle = Math.max(lo, Math.min(hi, (b.low() + b.high()) / 2));
            counts[Math.min(n - 1, (int) ((middle - lo) / (hi - lo) * n))] += b.count();
        }
        return counts;
    }

    /** One decimal, as {@code %.1f} would write it; String.format cost more than the rest of the histogram. */
    static String px(double v) {
        long tenths = Math.round(Math.abs(v) * 10);
        return (v < 0 && tenths > 0 ? "-" : "") + tenths / 10 + "." + tenths % 10;
    }
}
