package dev.wirelab.control.errors;

/** A request that does not fit the current state (a second live run, a stopped run): HTTP 409. */
public final class ConflictException extends RuntimeException {
    public ConflictException(String message) {
        super(message);
    }
}
