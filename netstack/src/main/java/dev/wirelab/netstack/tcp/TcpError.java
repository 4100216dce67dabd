package dev.wirelab.netstack.tcp;

/** Why a TCP call failed or a connection ended, with the errno a Linux program would see. */
public enum TcpError {
    REFUSED("ECONNREFUSED", "Connection refused"),
    RESET("ECONNRESET", "Connection reset by peer"),
    TIMED_OUT("ETIMEDOUT", "Connection timed out"),
    ABORTED("ECONNABORTED", "Software caused connection abort"),
    NETWORK_UNREACHABLE("ENETUNREACH", "Network is unreachable"),
    HOST_UNREACHABLE("EHOSTUNREACH", "No route to host"),
    PROTOCOL_UNAVAILABLE("ENOPROTOOPT", "Protocol not available"),
    ADDRESS_IN_USE("EADDRINUSE", "Address already in use"),
    ADDRESS_NOT_AVAILABLE("EADDRNOTAVAIL", "Cannot assign requested address"),
    BROKEN_PIPE("EPIPE", "Broken pipe"),
    NOT_CONNECTED("ENOTCONN", "Transport endpoint is not connected"),
    INVALID_ARGUMENT("EINVAL", "Invalid argument"),
    MESSAGE_TOO_LONG("EMSGSIZE", "Message too long");

    private final String errno;
    private final String message;

    TcpError(String errno, String message) {
        this.errno = errno;
        this.message = message;
    }

    /** The errno name, e.g. {@code ECONNREFUSED}. */
    public String errno() {
        return errno;
    }

    /** strerror()'s text, e.g. "Connection refused". */
    public String message() {
        return message;
    }
}
