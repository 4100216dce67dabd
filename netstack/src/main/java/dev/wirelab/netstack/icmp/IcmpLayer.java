package dev.wirelab.netstack.icmp;

import dev.wirelab.netstack.ip.Counters;
import dev.wirelab.netstack.ip.Ipv4Sender;
import dev.wirelab.netstack.ip.OutboundDatagram;
import dev.wirelab.netstack.ip.SendResult;
import dev.wirelab.netstack.ip.StackEvents;
import dev.wirelab.netstack.wire.IcmpMessage;
import dev.wirelab.netstack.wire.Ipv4Packet;
import dev.wirelab.netstack.wire.WireFormatException;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * The ICMP endpoints of one node: echo sockets by identifier and the dispatch of echo replies and
 * of errors quoting echo requests. Errors about UDP or other protocols are routed by the node.
 */
public final class IcmpLayer {

    private final Ipv4Sender ip;
    private final Counters counters;
    private final LongSupplier clock;
    private final StackEvents events;
    private final Map<Integer, EchoSocket> sockets = new TreeMap<>();
    private int nextIdentifier;

    /** @param firstIdentifier where echo identifiers start (deterministic, per node) */
    public IcmpLayer(Ipv4Sender ip, Counters counters, LongSupplier clock, int firstIdentifier, StackEvents events) {
        this.ip = ip;
        this.counters = counters;
        this.clock = clock;
        this.events = events;
        this.nextIdentifier = firstIdentifier & 0xFFFF;
    }

    Ipv4Sender ip() {
        return ip;
    }

    SendResult send(OutboundDatagram d, int identifier, int sequence) {
        SendResult r = ip.send(d);
        events.event("icmp", "echo_request_sent", "to", d.destination().toString(), "id", identifier, "seq", sequence,
                "ttl", d.ttl(), "bytes", d.payload().length, "result", r.status().name());
        if (r.ok()) {
            counters.increment("icmp", "sent");
            counters.increment("icmp", "sent.echo_request");
        }
        return r;
    }

    /** A socket with a fresh identifier (the next unused one, deterministically). */
    public EchoSocket openEchoSocket() {
        for (int i = 0; i < 0x10000; i++) {
            int id = nextIdentifier;
            nextIdentifier = (nextIdentifier + 1) & 0xFFFF;
            if (!sockets.containsKey(id)) {
                EchoSocket s = new EchoSocket(this, id);
                sockets.put(id, s);
                return s;
            }
        }
        throw new IllegalStateException("no free ICMP echo identifier");
    }

    void release(EchoSocket socket) {
        sockets.remove(socket.identifier(), socket);
    }

    /** Delivers an echo reply; returns false when no socket owns its identifier. */
    public boolean deliverReply(Ipv4Packet ip, IcmpMessage reply) {
        EchoSocket s = sockets.get(reply.identifier());
        if (s == null || s.handler() == null) {
            return false;
        }
        s.handler().onReply(ip, reply, clock.getAsLong());
        return true;
    }

    /**
     * Delivers an error whose quoted datagram is an ICMP echo request of ours; the quoted ICMP
     * header (first 8 bytes of the quoted data, RFC 792) carries identifier and sequence.
     */
    public boolean deliverError(Ipv4Packet ip, IcmpMessage error, Ipv4Packet quoted) {
        byte[] q = quoted.payload();
        if (q.length < 8 || (q[0] & 0xFF) != IcmpMessage.TYPE_ECHO_REQUEST) {
            return false;
        }
        int id = ((q[4] & 0xFF) << 8) | (q[5] & 0xFF);
        int seq = ((q[6] & 0xFF) << 8) | (q[7] & 0xFF);
        EchoSocket s = sockets.get(id);
        if (s == null || s.handler() == null) {
            return false;
        }
        s.handler().onError(ip, error, seq, clock.getAsLong());
        return true;
    }

    /** Parses the quoted datagram of an error, or null when it is not readable. */
    public static Ipv4Packet quotedOrNull(IcmpMessage error) {
        try {
            return error.quotedPacket();
        } catch (WireFormatException e) {
            return null;
        }
    }
}
