package dev.wirelab.netstack.ip;

/** The DF policy of a socket, as Linux's IP_MTU_DISCOVER option and {@code ping -M do|want|dont}. */
public enum PmtuDiscovery {
    /** DF clear: routers may fragment. */
    DONT,
    /** DF set while the datagram fits the known path MTU; larger ones are fragmented here (Linux default). */
    WANT,
    /** DF always set; a datagram larger than the known path MTU fails with "Message too long". */
    DO;

    public static PmtuDiscovery parse(String text) {
        return switch (text) {
            case "do" -> DO;
            case "want" -> WANT;
            case "dont" -> DONT;
            default -> throw new IllegalArgumentException("invalid -M argument: " + text + " (do, want or dont)");
        };
    }
}
