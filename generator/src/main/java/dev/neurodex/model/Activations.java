package dev.neurodex.model;

/**
 * The hooked activations of one batch, copied to Java memory: for each layer a row-major
 * [batch, seqLen, dMlp] array. Content token {@code pos} of window {@code b} sits at sequence
 * position {@code contentOffset + pos}; special and padding positions are never read.
 */
public record Activations(int batch, int seqLen, int contentOffset, int dMlp, float[][] layers) {

    /** Index into {@code layers[l]} of neuron 0 at content position {@code pos} of window {@code b}. */
    public int rowStart(int b, int pos) {
        return (b * seqLen + contentOffset + pos) * dMlp;
    }
}
