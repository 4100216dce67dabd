package dev.wirelab.netstack.ip;

import dev.wirelab.netstack.wire.Ipv4Address;

import java.util.Objects;

/**
 * A datagram a transport (UDP, ICMP, later TCP) asks IP to send.
 *
 * @param source        source address, or null / 0.0.0.0 to take the route's preferred source
 *                      (0.0.0.0 is kept as is when {@code allowUnspecifiedSource}: DHCP DISCOVER)
 * @param ttl           time to live, 1..255
 * @param interfaceName egress interface forced by the socket (SO_BINDTODEVICE), or null
 * @param broadcast     the socket allows broadcast destinations (SO_BROADCAST)
 */
public record OutboundDatagram(Ipv4Address source, Ipv4Address destination, int protocol, byte[] payload, int ttl,
                               int tos, PmtuDiscovery pmtu, String interfaceName, boolean broadcast,
                               boolean allowUnspecifiedSource) {

    /** Linux's net.ipv4.ip_default_ttl. */
    public static final int DEFAULT_TTL = 64;

    public OutboundDatagram {
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(pmtu, "pmtu");
        if (ttl < 1 || ttl > 255) {
            throw new IllegalArgumentException("ttl must be 1..255: " + ttl);
        }
    }

    public static OutboundDatagram of(Ipv4Address source, Ipv4Address destination, int protocol, byte[] payload) {
        return new OutboundDatagram(source, destination, protocol, payload, DEFAULT_TTL, 0, PmtuDiscovery.WANT, null,
                false, false);
    }
}
