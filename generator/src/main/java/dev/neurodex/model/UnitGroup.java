package dev.neurodex.model;

/**
 * One group of units a scan aggregates and a site shows as a folder of pages: a layer's neurons at a hook point,
 * or an SAE's latents on its hook.
 *
 * @param layer   the block the group's hook belongs to
 * @param hook    the full TransformerLens name ({@code blocks.3.mlp.hook_post})
 * @param width   units in the group
 * @param section the SAE's name, or null for the model's own units
 */
public record UnitGroup(int layer, String hook, int width, String section) {}
