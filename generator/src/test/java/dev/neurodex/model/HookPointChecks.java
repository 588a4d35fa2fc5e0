package dev.neurodex.model;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What the per-family tests of hook points share: asking a model for every point, and references in rows. */
public final class HookPointChecks {
    private HookPointChecks() {}

    /** Runs one batch asking for {@code points} of all {@code layers} layers: each tensor, copied, by hook name. */
    public static Map<String, float[]> run(HookedModel model, List<int[]> windows, Set<HookPoint> points, int layers) {
        Set<HookPoint.At> all = new HashSet<>();
        for (HookPoint point : points) {
            for (int l = 0; l < layers; l++) {
                all.add(new HookPoint.At(point, l));
            }
        }
        Map<String, float[]> seen = new HashMap<>();
        model.run(windows, new HookPlan(all), (point, layer, tensor) -> seen.put(point.at(layer), tensor.toFloatArray()));
        if (seen.size() != all.size()) {
            throw new AssertionError("asked for " + all.size() + " hook tensors, got " + seen.size());
        }
        return seen;
    }

    /** [positions][width] as one row-major array. */
    public static float[] flat(double[][] x) {
        float[] out = new float[x.length * x[0].length];
        for (int t = 0; t < x.length; t++) {
            for (int i = 0; i < x[0].length; i++) {
                out[t * x[0].length + i] = (float) x[t][i];
            }
        }
        return out;
    }
}
