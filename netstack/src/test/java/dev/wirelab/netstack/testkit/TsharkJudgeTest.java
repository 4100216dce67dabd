package dev.wirelab.netstack.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.wirelab.netstack.trace.CapturedFrame;
import dev.wirelab.netstack.trace.PcapngWriter;
import dev.wirelab.netstack.wire.EthernetFrame;
import dev.wirelab.netstack.wire.IcmpMessage;
import dev.wirelab.netstack.wire.Ipv4Address;
import dev.wirelab.netstack.wire.Ipv4Packet;
import dev.wirelab.netstack.wire.MacAddress;
import dev.wirelab.netstack.wire.TcpSegment;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The judge itself: a truncated quote in an ICMP error passes only when it begins a datagram tshark
 * verified in the same capture; any other bad checksum, and any error under Wireshark's default
 * preferences, is a problem.
 */
class TsharkJudgeTest {

    private static final Ipv4Address H1 = Ipv4Address.parse("10.0.1.10");
    private static final Ipv4Address H2 = Ipv4Address.parse("10.0.2.10");
    private static final Ipv4Address R1 = Ipv4Address.parse("10.0.1.1");
    private static final MacAddress M1 = MacAddress.parse("02:00:00:00:00:01");
    private static final MacAddress M2 = MacAddress.parse("02:00:00:00:00:02");

    /** A 1500-byte TCP segment h1 -> h2 (DF set, checksum right). */
    private static Ipv4Packet segment() {
        byte[] data = new byte[1460];
        new Random(1).nextBytes(data);
        byte[] tcp = TcpSegment.of(40000, 5001, 1000, 2000, TcpSegment.ACK, 1024, data).encode(H1, H2);
        return Ipv4Packet.of(77, 64, Ipv4Packet.PROTOCOL_TCP, H1, H2, tcp).withDontFragment(true);
    }

    /** r1's "fragmentation needed" to h1 quoting the first 548 bytes of {@code datagram}. */
    private static byte[] fragmentationNeeded(byte[] datagram) {
        IcmpMessage m = IcmpMessage.fragmentationNeeded(576, IcmpMessage.quote(datagram, 548));
        return ethernet(Ipv4Packet.of(5, 64, Ipv4Packet.PROTOCOL_ICMP, R1, H1, m.encode()).encode());
    }

    private static byte[] ethernet(byte[] ip) {
        return EthernetFrame.of(M1, M2, EthernetFrame.ETHERTYPE_IPV4, ip).encode();
    }

    private static Path capture(String name, byte[]... frames) throws IOException {
        List<CapturedFrame> list = new ArrayList<>();
        long t = 0;
        for (byte[] f : frames) {
            list.add(new CapturedFrame(list.size(), t += 1_000_000, "lan1", "h1:eth0", f));
        }
        Path p = Captures.DIR.resolve("TsharkJudgeTest").resolve(name + ".pcapng");
        PcapngWriter.write(list, 0, p);
        return p;
    }

    @Test
    void aTruncatedQuoteOfADatagramInTheCapturePasses() throws IOException {
        assumeTrue(Tshark.available(), "tshark is not installed");
        byte[] datagram = segment().encode();
        Path p = capture("quote-of-a-captured-datagram", ethernet(datagram), fragmentationNeeded(datagram));
        Tshark.Verdict v = Tshark.judge(p);
        assertThat(v.frames()).isEqualTo(2);
        assertThat(v.problems()).isEmpty();
        // Which tshark does flag, on its own: it checksums the 520 quoted bytes of TCP.
        assertThat(Tshark.fields(p, false, "tcp.checksum.status == 0", "frame.number")).hasSize(1);
    }

    @Test
    void aQuoteOfADatagramNotInTheCaptureOrNotAsCapturedIsAProblem() throws IOException {
        assumeTrue(Tshark.available(), "tshark is not installed");
        byte[] datagram = segment().encode();
        assertThat(Tshark.judge(capture("quote-alone", fragmentationNeeded(datagram))).problems())
                .singleElement().asString().startsWith("frame 1: Bad checksum");
        // The quoted datagram with another TCP checksum than the captured one.
        byte[] altered = datagram.clone();
        altered[20 + 16] ^= 0x01;
        assertThat(Tshark.judge(capture("quote-altered", ethernet(datagram), fragmentationNeeded(altered))).problems())
                .singleElement().asString().startsWith("frame 2: Bad checksum");
    }

    @Test
    void aBadChecksumOutsideAQuoteIsAProblem() throws IOException {
        assumeTrue(Tshark.available(), "tshark is not installed");
        byte[] datagram = segment().encode();
        datagram[20 + 16] ^= 0x01;
        byte[] frame = ethernet(datagram);
        assertThat(Tshark.judge(capture("bad-tcp-checksum", frame, fragmentationNeeded(datagram))).problems())
                .hasSize(2).first().asString().startsWith("frame 1: Bad checksum");
    }
}
