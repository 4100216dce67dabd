package dev.wirelab.netstack.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Encode then parse gives back the same value, for arbitrary field values of every codec. */
class RoundTripPropertyTest {

    @Provide
    Arbitrary<MacAddress> macs() {
        return Arbitraries.longs().between(0, 0xFFFF_FFFF_FFFFL).map(MacAddress::new);
    }

    @Provide
    Arbitrary<Ipv4Address> addresses() {
        return Arbitraries.integers().map(Ipv4Address::new);
    }

    @Provide
    Arbitrary<EthernetFrame> frames() {
        Arbitrary<Integer> tci = Arbitraries.oneOf(Arbitraries.just(-1), Arbitraries.integers().between(0, 0xFFFF));
        return Combinators.combine(macs(), macs(), tci, Arbitraries.integers().between(0, 0xFFFF),
                        Arbitraries.bytes().array(byte[].class).ofMaxSize(100))
                // An untagged frame whose EtherType is 0x8100 is a tagged frame: not a distinct value.
                .filter((dst, src, t, type, payload) -> t != -1 || type != EthernetFrame.ETHERTYPE_VLAN)
                .as(EthernetFrame::new);
    }

    @Property(tries = 500)
    void ethernet(@ForAll("frames") EthernetFrame f) {
        byte[] bytes = f.encode();
        assertThat(bytes).hasSize(Math.max(EthernetFrame.MIN_FRAME_LENGTH, f.headerLength() + f.payload().length));
        EthernetFrame back = EthernetFrame.parse(bytes);
        // Padding (zeros) is indistinguishable from payload at this layer: the layer above knows its length.
        assertThat(back.withPayload(Arrays.copyOf(back.payload(), f.payload().length))).isEqualTo(f);
        byte[] pad = Arrays.copyOfRange(back.payload(), f.payload().length, back.payload().length);
        assertThat(pad).isEqualTo(new byte[pad.length]);
    }

    @Property(tries = 500)
    void arp(@ForAll @IntRange(max = 0xFFFF) int op, @ForAll("macs") MacAddress sha, @ForAll("addresses") Ipv4Address spa,
             @ForAll("macs") MacAddress tha, @ForAll("addresses") Ipv4Address tpa) {
        ArpPacket arp = new ArpPacket(op, sha, spa, tha, tpa);
        byte[] b = arp.encode();
        assertThat(ArpPacket.parse(b, 0, b.length)).isEqualTo(arp);
    }

    @Provide
    Arbitrary<Ipv4Packet> datagrams() {
        Arbitrary<byte[]> options = Arbitraries.integers().between(0, 10)
                .flatMap(words -> Arbitraries.bytes().array(byte[].class).ofSize(words * 4));
        Arbitrary<Integer> u8 = Arbitraries.integers().between(0, 0xFF);
        // tos, identification, flags (DF, MF), offset in bytes, ttl, protocol
        Arbitrary<int[]> fields = Combinators.combine(u8, Arbitraries.integers().between(0, 0xFFFF),
                Arbitraries.integers().between(0, 3), Arbitraries.integers().between(0, 0x1FFF).map(o -> o * 8), u8, u8)
                .as((tos, id, flags, offset, ttl, protocol) -> new int[] {tos, id, flags, offset, ttl, protocol});
        return Combinators.combine(fields, addresses(), addresses(), options,
                        Arbitraries.bytes().array(byte[].class).ofMaxSize(300))
                .as((f, src, dst, opts, payload) -> new Ipv4Packet(f[0], f[1], (f[2] & 2) != 0, (f[2] & 1) != 0,
                        f[3], f[4], f[5], src, dst, opts, payload));
    }

    @Property(tries = 500)
    void ipv4(@ForAll("datagrams") Ipv4Packet ip, @ForAll @Size(max = 46) byte[] padding) {
        byte[] b = ip.encode();
        assertThat(b).hasSize(ip.totalLength());
        assertThat(InternetChecksum.compute(b, 0, ip.headerLength())).isZero();
        assertThat(Ipv4Packet.parse(b, 0, b.length)).isEqualTo(ip);
        byte[] padded = Arrays.copyOf(b, b.length + padding.length);
        System.arraycopy(padding, 0, padded, b.length, padding.length);
        assertThat(Ipv4Packet.parse(padded, 0, padded.length)).isEqualTo(ip);
        assertThat(Ipv4Packet.parseQuoted(padded, 0, padded.length)).isEqualTo(ip);
        // A quote is the header and up to 8 bytes of data, and its lenient parse keeps the header fields.
        byte[] quote = IcmpMessage.quote(padded);
        assertThat(quote).hasSize(ip.headerLength() + Math.min(8, ip.payload().length));
        Ipv4Packet quoted = Ipv4Packet.parseQuoted(quote, 0, quote.length);
        assertThat(quoted.withPayload(ip.payload())).isEqualTo(ip);
    }

    @Property(tries = 500)
    void icmp(@ForAll @IntRange(max = 0xFF) int type, @ForAll @IntRange(max = 0xFF) int code, @ForAll int rest,
              @ForAll @Size(max = 600) byte[] body) {
        IcmpMessage m = new IcmpMessage(type, code, rest, body);
        byte[] b = m.encode();
        assertThat(b).hasSize(8 + body.length);
        assertThat(InternetChecksum.compute(b, 0, b.length)).isZero();
        assertThat(IcmpMessage.parse(b, 0, b.length)).isEqualTo(m);
    }

    @Property(tries = 500)
    void echoAndErrors(@ForAll @IntRange(max = 0xFFFF) int id, @ForAll @IntRange(max = 0xFFFF) int seq,
                       @ForAll("datagrams") Ipv4Packet offending) {
        IcmpMessage echo = IcmpMessage.echoRequest(id, seq, offending.payload());
        byte[] e = echo.encode();
        IcmpMessage back = IcmpMessage.parse(e, 0, e.length);
        assertThat(back.identifier()).isEqualTo(id);
        assertThat(back.sequence()).isEqualTo(seq);

        IcmpMessage tooBig = IcmpMessage.fragmentationNeeded(seq, IcmpMessage.quote(offending.encode()));
        byte[] t = tooBig.encode();
        IcmpMessage parsed = IcmpMessage.parse(t, 0, t.length);
        assertThat(parsed.nextHopMtu()).isEqualTo(seq);
        assertThat(parsed.restOfHeader() >>> 16).as("RFC 1191: high-order 16 bits unused, zero").isZero();
        Ipv4Packet quoted = parsed.quotedPacket();
        assertThat(quoted.source()).isEqualTo(offending.source());
        assertThat(quoted.destination()).isEqualTo(offending.destination());
        assertThat(quoted.identification()).isEqualTo(offending.identification());
        assertThat(quoted.payload()).isEqualTo(Arrays.copyOf(offending.payload(), Math.min(8, offending.payload().length)));
    }

    @Property(tries = 500)
    void udp(@ForAll @IntRange(max = 0xFFFF) int sport, @ForAll @IntRange(max = 0xFFFF) int dport,
             @ForAll @Size(max = 600) byte[] payload, @ForAll("addresses") Ipv4Address src, @ForAll("addresses") Ipv4Address dst) {
        UdpDatagram d = new UdpDatagram(sport, dport, payload);
        byte[] b = d.encode(src, dst);
        assertThat(b).hasSize(8 + payload.length);
        assertThat(Bytes.readU16(b, 6)).as("a computed checksum is never sent as zero").isNotZero();
        assertThat(UdpDatagram.parse(b, 0, b.length, src, dst)).isEqualTo(d);
        byte[] unchecked = d.encodeWithoutChecksum();
        assertThat(UdpDatagram.parse(unchecked, 0, unchecked.length, src, dst)).isEqualTo(d);
    }

    @Property(tries = 500)
    void vxlan(@ForAll @IntRange(max = 0xFFFFFF) int vni, @ForAll("frames") EthernetFrame inner) {
        byte[] frame = inner.encode();
        byte[] v = Vxlan.encapsulate(vni, frame);
        assertThat(Vxlan.readVni(v, 0, v.length)).isEqualTo(vni);
        assertThat(Vxlan.decapsulate(v, 0, v.length)).isEqualTo(frame);
    }

    @Property(tries = 500)
    void summariesOfWellFormedFramesAreNeverMalformed(@ForAll("datagrams") Ipv4Packet ip, @ForAll("macs") MacAddress mac,
                                                      @ForAll @IntRange(min = -1, max = 0xFFFF) int tci) {
        Ipv4Packet udpInside = ip.withPayload(new UdpDatagram(5, 6, ip.payload()).encode(ip.source(), ip.destination()));
        // A whole datagram (no fragment) of a known protocol carries a well-formed message of it.
        Ipv4Packet tcpInside = ip.withPayload(new TcpSegment(5, 6, 1, 0, TcpSegment.ACK, 100, 0, new byte[0],
                ip.payload()).encode(ip.source(), ip.destination()));
        Ipv4Packet carrying = ip.protocol() == Ipv4Packet.PROTOCOL_UDP ? udpInside
                : ip.protocol() == Ipv4Packet.PROTOCOL_TCP ? tcpInside
                : ip.protocol() == Ipv4Packet.PROTOCOL_ICMP ? ip.withPayload(IcmpMessage.echoReply(1, 2, ip.payload()).encode()) : ip;
        byte[] frame = new EthernetFrame(mac, mac, tci, EthernetFrame.ETHERTYPE_IPV4, carrying.encode()).encode();
        String summary = FrameSummary.describe(frame);
        assertThat(summary).doesNotContain("malformed").contains(ip.source() + "").contains("ttl=" + ip.ttl());
    }
}
