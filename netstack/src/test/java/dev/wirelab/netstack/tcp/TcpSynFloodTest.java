package dev.wirelab.netstack.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wirelab.netstack.ip.OutboundDatagram;
import dev.wirelab.netstack.ip.PmtuDiscovery;
import dev.wirelab.netstack.lab.Lab;
import dev.wirelab.netstack.lab.topology.Topologies;
import dev.wirelab.netstack.node.Node;
import dev.wirelab.netstack.testkit.Captures;
import dev.wirelab.netstack.testkit.Tshark;
import dev.wirelab.netstack.time.VirtualTimeScheduler;
import dev.wirelab.netstack.trace.TraceEvent;
import dev.wirelab.netstack.wire.Ipv4Address;
import dev.wirelab.netstack.wire.Ipv4Packet;
import dev.wirelab.netstack.wire.TcpSegment;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A SYN flood from spoofed sources (nobody answers the SYN,ACKs) against h2 while h1 tries to
 * connect: without SYN cookies the SYN queue fills and the legitimate connect times out; with them
 * the legitimate client completes its transfer during the flood (RFC 4987).
 */
class TcpSynFloodTest {

    static final String TOPOLOGY = """
            name: syn-flood
            segments: [lan1, lan2]
            nodes:
              h1: { kind: host, interfaces: { eth0: { segment: lan1, address: 10.0.1.10/24 } },
                    routes: [ { to: default, via: 10.0.1.1 } ] }
              x1: { kind: host, interfaces: { eth0: { segment: lan1, address: 10.0.1.66/24 } },
                    routes: [ { to: default, via: 10.0.1.1 } ] }
              r1: { kind: router, interfaces: { eth0: { segment: lan1, address: 10.0.1.1/24 },
                                                eth1: { segment: lan2, address: 10.0.2.1/24 } } }
              h2: { kind: host, interfaces: { eth0: { segment: lan2, address: 10.0.2.10/24 } },
                    routes: [ { to: default, via: 10.0.2.1 } ] }
            links:
              lan1: { delay: 1ms }
              lan2: { delay: 1ms }
            seed: 5
            """;

    static final Ipv4Address SERVER = Ipv4Address.parse("10.0.2.10");

    /** x1 sends a SYN every 20 ms from a random address of 198.51.100.0/24, which nobody routes. */
    static void flood(Node x1, long untilNanos) {
        Random rnd = new Random(99);
        Runnable[] next = new Runnable[1];
        next[0] = () -> {
            if (x1.loop().nanos() >= untilNanos) {
                return;
            }
            Ipv4Address spoofed = new Ipv4Address(0xC6336400 | (1 + rnd.nextInt(254)));
            TcpSegment syn = new TcpSegment(1024 + rnd.nextInt(60000), 5001, rnd.nextInt() & 0xFFFFFFFFL, 0,
                    TcpSegment.SYN, 64240, 0, new TcpSegment.Options().mss(1460).build(), new byte[0]);
            x1.ip().send(new OutboundDatagram(spoofed, SERVER, Ipv4Packet.PROTOCOL_TCP, syn.encode(spoofed, SERVER), 64, 0,
                    PmtuDiscovery.DONT, null, false, false));
            x1.loop().schedule(TimeUnit.MILLISECONDS.toNanos(20), next[0]);
        };
        x1.loop().execute(next[0]);
    }

    @Test
    void withoutCookiesTheFullSynQueueKeepsTheLegitimateClientOut() throws IOException {
        try (Lab lab = Lab.build(Topologies.parseYaml(TOPOLOGY), Lab.Options.virtual())) {
            lab.start();
            TcpLayer server = TcpLayer.of(lab.node("h2"));
            server.setConfig(server.config().withSyncookies(0));
            TcpLayer client = TcpLayer.of(lab.node("h1"));
            client.setConfig(client.config().withRetries(3, 5, 15));
            VirtualTimeScheduler clock = (VirtualTimeScheduler) lab.node("h1").loop();
            TcpListener l = server.listen(Ipv4Address.ANY, 5001, 8, TcpOptions.DEFAULT);
            flood(lab.node("x1"), clock.nanos() + TimeUnit.SECONDS.toNanos(30));
            clock.runFor(TimeUnit.SECONDS.toNanos(1));
            assertThat(l.synQueueLength()).isEqualTo(8);
            TcpConnection c = client.connect(null, 0, SERVER, 5001, TcpOptions.DEFAULT);
            clock.runFor(TimeUnit.SECONDS.toNanos(20));
            assertThat(c.state()).isEqualTo(TcpState.CLOSED);
            assertThat(c.error()).isEqualTo(TcpError.TIMED_OUT);
            assertThat(l.acceptQueueLength()).isZero();
            List<TraceEvent> drops = lab.trace().events(e -> e.node().equals("h2") && e.kind().equals("drop")
                    && "syn_queue_full".equals(e.detail().get("reason")));
            assertThat(drops).isNotEmpty().allSatisfy(e -> assertThat(e.detail()).containsEntry("syn_queue", 8)
                    .containsEntry("backlog", 8));
            assertThat(drops).anySatisfy(e -> assertThat(e.detail()).containsEntry("remote", c.localAddress() + ":"
                    + c.localPort()));
            assertThat(lab.trace().events(e -> e.node().equals("h2") && e.kind().equals("queue")
                    && Integer.valueOf(8).equals(e.detail().get("syn_queue")))).isNotEmpty();
            assertThat(lab.node("h2").counters().get("tcp.dropped.syn_queue_full")).isGreaterThan(100);
            judge(Captures.save(lab, "TcpSynFloodTest/without-cookies"));
        }
    }

    @Test
    void withCookiesTheLegitimateClientCompletesItsTransferDuringTheFlood() throws IOException {
        try (Lab lab = Lab.build(Topologies.parseYaml(TOPOLOGY), Lab.Options.virtual())) {
            lab.start();
            TcpLayer server = TcpLayer.of(lab.node("h2"));
            assertThat(server.config().syncookies()).isEqualTo(1); // Linux's default
            VirtualTimeScheduler clock = (VirtualTimeScheduler) lab.node("h1").loop();
            byte[] data = new byte[256 * 1024];
            new Random(7).nextBytes(data);
            flood(lab.node("x1"), clock.nanos() + TimeUnit.SECONDS.toNanos(30));
            clock.runFor(TimeUnit.MILLISECONDS.toNanos(1)); // the flood's first SYN, before the listener
            TcpLabTest.Bulk bulk = new TcpLabTest.Bulk(lab, data);
            TcpListener l = server.listeners().get(0);
            clock.runFor(TimeUnit.SECONDS.toNanos(1));
            assertThat(l.synQueueLength()).isEqualTo(8);
            bulk.connect();
            boolean done = clock.runUntil(bulk::done, clock.nanos() + TimeUnit.SECONDS.toNanos(25));
            assertThat(done).as("transfer done during the flood").isTrue();
            assertThat(clock.nanos()).isLessThan(TimeUnit.SECONDS.toNanos(30));
            assertThat(TcpLabTest.sha256(bulk.got.toByteArray())).isEqualTo(TcpLabTest.sha256(data));
            List<TraceEvent> validated = lab.trace().events(e -> e.node().equals("h2")
                    && e.kind().equals("syncookie_validated"));
            assertThat(validated).hasSize(1);
            assertThat(validated.get(0).detail()).containsEntry("remote", "10.0.1.10:" + bulk.client.localPort());
            assertThat(lab.node("h2").counters().get("tcp.syncookies_sent")).isGreaterThan(20);
            assertThat(l.synQueueLength()).isEqualTo(8); // the flood still fills it
            judge(Captures.save(lab, "TcpSynFloodTest/with-cookies"));
        }
    }

    private static void judge(Path capture) throws IOException {
        if (Tshark.available()) {
            Tshark.Verdict v = Tshark.judge(capture);
            assertThat(v.problems()).as("tshark on %s", capture).isEmpty();
            assertThat(v.frames()).isGreaterThan(100);
        }
    }
}
