package dev.wirelab.exercises;

import dev.wirelab.kit.client.Runtime;
import dev.wirelab.kit.trace.Events;
import dev.wirelab.kit.trace.Frames;
import dev.wirelab.kit.trace.Trace;
import dev.wirelab.kit.trace.TracedFrame;
import dev.wirelab.netstack.wire.DhcpOption;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static dev.wirelab.exercises.Journey.GATEWAY;
import static dev.wirelab.exercises.Journey.PC1;
import static dev.wirelab.exercises.Journey.RESOLVER;
import static dev.wirelab.kit.trace.WirelabAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Exercise 1, DHCP. What it teaches: a host with no address broadcasts DISCOVER; the home router
 * relays it to the ISP's DHCP server (RFC 2131 section 4.1: it fills in giaddr, its own address on
 * the client's LAN, which picks the pool); the server OFFERs an address, the client REQUESTs it and
 * the server ACKs, with the mask, the gateway (router option) and the DNS server the pool gives.
 */
class DhcpExercise {

    @ParameterizedTest
    @EnumSource(Runtime.class)
    void theLaptopLeasesItsAddressThroughTheRelay(Runtime runtime) {
        check(Journey.on(runtime).trace());
    }

    static void check(Trace trace) {
        // DORA on the home LAN, in order (RFC 2131 section 3.1).
        assertThat(trace).containsSubsequence(
                Frames.dhcp("DISCOVER").on("home").sentBy(PC1),
                Frames.dhcp("OFFER").on("home"),
                Frames.dhcp("REQUEST").on("home").sentBy(PC1),
                Frames.dhcp("ACK").on("home"),
                Events.of(PC1, "dhcp", "configured"));
        // The relay: the DISCOVER reaches the server's segment from the home router, giaddr set.
        assertThat(trace).has(Frames.dhcp("DISCOVER").on("isp")
                .where("with giaddr " + GATEWAY, f -> GATEWAY.equals(f.dhcp().giaddr().toString())));
        // What the ACK hands out.
        TracedFrame ack = trace.first(Frames.dhcp("ACK").on("home")).orElseThrow();
        assertThat(ack.dhcp().yiaddr().toString()).as("the leased address").startsWith("192.168.1.");
        assertThat(ack.dhcp().address(DhcpOption.SUBNET_MASK)).as("mask (option 1)").hasValueSatisfying(
                m -> assertThat(m.toString()).isEqualTo("255.255.255.0"));
        assertThat(ack.dhcp().addresses(DhcpOption.ROUTER)).as("gateway (router option 3) in " + ack.describe())
                .extracting(Object::toString).containsExactly(GATEWAY);
        assertThat(ack.dhcp().addresses(DhcpOption.DOMAIN_NAME_SERVER)).as("DNS server (option 6)")
                .extracting(Object::toString).containsExactly(RESOLVER);
    }
}
