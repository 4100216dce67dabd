package dev.wirelab.netstack.udp;

import dev.wirelab.netstack.wire.Ipv4Address;

/**
 * A datagram received on a socket, with the addressing recvmsg() would report.
 *
 * @param interfaceName interface it arrived on (IP_PKTINFO), needed by DHCP servers
 * @param ttl           TTL of the IP header it arrived in
 */
public record UdpMessage(Ipv4Address source, int sourcePort, Ipv4Address destination, int destinationPort,
                         byte[] payload, String interfaceName, int ttl, long receivedAtNanos) {
}
