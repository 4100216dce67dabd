package dev.wirelab.control.errors;

/** An id or name that names nothing: HTTP 404. */
public final class NotFoundException extends RuntimeException {
    public NotFoundException(String message) {
        super(message);
    }
}
