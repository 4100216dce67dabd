package dev.wirelab.netstack.ip;

/**
 * The route a connected socket keeps, as Linux keeps a {@code dst_entry} in the socket
 * ({@code sk_dst_cache}): looked up (and shown as a route lookup event) when the first segment
 * goes out, then used for every later one as long as the routing table has not changed since.
 * A bulk transfer then makes one routing decision, not one per segment. Owned by one socket and
 * used on the node's loop only.
 */
public final class RouteCache {

    Ipv4AddressKey key;
    Route route;
    long tableVersion = -1;

    /** What the cached route was found for. */
    record Ipv4AddressKey(dev.wirelab.netstack.wire.Ipv4Address destination, String interfaceName) {
    }

    /** The cached route for this destination and forced interface, or null when stale or absent. */
    public Route valid(dev.wirelab.netstack.wire.Ipv4Address destination, String interfaceName, long version) {
        Ipv4AddressKey k = key;
        if (route == null || version != tableVersion || k == null || !k.destination().equals(destination)
                || !java.util.Objects.equals(k.interfaceName(), interfaceName)) {
            return null;
        }
        return route;
    }

    public void store(dev.wirelab.netstack.wire.Ipv4Address destination, String interfaceName, Route r, long version) {
        key = new Ipv4AddressKey(destination, interfaceName);
        route = r;
        tableVersion = version;
    }

    public void clear() {
        route = null;
        key = null;
    }
}
