package dev.wirelab.netstack.trace;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wirelab.netstack.wire.EthernetFrame;
import dev.wirelab.netstack.wire.IcmpMessage;
import dev.wirelab.netstack.wire.Ipv4Address;
import dev.wirelab.netstack.wire.Ipv4Packet;
import dev.wirelab.netstack.wire.MacAddress;
import dev.wirelab.netstack.wire.TcpSegment;
import dev.wirelab.netstack.wire.UdpDatagram;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which frames {@link CaptureView#CONVERSATIONS} keeps, on hand-made timelines. */
class ConversationFilterTest {

    private static final Ipv4Address H1 = Ipv4Address.parse("10.0.1.10");
    private static final Ipv4Address H2 = Ipv4Address.parse("10.0.2.10");
    private static final Ipv4Address R1 = Ipv4Address.parse("10.0.1.1");
    private static final Ipv4Address R2 = Ipv4Address.parse("10.0.0.2");
    private static final MacAddress A = MacAddress.parse("02:00:00:00:00:0a");
    private static final MacAddress B = MacAddress.parse("02:00:00:00:00:0b");

    private final List<CapturedFrame> frames = new ArrayList<>();

    private void add(String segment, byte[] frame) {
        frames.add(new CapturedFrame(frames.size(), frames.size() * 1000L, segment, segment + "-port", frame));
    }

    private static byte[] eth(Ipv4Packet p) {
        return EthernetFrame.of(A, B, EthernetFrame.ETHERTYPE_IPV4, p.encode()).encode();
    }

    private static Ipv4Packet tcp(Ipv4Address src, int sport, Ipv4Address dst, int dport, long seq, long ack, int flags,
                                  int id, int dataLength) {
        byte[] segment = TcpSegment.of(sport, dport, seq, ack, flags, 1000, new byte[dataLength]).encode(src, dst);
        return Ipv4Packet.of(id, 64, Ipv4Packet.PROTOCOL_TCP, src, dst, segment).withDontFragment(true);
    }

    private static Ipv4Packet udp(Ipv4Address src, Ipv4Address dst, int id, int dataLength) {
        return Ipv4Packet.of(id, 64, Ipv4Packet.PROTOCOL_UDP, src, dst,
                new UdpDatagram(5000, 6000, new byte[dataLength]).encode(src, dst));
    }

    /** Each frame's segment, "-" where the view leaves it out. */
    private List<String> kept() {
        List<CapturedFrame> view = CaptureView.CONVERSATIONS.select(frames);
        return frames.stream().map(f -> view.contains(f) ? f.segment() : "-").toList();
    }

    /** A handshake and some data h1 -> h2 through r1 (lan1, lan2), each packet on both segments. */
    private void routedConnection(long isn, int sport) {
        int id = 100;
        Ipv4Packet[] client = {
                tcp(H1, sport, H2, 80, isn, 0, TcpSegment.SYN, id++, 0),
                tcp(H1, sport, H2, 80, isn + 1, 9001, TcpSegment.ACK, id++, 0),
                tcp(H1, sport, H2, 80, isn + 1, 9001, TcpSegment.ACK | TcpSegment.PSH, id++, 100)};
        Ipv4Packet synAck = tcp(H2, 80, H1, sport, 9000, isn + 1, TcpSegment.SYN | TcpSegment.ACK, 7, 0);
        add("lan1", eth(client[0]));
        add("lan2", eth(client[0].withTtl(63)));
        add("lan2", eth(synAck));
        add("lan1", eth(synAck.withTtl(63)));
        for (int i = 1; i < client.length; i++) {
            add("lan1", eth(client[i]));
            add("lan2", eth(client[i].withTtl(63)));
        }
    }

    @Test
    void aRoutedConnectionIsKeptFromItsClientsSegmentOnly() {
        routedConnection(1000, 40000);
        assertThat(kept()).containsExactly("lan1", "-", "-", "lan1", "lan1", "-", "lan1", "-");
    }

    @Test
    void arpBroadcastsAndMulticastsStayOnEverySegment() {
        byte[] arp = EthernetFrame.of(MacAddress.BROADCAST, A, EthernetFrame.ETHERTYPE_ARP, new byte[28]).encode();
        Ipv4Packet discover = Ipv4Packet.of(1, 64, Ipv4Packet.PROTOCOL_UDP, Ipv4Address.parse("0.0.0.0"),
                Ipv4Address.parse("255.255.255.255"), new byte[8]);
        Ipv4Packet ospf = Ipv4Packet.of(2, 1, 89, R1, Ipv4Address.parse("224.0.0.5"), new byte[8]);
        byte[] unicastToMulticast = EthernetFrame.of(A, B, EthernetFrame.ETHERTYPE_IPV4, ospf.encode()).encode();
        for (String s : List.of("lan1", "lan2")) {
            add(s, arp);
            add(s, EthernetFrame.of(MacAddress.BROADCAST, A, EthernetFrame.ETHERTYPE_IPV4, discover.encode()).encode());
            add(s, unicastToMulticast);
        }
        assertThat(kept()).containsExactly("lan1", "lan1", "lan1", "lan2", "lan2", "lan2");
    }

    @Test
    void aOneWayFlowIsKeptFromTheFirstSegmentItCrossed() {
        for (int i = 0; i < 3; i++) {
            Ipv4Packet p = udp(H1, H2, 10 + i, 100).withDontFragment(true);
            add("lan1", eth(p));
            add("core", eth(p.withTtl(63)));
            add("lan2", eth(p.withTtl(62)));
        }
        assertThat(kept()).containsExactly("lan1", "-", "-", "lan1", "-", "-", "lan1", "-", "-");
    }

    @Test
    void directionsThatShareNoSegmentAreEachKeptWhereTheyFirstShow() {
        // Multihomed ends, asymmetric routes: h1 -> h2 over lan1 and lan2, h2 -> h1 over lan3 and lan4.
        Ipv4Packet out = tcp(H1, 40000, H2, 80, 1000, 0, TcpSegment.SYN, 1, 0);
        Ipv4Packet back = tcp(H2, 80, H1, 40000, 9000, 1001, TcpSegment.SYN | TcpSegment.ACK, 2, 0);
        add("lan1", eth(out));
        add("lan2", eth(out.withTtl(63)));
        add("lan3", eth(back));
        add("lan4", eth(back.withTtl(63)));
        assertThat(kept()).containsExactly("lan1", "-", "lan3", "-");
    }

    @Test
    void twoConnectionsWithTheSameAddressesAndPortsOnTwoSegmentsStayTwo() {
        // Say two LANs with the same private addresses behind two NATs, and the same ephemeral port.
        for (String s : List.of("lanA", "lanB")) {
            long isn = s.equals("lanA") ? 1000 : 5_000_000;
            add(s, eth(tcp(H1, 40000, H2, 80, isn, 0, TcpSegment.SYN, 1, 0)));
            add(s, eth(tcp(H2, 80, H1, 40000, 9000, isn + 1, TcpSegment.SYN | TcpSegment.ACK, 2, 0)));
            add(s, eth(tcp(H1, 40000, H2, 80, isn + 1, 9001, TcpSegment.ACK, 3, 0)));
        }
        assertThat(kept()).containsExactly("lanA", "lanA", "lanA", "lanB", "lanB", "lanB");
    }

    @Test
    void aConnectionReusingItsAddressesAndPortsLaterIsStillKeptOnce() {
        routedConnection(1000, 40000);
        routedConnection(777_777, 40000);
        assertThat(kept()).containsExactly("lan1", "-", "-", "lan1", "lan1", "-", "lan1", "-",
                "lan1", "-", "-", "lan1", "lan1", "-", "lan1", "-");
    }

    @Test
    void icmpErrorsGoWithTheConversationTheyQuote() {
        errors();
        assertThat(kept().subList(8, 13)).containsExactly("lan1", "-", "lan1", "core", "-");
    }

    private void errors() {
        routedConnection(1000, 40000);
        Ipv4Packet data = tcp(H1, 40000, H2, 80, 1101, 9001, TcpSegment.ACK, 200, 1400);
        add("lan1", eth(data));
        // r2, past core, answers "fragmentation needed": the error crosses core, then lan1.
        IcmpMessage m = IcmpMessage.fragmentationNeeded(576, IcmpMessage.quote(data.withTtl(63).encode(), 548));
        Ipv4Packet error = Ipv4Packet.of(9, 64, Ipv4Packet.PROTOCOL_ICMP, R2, H1, m.encode());
        add("core", eth(error));
        add("lan1", eth(error.withTtl(63)));
        // Errors in the other direction, to h2, that never reach the conversation's home segment:
        // kept where they were first seen.
        Ipv4Packet reply = tcp(H2, 80, H1, 40000, 9001, 1101, TcpSegment.ACK, 201, 1400);
        IcmpMessage toH2 = IcmpMessage.fragmentationNeeded(576, IcmpMessage.quote(reply.withTtl(63).encode(), 548));
        Ipv4Packet back = Ipv4Packet.of(10, 64, Ipv4Packet.PROTOCOL_ICMP, R1, H2, toH2.encode());
        add("core", eth(back));
        add("lan2", eth(back.withTtl(63)));
    }

    @Test
    void fragmentsGoWhereTheirDatagramGoes() {
        fragments();
        assertThat(kept()).containsExactly("lan1", "-", "-", "lan1", "lan1", "-", "-");
    }

    private void fragments() {
        // A 1400-byte UDP datagram, DF clear, whole on lan1, cut in two by r1 for core.
        Ipv4Packet whole = udp(H1, H2, 300, 1372);
        byte[] payload = whole.payload();
        add("lan1", eth(whole));
        add("core", eth(whole.fragment(new byte[0], true, 0, Arrays.copyOfRange(payload, 0, 552)).withTtl(63)));
        add("core", eth(whole.fragment(new byte[0], false, 552, Arrays.copyOfRange(payload, 552, payload.length))
                .withTtl(63)));
        // And one fragmented by h1 itself: its fragments on lan1, again on core.
        Ipv4Packet big = udp(H1, H2, 301, 1372);
        Ipv4Packet first = big.fragment(new byte[0], true, 0, Arrays.copyOfRange(big.payload(), 0, 1376));
        Ipv4Packet second = big.fragment(new byte[0], false, 1376,
                Arrays.copyOfRange(big.payload(), 1376, big.payload().length));
        add("lan1", eth(first));
        add("lan1", eth(second));
        add("core", eth(first.withTtl(63)));
        add("core", eth(second.withTtl(63)));
    }

    @Test
    void aSuperPacketsSegmentsCutByTheRouterAreLeftOutWithIt() {
        routedConnection(1000, 40000);
        add("lan1", eth(tcp(H1, 40000, H2, 80, 1101, 9001, TcpSegment.ACK, 200, 14480)));
        for (int i = 0; i < 10; i++) {
            add("lan2", eth(tcp(H1, 40000, H2, 80, 1101 + 1448L * i, 9001, TcpSegment.ACK, 200 + i, 1448).withTtl(63)));
        }
        assertThat(kept().subList(8, 19)).containsExactly("lan1", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-");
    }

    @Test
    void headersAloneGiveTheSameChoiceAsWholeFrames() {
        errors();
        fragments();
        ConversationFilter whole = new ConversationFilter();
        ConversationFilter heads = new ConversationFilter();
        for (CapturedFrame f : frames) {
            whole.observe(f.segment(), f.bytes(), f.bytes().length);
            byte[] head = Arrays.copyOf(f.bytes(), Math.min(f.bytes().length, ConversationFilter.HEADER_BYTES));
            heads.observe(f.segment(), head, head.length);
        }
        whole.rewind();
        heads.rewind();
        for (CapturedFrame f : frames) {
            assertThat(heads.keep(f.segment(), f.bytes(), f.bytes().length))
                    .isEqualTo(whole.keep(f.segment(), f.bytes(), f.bytes().length));
        }
    }
}
