package dev.wirelab.kit.client;

import java.util.List;

/**
 * A stored frame's summary, as the control API decoded it at ingest.
 *
 * @param timeNanos   lab time when the bus carried it
 * @param segment     the segment (link) it crossed
 * @param ingressNode the node that sent it onto the segment
 * @param protocols   the protocols in it, outermost first (ethernet, ipv4, udp...)
 * @param flags       TCP flags as letters (S, A, F, R, P), or null
 * @param conversation its conversation's key (see {@link Conversation})
 * @param info        a one-line description, as Wireshark's Info column
 */
public record Frame(long seq, long timeNanos, String segment, String ingressPort, String ingressNode, int length,
                    List<String> protocols, String srcMac, String dstMac, String srcIp, String dstIp,
                    Integer ipProtocol, Integer srcPort, Integer dstPort, String flags, String conversation,
                    String info) {
}
