package dev.wirelab.netstack.ip;

import dev.wirelab.netstack.wire.Ipv4Address;

import java.util.Optional;

/** The IP layer as transports see it: where locally originated datagrams go. */
public interface Ipv4Sender {

    SendResult send(OutboundDatagram datagram);

    /**
     * Sends with the route {@code cache} of a connected socket: the route is looked up only when
     * the cache is empty or the routing table changed since it was filled.
     */
    default SendResult send(OutboundDatagram datagram, RouteCache cache) {
        return send(datagram);
    }

    /**
     * The source address IP would use towards {@code destination} (the route's preferred source,
     * else the egress interface's first address), for transports that checksum a pseudo-header.
     */
    Optional<Ipv4Address> sourceFor(Ipv4Address destination, String interfaceName);

    /** True when {@code address} is configured on one of this node's interfaces. */
    boolean isLocalAddress(Ipv4Address address);
}
