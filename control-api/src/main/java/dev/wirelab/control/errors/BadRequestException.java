package dev.wirelab.control.errors;

/** A request whose parameters or body are wrong, with what is wrong and where: HTTP 400. */
public final class BadRequestException extends RuntimeException {

    private final String parameter;

    public BadRequestException(String parameter, String message) {
        super(message);
        this.parameter = parameter;
    }

    /** The parameter or body field at fault, or null. */
    public String parameter() {
        return parameter;
    }
}
