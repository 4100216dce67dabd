package dev.wirelab.netstack.ip;

import dev.wirelab.netstack.wire.Ipv4Address;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * A routing table with longest-prefix match (RFC 1812 section 5.2.4.3: "the route with the
 * longest prefix ... wins"; ties go to the lower metric, then to the route added first).
 *
 * <p>Routes are kept in 33 hash maps, one per prefix length, keyed by network, and a bit mask
 * says which lengths hold any route, so a lookup probes only those (two or three in most labs)
 * whatever the table size. Not thread-safe: owned by one node's event loop.
 */
public final class RoutingTable {

    @SuppressWarnings("unchecked")
    private final Map<Integer, List<Route>>[] byPrefix = new Map[33];
    private int size;
    /** Bit p set when some route has prefix length p. */
    private long usedPrefixes;
    /** Incremented whenever a route comes or goes (sockets' cached routes compare it). */
    private long version;
    /** Recent answers by destination (direct-mapped), emptied whenever a route comes or goes. */
    private final Cached[] cache = new Cached[64];

    private record Cached(int destination, Optional<Route> route) {
    }

    public RoutingTable() {
        for (int i = 0; i <= 32; i++) {
            byPrefix[i] = new HashMap<>();
        }
    }

    /**
     * Adds a route.
     *
     * @throws IllegalArgumentException when a route with the same destination, prefix and metric
     *                                  exists (as {@code ip route add} answers "File exists")
     */
    public void add(Route route) {
        List<Route> bucket = byPrefix[route.prefixLength()].computeIfAbsent(route.network().bits(), k -> new ArrayList<>(1));
        for (Route r : bucket) {
            if (r.metric() == route.metric()) {
                throw new IllegalArgumentException("route exists: " + r.toIpRouteLine());
            }
        }
        bucket.add(route);
        size++;
        version++;
        java.util.Arrays.fill(cache, null);
        usedPrefixes |= 1L << route.prefixLength();
    }

    /** Removes every route matching {@code filter}; returns how many went. */
    public int removeIf(Predicate<Route> filter) {
        int removed = 0;
        for (Map<Integer, List<Route>> m : byPrefix) {
            var it = m.values().iterator();
            while (it.hasNext()) {
                List<Route> bucket = it.next();
                int before = bucket.size();
                bucket.removeIf(filter);
                removed += before - bucket.size();
                if (bucket.isEmpty()) {
                    it.remove();
                }
            }
        }
        size -= removed;
        version++;
        java.util.Arrays.fill(cache, null);
        for (int p = 0; p <= 32; p++) {
            if (byPrefix[p].isEmpty()) {
                usedPrefixes &= ~(1L << p);
            }
        }
        return removed;
    }

    /** The best route to {@code destination}, or empty when none matches (no default route). */
    public Optional<Route> lookup(Ipv4Address destination) {
        int d = destination.bits();
        int slot = (d * 0x9E3779B9) >>> 26;
        Cached c = cache[slot];
        if (c != null && c.destination() == d) {
            return c.route();
        }
        Optional<Route> r = longestMatch(d);
        cache[slot] = new Cached(d, r);
        return r;
    }

    private Optional<Route> longestMatch(int d) {
        long used = usedPrefixes;
        while (used != 0) {
            int prefix = 63 - Long.numberOfLeadingZeros(used); // longest first
            used &= ~(1L << prefix);
            List<Route> bucket = byPrefix[prefix].get(d & Ipv4Address.mask(prefix));
            if (bucket != null && !bucket.isEmpty()) {
                Route best = bucket.get(0);
                for (Route r : bucket) {
                    if (r.metric() < best.metric()) {
                        best = r;
                    }
                }
                return Optional.of(best);
            }
        }
        return Optional.empty();
    }

    /** Changes whenever the table does. */
    public long version() {
        return version;
    }

    public int size() {
        return size;
    }

    /** All routes in {@code ip route} order: by destination address, then prefix length, then metric. */
    public List<Route> routes() {
        List<Route> all = new ArrayList<>(size);
        for (Map<Integer, List<Route>> m : byPrefix) {
            m.values().forEach(all::addAll);
        }
        all.sort(Comparator.comparing(Route::network)
                .thenComparingInt(Route::prefixLength)
                .thenComparingInt(Route::metric));
        return all;
    }
}
