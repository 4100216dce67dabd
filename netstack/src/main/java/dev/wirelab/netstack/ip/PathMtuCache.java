package dev.wirelab.netstack.ip;

import dev.wirelab.netstack.wire.Ipv4Address;

import java.util.HashMap;
import java.util.Map;

/**
 * Path MTUs learned from ICMP fragmentation-needed messages (RFC 1191 section 6.3), one per
 * destination, forgotten after {@code expiryNanos} (RFC 1191 section 6.3 suggests 10 minutes, as
 * Linux's mtu_expires).
 */
public final class PathMtuCache {

    public static final long DEFAULT_EXPIRY_NANOS = 600_000_000_000L;
    /** RFC 1191 section 7: the plateau table, for routers that report no next-hop MTU. */
    private static final int[] PLATEAUS = {65535, 32000, 17914, 8166, 4352, 2002, 1492, 1006, 508, 296, 68};

    /** Linux's net.ipv4.route.min_pmtu: reports below it are raised to it and the entry is "locked". */
    public static final int MIN_PMTU = 552;

    private record Entry(int mtu, long expires, boolean locked) {
    }

    private final Map<Ipv4Address, Entry> entries = new HashMap<>();
    private final long expiryNanos;

    public PathMtuCache() {
        this(DEFAULT_EXPIRY_NANOS);
    }

    public PathMtuCache(long expiryNanos) {
        this.expiryNanos = expiryNanos;
    }

    /**
     * Records a fragmentation-needed report about a datagram of {@code quotedTotalLength} bytes to
     * {@code destination}. RFC 1191 section 6.1: the host "MUST reduce its estimate of the Path MTU"
     * to the reported next-hop MTU, and never raise it from such a report.
     *
     * @return the new estimate
     */
    public int learn(Ipv4Address destination, int nextHopMtu, int quotedTotalLength, long now) {
        int mtu = nextHopMtu;
        if (mtu < Fragmenter.MINIMUM_MTU || mtu >= quotedTotalLength && quotedTotalLength > 0) {
            // RFC 1191 section 5: an old-style router reports 0; guess the next plateau down.
            mtu = Fragmenter.MINIMUM_MTU;
            for (int p : PLATEAUS) {
                if (p < quotedTotalLength) {
                    mtu = p;
                    break;
                }
            }
        }
        boolean locked = false;
        if (mtu < MIN_PMTU) {
            // A forged "MTU 68" must not shrink every datagram to 68 bytes (Linux: min_pmtu). The
            // path is then "locked": datagrams leave with DF clear and routers may fragment them.
            mtu = MIN_PMTU;
            locked = true;
        }
        Entry old = entries.get(destination);
        if (old != null && old.expires > now && old.mtu < mtu) {
            mtu = old.mtu;
            locked = old.locked;
        }
        entries.put(destination, new Entry(mtu, now + expiryNanos, locked));
        return mtu;
    }

    /** True when the path MTU to {@code destination} was clamped to {@link #MIN_PMTU}: send with DF clear. */
    public boolean locked(Ipv4Address destination, long now) {
        Entry e = entries.get(destination);
        return e != null && e.expires > now && e.locked;
    }

    /** The known path MTU to {@code destination}, or {@code Integer.MAX_VALUE} when none is known. */
    public int get(Ipv4Address destination, long now) {
        Entry e = entries.get(destination);
        if (e == null) {
            return Integer.MAX_VALUE;
        }
        if (e.expires <= now) {
            entries.remove(destination);
            return Integer.MAX_VALUE;
        }
        return e.mtu;
    }
}
