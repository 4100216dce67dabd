package dev.wirelab.netstack.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.wirelab.netstack.testkit.Tshark;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * tshark as the outside judge of our encoders: frames built from seeded random field values with every
 * codec are written to target/captures/wire-codecs.pcap; tshark must find no malformed packet and no bad
 * checksum, and its decode of each field must equal the value we encoded.
 */
class TsharkAgreementTest {

    private static final String[] FIELDS = {"eth.type", "vlan.id", "vlan.priority", "arp.opcode", "arp.src.proto_ipv4",
            "arp.dst.proto_ipv4", "ip.dsfield", "ip.hdr_len", "ip.id", "ip.flags.df", "ip.flags.mf", "ip.frag_offset",
            "ip.ttl", "ip.proto", "ip.src", "ip.dst", "icmp.type", "icmp.code", "icmp.ident", "icmp.seq", "icmp.mtu",
            "udp.srcport", "udp.dstport", "udp.length", "vxlan.vni"};

    private static final Random RANDOM = new Random(20261121);
    private static final MacAddress M1 = MacAddress.parse("02:00:00:00:00:01");
    private static final MacAddress M2 = MacAddress.parse("02:00:00:00:00:02");

    /** A frame and what tshark must read in it: field -> all occurrences, outermost first. */
    private record Expected(byte[] frame, Map<String, String> fields) {
    }

    private static final List<Expected> FRAMES = new ArrayList<>();

    @BeforeAll
    static void build() {
        for (int i = 0; i < 12; i++) {
            arp(i);
            echo(i);
            udp(i, true);
            udp(i, false);
            timeExceeded(i);
            fragmentationNeeded(i);
            portUnreachable(i);
            fragmented(i);
            vxlan(i);
        }
    }

    @Test
    void tsharkFindsNothingWrongAndReadsWhatWeWrote() throws IOException {
        assumeTrue(Tshark.available(), "tshark is not installed");
        Path pcap = PcapFile.write(Path.of("target", "captures", "wire-codecs.pcap"),
                FRAMES.stream().map(Expected::frame).toList());
        Tshark.Verdict verdict = Tshark.judge(pcap);
        assertThat(verdict.problems()).as("frames tshark flags in %s", pcap).isEmpty();
        assertThat(verdict.frames()).isEqualTo(FRAMES.size());

        List<Map<String, String>> rows = Tshark.fields(pcap, false, null, FIELDS);
        assertThat(rows).hasSize(FRAMES.size());
        for (int i = 0; i < FRAMES.size(); i++) {
            Map<String, String> expected = FRAMES.get(i).fields();
            Map<String, String> actual = new LinkedHashMap<>(rows.get(i));
            actual.keySet().retainAll(expected.keySet());
            assertThat(actual).as("frame %d: %s", i + 1, FrameSummary.describe(FRAMES.get(i).frame()))
                    .isEqualTo(expected);
        }
    }

    // ---- frame builders; each records the values it chose, in tshark's notation ----

    private static Ipv4Address address() {
        return new Ipv4Address(0x0A000000 | RANDOM.nextInt(1 << 24)); // 10/8: no special-purpose addresses
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    /** Half the frames get an 802.1Q tag with a random VLAN and priority. */
    private static byte[] ethernet(int etherType, byte[] payload, Map<String, String> fields) {
        if (RANDOM.nextBoolean()) {
            int vlan = 1 + RANDOM.nextInt(4094);
            int pcp = RANDOM.nextInt(8);
            fields.put("vlan.id", Integer.toString(vlan));
            fields.put("vlan.priority", Integer.toString(pcp));
            fields.put("eth.type", "0x8100");
            return new EthernetFrame(M1, M2, pcp << 13 | vlan, etherType, payload).encode();
        }
        fields.put("eth.type", String.format("0x%04x", etherType));
        fields.put("vlan.id", "");
        return EthernetFrame.of(M1, M2, etherType, payload).encode();
    }

    private static Ipv4Packet ip(int protocol, byte[] payload, Map<String, String> fields) {
        int tos = RANDOM.nextInt(64) << 2; // DSCP only: ECN bits would make tshark comment on congestion
        int id = RANDOM.nextInt(0x10000);
        int ttl = 1 + RANDOM.nextInt(255);
        boolean df = RANDOM.nextBoolean();
        // Some datagrams carry options: four NOPs, or a Record Route with room for one address + EOL.
        byte[] options = switch (RANDOM.nextInt(3)) {
            case 0 -> CapturedFrames.hex("01010101");
            case 1 -> CapturedFrames.hex("07070400000000" + "00");
            default -> new byte[0];
        };
        Ipv4Packet p = new Ipv4Packet(tos, id, df, false, 0, ttl, protocol, address(), address(), options, payload);
        fields.put("ip.dsfield", String.format("0x%02x", tos));
        fields.put("ip.hdr_len", Integer.toString(p.headerLength()));
        fields.put("ip.id", String.format("0x%04x", id));
        fields.put("ip.flags.df", df ? "1" : "0");
        fields.put("ip.flags.mf", "0");
        fields.put("ip.frag_offset", "0");
        fields.put("ip.ttl", Integer.toString(ttl));
        fields.put("ip.proto", Integer.toString(protocol));
        fields.put("ip.src", p.source().toString());
        fields.put("ip.dst", p.destination().toString());
        return p;
    }

    private static void add(byte[] frame, Map<String, String> fields) {
        FRAMES.add(new Expected(frame, fields));
    }

    private static void arp(int i) {
        Map<String, String> f = new LinkedHashMap<>();
        ArpPacket arp = i % 2 == 0 ? ArpPacket.request(M2, address(), address())
                : ArpPacket.reply(M2, address(), M1, address());
        f.put("arp.opcode", Integer.toString(arp.operation()));
        f.put("arp.src.proto_ipv4", arp.senderIp().toString());
        f.put("arp.dst.proto_ipv4", arp.targetIp().toString());
        add(ethernet(EthernetFrame.ETHERTYPE_ARP, arp.encode(), f), f);
    }

    private static void echo(int i) {
        Map<String, String> f = new LinkedHashMap<>();
        int id = RANDOM.nextInt(0x10000);
        int seq = RANDOM.nextInt(0x10000);
        byte[] data = bytes(RANDOM.nextInt(100)); // odd lengths included
        IcmpMessage m = i % 2 == 0 ? IcmpMessage.echoRequest(id, seq, data) : IcmpMessage.echoReply(id, seq, data);
        f.put("icmp.type", Integer.toString(m.type()));
        f.put("icmp.code", "0");
        f.put("icmp.ident", Integer.toString(id));
        f.put("icmp.seq", Integer.toString(seq));
        add(ethernet(EthernetFrame.ETHERTYPE_IPV4, ip(1, m.encode(), f).encode(), f), f);
    }

    private static void udp(int i, boolean checksum) {
        Map<String, String> f = new LinkedHashMap<>();
        // Ephemeral ports on both sides, so tshark does not decode the random payload as some protocol.
        int sport = 49152 + RANDOM.nextInt(16384);
        int dport = 49152 + RANDOM.nextInt(16384);
        UdpDatagram d = new UdpDatagram(sport, dport, bytes(RANDOM.nextInt(300)));
        Ipv4Packet[] holder = new Ipv4Packet[1];
        holder[0] = ip(17, new byte[0], f);
        byte[] udp = checksum ? d.encode(holder[0].source(), holder[0].destination()) : d.encodeWithoutChecksum();
        f.put("udp.srcport", Integer.toString(sport));
        f.put("udp.dstport", Integer.toString(dport));
        f.put("udp.length", Integer.toString(d.length()));
        add(ethernet(EthernetFrame.ETHERTYPE_IPV4, holder[0].withPayload(udp).encode(), f), f);
    }

    /** An echo request that expired: the router quotes it as RFC 792 asks (header + 8 bytes). */
    private static void timeExceeded(int i) {
        Map<String, String> inner = new LinkedHashMap<>();
        int id = RANDOM.nextInt(0x10000);
        int seq = RANDOM.nextInt(0x10000);
        Ipv4Packet expired = ip(1, IcmpMessage.echoRequest(id, seq, bytes(56)).encode(), inner).withTtl(1);
        inner.put("ip.ttl", "1");
        Map<String, String> f = new LinkedHashMap<>();
        IcmpMessage error = IcmpMessage.timeExceeded(IcmpMessage.TTL_EXCEEDED_IN_TRANSIT, IcmpMessage.quote(expired.encode()));
        Ipv4Packet outer = ip(1, error.encode(), f);
        both(f, inner);
        f.put("icmp.type", "11,8");
        f.put("icmp.code", "0,0");
        f.put("icmp.ident", Integer.toString(id));
        f.put("icmp.seq", Integer.toString(seq));
        add(ethernet(EthernetFrame.ETHERTYPE_IPV4, outer.encode(), f), f);
    }

    /** A big datagram with DF: fragmentation needed with a random next-hop MTU, quoting as Linux does. */
    private static void fragmentationNeeded(int i) {
        Map<String, String> inner = new LinkedHashMap<>();
        int mtu = 68 + RANDOM.nextInt(1433);
        Ipv4Packet big = ip(1, IcmpMessage.echoRequest(1, i, bytes(1400)).encode(), inner).withDontFragment(true);
        inner.put("ip.flags.df", "1");
        Map<String, String> f = new LinkedHashMap<>();
        IcmpMessage error = IcmpMessage.fragmentationNeeded(mtu, IcmpMessage.quote(big.encode(), 548));
        Ipv4Packet outer = ip(1, error.encode(), f);
        both(f, inner);
        f.put("icmp.type", "3,8");
        f.put("icmp.code", "4,0");
        f.put("icmp.mtu", Integer.toString(mtu));
        add(ethernet(EthernetFrame.ETHERTYPE_IPV4, outer.encode(), f), f);
    }

    private static void portUnreachable(int i) {
        Map<String, String> inner = new LinkedHashMap<>();
        int sport = 49152 + RANDOM.nextInt(16384);
        int dport = 33434 + RANDOM.nextInt(100); // traceroute's ports
        Ipv4Packet probe = ip(17, new byte[0], inner);
        byte[] udp = new UdpDatagram(sport, dport, bytes(32)).encode(probe.source(), probe.destination());
        probe = probe.withPayload(udp);
        Map<String, String> f = new LinkedHashMap<>();
        int code = i % 3 == 0 ? IcmpMessage.HOST_UNREACHABLE : IcmpMessage.PORT_UNREACHABLE;
        IcmpMessage error = IcmpMessage.destinationUnreachable(code, IcmpMessage.quote(probe.encode()));
        Ipv4Packet outer = ip(1, error.encode(), f);
        both(f, inner);
        f.put("icmp.type", "3");
        f.put("icmp.code", Integer.toString(code));
        f.put("udp.srcport", Integer.toString(sport));
        f.put("udp.dstport", Integer.toString(dport));
        add(ethernet(EthernetFrame.ETHERTYPE_IPV4, outer.encode(), f), f);
    }

    /** An echo request cut into fragments of a random size (a multiple of 8), as a router would. */
    private static void fragmented(int i) {
        Map<String, String> template = new LinkedHashMap<>();
        Ipv4Packet whole = ip(1, IcmpMessage.echoRequest(7, i, bytes(600 + RANDOM.nextInt(900))).encode(), template)
                .withDontFragment(false);
        template.put("ip.flags.df", "0");
        byte[] data = whole.payload();
        int step = 8 * (20 + RANDOM.nextInt(150));
        for (int off = 0; off < data.length; off += step) {
            boolean more = off + step < data.length;
            Ipv4Packet fragment = whole.fragment(off == 0 ? whole.options() : whole.copiedOptions(), more, off,
                    Arrays.copyOfRange(data, off, Math.min(data.length, off + step)));
            Map<String, String> f = new LinkedHashMap<>(template);
            f.put("ip.hdr_len", Integer.toString(fragment.headerLength()));
            f.put("ip.flags.mf", more ? "1" : "0");
            f.put("ip.frag_offset", Integer.toString(off / 8));
            add(ethernet(EthernetFrame.ETHERTYPE_IPV4, fragment.encode(), f), f);
        }
    }

    /** A bus underlay datagram: VXLAN carrying an echo request frame. */
    private static void vxlan(int i) {
        Map<String, String> inner = new LinkedHashMap<>();
        Ipv4Packet echo = ip(1, IcmpMessage.echoRequest(3, i, bytes(20)).encode(), inner);
        byte[] innerFrame = EthernetFrame.of(M2, M1, EthernetFrame.ETHERTYPE_IPV4, echo.encode()).encode();
        int vni = RANDOM.nextInt(1 << 24);
        Map<String, String> f = new LinkedHashMap<>();
        Ipv4Packet outer = ip(17, new byte[0], f);
        byte[] udp = new UdpDatagram(49152 + RANDOM.nextInt(16384), Vxlan.DEFAULT_PORT, Vxlan.encapsulate(vni, innerFrame))
                .encode(outer.source(), outer.destination());
        both(f, inner);
        f.put("vxlan.vni", Integer.toString(vni));
        f.put("icmp.type", "8");
        byte[] frame = ethernet(EthernetFrame.ETHERTYPE_IPV4, outer.withPayload(udp).encode(), f);
        f.put("eth.type", f.get("eth.type") + ",0x0800");
        add(frame, f);
    }

    /** IP fields occur in the outer and the inner (quoted or encapsulated) header: "outer,inner". */
    private static void both(Map<String, String> outer, Map<String, String> inner) {
        inner.forEach((field, value) -> {
            if (field.startsWith("ip.")) {
                outer.put(field, outer.get(field) + "," + value);
            }
        });
    }
}
