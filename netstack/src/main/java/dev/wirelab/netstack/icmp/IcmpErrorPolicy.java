package dev.wirelab.netstack.icmp;

import dev.wirelab.netstack.wire.IcmpMessage;
import dev.wirelab.netstack.wire.Ipv4Address;
import dev.wirelab.netstack.wire.Ipv4Packet;

import java.util.Optional;
import java.util.function.Predicate;

/**
 * When an ICMP error must NOT be sent (RFC 1122 section 3.2.2, repeated for routers by RFC 1812
 * section 4.3.2.7). Pure function of the offending datagram and how it arrived.
 */
public final class IcmpErrorPolicy {

    private IcmpErrorPolicy() {
    }

    /**
     * @param offending          the datagram the error would be about
     * @param linkBroadcast      it arrived in a link-layer broadcast or multicast frame
     * @param isBroadcastAddress tells whether an address is a broadcast address on this node (directed broadcasts)
     * @return why no error may be sent, or empty when one may
     */
    public static Optional<String> suppression(Ipv4Packet offending, boolean linkBroadcast,
                                               Predicate<Ipv4Address> isBroadcastAddress) {
        // "An ICMP error message MUST NOT be sent as the result of receiving: * an ICMP error message, or ..."
        if (offending.protocol() == Ipv4Packet.PROTOCOL_ICMP && offending.fragmentOffset() == 0
                && offending.payload().length > 0 && isErrorType(offending.payload()[0] & 0xFF)) {
            return Optional.of("about_icmp_error");
        }
        // "* a datagram destined to an IP broadcast or IP multicast address, or"
        Ipv4Address dst = offending.destination();
        if (dst.isLimitedBroadcast() || dst.isMulticast() || isBroadcastAddress.test(dst)) {
            return Optional.of("to_broadcast_or_multicast");
        }
        // "* a datagram sent as a link-layer broadcast, or"
        if (linkBroadcast) {
            return Optional.of("link_layer_broadcast");
        }
        // "* a non-initial fragment, or"
        if (offending.fragmentOffset() != 0) {
            return Optional.of("non_initial_fragment");
        }
        // "* a datagram whose source address does not define a single host -- e.g., a zero
        //    address, a loopback address, a broadcast address, a multicast address, or a Class E address."
        Ipv4Address src = offending.source();
        int first = src.bits() >>> 24;
        if (src.equals(Ipv4Address.ANY) || first == 127 || src.isLimitedBroadcast() || src.isMulticast()
                || first >= 240 || isBroadcastAddress.test(src)) {
            return Optional.of("source_not_a_single_host");
        }
        return Optional.empty();
    }

    /** RFC 1122 section 3.2.2: the ICMP error types. Unknown types count as non-errors (RFC 1122: "silently discarded"). */
    public static boolean isErrorType(int type) {
        return type == IcmpMessage.TYPE_DESTINATION_UNREACHABLE || type == IcmpMessage.TYPE_SOURCE_QUENCH
                || type == IcmpMessage.TYPE_REDIRECT || type == IcmpMessage.TYPE_TIME_EXCEEDED
                || type == IcmpMessage.TYPE_PARAMETER_PROBLEM;
    }

    /** How ping names an ICMP error, as iputils prints it after "From x icmp_seq=n ". */
    public static String describe(IcmpMessage m) {
        return switch (m.type()) {
            case IcmpMessage.TYPE_DESTINATION_UNREACHABLE -> switch (m.code()) {
                case IcmpMessage.NET_UNREACHABLE -> "Destination Net Unreachable";
                case IcmpMessage.HOST_UNREACHABLE -> "Destination Host Unreachable";
                case IcmpMessage.PROTOCOL_UNREACHABLE -> "Destination Protocol Unreachable";
                case IcmpMessage.PORT_UNREACHABLE -> "Destination Port Unreachable";
                case IcmpMessage.FRAGMENTATION_NEEDED -> "Frag needed and DF set (mtu = " + m.nextHopMtu() + ")";
                case IcmpMessage.SOURCE_ROUTE_FAILED -> "Source Route Failed";
                case IcmpMessage.DESTINATION_NETWORK_UNKNOWN -> "Destination Net Unknown";
                case IcmpMessage.DESTINATION_HOST_UNKNOWN -> "Destination Host Unknown";
                case IcmpMessage.COMMUNICATION_ADMINISTRATIVELY_PROHIBITED -> "Packet filtered";
                default -> "Dest Unreachable, Bad Code: " + m.code();
            };
            case IcmpMessage.TYPE_TIME_EXCEEDED -> switch (m.code()) {
                case IcmpMessage.TTL_EXCEEDED_IN_TRANSIT -> "Time to live exceeded";
                case IcmpMessage.FRAGMENT_REASSEMBLY_TIME_EXCEEDED -> "Frag reassembly time exceeded";
                default -> "Time exceeded, Bad Code: " + m.code();
            };
            case IcmpMessage.TYPE_SOURCE_QUENCH -> "Source Quench";
            case IcmpMessage.TYPE_REDIRECT -> "Redirect";
            case IcmpMessage.TYPE_PARAMETER_PROBLEM -> "Parameter problem: pointer = " + (m.restOfHeader() >>> 24);
            default -> "Bad ICMP type: " + m.type();
        };
    }
}
