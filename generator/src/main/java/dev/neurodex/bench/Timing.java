package dev.neurodex.bench;

import java.util.ArrayList;
import java.util.List;

/** Repeats a measurement and keeps the median: the machine is shared, single runs are noisy. */
final class Timing {
    private Timing() {}

    interface Rate {
        /** One measurement, as a rate (units per second). */
        double measure() throws Exception;
    }

    static double median(int reps, Rate rate) throws Exception {
        List<Double> values = new ArrayList<>();
        for (int i = 0; i < reps; i++) {
            values.add(rate.measure());
        }
        return median(values);
    }

    static double median(List<Double> measured) {
        List<Double> values = new ArrayList<>(measured);
        values.sort(Double::compare);
        int n = values.size();
        return n % 2 == 1 ? values.get(n / 2) : (values.get(n / 2 - 1) + values.get(n / 2)) / 2;
    }

    /** Runs {@code work} until at least {@code seconds} have passed; returns units done per second. */
    static double rate(double seconds, long unitsPerCall, Runnable work) {
        long start = System.nanoTime();
        long units = 0;
        do {
            work.run();
            units += unitsPerCall;
        } while (System.nanoTime() - start < seconds * 1e9);
        return units / ((System.nanoTime() - start) / 1e9);
    }
}
