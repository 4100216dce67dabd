package dev.wirelab.control.decode;

import dev.wirelab.netstack.wire.Ipv4Address;
import dev.wirelab.netstack.wire.MacAddress;

import java.util.List;

/**
 * The decoded summary of a frame that is stored beside its bytes for filtering: null where a frame
 * has no such thing (an ARP frame has no ports).
 *
 * @param protocols    outermost first, e.g. [eth, ipv4, udp]
 * @param ipProtocol   the IPv4 protocol number of the outermost datagram
 * @param flags        comma-separated flags, e.g. "DF", "MF", (with TCP) "SYN,ACK"
 * @param conversation canonical 5-tuple ({@link DecodeContext#conversationKey}); an ICMP error gets the
 *                     conversation of the datagram it quotes
 * @param info         the one-line summary (netstack's {@code FrameSummary})
 */
public record FrameColumns(List<String> protocols, MacAddress srcMac, MacAddress dstMac, Ipv4Address srcIp,
                           Ipv4Address dstIp, Integer ipProtocol, Integer srcPort, Integer dstPort, String flags,
                           String conversation, String info) {

    /** The innermost protocol, e.g. "icmp". */
    public String topProtocol() {
        return protocols.isEmpty() ? null : protocols.get(protocols.size() - 1);
    }
}
