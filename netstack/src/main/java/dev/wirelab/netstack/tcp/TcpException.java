package dev.wirelab.netstack.tcp;

/** A TCP call that failed, with its {@link TcpError} (the socket layer turns it into an errno). */
public final class TcpException extends RuntimeException {

    private final TcpError error;

    public TcpException(TcpError error, String detail) {
        super(error.errno() + ": " + error.message() + (detail == null || detail.isEmpty() ? "" : " (" + detail + ")"));
        this.error = error;
    }

    public TcpError error() {
        return error;
    }
}
