package dev.neurodex.sae;

/** An SAE directory neurodex cannot use, with the file and field at fault. */
public final class SaeException extends RuntimeException {
    public SaeException(String message) {
        super(message);
    }
}
