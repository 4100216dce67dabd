package dev.wirelab.netstack.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wirelab.netstack.link.FrameHandler;
import dev.wirelab.netstack.link.Link;
import dev.wirelab.netstack.node.Node;
import dev.wirelab.netstack.testkit.Captures;
import dev.wirelab.netstack.testkit.ScenarioCaptures;
import dev.wirelab.netstack.testkit.Tshark;
import dev.wirelab.netstack.trace.CapturedFrame;
import dev.wirelab.netstack.trace.PcapngWriter;
import dev.wirelab.netstack.time.VirtualTimeScheduler;
import dev.wirelab.netstack.trace.TraceEvent;
import dev.wirelab.netstack.trace.TraceRecorder;
import dev.wirelab.netstack.wire.ArpPacket;
import dev.wirelab.netstack.wire.EthernetFrame;
import dev.wirelab.netstack.wire.FrameSummary;
import dev.wirelab.netstack.wire.IcmpMessage;
import dev.wirelab.netstack.wire.Ipv4Address;
import dev.wirelab.netstack.wire.Ipv4Packet;
import dev.wirelab.netstack.wire.MacAddress;
import dev.wirelab.netstack.wire.TcpSegment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A packet script: one node ("dut", 10.0.0.1) on a link where the test plays the peer
 * (10.0.0.2), on a manual clock. The test injects segments at chosen times and expects the
 * segments the node sends, with the time they leave:
 * <pre>
 *  s.at(0).inject(s.seg(SYN).seq(1000).mss(1460));
 *  s.expectAt(0).flags(SYN | ACK).ack(1001);
 * </pre>
 * Times are milliseconds of virtual time. The peer answers ARP at once, so only TCP is seen.
 */
final class TcpScript {

    static final Ipv4Address DUT = Ipv4Address.parse("10.0.0.1");
    static final Ipv4Address PEER = Ipv4Address.parse("10.0.0.2");
    static final MacAddress DUT_MAC = MacAddress.parse("02:00:00:00:00:01");
    static final MacAddress PEER_MAC = MacAddress.parse("02:00:00:00:00:02");
    static final long MS = 1_000_000L;

    static final int FIN = TcpSegment.FIN;
    static final int SYN = TcpSegment.SYN;
    static final int RST = TcpSegment.RST;
    static final int PSH = TcpSegment.PSH;
    static final int ACK = TcpSegment.ACK;

    /** A segment the node sent, and when. */
    record Sent(long nanos, TcpSegment segment) {
        long ms() {
            return nanos / MS;
        }
    }

    final VirtualTimeScheduler clock = new VirtualTimeScheduler();
    final TraceRecorder trace = new TraceRecorder();
    final Node node;
    final TcpLayer tcp;
    private final ArrayDeque<Sent> inbox = new ArrayDeque<>();
    private final List<Sent> all = new ArrayList<>();
    private final List<IcmpMessage> icmp = new ArrayList<>();
    private FrameHandler toNode = FrameHandler.DISCARD;
    private int ipId = 1;

    TcpScript() {
        this(TcpConfig.defaults());
    }

    TcpScript(TcpConfig config) {
        this(config, true);
    }

    /** {@code capture}: keep the frames as target/captures/<Test>/<method>.pcapng (property tests with many tries do not). */
    TcpScript(TcpConfig config, boolean capture) {
        if (capture) {
            ScenarioCaptures.register(trace::frames, clock.epochUnixNanos());
        }
        node = Node.host("dut", clock, trace);
        node.addInterface("eth0", DUT_MAC, 1500, new Link() {
            @Override
            public void send(byte[] frame) {
                fromNode(frame);
            }

            @Override
            public void setReceiver(FrameHandler receiver) {
                toNode = receiver;
            }

            @Override
            public void close() {
            }
        });
        node.addAddress("eth0", DUT, 24);
        tcp = TcpLayer.install(node, config);
        node.start();
        clock.runUntilIdle(0);
        inbox.clear();
    }

    private void fromNode(byte[] frame) {
        trace.frame(clock.nanos(), "script", "dut:eth0", frame);
        EthernetFrame e = EthernetFrame.parse(frame);
        if (e.etherType() == EthernetFrame.ETHERTYPE_ARP) {
            ArpPacket a = ArpPacket.parse(e.payload(), 0, e.payload().length);
            if (a.isRequest() && a.targetIp().equals(PEER)) {
                byte[] reply = EthernetFrame.of(DUT_MAC, PEER_MAC, EthernetFrame.ETHERTYPE_ARP,
                        ArpPacket.reply(PEER_MAC, PEER, DUT_MAC, DUT).encode()).encode();
                trace.frame(clock.nanos(), "script", "peer", reply);
                toNode.onFrame(reply);
            }
            return;
        }
        Ipv4Packet ip = Ipv4Packet.parse(e.payload(), 0, e.payload().length);
        if (ip.protocol() == Ipv4Packet.PROTOCOL_TCP) {
            // The node's bytes must pass the same strict decoder (checksum included).
            TcpSegment s = TcpSegment.parse(ip.payload(), 0, ip.payload().length, ip.source(), ip.destination());
            Sent sent = new Sent(clock.nanos(), s);
            inbox.add(sent);
            all.add(sent);
        } else if (ip.protocol() == Ipv4Packet.PROTOCOL_ICMP) {
            icmp.add(IcmpMessage.parse(ip.payload(), 0, ip.payload().length));
        }
    }

    // ------------------------------------------------------------------ time

    long nowMs() {
        return clock.nanos() / MS;
    }

    /** Runs everything due up to {@code ms} (absolute); segments sent meanwhile wait in the inbox. */
    TcpScript at(long ms) {
        assertThat(ms * MS).as("time goes forward").isGreaterThanOrEqualTo(clock.nanos());
        clock.runFor(ms * MS - clock.nanos());
        return this;
    }

    /** Runs what is due now (tasks posted for the current instant). */
    TcpScript settle() {
        clock.runFor(0);
        return this;
    }

    // ------------------------------------------------------------------ injecting

    /** A segment from the peer's port {@code peerPort} to the node's port {@code dutPort}. */
    Seg seg(int flags) {
        return new Seg(flags);
    }

    TcpScript inject(Seg s) {
        return inject(s.build());
    }

    TcpScript inject(TcpSegment s) {
        byte[] tcpBytes = s.encode(PEER, DUT);
        deliver(Ipv4Packet.of(ipId++ & 0xFFFF, 64, Ipv4Packet.PROTOCOL_TCP, PEER, DUT, tcpBytes));
        return this;
    }

    void deliver(Ipv4Packet p) {
        byte[] frame = EthernetFrame.of(DUT_MAC, PEER_MAC, EthernetFrame.ETHERTYPE_IPV4, p.encode()).encode();
        trace.frame(clock.nanos(), "script", "peer", frame);
        toNode.onFrame(frame);
        settle();
    }

    // ------------------------------------------------------------------ expecting

    /** The next segment the node sent by now. */
    Expect expect() {
        settle();
        Sent s = inbox.poll();
        assertThat(s).as("a segment from the node by t=%d ms; sent so far: %s", nowMs(), describeAll()).isNotNull();
        return new Expect(s);
    }

    /** The next segment, which must leave at exactly {@code ms}; time runs up to it. */
    Expect expectAt(long ms) {
        settle();
        if (inbox.isEmpty()) {
            clock.runUntil(() -> !inbox.isEmpty(), ms * MS);
        }
        Sent s = inbox.poll();
        assertThat(s).as("a segment from the node at t=%d ms; sent so far: %s", ms, describeAll()).isNotNull();
        assertThat(s.ms()).as("time of %s", s.segment()).isEqualTo(ms);
        if (clock.nanos() < ms * MS) {
            clock.runFor(ms * MS - clock.nanos());
        }
        return new Expect(s);
    }

    /** Nothing leaves the node until {@code ms} (time runs up to it). */
    TcpScript expectNothingUntil(long ms) {
        settle();
        clock.runUntil(() -> !inbox.isEmpty(), ms * MS);
        assertThat(inbox).as("nothing sent until t=%d ms", ms).isEmpty();
        if (clock.nanos() < ms * MS) {
            clock.runFor(ms * MS - clock.nanos());
        }
        return this;
    }

    TcpScript expectNothing() {
        settle();
        assertThat(inbox).as("nothing sent at t=%d ms", nowMs()).isEmpty();
        return this;
    }

    List<Sent> sent() {
        return all;
    }

    /**
     * tshark on this script's frames: nothing malformed, no bad checksum, and its decode of every
     * TCP header field agrees with ours (absolute sequence numbers, flags, window, length, MSS).
     */
    void judgeWithTshark(String name) {
        if (!Tshark.available()) {
            return;
        }
        try {
            Path p = Captures.DIR.resolve("TcpScript").resolve(name + ".pcapng");
            PcapngWriter.write(trace.frames(), clock.epochUnixNanos(), p);
            Tshark.Verdict v = Tshark.judge(p);
            assertThat(v.problems()).as("tshark on %s", p).isEmpty();
            List<Map<String, String>> rows = Tshark.fields(p, false, "tcp", "tcp.srcport", "tcp.dstport", "tcp.seq_raw",
                    "tcp.ack_raw", "tcp.flags", "tcp.window_size_value", "tcp.len", "tcp.options.mss_val");
            List<TcpSegment> ours = new ArrayList<>();
            for (CapturedFrame f : trace.frames()) {
                EthernetFrame e = EthernetFrame.parse(f.bytes());
                if (e.etherType() == EthernetFrame.ETHERTYPE_IPV4) {
                    Ipv4Packet ip = Ipv4Packet.parse(e.payload(), 0, e.payload().length);
                    if (ip.protocol() == Ipv4Packet.PROTOCOL_TCP) {
                        ours.add(TcpSegment.parse(ip.payload(), 0, ip.payload().length, ip.source(), ip.destination()));
                    }
                }
            }
            assertThat(rows).hasSameSizeAs(ours);
            for (int i = 0; i < ours.size(); i++) {
                TcpSegment t = ours.get(i);
                Map<String, String> r = rows.get(i);
                assertThat(r.get("tcp.srcport")).isEqualTo(String.valueOf(t.sourcePort()));
                assertThat(r.get("tcp.dstport")).isEqualTo(String.valueOf(t.destinationPort()));
                assertThat(r.get("tcp.seq_raw")).isEqualTo(String.valueOf(t.sequence()));
                if (t.ack()) {
                    assertThat(r.get("tcp.ack_raw")).isEqualTo(String.valueOf(t.acknowledgment()));
                }
                assertThat(Integer.decode(r.get("tcp.flags"))).isEqualTo(t.flags());
                assertThat(r.get("tcp.window_size_value")).isEqualTo(String.valueOf(t.window()));
                assertThat(r.get("tcp.len")).isEqualTo(String.valueOf(t.payload().length));
                assertThat(r.get("tcp.options.mss_val")).isEqualTo(t.mss() < 0 ? "" : String.valueOf(t.mss()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    List<IcmpMessage> icmpSent() {
        return icmp;
    }

    private String describeAll() {
        StringBuilder b = new StringBuilder();
        for (Sent s : all) {
            b.append("\n  t=").append(s.ms()).append("ms ").append(s.segment());
        }
        return b.toString();
    }

    List<TraceEvent> events(String kind) {
        return trace.events(e -> e.layer().equals("tcp") && e.kind().equals(kind));
    }

    List<TraceEvent> events(Predicate<TraceEvent> p) {
        return trace.events(p);
    }

    long counter(String name) {
        return node.counterSet().get("tcp." + name);
    }

    /** The peer's side of a segment. */
    final class Seg {
        private int srcPort = 40000;
        private int dstPort = 80;
        private long seq;
        private long ack;
        private final int flags;
        private int window = 65535;
        private final TcpSegment.Options options = new TcpSegment.Options();
        private boolean anyOption;
        private byte[] data = new byte[0];

        Seg(int flags) {
            this.flags = flags;
        }

        Seg ports(int src, int dst) {
            srcPort = src;
            dstPort = dst;
            return this;
        }

        Seg seq(long v) {
            seq = v & 0xFFFFFFFFL;
            return this;
        }

        Seg ack(long v) {
            ack = v & 0xFFFFFFFFL;
            return this;
        }

        Seg win(int w) {
            window = w;
            return this;
        }

        Seg mss(int m) {
            options.mss(m);
            anyOption = true;
            return this;
        }

        Seg wscale(int s) {
            options.nop().windowScale(s);
            anyOption = true;
            return this;
        }

        Seg ts(long val, long ecr) {
            options.nop().nop().timestamps(val, ecr);
            anyOption = true;
            return this;
        }

        Seg data(byte[] d) {
            data = d;
            return this;
        }

        Seg data(int length) {
            data = new byte[length];
            for (int i = 0; i < length; i++) {
                data[i] = (byte) (seq + i);
            }
            return this;
        }

        TcpSegment build() {
            return new TcpSegment(srcPort, dstPort, seq, ack, flags, window, 0,
                    anyOption ? options.build() : new byte[0], data);
        }
    }

    /** Assertions on one segment the node sent. */
    static final class Expect {
        final Sent sent;
        final TcpSegment s;

        Expect(Sent sent) {
            this.sent = sent;
            this.s = sent.segment();
        }

        Expect flags(int f) {
            assertThat(s.flags()).as("flags of %s", s).isEqualTo(f);
            return this;
        }

        Expect seq(long v) {
            assertThat(s.sequence()).as("seq of %s", s).isEqualTo(v & 0xFFFFFFFFL);
            return this;
        }

        Expect ack(long v) {
            assertThat(s.acknowledgment()).as("ack of %s", s).isEqualTo(v & 0xFFFFFFFFL);
            return this;
        }

        Expect win(int w) {
            assertThat(s.window()).as("window of %s", s).isEqualTo(w);
            return this;
        }

        Expect len(int n) {
            assertThat(s.payload().length).as("length of %s", s).isEqualTo(n);
            return this;
        }

        Expect ports(int src, int dst) {
            assertThat(s.sourcePort()).isEqualTo(src);
            assertThat(s.destinationPort()).isEqualTo(dst);
            return this;
        }

        long seq() {
            return s.sequence();
        }

        long ack() {
            return s.acknowledgment();
        }

        TcpSegment segment() {
            return s;
        }

        long tsVal() {
            return s.timestamps().value();
        }

        @Override
        public String toString() {
            return "t=" + sent.ms() + "ms " + s;
        }
    }

    static String summary(byte[] frame) {
        return FrameSummary.describe(frame);
    }
}
