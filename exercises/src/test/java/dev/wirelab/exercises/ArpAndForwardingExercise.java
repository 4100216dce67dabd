package dev.wirelab.exercises;

import dev.wirelab.kit.client.Runtime;
import dev.wirelab.kit.trace.Events;
import dev.wirelab.kit.trace.Frames;
import dev.wirelab.kit.trace.Trace;
import dev.wirelab.kit.trace.TracedFrame;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static dev.wirelab.exercises.Journey.GATEWAY;
import static dev.wirelab.exercises.Journey.PC1;
import static dev.wirelab.exercises.Journey.WEB;
import static dev.wirelab.kit.trace.WirelabAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Exercise 4, ARP and forwarding. What it teaches: pc1 broadcasts "who has 192.168.1.1" and the
 * router answers with its MAC, which pc1 caches (RFC 826); each router then forwards the SYN one
 * hop (RFC 1812 section 5.2.1): new source and destination MACs on every segment, the IP addresses
 * unchanged, the TTL one lower. traceroute uses that: a datagram whose TTL runs out makes the
 * router send ICMP Time Exceeded (type 11), so TTL 1, 2, 3 reveal the routers one by one.
 */
class ArpAndForwardingExercise {

    static final List<String> PATH = List.of("home", "access", "core", "dc");
    static final List<String> ROUTERS = List.of(GATEWAY, "203.0.113.1", "198.18.0.2");

    @ParameterizedTest
    @EnumSource(Runtime.class)
    void macsChangePerHopTheTtlCountsDownAndTracerouteSeesEachRouter(Runtime runtime) {
        check(Journey.on(runtime).trace());
    }

    static void check(Trace trace) {
        assertThat(trace).containsSubsequence(
                Frames.arpRequest(GATEWAY).sentBy(PC1).to("ff:ff:ff:ff:ff:ff"),
                Frames.arpReply(GATEWAY).on("home").sentBy("home"),
                Events.of(PC1, "arp", "reply_received"),
                Frames.tcpFlags("S").on("home").to(WEB));
        // The first SYN on each segment of the path: same IPs, new MACs, TTL one lower per router.
        TracedFrame previous = null;
        for (String segment : PATH) {
            TracedFrame syn = trace.first(Frames.tcpFlags("S").on(segment).to(WEB)).orElse(null);
            assertThat(trace).has(Frames.tcpFlags("S").on(segment).to(WEB));
            assertThat(syn.summary().srcIp()).as("source IP on " + segment).startsWith("192.168.1.");
            if (previous != null) {
                assertThat(syn.ipv4().ttl()).as("TTL on " + segment + " after " + previous.segment())
                        .isEqualTo(previous.ipv4().ttl() - 1);
                assertThat(syn.summary().srcMac()).as("source MAC on " + segment).isNotEqualTo(previous.summary().srcMac());
                assertThat(syn.summary().dstMac()).as("destination MAC on " + segment).isNotEqualTo(previous.summary().dstMac());
            }
            previous = syn;
        }
        // traceroute: Time Exceeded from each router in path order, then the web server itself.
        assertThat(trace).containsSubsequence(
                Frames.icmp(11).from(ROUTERS.get(0)).on("home"),
                Frames.icmp(11).from(ROUTERS.get(1)).on("home"),
                Frames.icmp(11).from(ROUTERS.get(2)).on("home"),
                Frames.icmp(3).from(WEB).on("home"));
    }
}
