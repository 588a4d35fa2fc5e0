package dev.neurodex.sae;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.neurodex.model.HookPoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * What an SAE's cfg.json says about encoding, in either of SAELens's layouts: the current one (architecture,
 * d_in, d_sae, k at the top, where it was trained in {@code metadata} or {@code meta}) and the older flat one
 * ({@code hook_name} or {@code hook_point}, {@code activation_fn_str} with {@code activation_fn_kwargs}).
 *
 * @param k                      latents kept per token by a TopK SAE (0 otherwise)
 * @param normalization          what is done to the hook's vector before encoding
 * @param centerWritingWeights   whether TransformerLens subtracted each residual vector's mean over d_model in
 *                               the model the SAE was trained on ({@code model_from_pretrained_kwargs}); SAELens
 *                               loads models without processing, so absent means false
 * @param modelKwargs            {@code model_from_pretrained_kwargs} as given, for the page
 */
public record SaeConfig(Activation activation, int dIn, int dSae, int k, boolean applyBDecToInput,
                        Normalization normalization, HookPoint.At hook, String modelName, boolean centerWritingWeights,
                        Map<String, String> modelKwargs) {

    public enum Activation { RELU, JUMPRELU, TOPK }

    public enum Normalization {
        NONE("none"),
        /** x · sqrt(d_in) / ‖x‖, per token (Anthropic's February 2024 update). */
        CONSTANT_NORM_RESCALE("constant_norm_rescale"),
        /** (x − mean) / (std + 1e-5), std with Bessel's correction, as torch.std computes it. */
        LAYER_NORM("layer_norm");

        final String name;

        Normalization(String name) {
            this.name = name;
        }
    }

    /** Latents an SAE may have: 2^20 is four times Gemma Scope's widest. */
    static final int MAX_LATENTS = 1 << 20;
    /** A hook is no wider than a config.json size may be. */
    static final int MAX_WIDTH = 1 << 24;

    private static final ObjectMapper JSON = new ObjectMapper();

    public static SaeConfig read(Path dir) {
        Path file = dir.resolve("cfg.json");
        if (!Files.isRegularFile(file)) {
            throw new SaeException(dir + ": not an SAELens directory (no cfg.json)");
        }
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new SaeException(file + ": not valid JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
        if (root == null || !root.isObject()) {
            throw new SaeException(file + ": not a JSON object");
        }
        Fields f = new Fields(file, root);
        JsonNode meta = root.has("metadata") ? root.get("metadata") : root.path("meta");
        Fields m = meta.isObject() ? new Fields(file, meta) : f;

        String hookName = firstText(m, f, "hook_name", "hook_point");
        if (hookName == null) {
            throw new SaeException(file + ": no \"hook_name\" (nor metadata.hook_name, nor the older \"hook_point\")");
        }
        HookPoint.At hook = HookPoint.At.parse(hookName);
        if (hook == null) {
            throw new SaeException(file + ": hook \"" + hookName + "\" is not one neurodex computes (blocks.<L>. followed "
                    + "by one of " + HookPoint.names() + ")");
        }
        JsonNode head = m.node("hook_head_index").isMissingNode() ? f.node("hook_head_index") : m.node("hook_head_index");
        if (!head.isMissingNode() && !head.isNull()) {
            throw new SaeException(file + ": \"hook_head_index\" is " + head + "; SAEs on one attention head are not supported");
        }

        int dIn = f.size("d_in", MAX_WIDTH);
        int dSae = f.size("d_sae", MAX_LATENTS);
        String architecture = f.text("architecture", "standard");
        String activationFn = f.text("activation_fn_str", "");
        if (activationFn.isEmpty()) {
            activationFn = f.text("activation_fn", "");
        }
        Activation activation;
        int k = 0;
        if (architecture.equals("topk") || activationFn.equals("topk")) {
            activation = Activation.TOPK;
            JsonNode kNode = f.node("k").isMissingNode() ? root.path("activation_fn_kwargs").path("k") : f.node("k");
            if (!kNode.canConvertToInt() || !kNode.isIntegralNumber() || kNode.asInt() < 1 || kNode.asInt() > dSae) {
                throw new SaeException(file + ": a TopK SAE needs \"k\" (or activation_fn_kwargs.k), an integer from 1 to "
                        + "d_sae (" + dSae + "), got " + (kNode.isMissingNode() ? "none" : kNode.toString()));
            }
            k = kNode.asInt();
        } else if (architecture.equals("jumprelu")) {
            activation = Activation.JUMPRELU;
        } else if (architecture.equals("standard")) {
            activation = Activation.RELU;
        } else {
            throw new SaeException(file + ": \"architecture\" is \"" + architecture + "\"; neurodex reads standard (ReLU), "
                    + "jumprelu and topk SAEs");
        }
        if (activation != Activation.TOPK && !activationFn.isEmpty() && !activationFn.equals("relu")) {
            throw new SaeException(file + ": activation function \"" + activationFn + "\" is not supported (relu, topk, "
                    + "or architecture jumprelu)");
        }

        Normalization normalization = normalization(file, f.node("normalize_activations"));
        JsonNode applyBDec = f.node("apply_b_dec_to_input");
        if (!applyBDec.isMissingNode() && !applyBDec.isBoolean()) {
            throw new SaeException(file + ": \"apply_b_dec_to_input\" is " + applyBDec + ", not true or false");
        }
        JsonNode kwargs = m.node("model_from_pretrained_kwargs").isMissingNode()
                ? f.node("model_from_pretrained_kwargs") : m.node("model_from_pretrained_kwargs");
        Map<String, String> modelKwargs = new TreeMap<>();
        if (kwargs.isObject()) {
            kwargs.fields().forEachRemaining(e -> modelKwargs.put(e.getKey(), e.getValue().toString()));
        }
        boolean center = kwargs.path("center_writing_weights").asBoolean(false);
        return new SaeConfig(activation, dIn, dSae, k, applyBDec.asBoolean(true), normalization, hook,
                firstText(m, f, "model_name"), center, modelKwargs);
    }

    private static Normalization normalization(Path file, JsonNode node) {
        if (node.isMissingNode() || node.isNull() || node.isBoolean() && !node.asBoolean()) {
            return Normalization.NONE;
        }
        for (Normalization n : Normalization.values()) {
            if (node.isTextual() && node.asText().equals(n.name)) {
                return n;
            }
        }
        throw new SaeException(file + ": \"normalize_activations\" is " + node + "; neurodex applies none, "
                + "constant_norm_rescale and layer_norm (an SAE with a stored scaling factor, expected_average_only_in, "
                + "must have it folded into its weights first: SAELens's fold_activation_norm_scaling_factor)");
    }

    private static String firstText(Fields m, Fields f, String... names) {
        for (String name : names) {
            for (Fields fields : new Fields[] {m, f}) {
                JsonNode v = fields.node(name);
                if (v.isTextual() && !v.asText().isEmpty()) {
                    return v.asText();
                }
            }
        }
        return null;
    }

    /** The name this SAE's hook has in a model's pages. */
    public String hookName() {
        return hook.toString();
    }

    private record Fields(Path file, JsonNode node) {
        JsonNode node(String name) {
            return node.path(name);
        }

        String text(String name, String fallback) {
            JsonNode v = node.path(name);
            return v.isTextual() ? v.asText() : fallback;
        }

        int size(String name, int max) {
            JsonNode v = node.path(name);
            if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 1 || v.asInt() > max) {
                throw new SaeException(file + ": \"" + name + "\" must be an integer from 1 to " + max + ", got "
                        + (v.isMissingNode() ? "none" : v.toString()));
            }
            return v.asInt();
        }
    }
}
