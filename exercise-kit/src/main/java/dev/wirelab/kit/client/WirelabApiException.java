package dev.wirelab.kit.client;

/** The control API answered with an error: its status and the problem it described. */
public class WirelabApiException extends RuntimeException {

    private final int status;
    private final String body;

    public WirelabApiException(String request, int status, String body) {
        super(request + " -> " + status + ": " + body);
        this.status = status;
        this.body = body;
    }

    public int status() {
        return status;
    }

    /** The answer's body (RFC 9457 problem details). */
    public String body() {
        return body;
    }
}
