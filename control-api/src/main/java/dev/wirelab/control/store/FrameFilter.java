package dev.wirelab.control.store;

/**
 * Which frames of a run to list. Every field is optional (null = no condition).
 *
 * @param fromNanos    lab time, inclusive
 * @param toNanos      lab time, exclusive
 * @param segment      segment name
 * @param node         node the frame came from (the node part of the ingress port)
 * @param port         exact ingress port, e.g. {@code pc1:eth0}
 * @param protocol     a protocol anywhere in the frame: eth, arp, ipv4, icmp, udp, vxlan...
 * @param address      an IPv4 address or CIDR prefix, or a MAC, as source or destination
 * @param l4port       a UDP/TCP port, as source or destination
 * @param text         case-insensitive substring of the info line
 * @param conversation canonical 5-tuple key
 * @param after        cursor: only frames with a greater sequence number
 * @param limit        page size
 */
public record FrameFilter(Long fromNanos, Long toNanos, String segment, String node, String port, String protocol,
                          String address, Integer l4port, String text, String conversation, Long after, int limit) {
}
