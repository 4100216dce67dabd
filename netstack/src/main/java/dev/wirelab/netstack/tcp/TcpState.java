package dev.wirelab.netstack.tcp;

/** RFC 9293 section 3.3.2: the states of a connection, with the names {@code ss} prints. */
public enum TcpState {
    CLOSED("CLOSED"),
    LISTEN("LISTEN"),
    SYN_SENT("SYN-SENT"),
    SYN_RECEIVED("SYN-RECV"),
    ESTABLISHED("ESTAB"),
    FIN_WAIT_1("FIN-WAIT-1"),
    FIN_WAIT_2("FIN-WAIT-2"),
    CLOSE_WAIT("CLOSE-WAIT"),
    CLOSING("CLOSING"),
    LAST_ACK("LAST-ACK"),
    TIME_WAIT("TIME-WAIT");

    private final String ssName;

    TcpState(String ssName) {
        this.ssName = ssName;
    }

    /** The name {@code ss -tan} shows (ESTAB, SYN-SENT, ...). */
    public String ssName() {
        return ssName;
    }

    /** RFC 9293 section 3.3.2: states after the SYNs were exchanged (ESTABLISHED and the closing states). */
    public boolean synchronizedState() {
        return this != CLOSED && this != LISTEN && this != SYN_SENT && this != SYN_RECEIVED;
    }
}
