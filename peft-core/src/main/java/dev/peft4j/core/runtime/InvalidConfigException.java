package dev.peft4j.core.runtime;

/**
 * A PEFT config that cannot be read: malformed JSON, a missing or unknown {@code peft_type}, an
 * unknown or unsupported key, a value of the wrong type, or a value its record rejects. The message
 * is meant for the user as is: it names the key, the bad value and what is allowed, and never
 * carries Jackson's own text.
 */
public final class InvalidConfigException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message the user-facing message
     */
    public InvalidConfigException(String message) {
        super(message);
    }

    /**
     * @param message the user-facing message
     * @param cause the underlying failure, kept for debugging
     */
    public InvalidConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
