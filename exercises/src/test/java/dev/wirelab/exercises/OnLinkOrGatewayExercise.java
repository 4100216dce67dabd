package dev.wirelab.exercises;

import dev.wirelab.kit.client.Runtime;
import dev.wirelab.kit.trace.Events;
import dev.wirelab.kit.trace.Frames;
import dev.wirelab.kit.trace.Trace;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static dev.wirelab.exercises.Journey.GATEWAY;
import static dev.wirelab.exercises.Journey.PC1;
import static dev.wirelab.exercises.Journey.WEB;
import static dev.wirelab.kit.trace.WirelabAssertions.assertThat;

/**
 * Exercise 2, on-link or gateway. What it teaches: to send a datagram a host ANDs the destination
 * with each route's mask and takes the longest prefix that matches (RFC 1812 section 5.2.4.3): the
 * gateway 192.168.1.1 lies in pc1's own /24, so it is on-link and pc1 ARPs for it directly; the web
 * server 93.184.216.34 does not, so only the default route matches and the frame goes to the
 * gateway's MAC, while the IP destination stays the web server.
 */
class OnLinkOrGatewayExercise {

    @ParameterizedTest
    @EnumSource(Runtime.class)
    void theMaskDecidesWhetherTheDestinationIsOnTheLan(Runtime runtime) {
        check(Journey.on(runtime).trace());
    }

    static void check(Trace trace) {
        // The gateway: the connected /24 matches (192.168.1.1 AND 255.255.255.0 = 192.168.1.0).
        assertThat(trace).has(Events.of(PC1, "route", "lookup").with("destination", GATEWAY)
                .with("destination_and_mask", "192.168.1.0").with("mask", "255.255.255.0"));
        // The web server: only the default route (mask 0.0.0.0) matches; next hop the gateway.
        assertThat(trace).has(Events.of(PC1, "route", "lookup").with("destination", WEB).with("route", "default")
                .with("result", "gateway").with("via", GATEWAY));
        // So pc1 ARPs for the gateway, never for the web server, and sends the SYN to the gateway's MAC.
        assertThat(trace).has(Frames.arpRequest(GATEWAY).sentBy(PC1))
                .hasNo(Frames.arpRequest(WEB).sentBy(PC1))
                .happensBefore(Frames.arpRequest(GATEWAY).sentBy(PC1), Frames.tcpFlags("S").on("home").to(WEB));
        var gatewayMac = trace.first(Frames.arpReply(GATEWAY).on("home")).orElseThrow().arp().senderMac().toString();
        assertThat(trace).has(Frames.tcpFlags("S").on("home").to(WEB)
                .where("addressed to the gateway's MAC " + gatewayMac, f -> gatewayMac.equalsIgnoreCase(f.summary().dstMac())));
    }
}
