package dev.wirelab.netstack.ip;

import dev.wirelab.netstack.wire.Ipv4Address;

import java.util.Objects;

/**
 * A datagram a transport (UDP, ICMP, TCP) asks IP to send.
 *
 * @param source        source address, or null / 0.0.0.0 to take the route's preferred source
 *                      (0.0.0.0 is kept as is when {@code allowUnspecifiedSource}: DHCP DISCOVER)
 * @param payload       the array holding the transport's bytes: [payloadOffset, payloadOffset +
 *                      payloadLength). With exactly 14 + 20 bytes free in front and nothing behind,
 *                      IP builds the frame in this array without copying it (the transport gives
 *                      the array away: see {@code Ipv4Packet.view})
 * @param ttl           time to live, 1..255
 * @param interfaceName egress interface forced by the socket (SO_BINDTODEVICE), or null
 * @param broadcast     the socket allows broadcast destinations (SO_BROADCAST)
 * @param gsoSize       for a TCP super-packet sent through an interface with TSO: the payload size
 *                      of each segment it stands for (see {@code offload.Tso}); else 0
 */
public record OutboundDatagram(Ipv4Address source, Ipv4Address destination, int protocol, byte[] payload,
                               int payloadOffset, int payloadLength, int ttl, int tos, PmtuDiscovery pmtu,
                               String interfaceName, boolean broadcast, boolean allowUnspecifiedSource, int gsoSize) {

    /**
     * Room a transport leaves in front of its payload for the frame's Ethernet (14) and IPv4 (20)
     * headers, so IP can build the frame in the transport's own array.
     */
    public static final int FRAME_HEADROOM = 14 + 20;

    /** Linux's net.ipv4.ip_default_ttl. */
    public static final int DEFAULT_TTL = 64;

    public OutboundDatagram {
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(pmtu, "pmtu");
        Objects.checkFromIndexSize(payloadOffset, payloadLength, payload.length);
        if (ttl < 1 || ttl > 255) {
            throw new IllegalArgumentException("ttl must be 1..255: " + ttl);
        }
        if (gsoSize < 0) {
            throw new IllegalArgumentException("gso size must be >= 0: " + gsoSize);
        }
    }

    /** A datagram whose payload is the whole array. */
    public OutboundDatagram(Ipv4Address source, Ipv4Address destination, int protocol, byte[] payload, int ttl,
                            int tos, PmtuDiscovery pmtu, String interfaceName, boolean broadcast,
                            boolean allowUnspecifiedSource) {
        this(source, destination, protocol, payload, 0, Objects.requireNonNull(payload, "payload").length, ttl, tos,
                pmtu, interfaceName, broadcast, allowUnspecifiedSource, 0);
    }

    public static OutboundDatagram of(Ipv4Address source, Ipv4Address destination, int protocol, byte[] payload) {
        return new OutboundDatagram(source, destination, protocol, payload, DEFAULT_TTL, 0, PmtuDiscovery.WANT, null,
                false, false);
    }
}
