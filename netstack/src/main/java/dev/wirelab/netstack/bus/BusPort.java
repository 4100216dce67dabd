package dev.wirelab.netstack.bus;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/** A port of a segment: where frames enter the switch and where it delivers them. */
abstract class BusPort {

    final String name;
    final Segment segment;
    volatile boolean closed;

    // rx counters change only under the segment lock; tx ones on whatever thread delivers.
    long rxFrames;
    long rxBytes;
    final AtomicLong txFrames = new AtomicLong();
    final AtomicLong txBytes = new AtomicLong();
    private final AtomicLongArray drops = new AtomicLongArray(DropReason.values().length);

    BusPort(String name, Segment segment) {
        this.name = name;
        this.segment = segment;
    }

    abstract String kind();

    /** Hands a frame from the switch to whatever is behind this port; returns false when it could not. */
    abstract boolean transmit(byte[] frame, int gsoSize);

    /** Called once when the port leaves its segment. */
    void onRemoved() {
    }

    /** Hands a frame on; {@code gsoSize > 0} marks a TCP super-packet (see Segment#receive). */
    final void deliver(byte[] frame, int gsoSize) {
        if (closed) {
            return;
        }
        boolean sent;
        try {
            sent = transmit(frame, gsoSize);
        } catch (RuntimeException e) {
            // A node's bug must not take the sender, the bus loop or the other receivers down.
            drop(DropReason.RECEIVER_ERROR);
            Thread t = Thread.currentThread();
            t.getUncaughtExceptionHandler().uncaughtException(t, e);
            return;
        }
        if (sent) {
            txFrames.incrementAndGet();
            txBytes.addAndGet(frame.length);
        }
    }

    final void drop(DropReason reason) {
        drops.incrementAndGet(reason.ordinal());
    }

    /** Must be called under the segment lock (rx counters). */
    final PortCounters snapshot() {
        Map<DropReason, Long> d = new EnumMap<>(DropReason.class);
        for (DropReason r : DropReason.values()) {
            d.put(r, drops.get(r.ordinal()));
        }
        return new PortCounters(segment.name(), name, kind(), rxFrames, rxBytes, txFrames.get(), txBytes.get(), d);
    }

    @Override
    public String toString() {
        return segment.name() + "/" + name;
    }
}
