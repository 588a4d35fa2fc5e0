package dev.neurodex.aggregate;

/**
 * A neuron's statistics over all content tokens of the corpus.
 *
 * @param density fraction of tokens with activation > 0
 */
public record NeuronStats(float max, float min, double mean, double density, long tokens) {}
