package dev.wirelab.netstack.arp;

import dev.wirelab.netstack.wire.Ipv4Address;
import dev.wirelab.netstack.wire.MacAddress;

/**
 * A snapshot of one neighbour cache entry.
 *
 * @param mac           null while INCOMPLETE or FAILED
 * @param deadlineNanos when the current state's timer fires, {@code Long.MAX_VALUE} for none
 * @param queued        packets waiting for resolution
 */
public record Neighbor(Ipv4Address ip, MacAddress mac, NeighborState state, long deadlineNanos, int queued) {
}
