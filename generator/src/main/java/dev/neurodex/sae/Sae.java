package dev.neurodex.sae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.neurodex.model.HostTensor;
import dev.neurodex.model.ModelException;
import dev.neurodex.model.StateDict;
import dev.neurodex.model.hf.Safetensors;
import dev.neurodex.store.SiteNames;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A sparse autoencoder's encoder in the engine, as SAELens computes it: normalise the hook's vector, subtract
 * b_dec (apply_b_dec_to_input), then ReLU, JumpReLU or TopK of x · W_enc + b_enc. Only encoding runs during a
 * scan; W_dec stays for the latents' direct logit effect.
 *
 * @param name     the section's folder in the site (the directory's name as a slug)
 * @param center   whether each vector's mean over d_model is subtracted first (TransformerLens's
 *                 center_writing_weights, when the SAE was trained so and the model is a LayerNorm decoder)
 * @param sha256   of sae_weights.safetensors, so pages tie latents to exact weights
 */
public record Sae(String name, Path dir, SaeConfig config, boolean center, String sha256, NDArray wEnc, NDArray bEnc,
                  NDArray bDec, NDArray threshold, HostTensor wDec) {

    /** Reads {@code dir} (cfg.json, sae_weights.safetensors) into {@code manager}. */
    public static Sae load(Path dir, boolean layerNormDecoder, NDManager manager) {
        return load(dir, layerNormDecoder, manager, c -> {});
    }

    /** The same, after {@code fits} has accepted the configuration (its hook in the model) before any weight is read. */
    public static Sae load(Path dir, boolean layerNormDecoder, NDManager manager,
                           java.util.function.Consumer<SaeConfig> fits) {
        SaeConfig c = SaeConfig.read(dir);
        fits.accept(c);
        Path weights = dir.resolve("sae_weights.safetensors");
        if (!Files.isRegularFile(weights)) {
            throw new SaeException(dir + ": no sae_weights.safetensors");
        }
        StateDict dict = new StateDict(weights.toString());
        String sha;
        try {
            Safetensors.read(weights, dict);
            try (var in = Files.newInputStream(weights)) {
                sha = org.apache.commons.codec.digest.DigestUtils.sha256Hex(in);
            }
        } catch (ModelException e) {
            throw new SaeException(e.getMessage());
        } catch (java.io.IOException e) {
            throw new SaeException(weights + ": cannot read (" + e.getMessage() + ")");
        }
        try {
            NDArray wEnc = manager.create(dict.get("W_enc", c.dIn(), c.dSae()).data(), new Shape(c.dIn(), c.dSae()));
            NDArray bEnc = manager.create(dict.get("b_enc", c.dSae()).data());
            NDArray bDec = manager.create(dict.get("b_dec", c.dIn()).data());
            HostTensor wDec = dict.get("W_dec", c.dSae(), c.dIn());
            NDArray threshold = c.activation() == SaeConfig.Activation.JUMPRELU
                    ? manager.create(dict.get("threshold", c.dSae()).data()) : null;
            String name = SiteNames.slug(dir.toAbsolutePath().normalize().getFileName().toString());
            return new Sae(name, dir, c, c.centerWritingWeights() && layerNormDecoder, sha, wEnc, bEnc, bDec, threshold,
                    wDec);
        } catch (ModelException e) {
            throw new SaeException(e.getMessage());
        }
    }

    /** Latent activations [batch, seq, d_sae] of the hook's tensor x [batch, seq, d_in]. */
    public NDArray encode(NDArray x) {
        NDArray pre = preActivations(x);
        return switch (config.activation()) {
            case RELU -> pre.maximum(0f);
            case JUMPRELU -> pre.maximum(0f).muli(pre.gt(threshold).toType(DataType.FLOAT32, false));
            case TOPK -> {
                NDList top = pre.topK(config.k(), -1, true, false);
                yield pre.zerosLike().scatter(top.get(1), top.get(0).maximum(0f), -1);
            }
        };
    }

    /**
     * A TopK SAE's latents as its k (value, index) pairs per position, [batch, seq, k] each: what {@link #encode}
     * scatters into a dense array, every other latent being 0.
     */
    public NDList encodeTopK(NDArray x) {
        return encodeTopK(x, Math.max(1, PRE_ACTIVATION_FLOATS / config.dSae()));
    }

    /** The same, {@code chunk} rows (positions) of pre-activations at a time. */
    NDList encodeTopK(NDArray x, long chunk) {
        if (config.activation() != SaeConfig.Activation.TOPK) {
            throw new IllegalStateException("not a TopK SAE");
        }
        ai.djl.ndarray.types.Shape shape = x.getShape();
        long rows = shape.get(0) * shape.get(1);
        NDArray flat = x.reshape(rows, config.dIn());
        // The pre-activations are [rows, d_sae] floats: in chunks of rows, so that a 65,536-latent SAE does not
        // hold a gigabyte of them at once when only k a row are kept.
        NDList values = new NDList();
        NDList indices = new NDList();
        for (long from = 0; from < rows; from += chunk) {
            long to = Math.min(rows, from + chunk);
            NDList top = topK(flat.get(from + ":" + to));
            values.add(top.get(0));
            indices.add(top.get(1));
        }
        Shape out = new Shape(shape.get(0), shape.get(1), config.k());
        return new NDList(concat(values).reshape(out), concat(indices).reshape(out));
    }

    /** Pre-activation floats computed at once, at most: 256 MB. */
    static final long PRE_ACTIVATION_FLOATS = 1L << 26;

    private NDList topK(NDArray rows) {
        NDList top = preActivations(rows).topK(config.k(), -1, true, false);
        return new NDList(top.get(0).maximum(0f), top.get(1));
    }

    private static NDArray concat(NDList parts) {
        return parts.size() == 1 ? parts.get(0) : ai.djl.ndarray.NDArrays.concat(parts, 0);
    }

    /** x · W_enc + b_enc after SAELens's process_sae_in (centring, normalisation, b_dec). */
    private NDArray preActivations(NDArray x) {
        NDArray in = x;
        if (center) {
            in = in.sub(in.mean(new int[] {-1}, true));
        }
        in = switch (config.normalization()) {
            case NONE -> in;
            case CONSTANT_NORM_RESCALE -> in.mul(Math.sqrt(config.dIn())).div(in.norm(new int[] {-1}, true));
            case LAYER_NORM -> {
                NDArray centred = in.sub(in.mean(new int[] {-1}, true));
                // torch.std: Bessel's correction (n − 1)
                NDArray std = centred.square().sum(new int[] {-1}, true).div(config.dIn() - 1).sqrt();
                yield centred.div(std.add(1e-5f));
            }
        };
        if (config.applyBDecToInput()) {
            in = in.sub(bDec);
        }
        return in.matMul(wEnc).addi(bEnc);
    }

    /** The decoder's rows, [d_sae, d_in]: each latent's direction in the hook's space. */
    public NDArray decoder(NDManager manager) {
        return manager.create(wDec.data(), new Shape(config.dSae(), config.dIn()));
    }
}
