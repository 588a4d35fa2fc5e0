package dev.neurodex.model.gpt2;

import java.util.Map;

/**
 * GPT-2 written from its definition with plain Java arrays, one window at a time: the reference the NDArray
 * forward is checked against. Weights are in checkpoint layout (Conv1D [in, out]).
 */
final class Gpt2Reference {
    private final Map<String, float[]> w;
    private final String p;

    Gpt2Reference(Map<String, float[]> weights, String prefix) {
        this.w = weights;
        this.p = prefix;
    }

    /** hook_post of every layer for BOS + window: [layer][position * INNER + neuron]. */
    float[][] hooks(int[] window) {
        return points(window).get("mlp.hook_post");
    }

    /** Every TransformerLens hook point of every layer, by suffix: [layer][position * width + unit]. */
    Map<String, float[][]> points(int[] window) {
        Map<String, float[][]> out = new java.util.HashMap<>();
        for (String point : new String[] {"hook_resid_pre", "hook_attn_out", "hook_resid_mid", "hook_mlp_out", "hook_resid_post"}) {
            out.put(point, new float[Gpt2ModelTest.LAYERS][]);
        }
        int e = Gpt2ModelTest.EMBED;
        int seq = window.length + 1;
        int[] ids = new int[seq];
        ids[0] = Gpt2ModelTest.BOS;
        System.arraycopy(window, 0, ids, 1, window.length);
        double[][] x = new double[seq][e];
        for (int t = 0; t < seq; t++) {
            for (int i = 0; i < e; i++) {
                x[t][i] = w.get(p + "wte.weight")[ids[t] * e + i] + w.get(p + "wpe.weight")[t * e + i];
            }
        }
        float[][] hooks = new float[Gpt2ModelTest.LAYERS][];
        out.put("mlp.hook_post", hooks);
        for (int l = 0; l < Gpt2ModelTest.LAYERS; l++) {
            String h = p + "h." + l + ".";
            out.get("hook_resid_pre")[l] = dev.neurodex.model.HookPointChecks.flat(x);
            double[][] a = norm(x, h + "ln_1");
            double[][] qkv = conv1d(a, h + "attn.c_attn", e, 3 * e);
            double[][] attended = attention(qkv, seq, e);
            double[][] proj = conv1d(attended, h + "attn.c_proj", e, e);
            out.get("hook_attn_out")[l] = dev.neurodex.model.HookPointChecks.flat(proj);
            add(x, proj);
            out.get("hook_resid_mid")[l] = dev.neurodex.model.HookPointChecks.flat(x);
            double[][] fc = conv1d(norm(x, h + "ln_2"), h + "mlp.c_fc", e, Gpt2ModelTest.INNER);
            hooks[l] = new float[seq * Gpt2ModelTest.INNER];
            for (int t = 0; t < seq; t++) {
                for (int n = 0; n < Gpt2ModelTest.INNER; n++) {
                    double v = fc[t][n];
                    fc[t][n] = 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)));
                    hooks[l][t * Gpt2ModelTest.INNER + n] = (float) fc[t][n];
                }
            }
            double[][] mlpOut = conv1d(fc, h + "mlp.c_proj", Gpt2ModelTest.INNER, e);
            out.get("hook_mlp_out")[l] = dev.neurodex.model.HookPointChecks.flat(mlpOut);
            add(x, mlpOut);
            out.get("hook_resid_post")[l] = dev.neurodex.model.HookPointChecks.flat(x);
        }
        return out;
    }

    private double[][] attention(double[][] qkv, int seq, int e) {
        int heads = Gpt2ModelTest.HEADS;
        int d = e / heads;
        double[][] out = new double[seq][e];
        for (int head = 0; head < heads; head++) {
            for (int q = 0; q < seq; q++) {
                double[] scores = new double[q + 1]; // causal: keys 0..q only
                double most = Double.NEGATIVE_INFINITY;
                for (int k = 0; k <= q; k++) {
                    double s = 0;
                    for (int i = 0; i < d; i++) {
                        s += qkv[q][head * d + i] * qkv[k][e + head * d + i];
                    }
                    scores[k] = s / Math.sqrt(d);
                    most = Math.max(most, scores[k]);
                }
                double total = 0;
                for (int k = 0; k <= q; k++) {
                    scores[k] = Math.exp(scores[k] - most);
                    total += scores[k];
                }
                for (int k = 0; k <= q; k++) {
                    for (int i = 0; i < d; i++) {
                        out[q][head * d + i] += scores[k] / total * qkv[k][2 * e + head * d + i];
                    }
                }
            }
        }
        return out;
    }

    private double[][] conv1d(double[][] x, String module, int in, int out) {
        float[] weight = w.get(module + ".weight");
        float[] bias = w.get(module + ".bias");
        double[][] y = new double[x.length][out];
        for (int t = 0; t < x.length; t++) {
            for (int o = 0; o < out; o++) {
                double s = bias[o];
                for (int i = 0; i < in; i++) {
                    s += x[t][i] * weight[i * out + o];
                }
                y[t][o] = s;
            }
        }
        return y;
    }

    private double[][] norm(double[][] x, String module) {
        float[] g = w.get(module + ".weight");
        float[] b = w.get(module + ".bias");
        double[][] y = new double[x.length][x[0].length];
        for (int t = 0; t < x.length; t++) {
            double mean = 0;
            for (double v : x[t]) {
                mean += v;
            }
            mean /= x[t].length;
            double var = 0;
            for (double v : x[t]) {
                var += (v - mean) * (v - mean);
            }
            var /= x[t].length;
            for (int i = 0; i < x[t].length; i++) {
                y[t][i] = (x[t][i] - mean) / Math.sqrt(var + 1e-5) * g[i] + b[i];
            }
        }
        return y;
    }

    private static void add(double[][] x, double[][] y) {
        for (int t = 0; t < x.length; t++) {
            for (int i = 0; i < x[t].length; i++) {
                x[t][i] += y[t][i];
            }
        }
    }
}
