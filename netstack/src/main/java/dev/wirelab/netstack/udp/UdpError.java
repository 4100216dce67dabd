package dev.wirelab.netstack.udp;

import dev.wirelab.netstack.wire.IcmpMessage;
import dev.wirelab.netstack.wire.Ipv4Address;

/**
 * An ICMP error about a datagram this socket sent (what Linux reports with IP_RECVERR).
 *
 * @param reporter               who sent the ICMP error (a router, or the destination)
 * @param message                the ICMP error
 * @param originalDestination    destination of the datagram it quotes
 * @param originalDestinationPort destination port of the datagram it quotes
 * @param originalTtl            TTL left in the quoted header when the error was raised
 * @param receivedAtNanos        loop time the error arrived
 */
public record UdpError(Ipv4Address reporter, IcmpMessage message, Ipv4Address originalDestination,
                       int originalDestinationPort, int originalTtl, int ttl, long receivedAtNanos) {
}
