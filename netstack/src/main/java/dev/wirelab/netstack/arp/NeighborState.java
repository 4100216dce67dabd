package dev.wirelab.netstack.arp;

/**
 * Neighbour Unreachability Detection states, as Linux's neighbour table names them (the model of
 * RFC 4861 section 7.3.2, which Linux applies to ARP too; RFC 826 itself defines no timers).
 */
public enum NeighborState {
    /** No entry (used only in state-change reports). */
    NONE,
    /** A request went out, no answer yet; packets wait in a bounded queue. */
    INCOMPLETE,
    /** Answered recently: used without question until the reachable time runs out. */
    REACHABLE,
    /** Address known but unconfirmed; still used, and the first use starts a probe delay. */
    STALE,
    /** Used while STALE: waiting a little for an upper-layer confirmation before probing. */
    DELAY,
    /** Unicast requests to the cached address to confirm it. */
    PROBE,
    /** Resolution failed; queued packets were dropped. */
    FAILED,
    /** Configured by hand; never expires. */
    PERMANENT;

    /** True when the entry holds a usable link-layer address. */
    public boolean hasAddress() {
        return this == REACHABLE || this == STALE || this == DELAY || this == PROBE || this == PERMANENT;
    }
}
