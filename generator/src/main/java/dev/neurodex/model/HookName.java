package dev.neurodex.model;

/** TransformerLens hook names, produced in one place so that pages, records and manifests agree. */
public final class HookName {
    private HookName() {}

    /** The MLP hidden activation after the nonlinearity of block {@code layer}: {@code blocks.3.mlp.hook_post}. */
    public static String mlpPost(int layer) {
        return "blocks." + layer + ".mlp.hook_post";
    }
}
