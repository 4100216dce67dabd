package dev.wirelab.exercises;

import dev.wirelab.kit.client.ExecResult;
import dev.wirelab.kit.client.LabRun;
import dev.wirelab.kit.client.Runtime;
import dev.wirelab.kit.trace.EventMatch;
import dev.wirelab.kit.trace.Events;
import dev.wirelab.kit.trace.Frames;
import dev.wirelab.kit.trace.Trace;
import dev.wirelab.kit.trace.TracedEvent;
import dev.wirelab.kit.trace.TracedFrame;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.List;

import static dev.wirelab.kit.trace.WirelabAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Exercise 9, sending. What it teaches: what happens between send() and the wire.
 * <ul>
 *   <li>Nagle's algorithm (RFC 896, RFC 9293 section 3.7.4): while data is unacknowledged, small
 *       writes wait and leave together, so 100 writes of 40 bytes make a handful of segments; with
 *       TCP_NODELAY each write is a segment of its own.</li>
 *   <li>The send buffer: send() copies into the socket's buffer and returns; when the buffer is
 *       full (SO_SNDBUF set small, a slow link), send() blocks until ACKs free room.</li>
 *   <li>sendfile(2): the web server hands the file to the socket in the kernel, one call, no
 *       read() and send() through its own memory; a server without it (the io_uring one) reads
 *       the file and sends what it read.</li>
 * </ul>
 */
class SendingExercise {

    static final String CLIENT = "10.0.0.10";
    static final String SINK = "10.0.0.20";
    static final String WEB = "10.0.0.30";
    static final String COPIER = "10.0.0.31";
    static final int FILE = 100_000;

    static final String TOPOLOGY = """
            name: sending
            segments: [lan]
            nodes:
              client:
                kind: host
                interfaces: { eth0: { segment: lan, address: 10.0.0.10/24 } }
              sink:
                kind: host
                interfaces: { eth0: { segment: lan, address: 10.0.0.20/24 } }
              web:
                kind: web
                interfaces: { eth0: { segment: lan, address: 10.0.0.30/24 } }
                httpd: "-q"
                files:
                  /var/www/big.txt: "%1$s"
              copier:
                kind: web
                interfaces: { eth0: { segment: lan, address: 10.0.0.31/24 } }
                httpd: "-q --mode uring"
                files:
                  /var/www/big.txt: "%1$s"
            links:
              lan: { delay: 5ms, rate: 20Mbit }
            """.formatted("z".repeat(FILE));

    record Sent(Trace trace, ExecResult nagle, ExecResult noDelay, ExecResult smallBuffer, ExecResult sendfile,
                ExecResult copied) {
    }

    static Sent send(Runtime runtime) {
        return send(runtime, TOPOLOGY);
    }

    static Sent send(Runtime runtime, String topology) {
        try (LabRun run = Journey.start(runtime, topology, 9)) {
            run.awaitEvent("web", "http", "server_start", Duration.ofSeconds(30));
            run.awaitEvent("copier", "http", "server_start", Duration.ofSeconds(30));
            ExecResult server = run.exec("sink", "iperf -s -p 5001 &");
            assertThat(server.exitCode()).as(server.toString()).isZero();
            run.exec("sink", "iperf -s -p 5002 &");
            run.exec("sink", "iperf -s -p 5003 &");
            // 100 writes of 40 bytes, one every 5 ms (64 kbit/s), on a path of 10 ms round trip.
            ExecResult nagle = run.exec("client", "iperf -c " + SINK + " -p 5001 -n 4000 -l 40 -b 64K");
            ExecResult noDelay = run.exec("client", "iperf -c " + SINK + " -p 5002 -n 4000 -l 40 -b 64K -N");
            ExecResult small = run.exec("client", "iperf -c " + SINK + " -p 5003 -n 400K -l 64K -w 8K");
            ExecResult sendfile = run.exec("client", "curl -s -o /tmp/a.txt -w '%{size_download}' http://" + WEB + "/big.txt");
            ExecResult copied = run.exec("client", "curl -s -o /tmp/b.txt -w '%{size_download}' http://" + COPIER + "/big.txt");
            return new Sent(run.trace(), nagle, noDelay, small, sendfile, copied);
        }
    }

    @ParameterizedTest
    @EnumSource(Runtime.class)
    void nagleSendsBufferAndSendfile(Runtime runtime) {
        Sent s = send(runtime);
        for (ExecResult r : List.of(s.nagle(), s.noDelay(), s.smallBuffer())) {
            assertThat(r.exitCode()).as(r.toString()).isZero();
            assertThat(r.output()).as(r.toString()).anyMatch(l -> l.endsWith("receiver"));
        }
        checkNagle(s.trace());
        checkSendBuffer(s.trace());
        assertThat(s.sendfile().text()).as(s.sendfile().toString()).isEqualTo(String.valueOf(FILE));
        assertThat(s.copied().text()).as(s.copied().toString()).isEqualTo(String.valueOf(FILE));
        checkSendfile(s.trace());
    }

    /** The data segments of one iperf connection, client to sink, by the sink's port. */
    static List<TracedFrame> dataTo(Trace t, int port) {
        return t.frames(Frames.tcpData().on("lan").from(CLIENT).to(SINK)
                .where("to port " + port, f -> f.tcp().destinationPort() == port));
    }

    static void checkNagle(Trace t) {
        List<TracedFrame> nagle = dataTo(t, 5001);
        List<TracedFrame> noDelay = dataTo(t, 5002);
        // TCP_NODELAY: one segment per write of 40 bytes.
        assertThat(t).has(Events.of("client", "syscall", "setsockopt").with("option", "TCP_NODELAY"));
        assertThat(noDelay).as("segments with TCP_NODELAY").hasSize(100)
                .allMatch(f -> f.tcp().payloadLength() == 40);
        // Nagle: the first write goes at once; the next ones wait for its ACK and leave together.
        assertThat(nagle.size()).as("segments with Nagle, for the same 100 writes").isLessThanOrEqualTo(50);
        assertThat(nagle.get(0).tcp().payloadLength()).as("the first, alone").isEqualTo(40);
        assertThat(nagle.get(1).tcp().payloadLength()).as("the next, many writes together").isGreaterThan(40);
        long firstAcked = (nagle.get(0).tcp().sequence() + 40) & 0xffffffffL;
        assertThat(t).happensBefore(
                Frames.tcp().on("lan").from(SINK).to(CLIENT).where("acknowledging the first small segment",
                        f -> f.tcp().sourcePort() == 5001 && f.tcp().acknowledgment() == firstAcked),
                Frames.tcpData().on("lan").from(CLIENT).where("the second segment to port 5001",
                        f -> f.tcp().destinationPort() == 5001 && f.tcp().sequence() == firstAcked));
    }

    static void checkSendBuffer(Trace t) {
        // SO_SNDBUF 8K (16K after Linux's doubling) against a 20 Mbit/s link: send() of 64K waits for room.
        assertThat(t).has(Events.of("client", "syscall", "setsockopt").with("option", "SO_SNDBUF").with("value", "8192"));
        EventMatch blockedSend = Events.of("client", "syscall", "send").with("len", "65536")
                .where("that blocked for lack of buffer room", e -> Long.parseLong(e.detail("blocked_ns")) > 0);
        assertThat(t).hasAtLeast(blockedSend, 3);
        // Blocking send() returns only once all its bytes are in the buffer.
        assertThat(t.events(Events.of("client", "syscall", "send").with("len", "65536")))
                .allMatch(e -> "65536".equals(e.detail("result")));
    }

    static void checkSendfile(Trace t) {
        // One sendfile of the whole file (the kernel copies), and httpd never read() the file itself.
        List<TracedEvent> sendfiles = t.events(Events.of("web", "syscall", "sendfile"));
        assertThat(sendfiles.stream().mapToLong(e -> Long.parseLong(e.detail("result"))).sum())
                .as("bytes httpd sent with sendfile").isEqualTo(FILE);
        assertThat(t).hasNo(Events.of("web", "syscall", "read").where("of the file",
                e -> Long.parseLong(e.detail("result")) > 10_000));
        // The io_uring server has no sendfile: it reads the file into its memory and sends that.
        assertThat(t).hasNo(Events.of("copier", "syscall", "sendfile"));
        assertThat(t).has(Events.of("copier", "syscall", "read").where("the file, whole",
                e -> e.detail("result") != null && Long.parseLong(e.detail("result")) >= 65536));
        // Either way the wire carries segments of at most the MSS.
        assertThat(t.frames(Frames.tcpData().on("lan").from(WEB))).allMatch(f -> f.tcp().payloadLength() <= 1460);
    }
}
