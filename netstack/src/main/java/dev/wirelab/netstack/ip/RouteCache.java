package dev.wirelab.netstack.ip;

import dev.wirelab.netstack.wire.Ipv4Address;

import java.util.Objects;

/**
 * The route a connected socket keeps, as Linux keeps a {@code dst_entry} in the socket
 * ({@code sk_dst_cache}): looked up (and shown as a route lookup event) when the first segment
 * goes out, then used for every later one as long as the routing table has not changed since
 * (its version, like a dst's obsolete mark). A bulk transfer then makes one routing decision, not
 * one per segment. Owned by one socket and used on the node's loop only.
 */
public final class RouteCache {

    private Ipv4Address destination;
    private String interfaceName;
    private Route route;
    private long tableVersion = -1;

    /** The cached route for this destination and forced interface, or null when stale or absent. */
    public Route valid(Ipv4Address destination, String interfaceName, long tableVersion) {
        if (route == null || tableVersion != this.tableVersion || !destination.equals(this.destination)
                || !Objects.equals(interfaceName, this.interfaceName)) {
            return null;
        }
        return route;
    }

    public void store(Ipv4Address destination, String interfaceName, Route route, long tableVersion) {
        this.destination = destination;
        this.interfaceName = interfaceName;
        this.route = route;
        this.tableVersion = tableVersion;
    }
}
