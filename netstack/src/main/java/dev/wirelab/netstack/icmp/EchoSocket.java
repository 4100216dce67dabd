package dev.wirelab.netstack.icmp;

import dev.wirelab.netstack.ip.OutboundDatagram;
import dev.wirelab.netstack.ip.PmtuDiscovery;
import dev.wirelab.netstack.ip.SendResult;
import dev.wirelab.netstack.wire.IcmpMessage;
import dev.wirelab.netstack.wire.Ipv4Address;
import dev.wirelab.netstack.wire.Ipv4Packet;

/**
 * An ICMP echo endpoint, like Linux's ping socket (socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP)):
 * it owns an echo identifier, sends echo requests and receives the replies and ICMP errors that
 * quote its requests. Created by {@link IcmpLayer#openEchoSocket}; used on the node's loop.
 */
public final class EchoSocket implements AutoCloseable {

    /** What the socket delivers. */
    public interface Handler {
        /** An echo reply with our identifier. */
        void onReply(Ipv4Packet ip, IcmpMessage reply, long receivedAtNanos);

        /** An ICMP error quoting one of our echo requests ({@code quotedSequence} from the quoted ICMP header). */
        void onError(Ipv4Packet ip, IcmpMessage error, int quotedSequence, long receivedAtNanos);
    }

    private final IcmpLayer layer;
    private final int identifier;
    private Handler handler;
    private boolean closed;

    EchoSocket(IcmpLayer layer, int identifier) {
        this.layer = layer;
        this.identifier = identifier;
    }

    public int identifier() {
        return identifier;
    }

    public EchoSocket onMessage(Handler handler) {
        this.handler = handler;
        return this;
    }

    Handler handler() {
        return handler;
    }

    /**
     * Sends one echo request.
     *
     * @param source null for the route's source address
     */
    public SendResult sendEcho(Ipv4Address source, Ipv4Address destination, int sequence, byte[] data, int ttl,
                               PmtuDiscovery pmtu, String interfaceName) {
        if (closed) {
            return SendResult.of(SendResult.Status.INVALID_ARGUMENT);
        }
        Ipv4Address src = source;
        if (src == null) {
            var chosen = layer.ip().sourceFor(destination, interfaceName);
            if (chosen.isEmpty()) {
                return SendResult.of(SendResult.Status.NETWORK_UNREACHABLE);
            }
            src = chosen.get();
        }
        byte[] icmp = IcmpMessage.echoRequest(identifier, sequence & 0xFFFF, data).encode();
        return layer.send(new OutboundDatagram(src, destination, Ipv4Packet.PROTOCOL_ICMP, icmp, ttl, 0, pmtu,
                interfaceName, true, false), identifier, sequence & 0xFFFF);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            layer.release(this);
        }
    }
}
