package dev.neurodex.model;

/** A model that cannot be loaded or run; the message names the file or tensor at fault. */
public class ModelException extends RuntimeException {
    public ModelException(String message) {
        super(message);
    }

    public ModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
