package dev.wirelab.netstack.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.wirelab.netstack.wire.FrameSummary;
import dev.wirelab.netstack.wire.IcmpMessage;
import dev.wirelab.netstack.wire.Ipv4Address;
import dev.wirelab.netstack.wire.Ipv4Packet;
import dev.wirelab.netstack.wire.TcpSegment;
import dev.wirelab.netstack.wire.UdpDatagram;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Network and transport decoders on hostile bytes: IPv4 with options and fragment fields (RFC 791),
 * the lenient parse of a datagram quoted in an ICMP error (RFC 792, RFC 1812 section 4.3.2.3), ICMP,
 * UDP (RFC 768) and TCP with options (RFC 9293 section 3.2). UDP and TCP inputs begin with the
 * pseudo-header's source and destination addresses (8 bytes), then the segment.
 */
class IpFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void ipv4(byte[] data) {
        Ipv4Packet ip = Fuzz.decodeOrRefuse(() -> Ipv4Packet.parse(data, 0, data.length));
        if (ip != null) {
            Fuzz.fixpoint(ip.encode(), b -> Ipv4Packet.parse(b, 0, b.length), Ipv4Packet::encode);
        }
        Fuzz.decodeOrRefuse(() -> Ipv4Packet.parseQuoted(data, 0, data.length));
        assertThat(FrameSummary.describeIpv4(data)).isNotNull();
    }

    @FuzzTest(maxDuration = "30s")
    void icmp(byte[] data) {
        IcmpMessage m = Fuzz.decodeOrRefuse(() -> IcmpMessage.parse(data, 0, data.length));
        if (m != null) {
            Fuzz.fixpoint(m.encode(), b -> IcmpMessage.parse(b, 0, b.length), IcmpMessage::encode);
            // Destination unreachable, time exceeded, parameter problem: a datagram is quoted.
            if (m.type() == 3 || m.type() == 11 || m.type() == 12) {
                byte[] q = m.body();
                Fuzz.decodeOrRefuse(() -> Ipv4Packet.parseQuoted(q, 0, q.length));
            }
        }
    }

    @FuzzTest(maxDuration = "30s")
    void udp(byte[] data) {
        Ipv4Address src = Fuzz.address(data, 0);
        Ipv4Address dst = Fuzz.address(data, 4);
        byte[] seg = Fuzz.rest(data, 8);
        UdpDatagram u = Fuzz.decodeOrRefuse(() -> UdpDatagram.parse(seg, 0, seg.length, src, dst));
        if (u != null) {
            Fuzz.fixpoint(u.encode(src, dst), b -> UdpDatagram.parse(b, 0, b.length, src, dst), x -> x.encode(src, dst));
        }
    }

    @FuzzTest(maxDuration = "30s")
    void tcp(byte[] data) {
        Ipv4Address src = Fuzz.address(data, 0);
        Ipv4Address dst = Fuzz.address(data, 4);
        byte[] seg = Fuzz.rest(data, 8);
        TcpSegment t = Fuzz.decodeOrRefuse(() -> TcpSegment.parse(seg, 0, seg.length, src, dst));
        if (t != null) {
            readOptions(t);
            Fuzz.fixpoint(t.encode(src, dst), b -> TcpSegment.parse(b, 0, b.length, src, dst), x -> x.encode(src, dst));
        }
        // What a router reads from a quote: never more than the header it has.
        TcpSegment u = Fuzz.decodeOrRefuse(() -> TcpSegment.parseUnchecked(seg, 0, seg.length));
        if (u != null) {
            readOptions(u);
        }
    }

    /** Every option accessor the stack uses: malformed options are refused or ignored, nothing else. */
    static void readOptions(TcpSegment t) {
        Fuzz.decodeOrRefuse(() -> {
            t.optionList();
            t.mss();
            t.windowScale();
            t.sackPermitted();
            t.timestamps();
            return t.toString();
        });
    }
}
