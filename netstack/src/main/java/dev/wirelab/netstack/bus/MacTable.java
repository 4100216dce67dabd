package dev.wirelab.netstack.bus;

import dev.wirelab.netstack.wire.MacAddress;
import java.util.Map;
import java.util.TreeMap;

/**
 * The filtering database of one segment (IEEE 802.1Q section 8.8): MAC address -> port, with the
 * time each address was last seen as a source. Open addressing over primitive arrays so a lookup
 * allocates nothing. Not thread-safe: the segment lock guards it.
 *
 * <p>Ageing (802.1Q 8.8.3) is lazy: an entry older than the ageing time, or pointing at a port
 * that left, reads as absent and is overwritten or swept when the table is compacted. No timer
 * runs, so an idle virtual-time lab really is idle.
 */
final class MacTable {

    private static final long EMPTY = -1L; // never a 48-bit MAC

    private final int maxEntries;
    private long[] keys;
    private BusPort[] ports;
    private long[] seen;
    private int size;
    private int mask;
    private long noCompactionBefore = Long.MIN_VALUE;

    MacTable(int maxEntries) {
        this.maxEntries = maxEntries;
        allocate(64);
    }

    private void allocate(int capacity) {
        keys = new long[capacity];
        java.util.Arrays.fill(keys, EMPTY);
        ports = new BusPort[capacity];
        seen = new long[capacity];
        mask = capacity - 1;
        size = 0;
    }

    private int slot(long mac) {
        return (int) ((mac * 0x9E3779B97F4A7C15L) >>> 40) & mask;
    }

    /**
     * Records that {@code mac} was seen as a source on {@code port} at {@code now} (a station that
     * moved simply takes the new port). Returns false when the table is full of live entries, in
     * which case the frame is still forwarded, and frames to that address are flooded.
     */
    boolean learn(long mac, BusPort port, long now, long ageNanos) {
        int i = slot(mac);
        while (keys[i] != EMPTY) {
            if (keys[i] == mac) {
                ports[i] = port;
                seen[i] = now;
                return true;
            }
            i = (i + 1) & mask;
        }
        if (size + 1 > (mask + 1) / 2) {
            if (size >= maxEntries && now < noCompactionBefore) {
                return false; // full of live entries a moment ago: do not sweep on every frame
            }
            compact(now, ageNanos);
            if (size >= maxEntries) {
                noCompactionBefore = now + Math.min(ageNanos, 1_000_000_000L);
                return false;
            }
            if (size + 1 > (mask + 1) / 2) {
                rehash((mask + 1) * 2, now, ageNanos);
            }
            return learn(mac, port, now, ageNanos);
        }
        keys[i] = mac;
        ports[i] = port;
        seen[i] = now;
        size++;
        return true;
    }

    /** The live port for {@code mac}, or null when unknown, aged out or its port has gone. */
    BusPort lookup(long mac, long now, long ageNanos) {
        int i = slot(mac);
        while (keys[i] != EMPTY) {
            if (keys[i] == mac) {
                BusPort p = ports[i];
                return live(p, seen[i], now, ageNanos) ? p : null;
            }
            i = (i + 1) & mask;
        }
        return null;
    }

    private static boolean live(BusPort p, long seenAt, long now, long ageNanos) {
        return !p.closed && now - seenAt < ageNanos;
    }

    /** Drops dead entries (aged, or on a removed port), keeping the capacity. */
    void compact(long now, long ageNanos) {
        rehash(mask + 1, now, ageNanos);
    }

    private void rehash(int capacity, long now, long ageNanos) {
        long[] k = keys;
        BusPort[] p = ports;
        long[] s = seen;
        allocate(capacity);
        for (int j = 0; j < k.length; j++) {
            if (k[j] != EMPTY && live(p[j], s[j], now, ageNanos)) {
                int i = slot(k[j]);
                while (keys[i] != EMPTY) {
                    i = (i + 1) & mask;
                }
                keys[i] = k[j];
                ports[i] = p[j];
                seen[i] = s[j];
                size++;
            }
        }
    }

    /** Live entries, ordered by address: MAC -> port name. */
    Map<MacAddress, String> snapshot(long now, long ageNanos) {
        Map<MacAddress, String> m = new TreeMap<>();
        for (int j = 0; j < keys.length; j++) {
            if (keys[j] != EMPTY && live(ports[j], seen[j], now, ageNanos)) {
                m.put(new MacAddress(keys[j]), ports[j].name);
            }
        }
        return m;
    }
}
