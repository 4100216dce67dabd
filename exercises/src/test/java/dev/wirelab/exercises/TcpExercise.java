package dev.wirelab.exercises;

import dev.wirelab.kit.client.Runtime;
import dev.wirelab.kit.trace.Frames;
import dev.wirelab.kit.trace.Trace;
import dev.wirelab.kit.trace.TracedFrame;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static dev.wirelab.exercises.Journey.PC1;
import static dev.wirelab.exercises.Journey.WEB;
import static dev.wirelab.kit.trace.WirelabAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Exercise 6, TCP. What it teaches: the three-way handshake (RFC 9293 section 3.5): SYN with the
 * client's MSS, SYN-ACK acknowledging the SYN's sequence number plus one, ACK; data flows with
 * sequence and acknowledgment numbers counting bytes; the side that closes first (the browser)
 * goes FIN-WAIT-1, FIN-WAIT-2 and TIME-WAIT (2 MSL), the other CLOSE-WAIT, LAST-ACK, CLOSED.
 * Under loss, a segment that is not acknowledged is sent again (after the retransmission timeout,
 * RFC 6298, or three duplicate ACKs, RFC 5681 section 3.2) and the bytes still arrive whole.
 */
class TcpExercise {

    @ParameterizedTest
    @EnumSource(Runtime.class)
    void handshakeDataAndTheCloseThroughEveryState(Runtime runtime) {
        check(Journey.on(runtime).trace());
    }

    /** three-segments with pc2 a web server holding a 100 kB file, and 5% loss on the core. */
    static String lossyTopology() throws Exception {
        String yaml = java.nio.file.Files.readString(dev.wirelab.kit.junit.EmbeddedWirelab.examplesDir().resolve("three-segments.yaml"));
        String pc2 = "  pc2:\n    kind: host\n";
        String core = "  core: { delay: 5ms, jitter: 1ms }";
        assertThat(yaml).contains(pc2).contains(core);
        return yaml.replace(pc2, "  pc2:\n    kind: web\n    files:\n      /var/www/big.txt: \"" + "y".repeat(100_000) + "\"\n")
                .replace(core, "  core: { delay: 5ms, loss: 5% }");
    }

    @ParameterizedTest
    @EnumSource(Runtime.class)
    void underLossSegmentsAreSentAgainAndTheBytesArriveWhole(Runtime runtime) throws Exception {
        Trace trace;
        dev.wirelab.kit.client.ExecResult curl;
        try (var run = Journey.start(runtime, lossyTopology(), 3)) {
            curl = run.exec("pc1", "curl -s -o /tmp/big.txt -w '%{size_download}' http://10.0.2.10/big.txt");
            trace = run.trace();
        }
        assertThat(curl.text()).as("bytes that arrived: " + curl).isEqualTo("100000");
        assertThat(trace).has(dev.wirelab.kit.trace.Events.of("pc2", "tcp", "retransmit"));
        // On the wire: a data segment of the server's whose sequence number was already sent once.
        java.util.Set<Long> seen = new java.util.HashSet<>();
        boolean again = false;
        for (TracedFrame f : trace.frames(Frames.tcpData().on("lan2").from("10.0.2.10"))) {
            again |= !seen.add(f.tcp().sequence());
        }
        assertThat(again).as("a data segment sent twice on lan2").isTrue();
    }

    static void check(Trace trace) {
        assertThat(trace).containsSubsequence(
                Frames.tcpFlags("S").on("home").sentBy(PC1).to(WEB),
                Frames.tcpFlags("SA").on("home").from(WEB),
                Frames.tcpFlags("A").on("home").sentBy(PC1).to(WEB),
                Frames.http("GET /").on("home").sentBy(PC1),
                Frames.http("HTTP/1.1 200").on("home").from(WEB));
        TracedFrame syn = trace.first(Frames.tcpFlags("S").on("home").to(WEB)).orElseThrow();
        TracedFrame synAck = trace.first(Frames.tcpFlags("SA").on("home").from(WEB)).orElseThrow();
        assertThat(syn.tcp().mss()).as("the MSS the SYN offers (1500 - 20 - 20)").isEqualTo(1460);
        assertThat(synAck.tcp().acknowledgment()).as("SYN-ACK acknowledges ISN + 1").isEqualTo((syn.tcp().sequence() + 1) & 0xffffffffL);
        // The request's bytes are acknowledged: the server's next ACK covers seq + length.
        TracedFrame get = trace.first(Frames.http("GET /").on("home").sentBy(PC1)).orElseThrow();
        long end = (get.tcp().sequence() + get.tcp().payloadLength()) & 0xffffffffL;
        assertThat(trace).has(Frames.tcp().on("home").from(WEB)
                .where("acknowledging the request (ack " + end + ")", f -> f.tcp().ack() && f.tcp().acknowledgment() == end));
        // The close: the client's and the server's states for the first connection.
        String port = ":" + syn.tcp().sourcePort();
        assertThat(trace).tcpStates(PC1, port)
                .containsExactly("SYN_SENT", "ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2", "TIME_WAIT");
        assertThat(trace).tcpStates("web", port)
                .containsExactly("SYN_RECEIVED", "ESTABLISHED", "CLOSE_WAIT", "LAST_ACK", "CLOSED");
        assertThat(trace).has(Frames.tcpFlags("FA").on("home").sentBy(PC1)).has(Frames.tcpFlags("FA").on("home").from(WEB));
    }
}
