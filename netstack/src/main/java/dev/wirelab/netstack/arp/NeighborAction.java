package dev.wirelab.netstack.arp;

import dev.wirelab.netstack.wire.Ipv4Address;
import dev.wirelab.netstack.wire.MacAddress;

import java.util.List;

/** What a {@link NeighborCache} asks its owner to do. The cache itself does no I/O. */
public sealed interface NeighborAction<P> {

    /** Send {@code packet} in a frame to {@code mac}. */
    record Transmit<P>(P packet, MacAddress mac) implements NeighborAction<P> {
    }

    /** Send an ARP request for {@code target}: broadcast when {@code unicastTo} is null, else unicast. */
    record Solicit<P>(Ipv4Address target, MacAddress unicastTo, int attempt) implements NeighborAction<P> {
    }

    /** Resolution of {@code ip} failed: these queued packets are dropped (ICMP host unreachable is due). */
    record Unreachable<P>(Ipv4Address ip, List<P> packets) implements NeighborAction<P> {
    }

    /** {@code packet} waits for the resolution of {@code ip}; {@code queueLength} packets wait now. */
    record Queued<P>(Ipv4Address ip, P packet, int queueLength) implements NeighborAction<P> {
    }

    /** A packet dropped because the resolution queue was full (the oldest one goes). */
    record QueueOverflow<P>(Ipv4Address ip, P packet) implements NeighborAction<P> {
    }

    /** An entry changed state (for the trace). */
    record StateChange<P>(Ipv4Address ip, MacAddress mac, NeighborState from, NeighborState to, String cause,
                          long timeoutNanos) implements NeighborAction<P> {
    }
}
