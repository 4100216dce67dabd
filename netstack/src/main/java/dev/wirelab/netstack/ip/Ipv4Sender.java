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

    /**
     * The largest TCP super-packet (IPv4 total length) the route towards {@code destination} can
     * take whole, or 0 when its interface has no TCP segmentation offload (Linux's sk_gso_max_size
     * from the route's device).
     */
    default int tsoMaxSize(Ipv4Address destination, String interfaceName) {
        return 0;
    }

    /** True when {@code address} is configured on one of this node's interfaces. */
    boolean isLocalAddress(Ipv4Address address);
}
