package dev.wirelab.netstack.lab;

/** A lab that cannot be built or run as asked, with the reason in words. */
public final class LabException extends RuntimeException {
    public LabException(String message) {
        super(message);
    }

    public LabException(String message, Throwable cause) {
        super(message, cause);
    }
}
