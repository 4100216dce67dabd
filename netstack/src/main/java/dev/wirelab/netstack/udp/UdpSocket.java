package dev.wirelab.netstack.udp;

import dev.wirelab.netstack.ip.OutboundDatagram;
import dev.wirelab.netstack.ip.PmtuDiscovery;
import dev.wirelab.netstack.ip.SendResult;
import dev.wirelab.netstack.wire.Ipv4Address;
import dev.wirelab.netstack.wire.Ipv4Packet;
import dev.wirelab.netstack.wire.UdpDatagram;

import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * A UDP socket bound to (address, port) on one node. All calls must happen on the node's event
 * loop (programs run there). Received datagrams go to the receiver callback, or, without one, to a
 * bounded queue read with {@link #poll()}.
 */
public final class UdpSocket implements AutoCloseable {

    /** Datagrams kept for {@link #poll()} before new ones are dropped (a stand-in for SO_RCVBUF). */
    public static final int RECEIVE_QUEUE_LIMIT = 256;

    private final UdpLayer layer;
    private Ipv4Address localAddress = Ipv4Address.ANY;
    private int localPort;
    private boolean bound;
    private boolean closed;
    private String device;
    private boolean broadcast;
    private boolean reuseAddress;
    private boolean reusePort;
    private int ttl = OutboundDatagram.DEFAULT_TTL;
    private int tos;
    private PmtuDiscovery pmtu = PmtuDiscovery.WANT;
    private Consumer<UdpMessage> receiver;
    private Consumer<UdpError> errorHandler;
    private final ArrayDeque<UdpMessage> queue = new ArrayDeque<>();

    UdpSocket(UdpLayer layer) {
        this.layer = layer;
    }

    /**
     * SO_REUSEADDR and SO_REUSEPORT, as set before bind(): sockets that all set one of them may
     * share a port (see {@link UdpLayer#bind}).
     */
    public UdpSocket setReuse(boolean address, boolean port) {
        this.reuseAddress = address;
        this.reusePort = port;
        return this;
    }

    boolean reuseAddress() {
        return reuseAddress;
    }

    boolean reusePort() {
        return reusePort;
    }

    /** bind(): {@code 0.0.0.0} for every address, port 0 for an ephemeral port. */
    public UdpSocket bind(Ipv4Address address, int port) {
        if (closed) {
            throw new IllegalStateException("socket closed");
        }
        if (bound) {
            throw new IllegalStateException("Invalid argument: socket already bound to " + localAddress + ":" + localPort);
        }
        localPort = layer.bind(this, address, port);
        localAddress = address;
        bound = true;
        layer.syscall("bind", "address", address.toString(), "port", localPort, "requested_port", port);
        return this;
    }

    /** Sends {@code payload} to {@code destination:port}, binding an ephemeral port first if needed. */
    public SendResult sendTo(Ipv4Address destination, int port, byte[] payload) {
        if (closed) {
            return SendResult.of(SendResult.Status.INVALID_ARGUMENT);
        }
        if (port < 1 || port > 65535) {
            return SendResult.of(SendResult.Status.INVALID_ARGUMENT);
        }
        if (payload.length > 65_535 - 8 - 20) {
            return new SendResult(SendResult.Status.MESSAGE_TOO_LONG, 65_535);
        }
        if (!bound) {
            bind(Ipv4Address.ANY, 0);
        }
        Ipv4Address source = localAddress;
        boolean unspecifiedSource = false;
        if (source.equals(Ipv4Address.ANY)) {
            var chosen = layer.ip().sourceFor(destination, device);
            if (chosen.isPresent()) {
                source = chosen.get();
            } else if (destination.isLimitedBroadcast() && device != null) {
                unspecifiedSource = true; // DHCP DISCOVER: RFC 2131 section 4.1, source 0.0.0.0
            } else {
                return SendResult.of(SendResult.Status.NETWORK_UNREACHABLE);
            }
        }
        byte[] udp = new UdpDatagram(localPort, port, payload).encode(source, destination);
        SendResult r = layer.ip().send(new OutboundDatagram(source, destination, Ipv4Packet.PROTOCOL_UDP, udp, ttl, tos,
                pmtu, device, broadcast, unspecifiedSource));
        if (r.ok()) {
            layer.counters().increment("udp", "sent");
        }
        layer.syscall("sendto", "local", source + ":" + localPort, "remote", destination + ":" + port,
                "bytes", payload.length, "result", r.status().name());
        return r;
    }

    void receive(UdpMessage message) {
        layer.counters().increment("udp", "delivered");
        if (receiver != null) {
            receiver.accept(message);
        } else if (queue.size() < RECEIVE_QUEUE_LIMIT) {
            queue.add(message);
        } else {
            layer.counters().drop("udp", "receive_queue_full");
        }
    }

    void error(UdpError error) {
        if (errorHandler != null) {
            errorHandler.accept(error);
        }
    }

    /** Next queued datagram, or null. */
    public UdpMessage poll() {
        return queue.poll();
    }

    /** Datagrams now go to {@code receiver} (queued ones first). */
    public UdpSocket onReceive(Consumer<UdpMessage> receiver) {
        this.receiver = receiver;
        while (receiver != null && !queue.isEmpty()) {
            receiver.accept(queue.poll());
        }
        return this;
    }

    /** ICMP errors about datagrams this socket sent (IP_RECVERR). */
    public UdpSocket onError(Consumer<UdpError> handler) {
        this.errorHandler = handler;
        return this;
    }

    /** IP_TTL. */
    public UdpSocket setTtl(int ttl) {
        if (ttl < 1 || ttl > 255) {
            throw new IllegalArgumentException("ttl must be 1..255: " + ttl);
        }
        this.ttl = ttl;
        return this;
    }

    public UdpSocket setTos(int tos) {
        this.tos = tos & 0xFF;
        return this;
    }

    /** SO_BROADCAST: without it, sending to a broadcast address fails with "Permission denied". */
    public UdpSocket setBroadcast(boolean broadcast) {
        this.broadcast = broadcast;
        return this;
    }

    /** IP_MTU_DISCOVER. */
    public UdpSocket setPmtuDiscovery(PmtuDiscovery pmtu) {
        this.pmtu = pmtu;
        return this;
    }

    /** SO_BINDTODEVICE: send and receive only on {@code interfaceName} (null to undo). */
    public UdpSocket bindToDevice(String interfaceName) {
        this.device = interfaceName;
        return this;
    }

    public String device() {
        return device;
    }

    public Ipv4Address localAddress() {
        return localAddress;
    }

    public int localPort() {
        return localPort;
    }

    public boolean isBound() {
        return bound;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            if (bound) {
                layer.unbind(this);
                layer.syscall("close", "address", localAddress.toString(), "port", localPort);
            }
        }
    }
}
