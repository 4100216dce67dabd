package dev.wirelab.control.decode;

import dev.wirelab.netstack.testing.Gen;
import dev.wirelab.netstack.wire.ArpPacket;
import dev.wirelab.netstack.wire.EthernetFrame;
import dev.wirelab.netstack.wire.IcmpMessage;
import dev.wirelab.netstack.wire.Ipv4Address;
import dev.wirelab.netstack.wire.Ipv4Packet;
import dev.wirelab.netstack.wire.MacAddress;
import dev.wirelab.netstack.wire.TcpSegment;
import dev.wirelab.netstack.wire.UdpDatagram;
import dev.wirelab.netstack.wire.Vxlan;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

class FrameDecoderTest {

    static final MacAddress A = MacAddress.parse("02:00:00:00:00:0a");
    static final MacAddress B = MacAddress.parse("02:00:00:00:00:0b");
    static final Ipv4Address IP_A = Ipv4Address.parse("10.0.1.10");
    static final Ipv4Address IP_B = Ipv4Address.parse("10.0.2.10");
    final FrameDecoder decoder = FrameDecoder.standard();

    static byte[] ipFrame(Ipv4Packet p) {
        return EthernetFrame.of(B, A, EthernetFrame.ETHERTYPE_IPV4, p.encode()).encode();
    }

    static Field field(Layer l, String name) {
        return l.fields().stream().filter(f -> f.name().equals(name)).findFirst().orElseThrow(() -> new AssertionError(
                "no field " + name + " in " + l.protocol()));
    }

    @Test
    void arpRequestWithPaddingHasEveryFieldAtItsOffset() {
        byte[] frame = EthernetFrame.of(MacAddress.BROADCAST, A, EthernetFrame.ETHERTYPE_ARP,
                ArpPacket.request(A, IP_A, IP_B).encode()).encode();
        FrameDecoder.Decoded d = decoder.decode(frame);
        Layer eth = d.root();
        assertThat(eth.protocol()).isEqualTo("ethernet");
        assertThat(eth.length()).isEqualTo(60);
        assertThat(field(eth, "dst")).extracting(Field::offset, Field::length).containsExactly(0, 6);
        assertThat(field(eth, "type").value()).startsWith("0x0806");
        // 14 + 28 = 42 bytes of header and ARP; the rest is padding to 60 (IEEE 802.3 minimum without FCS).
        assertThat(field(eth, "padding")).extracting(Field::offset, Field::length).containsExactly(42, 18);
        Layer arp = eth.layers().get(0);
        assertThat(arp.protocol()).isEqualTo("arp");
        assertThat(arp.offset()).isEqualTo(14);
        assertThat(field(arp, "tpa")).extracting(Field::value, Field::offset, Field::length)
                .containsExactly("10.0.2.10", 38, 4);
        assertThat(d.columns().protocols()).containsExactly("eth", "arp");
        assertThat(d.columns().srcIp()).isEqualTo(IP_A);
        assertThat(d.columns().dstMac()).isEqualTo(MacAddress.BROADCAST);
        assertThat(d.columns().conversation()).isNull();
        assertThat(d.columns().info()).contains("ARP who-has 10.0.2.10 tell 10.0.1.10");
    }

    @Test
    void icmpEchoDecodesIpFieldsBitsAndConversation() {
        Ipv4Packet p = Ipv4Packet.of(0x1234, 64, Ipv4Packet.PROTOCOL_ICMP, IP_A, IP_B,
                IcmpMessage.echoRequest(7, 3, new byte[56]).encode()).withDontFragment(true);
        FrameDecoder.Decoded d = decoder.decode(ipFrame(p));
        Layer ip = d.root().layers().get(0);
        assertThat(ip.protocol()).isEqualTo("ipv4");
        assertThat(ip.offset()).isEqualTo(14);
        assertThat(ip.length()).isEqualTo(84);
        assertThat(field(ip, "ttl")).extracting(Field::value, Field::offset).containsExactly("64", 22);
        assertThat(field(ip, "flags.df")).extracting(Field::value, Field::offset, Field::length, Field::bitmask)
                .containsExactly("1", 20, 2, 0x4000L);
        assertThat(field(ip, "version").bitmask()).isEqualTo(0xF0);
        assertThat(field(ip, "checksum").value()).endsWith("[correct]");
        assertThat(field(ip, "src")).extracting(Field::value, Field::offset).containsExactly("10.0.1.10", 26);
        Layer icmp = ip.layers().get(0);
        assertThat(icmp.summary()).contains("echo request id=7 seq=3");
        assertThat(field(icmp, "seq")).extracting(Field::value, Field::offset).containsExactly("3", 40);
        assertThat(icmp.layers()).singleElement().extracting(Layer::protocol, Layer::length).containsExactly("data", 56);
        assertThat(d.columns().flags()).isEqualTo("DF");
        assertThat(d.columns().ipProtocol()).isEqualTo(1);
        assertThat(d.columns().conversation()).isEqualTo("icmp 10.0.1.10 <-> 10.0.2.10 id=7");
    }

    @Test
    void theReplyBelongsToTheSameConversation() {
        Ipv4Packet reply = Ipv4Packet.of(1, 64, Ipv4Packet.PROTOCOL_ICMP, IP_B, IP_A,
                IcmpMessage.echoReply(7, 3, new byte[8]).encode());
        assertThat(decoder.summarize(ipFrame(reply)).conversation()).isEqualTo("icmp 10.0.1.10 <-> 10.0.2.10 id=7");
    }

    @Test
    void udpPortsChecksumAndPayload() {
        byte[] udp = new UdpDatagram(33434, 53, "hello".getBytes()).encode(IP_A, IP_B);
        FrameDecoder.Decoded d = decoder.decode(ipFrame(Ipv4Packet.of(1, 64, Ipv4Packet.PROTOCOL_UDP, IP_A, IP_B, udp)));
        Layer u = d.root().layers().get(0).layers().get(0);
        assertThat(u.protocol()).isEqualTo("udp");
        assertThat(u.offset()).isEqualTo(34);
        assertThat(field(u, "dstport")).extracting(Field::value, Field::offset).containsExactly("53", 36);
        assertThat(field(u, "checksum").value()).endsWith("[correct]");
        assertThat(u.layers()).singleElement().extracting(Layer::offset, Layer::length).containsExactly(42, 5);
        assertThat(d.columns().srcPort()).isEqualTo(33434);
        assertThat(d.columns().dstPort()).isEqualTo(53);
        assertThat(d.columns().conversation()).isEqualTo("udp 10.0.1.10:33434 <-> 10.0.2.10:53");
    }

    @Test
    void tcpSynWithOptionsHasEachFlagAndOptionAtItsOffset() {
        byte[] options = new TcpSegment.Options().mss(1460).sackPermitted().timestamps(100, 0).nop().windowScale(7).build();
        TcpSegment syn = new TcpSegment(43210, 80, 1000, 0, TcpSegment.SYN, 64240, 0, options, new byte[0]);
        byte[] tcp = syn.encode(IP_A, IP_B);
        FrameDecoder.Decoded d = decoder.decode(ipFrame(Ipv4Packet.of(1, 64, Ipv4Packet.PROTOCOL_TCP, IP_A, IP_B, tcp)));
        Layer t = d.root().layers().get(0).layers().get(0);
        assertThat(t.protocol()).isEqualTo("tcp");
        assertThat(t.offset()).isEqualTo(34);
        assertThat(field(t, "seq")).extracting(Field::value, Field::offset, Field::length).containsExactly("1000", 38, 4);
        assertThat(field(t, "flags.syn")).extracting(Field::value, Field::offset, Field::bitmask).containsExactly("1", 46, 2L);
        assertThat(field(t, "flags.ack").value()).isEqualTo("0");
        assertThat(field(t, "option.mss")).extracting(Field::value, Field::offset, Field::length).containsExactly("1460", 54, 4);
        assertThat(field(t, "option.wscale").value()).startsWith("7");
        assertThat(field(t, "option.timestamps").value()).isEqualTo("TSval 100, TSecr 0");
        assertThat(field(t, "checksum").value()).endsWith("[correct]");
        assertThat(d.columns().flags()).isEqualTo("SYN");
        assertThat(d.columns().conversation()).isEqualTo("tcp 10.0.1.10:43210 <-> 10.0.2.10:80");
        assertThat(d.columns().protocols()).containsExactly("eth", "ipv4", "tcp");
    }

    @Test
    void anIcmpErrorQuotesTheDatagramAndJoinsItsConversation() {
        byte[] probe = Ipv4Packet.of(9, 1, Ipv4Packet.PROTOCOL_UDP, IP_A, IP_B,
                new UdpDatagram(32768, 33434, new byte[32]).encode(IP_A, IP_B)).encode();
        Ipv4Address router = Ipv4Address.parse("10.0.1.1");
        Ipv4Packet err = Ipv4Packet.of(2, 64, Ipv4Packet.PROTOCOL_ICMP, router, IP_A,
                IcmpMessage.timeExceeded(IcmpMessage.TTL_EXCEEDED_IN_TRANSIT, IcmpMessage.quote(probe)).encode());
        FrameDecoder.Decoded d = decoder.decode(ipFrame(err));
        Layer icmp = d.root().layers().get(0).layers().get(0);
        assertThat(icmp.summary()).contains("time exceeded").contains("TTL exceeded in transit");
        Layer quoted = icmp.layers().get(0);
        assertThat(quoted.protocol()).isEqualTo("ipv4");
        assertThat(quoted.offset()).isEqualTo(14 + 20 + 8);
        assertThat(quoted.summary()).startsWith("Quoted datagram");
        Layer quotedUdp = quoted.layers().get(0);
        assertThat(field(quotedUdp, "dstport").value()).isEqualTo("33434");
        // The frame is filed under its own addresses, but in the probe's conversation.
        assertThat(d.columns().srcIp()).isEqualTo(router);
        assertThat(d.columns().srcPort()).isNull();
        assertThat(d.columns().protocols()).containsExactly("eth", "ipv4", "icmp");
        assertThat(d.columns().conversation()).isEqualTo("udp 10.0.1.10:32768 <-> 10.0.2.10:33434");
    }

    @Test
    void aLaterFragmentIsDataAboveIp() {
        Ipv4Packet frag = Ipv4Packet.of(5, 64, Ipv4Packet.PROTOCOL_UDP, IP_A, IP_B, new byte[0])
                .fragment(new byte[0], false, 1480, new byte[100]);
        FrameDecoder.Decoded d = decoder.decode(ipFrame(frag));
        Layer ip = d.root().layers().get(0);
        assertThat(ip.summary()).contains("fragment, offset 1480");
        assertThat(ip.layers()).singleElement().extracting(Layer::protocol).isEqualTo("data");
        assertThat(d.columns().flags()).isEqualTo("FRAG");
        assertThat(d.columns().srcPort()).isNull();
    }

    @Test
    void vxlanCarriesAnInnerFrameDecodedAsWell() {
        byte[] inner = EthernetFrame.of(MacAddress.BROADCAST, A, EthernetFrame.ETHERTYPE_ARP,
                ArpPacket.request(A, IP_A, IP_B).encode()).encode();
        Ipv4Address vtep1 = Ipv4Address.parse("192.168.50.1");
        Ipv4Address vtep2 = Ipv4Address.parse("192.168.50.2");
        byte[] udp = new UdpDatagram(40000, Vxlan.DEFAULT_PORT, Vxlan.encapsulate(42, inner)).encode(vtep1, vtep2);
        FrameDecoder.Decoded d = decoder.decode(ipFrame(Ipv4Packet.of(1, 64, Ipv4Packet.PROTOCOL_UDP, vtep1, vtep2, udp)));
        Layer vx = d.root().layers().get(0).layers().get(0).layers().get(0);
        assertThat(vx.protocol()).isEqualTo("vxlan");
        assertThat(field(vx, "vni").value()).isEqualTo("42");
        Layer innerEth = vx.layers().get(0);
        assertThat(innerEth.protocol()).isEqualTo("ethernet");
        assertThat(innerEth.offset()).isEqualTo(14 + 20 + 8 + 8);
        assertThat(innerEth.layers().get(0).protocol()).isEqualTo("arp");
        // Outer addresses win; the protocol list shows the nesting.
        assertThat(d.columns().srcIp()).isEqualTo(vtep1);
        assertThat(d.columns().protocols()).containsExactly("eth", "ipv4", "udp", "vxlan", "eth", "arp");
    }

    @Test
    void aBadIpChecksumIsAnErrorLayerWithTheCodecsReason() {
        byte[] frame = ipFrame(Ipv4Packet.of(1, 64, Ipv4Packet.PROTOCOL_ICMP, IP_A, IP_B,
                IcmpMessage.echoRequest(1, 1, new byte[8]).encode()));
        frame[14 + 10] ^= 0x01;
        FrameDecoder.Decoded d = decoder.decode(frame);
        Layer ip = d.root().layers().get(0);
        assertThat(ip.protocol()).isEqualTo("ipv4");
        assertThat(ip.error()).contains("bad header checksum");
        assertThat(ip.offset()).isEqualTo(14);
        assertThat(d.columns().info()).startsWith("malformed");
    }

    @Test
    void aDecoderContributedForAPortIsUsed() {
        LayerDecoder hello = new LayerDecoder() {
            @Override
            public Set<String> keys() {
                return Set.of("udp.port:7777");
            }

            @Override
            public Layer decode(byte[] frame, int offset, int length, DecodeContext ctx, FrameDecoder next) {
                ctx.protocol("hello");
                return ctx.layer("hello", offset, length).summary("Hello protocol")
                        .field("greeting", "Greeting", new String(frame, offset, length), offset, length).build();
            }
        };
        List<LayerDecoder> all = new ArrayList<>(List.of(hello));
        all.addAll(FrameDecoder.standardDecoders());
        byte[] udp = new UdpDatagram(40000, 7777, "hi".getBytes()).encode(IP_A, IP_B);
        FrameDecoder.Decoded d = new FrameDecoder(all).decode(ipFrame(Ipv4Packet.of(1, 64, 17, IP_A, IP_B, udp)));
        assertThat(d.root().layers().get(0).layers().get(0).layers().get(0).summary()).isEqualTo("Hello protocol");
        assertThat(d.columns().protocols()).endsWith("udp", "hello");
    }

    static LongStream seeds1000() {
        return Gen.seeds(1000);
    }

    static LongStream seeds2000() {
        return Gen.seeds(2000);
    }

    /** Any bytes: no exception, and every layer and field lies inside the frame and inside its layer. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds2000")
    void anyBytesDecodeWithoutThrowingAndWithinBounds(long seed) {
        checkAnyBytes(Gen.bytes(Gen.random(seed), 200));
    }

    /** The edge cases: no bytes, one byte, and 200 bytes, of zeros and of ones. */
    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {0, 1, 200})
    void edgeCaseBytesDecodeWithoutThrowingAndWithinBounds(int size) {
        for (int fill : new int[] {0x00, 0xFF}) {
            byte[] bytes = new byte[size];
            Arrays.fill(bytes, (byte) fill);
            checkAnyBytes(bytes);
        }
    }

    private void checkAnyBytes(byte[] bytes) {
        FrameDecoder.Decoded d = decoder.decode(bytes);
        if (bytes.length == 0) {
            assertThat(d.root()).isNull();
            return;
        }
        checkBounds(d.root(), 0, bytes.length);
        assertThat(decoder.summarize(bytes).info()).isNotNull();
    }

    /** Valid headers with random payloads: deeper layers are reached and stay in bounds. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds1000")
    void validHeadersWithRandomPayloads(long seed) {
        Random rnd = Gen.random(seed);
        checkValidHeaders(Gen.bytes(rnd, 120), rnd.nextBoolean());
    }

    /** The edge cases: no payload, one byte, and 120 bytes, of zeros and of ones, in UDP and in ICMP. */
    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {0, 1, 120})
    void validHeadersWithEdgeCasePayloads(int size) {
        for (int fill : new int[] {0x00, 0xFF}) {
            for (boolean udp : new boolean[] {true, false}) {
                byte[] payload = new byte[size];
                Arrays.fill(payload, (byte) fill);
                checkValidHeaders(payload, udp);
            }
        }
    }

    private void checkValidHeaders(byte[] payload, boolean udp) {
        byte[] body = udp ? new UdpDatagram(1000, 2000, payload).encode(IP_A, IP_B) : payload;
        byte[] frame = ipFrame(Ipv4Packet.of(1, 64, udp ? 17 : 1, IP_A, IP_B, body));
        FrameDecoder.Decoded d = decoder.decode(frame);
        checkBounds(d.root(), 0, frame.length);
        assertThat(d.columns().srcIp()).isEqualTo(IP_A);
    }

    private static void checkBounds(Layer l, int start, int end) {
        assertThat(l.offset()).isBetween(start, end);
        assertThat(l.offset() + l.length()).isLessThanOrEqualTo(end);
        for (Field f : l.fields()) {
            assertThat(f.offset()).isGreaterThanOrEqualTo(l.offset());
            assertThat(f.offset() + f.length()).isLessThanOrEqualTo(l.offset() + l.length());
        }
        for (Layer c : l.layers()) {
            checkBounds(c, l.offset(), l.offset() + l.length());
        }
    }
}
