package dev.wirelab.netstack.wire;

/**
 * The only exception a decoder throws for bad bytes: what was wrong and where. Nodes catch it,
 * count the frame as dropped with this message as the reason, and go on.
 */
public final class WireFormatException extends RuntimeException {

    private final String protocol;

    public WireFormatException(String protocol, String message) {
        super(protocol + ": " + message);
        this.protocol = protocol;
    }

    /** Protocol whose decoder refused the bytes, e.g. "ipv4". */
    public String protocol() {
        return protocol;
    }
}
