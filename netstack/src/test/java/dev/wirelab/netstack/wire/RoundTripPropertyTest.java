package dev.wirelab.netstack.wire;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wirelab.netstack.testing.Gen;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Encode then parse gives back the same value, for arbitrary field values of every codec. */
class RoundTripPropertyTest {

    static MacAddress mac(Random rnd) {
        return new MacAddress(Gen.between(rnd, 0, 0xFFFF_FFFF_FFFFL));
    }

    static Ipv4Address address(Random rnd) {
        return new Ipv4Address(Gen.anyInt(rnd));
    }

    static EthernetFrame frame(Random rnd) {
        while (true) {
            MacAddress dst = mac(rnd);
            MacAddress src = mac(rnd);
            int tci = rnd.nextBoolean() ? -1 : Gen.between(rnd, 0, 0xFFFF);
            int type = Gen.between(rnd, 0, 0xFFFF);
            byte[] payload = Gen.bytes(rnd, 100);
            // An untagged frame whose EtherType is 0x8100 is a tagged frame: not a distinct value.
            if (tci != -1 || type != EthernetFrame.ETHERTYPE_VLAN) {
                return new EthernetFrame(dst, src, tci, type, payload);
            }
        }
    }

    static Ipv4Packet datagram(Random rnd) {
        int tos = Gen.between(rnd, 0, 0xFF);
        int id = Gen.between(rnd, 0, 0xFFFF);
        int flags = Gen.between(rnd, 0, 3); // DF, MF
        int offset = Gen.between(rnd, 0, 0x1FFF) * 8; // in bytes
        int ttl = Gen.between(rnd, 0, 0xFF);
        int protocol = Gen.between(rnd, 0, 0xFF);
        Ipv4Address src = address(rnd);
        Ipv4Address dst = address(rnd);
        byte[] options = Gen.bytesOfSize(rnd, Gen.between(rnd, 0, 10) * 4);
        byte[] payload = Gen.bytes(rnd, 300);
        return new Ipv4Packet(tos, id, (flags & 2) != 0, (flags & 1) != 0, offset, ttl, protocol, src, dst, options,
                payload);
    }

    static LongStream seeds() {
        return Gen.seeds(500);
    }

    /** The edge cases of the generators above: every field at its ends, no payload and the longest. */
    @Test
    void edgeCasesRoundTrip() {
        MacAddress[] macs = {new MacAddress(0), new MacAddress(1), new MacAddress(0xFFFF_FFFF_FFFFL)};
        Ipv4Address[] addresses = {new Ipv4Address(0), new Ipv4Address(1), new Ipv4Address(-1),
                new Ipv4Address(Integer.MIN_VALUE), new Ipv4Address(Integer.MAX_VALUE)};
        byte[][] payloads = {new byte[0], new byte[1], filled(100, 0xFF)};
        int[] tcis = {-1, 0, 1, 0xFFFF};
        int[] types = {0, 1, EthernetFrame.ETHERTYPE_VLAN, 0xFFFF};
        for (MacAddress mac : macs) {
            for (int tci : tcis) {
                for (int type : types) {
                    for (byte[] p : payloads) {
                        if (tci != -1 || type != EthernetFrame.ETHERTYPE_VLAN) {
                            EthernetFrame f = new EthernetFrame(mac, mac, tci, type, p);
                            checkEthernet(f);
                            checkVxlan(0, f);
                            checkVxlan(0xFFFFFF, f);
                        }
                    }
                }
            }
        }
        for (int op : new int[] {0, 1, 0xFFFF}) {
            for (MacAddress mac : macs) {
                for (Ipv4Address a : addresses) {
                    checkArp(op, mac, a, mac, a);
                }
            }
        }
        for (int u8 : new int[] {0, 1, 0xFF}) {
            for (int u16 : new int[] {0, 1, 0xFFFF}) {
                for (int flags = 0; flags < 4; flags++) {
                    for (int offset : new int[] {0, 8, 0x1FFF * 8}) {
                        for (int words : new int[] {0, 1, 10}) {
                            for (byte[] p : new byte[][] {new byte[0], new byte[1], filled(300, 0)}) {
                                Ipv4Packet ip = new Ipv4Packet(u8, u16, (flags & 2) != 0, (flags & 1) != 0, offset, u8,
                                        u8, addresses[flags], addresses[4 - flags], filled(words * 4, 1), p);
                                checkIpv4(ip, new byte[0]);
                                checkIpv4(ip, filled(46, 0xFF));
                                checkEchoAndErrors(u16, u16, ip);
                                for (int tci : new int[] {-1, 0, 0xFFFF}) {
                                    checkSummary(ip, macs[flags % 3], tci);
                                }
                            }
                        }
                    }
                }
            }
        }
        for (int protocol : new int[] {Ipv4Packet.PROTOCOL_ICMP, Ipv4Packet.PROTOCOL_TCP, Ipv4Packet.PROTOCOL_UDP}) {
            for (byte[] p : new byte[][] {new byte[0], new byte[1], filled(300, 0xFF)}) {
                checkSummary(new Ipv4Packet(0, 0, false, false, 0, 64, protocol, addresses[0], addresses[2],
                        new byte[0], p), macs[0], -1);
            }
        }
        for (int type : new int[] {0, 1, 0xFF}) {
            for (int rest : Gen.edgeCases(Integer.MIN_VALUE, Integer.MAX_VALUE)) {
                for (byte[] body : new byte[][] {new byte[0], new byte[1], filled(600, 0xFF)}) {
                    checkIcmp(type, type, rest, body);
                }
            }
        }
        for (int port : new int[] {0, 1, 0xFFFF}) {
            for (byte[] payload : new byte[][] {new byte[0], new byte[1], filled(600, 0xFF), filled(600, 0)}) {
                for (Ipv4Address a : addresses) {
                    checkUdp(port, port, payload, a, a);
                }
            }
        }
    }

    private static byte[] filled(int length, int value) {
        byte[] b = new byte[length];
        Arrays.fill(b, (byte) value);
        return b;
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void ethernet(long seed) {
        checkEthernet(frame(Gen.random(seed)));
    }

    private static void checkEthernet(EthernetFrame f) {
        byte[] bytes = f.encode();
        assertThat(bytes).hasSize(Math.max(EthernetFrame.MIN_FRAME_LENGTH, f.headerLength() + f.payload().length));
        EthernetFrame back = EthernetFrame.parse(bytes);
        // Padding (zeros) is indistinguishable from payload at this layer: the layer above knows its length.
        assertThat(back.withPayload(Arrays.copyOf(back.payload(), f.payload().length))).isEqualTo(f);
        byte[] pad = Arrays.copyOfRange(back.payload(), f.payload().length, back.payload().length);
        assertThat(pad).isEqualTo(new byte[pad.length]);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void arp(long seed) {
        Random rnd = Gen.random(seed);
        checkArp(Gen.between(rnd, 0, 0xFFFF), mac(rnd), address(rnd), mac(rnd), address(rnd));
    }

    private static void checkArp(int op, MacAddress sha, Ipv4Address spa, MacAddress tha, Ipv4Address tpa) {
        ArpPacket arp = new ArpPacket(op, sha, spa, tha, tpa);
        byte[] b = arp.encode();
        assertThat(ArpPacket.parse(b, 0, b.length)).isEqualTo(arp);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void ipv4(long seed) {
        Random rnd = Gen.random(seed);
        checkIpv4(datagram(rnd), Gen.bytes(rnd, 46));
    }

    private static void checkIpv4(Ipv4Packet ip, byte[] padding) {
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

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void icmp(long seed) {
        Random rnd = Gen.random(seed);
        checkIcmp(Gen.between(rnd, 0, 0xFF), Gen.between(rnd, 0, 0xFF), Gen.anyInt(rnd), Gen.bytes(rnd, 600));
    }

    private static void checkIcmp(int type, int code, int rest, byte[] body) {
        IcmpMessage m = new IcmpMessage(type, code, rest, body);
        byte[] b = m.encode();
        assertThat(b).hasSize(8 + body.length);
        assertThat(InternetChecksum.compute(b, 0, b.length)).isZero();
        assertThat(IcmpMessage.parse(b, 0, b.length)).isEqualTo(m);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void echoAndErrors(long seed) {
        Random rnd = Gen.random(seed);
        checkEchoAndErrors(Gen.between(rnd, 0, 0xFFFF), Gen.between(rnd, 0, 0xFFFF), datagram(rnd));
    }

    private static void checkEchoAndErrors(int id, int seq, Ipv4Packet offending) {
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

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void udp(long seed) {
        Random rnd = Gen.random(seed);
        checkUdp(Gen.between(rnd, 0, 0xFFFF), Gen.between(rnd, 0, 0xFFFF), Gen.bytes(rnd, 600), address(rnd),
                address(rnd));
    }

    private static void checkUdp(int sport, int dport, byte[] payload, Ipv4Address src, Ipv4Address dst) {
        UdpDatagram d = new UdpDatagram(sport, dport, payload);
        byte[] b = d.encode(src, dst);
        assertThat(b).hasSize(8 + payload.length);
        assertThat(Bytes.readU16(b, 6)).as("a computed checksum is never sent as zero").isNotZero();
        assertThat(UdpDatagram.parse(b, 0, b.length, src, dst)).isEqualTo(d);
        byte[] unchecked = d.encodeWithoutChecksum();
        assertThat(UdpDatagram.parse(unchecked, 0, unchecked.length, src, dst)).isEqualTo(d);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void vxlan(long seed) {
        Random rnd = Gen.random(seed);
        checkVxlan(Gen.between(rnd, 0, 0xFFFFFF), frame(rnd));
    }

    private static void checkVxlan(int vni, EthernetFrame inner) {
        byte[] frame = inner.encode();
        byte[] v = Vxlan.encapsulate(vni, frame);
        assertThat(Vxlan.readVni(v, 0, v.length)).isEqualTo(vni);
        assertThat(Vxlan.decapsulate(v, 0, v.length)).isEqualTo(frame);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void summariesOfWellFormedFramesAreNeverMalformed(long seed) {
        Random rnd = Gen.random(seed);
        checkSummary(datagram(rnd), mac(rnd), Gen.between(rnd, -1, 0xFFFF));
    }

    private static void checkSummary(Ipv4Packet ip, MacAddress mac, int tci) {
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
