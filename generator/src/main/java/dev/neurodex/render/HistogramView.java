package dev.neurodex.render;

import dev.neurodex.store.NeuronRecord;

/**
 * The geometry of a neuron's activation histogram as inline SVG: linear bins from min to max, bar heights on a
 * log scale of the count, a line at zero (the density is the mass to its right) and one at the top-k threshold.
 * The bars are one path: an element and a tooltip per bar made the histogram a tenth of the page (the record
 * holds every count).
 */
public record HistogramView(int width, int height, String bars, String zeroX, String thresholdX, String low,
                            String high, String threshold, String density) {

    static final int BINS = 48;

    static HistogramView of(NeuronRecord r, int width, int height) {
        long[] counts = bin(r, BINS);
        double lo = Math.min(0, r.stats().min());
        double hi = Math.max(r.stats().max(), lo + 1e-6);
        long most = 1;
        for (long c : counts) {
            most = Math.max(most, c);
        }
        double logMost = Math.log1p(most);
        double barWidth = (double) width / BINS;
        StringBuilder bars = new StringBuilder();
        for (int i = 0; i < BINS; i++) {
            if (counts[i] > 0) {
                double h = Math.max(1, Math.log1p(counts[i]) / logMost * height);
                bars.append('M').append(px(i * barWidth)).append(' ').append(height).append('v').append(px(-h))
                        .append('h').append(px(barWidth)).append('v').append(px(h)).append('z');
            }
        }
        double threshold = r.top().isEmpty() ? hi : r.top().get(r.top().size() - 1).value();
        return new HistogramView(width, height, bars.toString(), px((0 - lo) / (hi - lo) * width),
                px((threshold - lo) / (hi - lo) * width), Format.value(lo), Format.value(hi), Format.value(threshold),
                Format.percent(r.stats().density()));
    }

    /** The record's fine bins gathered into {@code n} linear bins over [min(0, min), max]. */
    static long[] bin(NeuronRecord r, int n) {
        long[] counts = new long[n];
        double lo = Math.min(0, r.stats().min());
        double hi = Math.max(r.stats().max(), lo + 1e-6);
        NeuronRecord.Histogram h = r.histogram();
        for (int i = 0; i < h.counts().length; i++) {
            double middle = Math.max(lo, Math.min(hi, (h.low(i) + h.high(i)) / 2));
            counts[Math.min(n - 1, (int) ((middle - lo) / (hi - lo) * n))] += h.counts()[i];
        }
        return counts;
    }

    /** One decimal, as {@code %.1f} would write it; String.format cost more than the rest of the histogram. */
    static String px(double v) {
        long tenths = Math.round(Math.abs(v) * 10);
        return (v < 0 && tenths > 0 ? "-" : "") + tenths / 10 + "." + tenths % 10;
    }
}
