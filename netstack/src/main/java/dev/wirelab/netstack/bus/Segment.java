package dev.wirelab.netstack.bus;

import dev.wirelab.netstack.offload.Tso;
import dev.wirelab.netstack.time.EventLoop;
import dev.wirelab.netstack.trace.TraceSink;
import dev.wirelab.netstack.wire.MacAddress;
import dev.wirelab.netstack.wire.Vxlan;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One L2 segment of the bus (one VXLAN VNI): a learning switch (IEEE 802.1Q bridge behaviour, no
 * VLANs, no spanning tree) with impairments.
 *
 * <p>Threading: a frame is processed on the thread that hands it in (a node's loop, a VXLAN reader
 * thread), under this segment's lock: capture, learning, forwarding decision and impairment draws
 * happen in one critical section, so the capture order is the processing order. Undelayed frames
 * are then delivered on that same thread, after the lock is released (a receiver may send back
 * at once without deadlock); delayed frames are delivered by the bus event loop. In virtual time
 * all of this runs on the scheduler's one thread and is fully reproducible.
 *
 * <p>Capture point: every frame is mirrored to the trace at the switch ingress, before the
 * impairments, exactly as the sender put it on the wire. A frame lost, corrupted or duplicated by
 * an impairment therefore appears once, intact, in the capture, and the drop is counted (and
 * emitted as a trace event). Runts (under 14 bytes) are counted but not captured: they are not
 * Ethernet frames and would only be "malformed" in a pcapng.
 */
public final class Segment {

    /** Largest frame a VXLAN datagram over IPv4 can carry: 65535 - 20 (IP) - 8 (UDP) - 8 (VXLAN). */
    public static final int MAX_FRAME_LENGTH = 65535 - 20 - 8 - Vxlan.HEADER_LENGTH;
    static final int ETHERNET_HEADER = 14;
    private static final long GROUP_BIT = 0x0100_0000_0000L;
    private static final int MAX_MAC_ENTRIES = 16384;

    private final String name;
    private final int vni;
    private final EventLoop loop;
    private final TraceSink trace;
    private final ReentrantLock lock = new ReentrantLock();
    private final MacTable macTable = new MacTable(MAX_MAC_ENTRIES);
    private final SplittableRandom rng;

    private volatile BusPort[] ports = new BusPort[0];
    private volatile Impairments impairments = Impairments.NONE;
    private volatile long ageNanos;
    // Guarded by lock:
    private long busyUntil;   // rate limiter: when the medium is free again
    private long fifoFloor;   // no frame is delivered before the one that entered before it
    private long sequence;    // processing order, the tie-break among deliveries due at the same time
    private final PriorityQueue<Pending> pending = new PriorityQueue<>();
    private int draining;     // deliveries taken from the queue and not yet handed over

    /** A delivery waiting for its time. */
    private record Pending(long at, long seq, BusPort in, BusPort unicast, BusPort[] flood, byte[] frame, int gsoSize,
                           int copies)
            implements Comparable<Pending> {
        @Override
        public int compareTo(Pending o) {
            int c = Long.compare(at, o.at);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    Segment(String name, int vni, EventLoop loop, TraceSink trace, long labSeed, long ageNanos) {
        if ((vni & ~0xFFFFFF) != 0) {
            throw new IllegalArgumentException("segment " + name + ": VNI must fit in 24 bits, got " + vni);
        }
        this.name = name;
        this.vni = vni;
        this.loop = loop;
        this.trace = trace;
        this.ageNanos = ageNanos;
        this.rng = new SplittableRandom(seedFor(labSeed, name));
    }

    /** The segment's RNG seed: lab seed mixed with the segment name (FNV-1a), stable across runs. */
    static long seedFor(long labSeed, String segment) {
        long h = 0xcbf29ce484222325L;
        for (byte c : segment.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            h ^= c & 0xFF;
            h *= 0x100000001b3L;
        }
        return labSeed ^ h;
    }

    public String name() {
        return name;
    }

    public int vni() {
        return vni;
    }

    public Impairments impairments() {
        return impairments;
    }

    /** Swaps the impairments; frames already in flight keep the fate they were given. */
    public void setImpairments(Impairments impairments) {
        this.impairments = java.util.Objects.requireNonNull(impairments);
    }

    public Duration macAgeing() {
        return Duration.ofNanos(ageNanos);
    }

    /** How long a learned address stays without being seen as a source again (default 300 s). */
    public void setMacAgeing(Duration ageing) {
        if (ageing.isNegative() || ageing.isZero()) {
            throw new IllegalArgumentException("MAC ageing time must be positive, got " + ageing);
        }
        this.ageNanos = ageing.toNanos();
    }

    /** Live learned addresses, ordered: MAC -> port name. */
    public Map<MacAddress, String> macTable() {
        lock.lock();
        try {
            return macTable.snapshot(loop.nanos(), ageNanos);
        } finally {
            lock.unlock();
        }
    }

    /** Port names, in the order they joined. */
    public List<String> ports() {
        return Arrays.stream(ports).map(p -> p.name).toList();
    }

    /** Counters of every port, in the order they joined. */
    public List<PortCounters> counters() {
        lock.lock();
        try {
            List<PortCounters> l = new ArrayList<>();
            for (BusPort p : ports) {
                l.add(p.snapshot());
            }
            return l;
        } finally {
            lock.unlock();
        }
    }

    /** Counters of one port. */
    public PortCounters counters(String port) {
        lock.lock();
        try {
            return find(port).snapshot();
        } finally {
            lock.unlock();
        }
    }

    BusPort find(String port) {
        for (BusPort p : ports) {
            if (p.name.equals(port)) {
                return p;
            }
        }
        throw new IllegalArgumentException("segment " + name + " has no port '" + port + "'");
    }

    boolean hasPort(String port) {
        for (BusPort p : ports) {
            if (p.name.equals(port)) {
                return true;
            }
        }
        return false;
    }

    void addPort(BusPort port) {
        lock.lock();
        try {
            if (hasPort(port.name)) {
                throw new IllegalArgumentException("segment " + name + " already has a port '" + port.name + "'");
            }
            BusPort[] p = Arrays.copyOf(ports, ports.length + 1);
            p[p.length - 1] = port;
            ports = p;
        } finally {
            lock.unlock();
        }
    }

    void removePort(BusPort port) {
        lock.lock();
        try {
            port.closed = true;
            ports = Arrays.stream(ports).filter(p -> p != port).toArray(BusPort[]::new);
            macTable.compact(loop.nanos(), ageNanos);
        } finally {
            lock.unlock();
        }
        port.onRemoved();
    }

    /**
     * A frame arriving from {@code in}. Never throws on bad bytes: anything that is not a frame is
     * counted and dropped.
     */
    void receive(BusPort in, byte[] frame) {
        receive(in, frame, 0);
    }

    /**
     * A frame that may be a TCP super-packet ({@code gsoSize > 0}): it crosses the switch whole,
     * as through a Linux bridge, and is captured whole (as tcpdump on a veth shows it). Loss,
     * duplication, delay and reordering take it as one frame (as netem does a GSO packet);
     * corruption and a rate limit act on its segments. Each port decides how to hand it on.
     */
    void receive(BusPort in, byte[] frame, int gsoSize) {
        int len = frame.length;
        if (len < ETHERNET_HEADER || len > MAX_FRAME_LENGTH) {
            DropReason r = len < ETHERNET_HEADER ? DropReason.RUNT : DropReason.OVERSIZE;
            in.drop(r);
            trace.event(loop.nanos(), "bus", "l2", "drop", "segment", name, "port", in.name,
                    "reason", r.name().toLowerCase(java.util.Locale.ROOT), "length", len);
            return;
        }
        BusPort unicast = null;
        BusPort[] flood = null;
        List<Admitted> immediate = null;
        long now;
        lock.lock();
        try {
            if (in.closed) {
                return;
            }
            now = loop.nanos();
            trace.frame(now, name, in.name, frame);
            in.rxFrames++;
            in.rxBytes += len;
            long dst = mac(frame, 0);
            long src = mac(frame, 6);
            long age = ageNanos;
            // IEEE 802.1Q 8.7: learn the source address of every received frame on its port; a group
            // address is never a valid source, so it is not learned.
            if ((src & GROUP_BIT) == 0) {
                macTable.learn(src, in, now, age);
            }
            // 802.1Q 8.8: group addresses and unknown unicast are flooded to every port but the
            // ingress; a known unicast goes to its port only, and is filtered if that is the ingress.
            if ((dst & GROUP_BIT) != 0) {
                flood = ports;
            } else {
                BusPort p = macTable.lookup(dst, now, age);
                if (p == null) {
                    flood = ports;
                } else if (p == in) {
                    in.drop(DropReason.FILTERED);
                    return;
                } else {
                    unicast = p;
                }
            }
            Impairments imp = impairments;
            if (gsoSize > 0 && (imp.corrupt() > 0 || imp.rateBitsPerSecond() > 0)) {
                // Corruption and a rate limit act on the segments a super-packet stands for, as
                // Linux's netem (netem_segment) and tbf (tbf_segment) cut GSO packets first: one
                // flipped bit or one full queue then costs one segment, not up to 44.
                List<byte[]> pieces = Tso.segmentFrameOrWhole(frame, gsoSize);
                if (pieces.size() > 1) {
                    immediate = new ArrayList<>(pieces.size());
                    for (byte[] piece : pieces) {
                        Admitted a = admit(in, unicast, flood, piece, 0, now, imp);
                        if (a != null) {
                            immediate.add(a);
                        }
                    }
                }
            }
            if (immediate == null) {
                Admitted a = admit(in, unicast, flood, frame, gsoSize, now, imp);
                if (a == null) {
                    return;
                }
                immediate = List.of(a);
            }
        } finally {
            lock.unlock();
        }
        for (Admitted a : immediate) {
            forward(in, unicast, flood, a.frame(), a.gsoSize(), a.copies());
        }
    }

    /** A frame the impairments let through at once: what to deliver, how many times. */
    private record Admitted(byte[] frame, int gsoSize, int copies) {
    }

    /**
     * Under the lock: draws the impairments for one frame. Returns what to hand over now, or null
     * when the frame was dropped or queued for later (delayed, or behind frames still waiting).
     */
    private Admitted admit(BusPort in, BusPort unicast, BusPort[] flood, byte[] frame, int gsoSize, long now,
                           Impairments imp) {
        int len = frame.length;
        byte[] out = frame;
        int copies = 1;
        long at = now;
        if (imp.isNone()) {
            if (fifoFloor > now) {
                at = fifoFloor; // frames delayed under older impairments still go first
            }
        } else {
            if (imp.loss() > 0 && rng.nextDouble() < imp.loss()) {
                dropped(in, DropReason.LOSS, now, len);
                return null;
            }
            if (imp.corrupt() > 0 && rng.nextDouble() < imp.corrupt() && len > ETHERNET_HEADER) {
                out = frame.clone();
                out[ETHERNET_HEADER + rng.nextInt(len - ETHERNET_HEADER)] ^= (byte) (1 << rng.nextInt(8));
            }
            if (imp.duplicate() > 0 && rng.nextDouble() < imp.duplicate()) {
                copies = 2;
            }
            if (imp.rateBitsPerSecond() > 0) {
                long start = Math.max(now, busyUntil);
                long waitingBytes = (long) ((start - now) * (imp.rateBitsPerSecond() / 8e9));
                if (start > now && waitingBytes + len > imp.queueLimitBytes()) {
                    dropped(in, DropReason.QUEUE_FULL, now, len);
                    return null;
                }
                busyUntil = start + (long) Math.ceil(len * 8e9 / imp.rateBitsPerSecond());
                at = busyUntil;
            }
            if (imp.delayNanos() > 0 || imp.jitterNanos() > 0) {
                long d = imp.delayNanos();
                if (imp.jitterNanos() > 0) {
                    d += rng.nextLong(-imp.jitterNanos(), imp.jitterNanos() + 1);
                }
                at += Math.max(0, d);
            }
            at = Math.max(at, fifoFloor);
            if (imp.reorder() > 0 && rng.nextDouble() < imp.reorder()) {
                at += imp.reorderDelayNanos(); // held back outside the FIFO: later frames overtake it
            } else {
                fifoFloor = at;
            }
        }
        if (at > now || !pending.isEmpty() || draining > 0) {
            // Delayed, or earlier frames are still waiting: queue in (time, arrival) order and
            // let the bus loop hand it over, so timer jitter can never reorder deliveries.
            pending.add(new Pending(at, sequence++, in, unicast, flood, out, gsoSize, copies));
            loop.schedule(at - now, this::drain);
            return null;
        }
        return new Admitted(out, gsoSize, copies);
    }

    /** Runs on the bus loop: hands over every delivery that is due, in order. */
    private void drain() {
        java.util.List<Pending> due = new ArrayList<>();
        lock.lock();
        try {
            long now = loop.nanos();
            while (!pending.isEmpty() && pending.peek().at() <= now) {
                due.add(pending.poll());
            }
            draining += due.size();
        } finally {
            lock.unlock();
        }
        try {
            for (Pending p : due) {
                forward(p.in(), p.unicast(), p.flood(), p.frame(), p.gsoSize(), p.copies());
            }
        } finally {
            lock.lock();
            try {
                draining -= due.size();
            } finally {
                lock.unlock();
            }
        }
    }

    private void dropped(BusPort in, DropReason reason, long now, int len) {
        in.drop(reason);
        trace.event(now, "bus", "l2", "drop", "segment", name, "port", in.name,
                "reason", reason.name().toLowerCase(java.util.Locale.ROOT), "length", len);
    }

    private static void forward(BusPort in, BusPort unicast, BusPort[] flood, byte[] frame, int gsoSize, int copies) {
        for (int c = 0; c < copies; c++) {
            if (unicast != null) {
                unicast.deliver(frame, gsoSize);
            } else {
                for (BusPort p : flood) {
                    if (p != in) { // never back out of the port it came in on
                        p.deliver(frame, gsoSize);
                    }
                }
            }
        }
    }

    private static long mac(byte[] b, int off) {
        return ((long) (b[off] & 0xFF) << 40) | ((long) (b[off + 1] & 0xFF) << 32) | ((long) (b[off + 2] & 0xFF) << 24)
                | ((long) (b[off + 3] & 0xFF) << 16) | ((long) (b[off + 4] & 0xFF) << 8) | (b[off + 5] & 0xFF);
    }

    @Override
    public String toString() {
        return "Segment[" + name + ", vni " + vni + ", " + ports.length + " ports]";
    }
}
