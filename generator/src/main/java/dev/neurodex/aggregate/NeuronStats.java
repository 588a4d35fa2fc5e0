package dev.neurodex.aggregate;

/**
 * A neuron's statistics over all content tokens of the corpus.
 *
 * @param mean      over the finite activations
 * @param density   fraction of the finite activations that are > 0
 * @param tokens    content tokens scanned
 * @param nonFinite of those, tokens where the activation was NaN or infinite (left out of everything else)
 */
public record NeuronStats(float max, float min, double mean, double density, long tokens, long nonFinite) {}
