package dev.wirelab.netstack.arp;

/**
 * Timers and limits of a neighbour cache. {@link #LINUX} are Linux's defaults
 * ({@code /proc/sys/net/ipv4/neigh/default/*}), except that the reachable time is fixed instead of
 * drawn from [0.5, 1.5] x base so that runs reproduce.
 *
 * @param reachableNanos   REACHABLE lasts this long after a confirmation (base_reachable_time)
 * @param delayNanos       DELAY lasts this long before probing (delay_first_probe_time)
 * @param retransNanos     time between requests (retrans_time)
 * @param broadcastProbes  broadcast requests while INCOMPLETE (mcast_solicit)
 * @param unicastProbes    unicast requests while PROBE (ucast_solicit)
 * @param queueLimit       packets held per INCOMPLETE entry (unres_qlen)
 * @param staleNanos       an unused STALE or FAILED entry is removed after this (gc_stale_time)
 */
public record NeighborTiming(long reachableNanos, long delayNanos, long retransNanos, int broadcastProbes,
                             int unicastProbes, int queueLimit, long staleNanos) {

    public static final NeighborTiming LINUX = new NeighborTiming(30_000_000_000L, 5_000_000_000L,
            1_000_000_000L, 3, 3, 101, 60_000_000_000L);

    public NeighborTiming {
        if (reachableNanos <= 0 || delayNanos <= 0 || retransNanos <= 0 || staleNanos <= 0) {
            throw new IllegalArgumentException("neighbour timers must be positive");
        }
        if (broadcastProbes < 1 || unicastProbes < 1 || queueLimit < 1) {
            throw new IllegalArgumentException("neighbour probe counts and queue limit must be >= 1");
        }
    }
}
