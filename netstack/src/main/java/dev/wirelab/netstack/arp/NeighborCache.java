package dev.wirelab.netstack.arp;

import dev.wirelab.netstack.wire.Ipv4Address;
import dev.wirelab.netstack.wire.MacAddress;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The ARP cache of one interface as a state machine without I/O (the smoltcp / gVisor shape):
 * every input is (now, event) and the answer is a list of {@link NeighborAction}s for the owner to
 * carry out. The owner calls {@link #poll(long)} when {@link #nextDeadline()} is reached.
 *
 * <p>States and timers follow Linux's neighbour table (see {@link NeighborState},
 * {@link NeighborTiming}); the update rules on receipt follow RFC 826's packet-reception
 * algorithm.
 *
 * @param <P> the owner's queued packet type
 */
public final class NeighborCache<P> {

    /** How an ARP packet relates to us, which decides how much it may change the cache. */
    public enum Evidence {
        /** A reply addressed to us: an answer to our request, confirms reachability. */
        REPLY_TO_US,
        /** A request whose target address is ours. */
        REQUEST_FOR_US,
        /** Anything else (gratuitous ARP, requests for other hosts): may only refresh an entry we have. */
        OVERHEARD
    }

    private static final class Entry<P> {
        final Ipv4Address ip;
        MacAddress mac;
        NeighborState state;
        long deadline = Long.MAX_VALUE;
        int probes;
        final ArrayDeque<P> queue = new ArrayDeque<>();

        Entry(Ipv4Address ip, NeighborState state) {
            this.ip = ip;
            this.state = state;
        }
    }

    private static final long NO_TIMER = Long.MAX_VALUE;

    private final NeighborTiming timing;
    private final Map<Ipv4Address, Entry<P>> entries = new TreeMap<>();

    public NeighborCache(NeighborTiming timing) {
        this.timing = timing;
    }

    public NeighborTiming timing() {
        return timing;
    }

    /** Sends {@code packet} to neighbour {@code ip}: transmit now, or queue and resolve. */
    public List<NeighborAction<P>> send(Ipv4Address ip, P packet, long now) {
        List<NeighborAction<P>> out = new ArrayList<>(2);
        Entry<P> e = entries.get(ip);
        if (e == null || e.state == NeighborState.FAILED) {
            // A fresh resolution: RFC 826 "the address resolution module ... broadcasts a request".
            NeighborState from = e == null ? NeighborState.NONE : NeighborState.FAILED;
            if (e == null) {
                e = new Entry<>(ip, NeighborState.INCOMPLETE);
                entries.put(ip, e);
            }
            e.mac = null;
            e.queue.add(packet);
            e.probes = 1;
            move(e, NeighborState.INCOMPLETE, now, timing.retransNanos(), "resolve", from, out);
            out.add(new NeighborAction.Queued<>(ip, packet, e.queue.size()));
            out.add(new NeighborAction.Solicit<>(ip, null, 1));
            return out;
        }
        switch (e.state) {
            case INCOMPLETE -> {
                if (e.queue.size() >= timing.queueLimit()) {
                    // Linux drops the oldest queued packet to make room (neigh_resolve_output).
                    out.add(new NeighborAction.QueueOverflow<>(ip, e.queue.poll()));
                }
                e.queue.add(packet);
                out.add(new NeighborAction.Queued<>(ip, packet, e.queue.size()));
            }
            case STALE -> {
                out.add(new NeighborAction.Transmit<>(packet, e.mac));
                // RFC 4861 section 7.3.3: sending to a STALE neighbour moves it to DELAY.
                move(e, NeighborState.DELAY, now, timing.delayNanos(), "used while stale", e.state, out);
            }
            default -> out.add(new NeighborAction.Transmit<>(packet, e.mac)); // REACHABLE, DELAY, PROBE, PERMANENT
        }
        return out;
    }

    /**
     * An ARP packet from {@code ip} at {@code mac} arrived.
     *
     * <p>RFC 826, packet reception: "If the pair &lt;protocol type, sender protocol address&gt; is
     * already in my translation table, update the sender hardware address field of the entry with
     * the new information" (merge); "?Am I the target protocol address? ... If Merge_flag is false,
     * add the triplet". A reply to us confirms reachability; anything else only marks the entry STALE.
     */
    public List<NeighborAction<P>> receive(Ipv4Address ip, MacAddress mac, Evidence evidence, long now) {
        List<NeighborAction<P>> out = new ArrayList<>();
        Entry<P> e = entries.get(ip);
        boolean confirmed = evidence == Evidence.REPLY_TO_US;
        if (e == null) {
            if (evidence == Evidence.OVERHEARD) {
                return out; // not the target: RFC 826 adds nothing (Linux arp_accept=0 ignores gratuitous ARP too)
            }
            e = new Entry<>(ip, NeighborState.NONE);
            entries.put(ip, e);
            e.mac = mac;
            if (confirmed) {
                move(e, NeighborState.REACHABLE, now, timing.reachableNanos(), "reply", NeighborState.NONE, out);
            } else {
                move(e, NeighborState.STALE, now, timing.staleNanos(), "request from neighbour", NeighborState.NONE, out);
            }
            return out;
        }
        switch (e.state) {
            case PERMANENT -> {
                return out;
            }
            case INCOMPLETE, FAILED -> {
                e.mac = mac;
                if (confirmed) {
                    move(e, NeighborState.REACHABLE, now, timing.reachableNanos(), "reply", e.state, out);
                } else {
                    move(e, NeighborState.STALE, now, timing.staleNanos(), "learned from " + evidence.name().toLowerCase(), e.state, out);
                }
                flush(e, out);
                if (e.state == NeighborState.STALE && !out.isEmpty() && hasTransmit(out)) {
                    move(e, NeighborState.DELAY, now, timing.delayNanos(), "used while stale", NeighborState.STALE, out);
                }
            }
            default -> { // REACHABLE, STALE, DELAY, PROBE
                boolean changed = !mac.equals(e.mac);
                e.mac = mac;
                if (confirmed) {
                    move(e, NeighborState.REACHABLE, now, timing.reachableNanos(), changed ? "reply, new address" : "reply", e.state, out);
                } else if (changed) {
                    move(e, NeighborState.STALE, now, timing.staleNanos(), "address changed", e.state, out);
                }
                // Same address, no confirmation: keep the state (Linux neigh_update does the same).
            }
        }
        return out;
    }

    /** An upper layer saw forward progress (e.g. a TCP ACK): the neighbour is reachable. */
    public List<NeighborAction<P>> confirm(Ipv4Address ip, long now) {
        List<NeighborAction<P>> out = new ArrayList<>();
        Entry<P> e = entries.get(ip);
        if (e != null && e.mac != null && e.state != NeighborState.PERMANENT) {
            move(e, NeighborState.REACHABLE, now, timing.reachableNanos(), "upper-layer confirmation", e.state, out);
        }
        return out;
    }

    /** Runs every timer due at {@code now}. */
    public List<NeighborAction<P>> poll(long now) {
        List<NeighborAction<P>> out = new ArrayList<>();
        Iterator<Entry<P>> it = entries.values().iterator();
        while (it.hasNext()) {
            Entry<P> e = it.next();
            if (e.deadline > now) {
                continue;
            }
            switch (e.state) {
                case INCOMPLETE -> {
                    if (e.probes < timing.broadcastProbes()) {
                        e.probes++;
                        e.deadline = now + timing.retransNanos();
                        out.add(new NeighborAction.Solicit<>(e.ip, null, e.probes));
                    } else {
                        List<P> dropped = new ArrayList<>(e.queue);
                        e.queue.clear();
                        move(e, NeighborState.FAILED, now, timing.staleNanos(), "no reply to " + e.probes + " requests", e.state, out);
                        out.add(new NeighborAction.Unreachable<>(e.ip, dropped));
                    }
                }
                case REACHABLE -> move(e, NeighborState.STALE, now, timing.staleNanos(), "reachable time expired", e.state, out);
                case DELAY -> {
                    e.probes = 1;
                    move(e, NeighborState.PROBE, now, timing.retransNanos(), "delay expired", e.state, out);
                    out.add(new NeighborAction.Solicit<>(e.ip, e.mac, 1));
                }
                case PROBE -> {
                    if (e.probes < timing.unicastProbes()) {
                        e.probes++;
                        e.deadline = now + timing.retransNanos();
                        out.add(new NeighborAction.Solicit<>(e.ip, e.mac, e.probes));
                    } else {
                        MacAddress old = e.mac;
                        e.mac = null;
                        move(e, NeighborState.FAILED, now, timing.staleNanos(), "no reply to " + e.probes + " probes of " + old, e.state, out);
                    }
                }
                case STALE, FAILED -> {
                    // Linux's garbage collector removes entries unused for gc_stale_time.
                    it.remove();
                    out.add(new NeighborAction.StateChange<>(e.ip, e.mac, e.state, NeighborState.NONE, "garbage collected", 0));
                }
                default -> e.deadline = Long.MAX_VALUE;
            }
        }
        return out;
    }

    /** The earliest timer, or {@code Long.MAX_VALUE} when none runs. */
    public long nextDeadline() {
        long d = Long.MAX_VALUE;
        for (Entry<P> e : entries.values()) {
            d = Math.min(d, e.deadline);
        }
        return d;
    }

    /** Adds a PERMANENT entry (like {@code ip neigh add ... nud permanent}). */
    public List<NeighborAction<P>> addPermanent(Ipv4Address ip, MacAddress mac) {
        List<NeighborAction<P>> out = new ArrayList<>();
        Entry<P> e = entries.computeIfAbsent(ip, k -> new Entry<>(k, NeighborState.NONE));
        NeighborState from = e.state;
        e.mac = mac;
        move(e, NeighborState.PERMANENT, 0, NO_TIMER, "configured", from, out);
        flush(e, out);
        return out;
    }

    /** The cached address when the entry has one. */
    public Optional<MacAddress> lookup(Ipv4Address ip) {
        Entry<P> e = entries.get(ip);
        return e != null && e.state.hasAddress() ? Optional.of(e.mac) : Optional.empty();
    }

    public Optional<NeighborState> state(Ipv4Address ip) {
        Entry<P> e = entries.get(ip);
        return e == null ? Optional.empty() : Optional.of(e.state);
    }

    /** All entries, ordered by address. */
    public List<Neighbor> entries() {
        List<Neighbor> out = new ArrayList<>(entries.size());
        for (Entry<P> e : entries.values()) {
            out.add(new Neighbor(e.ip, e.mac, e.state, e.deadline, e.queue.size()));
        }
        return out;
    }

    private void move(Entry<P> e, NeighborState to, long now, long timeoutNanos, String cause, NeighborState from,
                      List<NeighborAction<P>> out) {
        e.state = to;
        e.deadline = timeoutNanos == NO_TIMER ? Long.MAX_VALUE : now + timeoutNanos;
        out.add(new NeighborAction.StateChange<>(e.ip, e.mac, from, to, cause, timeoutNanos == NO_TIMER ? 0 : timeoutNanos));
    }

    private void flush(Entry<P> e, List<NeighborAction<P>> out) {
        while (!e.queue.isEmpty()) {
            out.add(new NeighborAction.Transmit<>(e.queue.poll(), e.mac));
        }
    }

    private static <P> boolean hasTransmit(List<NeighborAction<P>> actions) {
        for (NeighborAction<P> a : actions) {
            if (a instanceof NeighborAction.Transmit<P>) {
                return true;
            }
        }
        return false;
    }
}
