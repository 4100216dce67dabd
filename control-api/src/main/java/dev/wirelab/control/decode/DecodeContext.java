package dev.wirelab.control.decode;

import dev.wirelab.netstack.wire.Ipv4Address;
import dev.wirelab.netstack.wire.MacAddress;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * State of one frame's decoding: the summary columns the decoders fill (the outermost value wins, so
 * a VXLAN-encapsulated frame is filed under its underlay addresses; a datagram quoted in an ICMP
 * error never overwrites the error's own addresses), the IPv4 addresses of the enclosing datagram
 * (for pseudo-header checksums), and whether fields are wanted at all.
 */
public final class DecodeContext {

    /** Nesting limit (VXLAN in VXLAN in ...): deeper payloads are shown as data. */
    public static final int MAX_DEPTH = 8;

    private final boolean withFields;
    private final List<String> protocols = new ArrayList<>();
    private final Set<String> flags = new LinkedHashSet<>();
    private MacAddress srcMac;
    private MacAddress dstMac;
    private Ipv4Address srcIp;
    private Ipv4Address dstIp;
    private int ipProtocol = -1;
    private int srcPort = -1;
    private int dstPort = -1;
    private String conversation;
    private String quotedConversation;
    private int quoted;
    private int depth;
    private Ipv4Address enclosingSrc;
    private Ipv4Address enclosingDst;

    public DecodeContext(boolean withFields) {
        this.withFields = withFields;
    }

    /** False in summary-only decoding (ingest): decoders may skip building fields. */
    public boolean withFields() {
        return withFields;
    }

    public LayerBuilder layer(String protocol, int offset, int length) {
        return new LayerBuilder(protocol, offset, length, withFields);
    }

    /** True while decoding what an ICMP error quotes. */
    public boolean inQuoted() {
        return quoted > 0;
    }

    public void enterQuoted() {
        quoted++;
    }

    public void exitQuoted() {
        quoted--;
    }

    int depth() {
        return depth;
    }

    void enter() {
        depth++;
    }

    void exit() {
        depth--;
    }

    // ---- summary columns (first value wins; nothing is recorded from quoted datagrams) ----

    public void protocol(String name) {
        if (!inQuoted()) {
            protocols.add(name);
        }
    }

    public void macs(MacAddress src, MacAddress dst) {
        if (srcMac == null && !inQuoted()) {
            srcMac = src;
            dstMac = dst;
        }
    }

    public void addresses(Ipv4Address src, Ipv4Address dst) {
        if (srcIp == null && !inQuoted()) {
            srcIp = src;
            dstIp = dst;
        }
    }

    public void ipProtocol(int protocol) {
        if (ipProtocol < 0 && !inQuoted()) {
            ipProtocol = protocol;
        }
    }

    public void ports(int src, int dst) {
        if (srcPort < 0 && !inQuoted()) {
            srcPort = src;
            dstPort = dst;
        }
    }

    public void flag(String flag) {
        if (!inQuoted()) {
            flags.add(flag);
        }
    }

    /**
     * The conversation (5-tuple) this frame belongs to; from a quoted datagram it is kept apart and used
     * only when the frame has none of its own (so an ICMP error joins the flow that caused it).
     */
    public void conversation(String key) {
        if (inQuoted()) {
            if (quotedConversation == null) {
                quotedConversation = key;
            }
        } else if (conversation == null) {
            conversation = key;
        }
    }

    /** The source and destination of the innermost IPv4 header being decoded (UDP/TCP pseudo-header). */
    public Ipv4Address enclosingSource() {
        return enclosingSrc;
    }

    public Ipv4Address enclosingDestination() {
        return enclosingDst;
    }

    /** Sets the enclosing IPv4 addresses; returns the previous pair so the caller can restore it. */
    public Ipv4Address[] enclose(Ipv4Address src, Ipv4Address dst) {
        Ipv4Address[] previous = {enclosingSrc, enclosingDst};
        enclosingSrc = src;
        enclosingDst = dst;
        return previous;
    }

    public void restore(Ipv4Address[] previous) {
        enclosingSrc = previous[0];
        enclosingDst = previous[1];
    }

    FrameColumns columns(String info) {
        return new FrameColumns(List.copyOf(protocols), srcMac, dstMac, srcIp, dstIp,
                ipProtocol < 0 ? null : ipProtocol, srcPort < 0 ? null : srcPort, dstPort < 0 ? null : dstPort,
                flags.isEmpty() ? null : String.join(",", flags),
                conversation != null ? conversation : quotedConversation, info);
    }

    /**
     * A canonical 5-tuple key, the same for both directions: {@code udp 10.0.1.10:33434 <-> 10.0.2.10:53}
     * (the lower endpoint first); ports below 0 are left out ({@code icmp 10.0.1.10 <-> 10.0.2.10 id=7}).
     */
    public static String conversationKey(String protocol, Ipv4Address a, int aPort, Ipv4Address b, int bPort,
                                         String suffix) {
        int c = a.compareTo(b);
        boolean swap = c > 0 || (c == 0 && aPort > bPort);
        String left = endpoint(swap ? b : a, swap ? bPort : aPort);
        String right = endpoint(swap ? a : b, swap ? aPort : bPort);
        return protocol + " " + left + " <-> " + right + (suffix == null ? "" : " " + suffix);
    }

    private static String endpoint(Ipv4Address ip, int port) {
        return port < 0 ? ip.toString() : ip + ":" + port;
    }
}
