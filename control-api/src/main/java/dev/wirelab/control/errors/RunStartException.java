package dev.wirelab.control.errors;

/** A run that could not start (e.g. the bus cannot bind its VXLAN port): HTTP 422, with the failed run's id. */
public final class RunStartException extends RuntimeException {

    private final long runId;

    public RunStartException(long runId, String message, Throwable cause) {
        super(message, cause);
        this.runId = runId;
    }

    public long runId() {
        return runId;
    }
}
