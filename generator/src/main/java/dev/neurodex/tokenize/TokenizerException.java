package dev.neurodex.tokenize;

/** A tokenizer.json neurodex cannot use; the message names the file. */
public final class TokenizerException extends RuntimeException {
    public TokenizerException(String message) {
        super(message);
    }

    public TokenizerException(String message, Throwable cause) {
        super(message, cause);
    }
}
