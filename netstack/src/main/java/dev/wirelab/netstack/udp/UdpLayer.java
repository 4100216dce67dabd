package dev.wirelab.netstack.udp;

import dev.wirelab.netstack.ip.Counters;
import dev.wirelab.netstack.ip.Ipv4Sender;
import dev.wirelab.netstack.ip.StackEvents;
import dev.wirelab.netstack.wire.IcmpMessage;
import dev.wirelab.netstack.wire.Ipv4Address;
import dev.wirelab.netstack.wire.Ipv4Packet;
import dev.wirelab.netstack.wire.UdpDatagram;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * UDP of one node (RFC 768): the port table, demultiplexing to sockets, ephemeral ports and
 * delivery of ICMP errors to the socket that caused them. Runs on the node's loop.
 */
public final class UdpLayer {

    /** Linux's default net.ipv4.ip_local_port_range. */
    public static final int EPHEMERAL_FIRST = 32768;
    public static final int EPHEMERAL_LAST = 60999;

    private final Ipv4Sender ip;
    private final Counters counters;
    private final LongSupplier clock;
    private final StackEvents events;
    private final Map<Integer, List<UdpSocket>> byPort = new TreeMap<>();
    private int nextEphemeral = EPHEMERAL_FIRST;

    public UdpLayer(Ipv4Sender ip, Counters counters, LongSupplier clock, StackEvents events) {
        this.ip = ip;
        this.counters = counters;
        this.clock = clock;
        this.events = events;
    }

    /** Socket calls are traced like system calls (layer "udp", kind "syscall"). */
    void syscall(String call, Object... keyValues) {
        Object[] kv = new Object[keyValues.length + 2];
        kv[0] = "call";
        kv[1] = call;
        System.arraycopy(keyValues, 0, kv, 2, keyValues.length);
        events.event("udp", "syscall", kv);
    }

    /** A new unbound socket; it binds an ephemeral port on its first send. */
    public UdpSocket open() {
        return new UdpSocket(this);
    }

    /** A new socket bound to {@code address:port} (0.0.0.0 = every address, port 0 = ephemeral). */
    public UdpSocket open(Ipv4Address address, int port) {
        UdpSocket s = new UdpSocket(this);
        s.bind(address, port);
        return s;
    }

    Ipv4Sender ip() {
        return ip;
    }

    Counters counters() {
        return counters;
    }

    long now() {
        return clock.getAsLong();
    }

    /** Binds or throws "Address already in use" as bind() would fail with EADDRINUSE. */
    int bind(UdpSocket socket, Ipv4Address address, int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535: " + port);
        }
        if (!address.equals(Ipv4Address.ANY) && !address.isLimitedBroadcast() && !ip.isLocalAddress(address)) {
            throw new IllegalArgumentException("Cannot assign requested address: " + address);
        }
        if (port == 0) {
            port = ephemeral(address);
        } else if (conflicts(socket, address, port)) {
            throw new IllegalStateException("Address already in use: " + address + ":" + port);
        }
        // The newest socket first, as Linux adds to the head of the port's chain: among sockets
        // sharing a port with SO_REUSEADDR, the one bound last receives unicast datagrams.
        byPort.computeIfAbsent(port, k -> new ArrayList<>(1)).add(0, socket);
        return port;
    }

    /** Deterministic ephemeral ports: the next free one in the range, wrapping around. */
    private int ephemeral(Ipv4Address address) {
        int span = EPHEMERAL_LAST - EPHEMERAL_FIRST + 1;
        for (int i = 0; i < span; i++) {
            int p = nextEphemeral;
            nextEphemeral = p == EPHEMERAL_LAST ? EPHEMERAL_FIRST : p + 1;
            if (!conflicts(null, address, p)) {
                return p;
            }
        }
        throw new IllegalStateException("Address already in use: no free ephemeral port");
    }

    /**
     * Linux's udp_lib_lport_inuse: a bound socket on an overlapping address conflicts unless both
     * set SO_REUSEADDR, or both set SO_REUSEPORT (one user here: the node). {@code socket} null: an
     * ephemeral port, which is never shared.
     */
    private boolean conflicts(UdpSocket socket, Ipv4Address address, int port) {
        for (UdpSocket s : byPort.getOrDefault(port, List.of())) {
            Ipv4Address a = s.localAddress();
            if (a.equals(Ipv4Address.ANY) || address.equals(Ipv4Address.ANY) || a.equals(address)) {
                boolean shared = socket != null && ((socket.reuseAddress() && s.reuseAddress())
                        || (socket.reusePort() && s.reusePort()));
                if (!shared) {
                    return true;
                }
            }
        }
        return false;
    }

    void unbind(UdpSocket socket) {
        List<UdpSocket> l = byPort.get(socket.localPort());
        if (l != null) {
            l.remove(socket);
            if (l.isEmpty()) {
                byPort.remove(socket.localPort());
            }
        }
    }

    /**
     * Delivers a datagram that arrived for this node.
     *
     * @param broadcast the IP destination was a broadcast address: every matching socket gets a copy
     * @return false when no socket is bound to the port (the caller owes an ICMP port unreachable,
     *         RFC 1122 section 4.1.3.1)
     */
    public boolean deliver(Ipv4Packet packet, UdpDatagram datagram, String interfaceName, boolean broadcast) {
        List<UdpSocket> candidates = byPort.getOrDefault(datagram.destinationPort(), List.of());
        UdpSocket exact = null;
        UdpSocket wildcard = null;
        List<UdpSocket> exactGroup = null;    // SO_REUSEPORT sockets on the best match, to share unicast
        List<UdpSocket> wildcardGroup = null;
        List<UdpSocket> all = broadcast ? new ArrayList<>() : null;
        for (UdpSocket s : candidates) {
            if (s.device() != null && !s.device().equals(interfaceName)) {
                continue;
            }
            Ipv4Address a = s.localAddress();
            if (broadcast) {
                if (a.equals(Ipv4Address.ANY) || a.equals(packet.destination())) {
                    all.add(s);
                }
            } else if (a.equals(packet.destination())) {
                if (exact == null) {
                    exact = s;
                }
                if (s.reusePort()) {
                    exactGroup = add(exactGroup, s);
                }
            } else if (a.equals(Ipv4Address.ANY)) {
                if (wildcard == null) {
                    wildcard = s;
                }
                if (s.reusePort()) {
                    wildcardGroup = add(wildcardGroup, s);
                }
            }
        }
        UdpMessage msg = new UdpMessage(packet.source(), datagram.sourcePort(), packet.destination(),
                datagram.destinationPort(), datagram.payload(), interfaceName, packet.ttl(), now());
        if (broadcast) {
            all.forEach(s -> s.receive(msg));
            return !all.isEmpty();
        }
        UdpSocket target = exact != null ? exact : wildcard;
        if (target == null) {
            return false;
        }
        List<UdpSocket> group = exact != null ? exactGroup : wildcardGroup;
        if (target.reusePort() && group != null && group.size() > 1) {
            // SO_REUSEPORT: the sockets of the group share unicast datagrams by a hash of the
            // 4-tuple (reuseport_select_sock), so one flow always reaches the same socket. The
            // group is in bind order, so the choice does not depend on which bound last.
            group = new ArrayList<>(group);
            java.util.Collections.reverse(group);
            int h = java.util.Objects.hash(packet.source(), datagram.sourcePort(), packet.destination(),
                    datagram.destinationPort());
            target = group.get(Math.floorMod(h * 0x9E3779B9, group.size()));
        }
        target.receive(msg);
        return true;
    }

    private static List<UdpSocket> add(List<UdpSocket> l, UdpSocket s) {
        List<UdpSocket> out = l == null ? new ArrayList<>(2) : l;
        out.add(s);
        return out;
    }

    /**
     * Hands an ICMP error quoting a UDP datagram to the socket that sent it (RFC 1122 section
     * 4.1.3.3: "UDP MUST pass to the application layer all ICMP error messages").
     *
     * @return true when a socket took it
     */
    public boolean deliverError(Ipv4Packet carrier, IcmpMessage error, Ipv4Packet quoted, int quotedSourcePort,
                                int quotedDestinationPort) {
        for (UdpSocket s : byPort.getOrDefault(quotedSourcePort, List.of())) {
            Ipv4Address a = s.localAddress();
            if (a.equals(Ipv4Address.ANY) || a.equals(quoted.source())) {
                s.error(new UdpError(carrier.source(), error, quoted.destination(), quotedDestinationPort, quoted.ttl(),
                        carrier.ttl(), now()));
                return true;
            }
        }
        return false;
    }

    /** Bound sockets as (address, port) text, for {@code ss -u}-like views. */
    public List<String> boundSockets() {
        List<String> out = new ArrayList<>();
        byPort.forEach((port, list) -> list.forEach(s -> out.add(s.localAddress() + ":" + port)));
        return out;
    }
}
