package dev.wirelab.kit.trace;

import dev.wirelab.kit.client.Event;
import dev.wirelab.kit.client.Frame;
import dev.wirelab.netstack.wire.EthernetFrame;
import dev.wirelab.netstack.wire.Ipv4Address;
import dev.wirelab.netstack.wire.Ipv4Packet;
import dev.wirelab.netstack.wire.MacAddress;
import dev.wirelab.netstack.wire.TcpSegment;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.wirelab.kit.trace.WirelabAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The assertions on a small hand-made trace: what passes, what fails, and what a failure prints. */
class TraceAssertTest {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final Ipv4Address A = Ipv4Address.parse("10.0.0.1");
    static final Ipv4Address B = Ipv4Address.parse("10.0.0.2");

    final List<Frame> frames = new ArrayList<>();
    final Map<Long, byte[]> bytes = new HashMap<>();
    final List<Event> events = new ArrayList<>();

    void tcp(long t, Ipv4Address src, Ipv4Address dst, int flags) {
        TcpSegment seg = TcpSegment.of(src == A ? 40000 : 80, src == A ? 80 : 40000, 1000, flags == TcpSegment.SYN ? 0 : 1,
                flags, 65535, new byte[0]);
        Ipv4Packet ip = Ipv4Packet.of(1, 64, Ipv4Packet.PROTOCOL_TCP, src, dst, seg.encode(src, dst));
        byte[] f = EthernetFrame.of(MacAddress.parse("02:00:00:00:00:02"), MacAddress.parse("02:00:00:00:00:01"),
                EthernetFrame.ETHERTYPE_IPV4, ip.encode()).encode();
        long seq = frames.size() + 1;
        frames.add(new Frame(seq, t, "lan", src == A ? "a:eth0" : "b:eth0", src == A ? "a" : "b", f.length,
                List.of("ethernet", "ipv4", "tcp"), "02:00:00:00:00:01", "02:00:00:00:00:02", src.toString(),
                dst.toString(), 6, null, null, null, null, "tcp"));
        bytes.put(seq, f);
    }

    void state(long t, String node, String to) {
        events.add(new Event(events.size() + 1, t, node, "tcp", "state",
                JSON.readTree("{\"to\":\"" + to + "\",\"local\":\"x:80\"}")));
    }

    Trace handshake() {
        state(10, "a", "SYN_SENT");
        tcp(10, A, B, TcpSegment.SYN);
        tcp(20, B, A, TcpSegment.SYN | TcpSegment.ACK);
        state(30, "a", "ESTABLISHED");
        tcp(30, A, B, TcpSegment.ACK);
        return Trace.of(frames, bytes, events);
    }

    @Test
    void eventsOfAnInstantComeBeforeItsFramesAndFramesAreDecoded() {
        Trace t = handshake();
        assertThat(t.timeline().get(0)).isInstanceOf(TracedEvent.class);
        assertThat(t.timeline().get(1)).isInstanceOfSatisfying(TracedFrame.class, f -> {
            assertThat(f.tcp().syn()).isTrue();
            assertThat(f.describe()).contains("TCP 40000 -> 80 [S]");
        });
        assertThat(t).containsSubsequence(Events.tcpState("a", "SYN_SENT"), Frames.tcpFlags("S"), Frames.tcpFlags("SA"),
                        Frames.tcpFlags("A").from("10.0.0.1"))
                .happensBefore(Frames.tcpFlags("S"), Frames.tcpFlags("AS"))
                .hasCount(Frames.tcp(), 3)
                .hasNo(Frames.tcpFlags("R"));
        assertThat(t).tcpStates("a", ":80").containsExactly("SYN_SENT", "ESTABLISHED");
    }

    @Test
    void aMissingStepPrintsTheOrderAndWhatCameInstead() {
        Trace t = handshake();
        assertThatThrownBy(() -> assertThat(t).containsSubsequence(Frames.tcpFlags("S"), Frames.tcpFlags("FA")))
                .hasMessageContaining("   ok  a TCP [S]")
                .hasMessageContaining("   --> a TCP [FA]")
                .hasMessageContaining(">> ")
                .hasMessageContaining("What the trace has of a TCP segment:")
                .hasMessageContaining("[S.]");
    }

    @Test
    void stepsInTheWrongOrderAreShownMarked() {
        Trace t = handshake();
        assertThatThrownBy(() -> assertThat(t).containsSubsequence(Frames.tcpFlags("SA"), Frames.tcpFlags("S")))
                .hasMessageContaining("but the only a TCP [S] came before a TCP [SA]");
        assertThatThrownBy(() -> assertThat(t).happensBefore(Frames.tcpFlags("SA"), Frames.tcpFlags("S")))
                .hasMessageContaining("but it came after it")
                .hasMessageContaining("   >> ");
        assertThatThrownBy(() -> assertThat(t).hasNo(Frames.tcpFlags("SA")))
                .hasMessageContaining("Expected no a TCP [SA], but found one");
        assertThatThrownBy(() -> assertThat(t).tcpStates("a", ":80").containsExactly("SYN_SENT", "CLOSED"))
                .hasMessageContaining("TCP states of a (:80); its state changes:")
                .hasMessageContaining("tcp/state");
    }

    @Test
    void aStepOfANodeThatNeverActedShowsTheTimelineStart() {
        Trace t = handshake();
        assertThatThrownBy(() -> assertThat(t).has(Match.of("anything from c", s -> s instanceof TracedEvent e && e.node().equals("c"))))
                .hasMessageContaining("Expected anything from c, but there was none.")
                .hasMessageContaining("The timeline begins:");
    }
}
