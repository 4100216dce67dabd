package dev.wirelab.kit.trace;

/** Event matches: by node, layer and kind; narrow them with {@link EventMatch}'s methods. */
public final class Events {

    private Events() {
    }

    /** An event of this node, layer and kind, e.g. {@code of("pc1", "dns", "cache_miss")}. */
    public static EventMatch of(String node, String layer, String kind) {
        EventMatch family = new EventMatch("an event of " + node + "'s " + layer,
                e -> node.equals(e.node()) && layer.equals(e.layer()), null);
        return new EventMatch("event " + node + " " + layer + "/" + kind,
                e -> node.equals(e.node()) && layer.equals(e.layer()) && kind.equals(e.kind()), family);
    }

    /** Any event of this node and layer, e.g. {@code of("web", "syscall")} for every system call it made. */
    public static EventMatch of(String node, String layer) {
        EventMatch family = new EventMatch("an event of " + node + "'s " + layer,
                e -> node.equals(e.node()) && layer.equals(e.layer()), null);
        return new EventMatch("event " + node + " " + layer, e -> node.equals(e.node()) && layer.equals(e.layer()), family);
    }

    /** A TCP state change of this node into {@code state} (LISTEN, SYN_SENT, ESTABLISHED, FIN_WAIT_1, TIME_WAIT...). */
    public static EventMatch tcpState(String node, String state) {
        return of(node, "tcp", "state").with("to", state);
    }
}
