package dev.neurodex.scan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import dev.neurodex.model.Activations;
import dev.neurodex.model.HookBuffer;
import dev.neurodex.model.HookPlan;
import dev.neurodex.model.HookPoint;
import dev.neurodex.model.HookedModel;
import dev.neurodex.model.ModelInfo;
import dev.neurodex.model.UnitGroup;
import dev.neurodex.model.WindowFrame;
import dev.neurodex.sae.Sae;
import dev.neurodex.sae.SaeException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A model as a scan sees it: the groups of units it aggregates, fed by one forward pass. First the model's own
 * units at {@code point} (mlp.hook_post: its neurons; a residual point: the d_model dimensions), one group per
 * layer; then one group per SAE, its latents encoded in the engine from the hook it was trained on.
 * {@link Activations#layer} is the group's index in {@link #units}.
 */
public final class TappedModel implements HookedModel {
    private final HookedModel model;
    private final HookPoint point;
    private final List<Sae> saes;
    private final List<UnitGroup> units = new ArrayList<>();
    private final HookPlan plan;
    private final HookBuffer buffer = new HookBuffer();

    /** @param point where the model's own units are read; null for none (only the SAEs' latents, as serve runs them) */
    public TappedModel(HookedModel model, HookPoint point, List<Sae> saes) {
        this.model = model;
        this.point = point;
        this.saes = List.copyOf(saes);
        ModelInfo info = model.info();
        if (point != null && !model.hookPoints().contains(point)) {
            throw new IllegalArgumentException("--hook " + point.suffix() + ": " + info.architecture() + " models here offer "
                    + model.hookPoints().stream().map(HookPoint::suffix).toList());
        }
        Set<HookPoint.At> wanted = new HashSet<>();
        for (int l = 0; point != null && l < info.layers(); l++) {
            units.add(new UnitGroup(l, point.at(l), point.width(info), null));
            wanted.add(new HookPoint.At(point, l));
        }
        Set<String> names = new HashSet<>();
        for (Sae sae : saes) {
            requireFits(model, sae.config(), sae.dir());
            HookPoint.At at = sae.config().hook();
            if (!names.add(sae.name())) {
                throw new SaeException(sae.dir() + ": another --sae has the same folder name '" + sae.name() + "'");
            }
            units.add(new UnitGroup(at.layer(), at.toString(), sae.config().dSae(), sae.name()));
            wanted.add(at);
        }
        this.plan = new HookPlan(wanted);
    }

    /**
     * {@code model} with its units at {@code point} and the SAEs of {@code saeDirs}, each checked against the model
     * before its weights are read into {@code manager}.
     */
    public static TappedModel open(HookedModel model, HookPoint point, List<java.nio.file.Path> saeDirs,
                                   ai.djl.ndarray.NDManager manager) {
        List<Sae> saes = saeDirs.stream()
                .map(d -> Sae.load(d, model.layerNormDecoder(), manager, c -> requireFits(model, c, d))).toList();
        return new TappedModel(model, point, saes);
    }

    /** Refuses an SAE whose hook the model does not have, or has at another width. */
    public static void requireFits(HookedModel model, dev.neurodex.sae.SaeConfig config, java.nio.file.Path dir) {
        ModelInfo info = model.info();
        HookPoint.At at = config.hook();
        String where = dir + "/cfg.json: hook " + at;
        if (at.layer() >= info.layers()) {
            throw new SaeException(where + " is not in " + info.slug() + ", which has layers 0 to " + (info.layers() - 1));
        }
        if (!model.hookPoints().contains(at.point())) {
            throw new SaeException(where + ": " + info.architecture() + " models here offer only "
                    + model.hookPoints().stream().map(HookPoint::suffix).toList());
        }
        if (at.point().width(info) != config.dIn()) {
            throw new SaeException(where + " is " + at.point().width(info) + " wide in " + info.slug()
                    + ", but the SAE's d_in is " + config.dIn() + " (an SAE of another model?)");
        }
    }

    /** The groups of units, in the order of {@link Activations#layer}. */
    @Override
    public List<UnitGroup> units() {
        return units;
    }

    public HookPoint point() {
        return point;
    }

    public List<Sae> saes() {
        return saes;
    }

    /** The model underneath (its weights give the direct logit effects and neighbours). */
    public HookedModel model() {
        return model;
    }

    @Override
    public ModelInfo info() {
        return model.info();
    }

    @Override
    public WindowFrame frame() {
        return model.frame();
    }

    /** The model's, plus each SAE's encoder (x · W_enc) at every position. */
    @Override
    public double flopsPerToken(int context, int width) {
        double encoders = saes.stream().mapToDouble(s -> 2.0 * s.config().dIn() * s.config().dSae()).sum();
        return model.flopsPerToken(context, width) + encoders * context / width;
    }

    @Override
    public void run(List<int[]> windows, Consumer<Activations> hook) {
        if (point == HookPoint.MLP_POST && saes.isEmpty()) {
            model.run(windows, hook); // the plain path: also what ONNX graphs offer
            return;
        }
        int offset = model.frame().prefix().length;
        int own = units.size() - saes.size();
        model.run(windows, plan, (p, layer, tensor) -> {
            if (p == point) {
                hook.accept(buffer.take(tensor, layer, offset));
            }
            for (int s = 0; s < saes.size(); s++) {
                HookPoint.At at = saes.get(s).config().hook();
                if (at.point() == p && at.layer() == layer) {
                    try (NDScope scope = new NDScope()) {
                        Sae sae = saes.get(s);
                        if (sae.config().activation() == dev.neurodex.sae.SaeConfig.Activation.TOPK) {
                            ai.djl.ndarray.NDList pairs = sae.encodeTopK(tensor); // k of d_sae: sparse all the way
                            hook.accept(buffer.takeSparse(pairs.get(0), pairs.get(1), own + s, offset, sae.config().dSae()));
                        } else {
                            hook.accept(buffer.take(sae.encode(tensor), own + s, offset));
                        }
                    }
                }
            }
        });
    }

    @Override
    public void close() {
        model.close();
    }
}
