package dev.wirelab.control.errors;

/** A well-formed request the control API cannot carry out as asked (HTTP 422); the message says why. */
public final class UnprocessableException extends RuntimeException {

    public UnprocessableException(String message) {
        super(message);
    }
}
