package dev.wirelab.nodeservice;

import dev.wirelab.netstack.trace.TraceEvent;
import dev.wirelab.netstack.trace.TraceSink;
import dev.wirelab.nodeservice.protocol.EventBatch;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The node's trace sink in a container: every stack event gets the next sequence number and waits
 * here until the control API has fetched it. The buffer is bounded: when the control API does not
 * fetch (it is away, or slow), new events are dropped and counted, and their numbers stay as gaps,
 * so the control API sees exactly what it missed. Frames are the bus's to capture, not the node's.
 */
public final class EventBuffer implements TraceSink {

    private final int capacity;
    private final TraceEvent[] ring;
    private final long[] seqs;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final Condition drained = lock.newCondition();
    private long nextSeq = 1;
    private boolean fetching;
    private long dropped;
    private int head; // index of the oldest kept event
    private int size;
    /** A waiting fetch is woken once this many events are kept (Integer.MAX_VALUE: nobody waits). */
    private int wakeAt = Integer.MAX_VALUE;

    public EventBuffer(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
        }
        this.capacity = capacity;
        this.ring = new TraceEvent[capacity];
        this.seqs = new long[capacity];
    }

    @Override
    public void frame(long timeNanos, String segment, String ingressPort, byte[] bytes) {
        // A node's links hand frames to the bus, which captures them centrally.
    }

    @Override
    public void event(TraceEvent event) {
        lock.lock();
        try {
            long seq = nextSeq++;
            if (size == capacity) {
                dropped++;
                return;
            }
            int i = (head + size) % capacity;
            ring[i] = event;
            seqs[i] = seq;
            size++;
            if (size >= wakeAt) {
                wakeAt = Integer.MAX_VALUE; // one wake-up per wait, not one per event
                arrived.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Forgets events up to {@code after} (the caller has them) and returns up to {@code max} events
     * after it, waiting up to {@code waitMillis} for one when there is none yet.
     */
    public EventBatch fetch(String bootId, long after, int max, long waitMillis) throws InterruptedException {
        return fetch(bootId, after, max, waitMillis, 0);
    }

    /**
     * As {@link #fetch(String, long, int, long)}, and once there is an event, waits up to
     * {@code lingerMillis} more for {@code max} of them: during a transfer a node makes thousands of
     * events a second, and one request per few events cost the control API more than the events.
     */
    public EventBatch fetch(String bootId, long after, int max, long waitMillis, long lingerMillis)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(0, waitMillis));
        lock.lock();
        try {
            fetching = true;
            while (size > 0 && seqs[head] <= after) {
                ring[head] = null;
                head = (head + 1) % capacity;
                size--;
            }
            if (size == 0) {
                drained.signalAll();
            }
            long left;
            while (size == 0 && (left = deadline - System.nanoTime()) > 0) {
                wakeAt = 1;
                arrived.awaitNanos(left);
            }
            if (size > 0 && size < max && lingerMillis > 0) {
                long lingerEnd = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(lingerMillis);
                while (size < max && (left = lingerEnd - System.nanoTime()) > 0) {
                    wakeAt = max;
                    arrived.awaitNanos(left);
                }
            }
            wakeAt = Integer.MAX_VALUE;
            List<EventBatch.Event> out = new ArrayList<>(Math.min(size, max));
            for (int k = 0; k < size && out.size() < max; k++) {
                int i = (head + k) % capacity;
                if (seqs[i] > after) {
                    TraceEvent e = ring[i];
                    out.add(new EventBatch.Event(seqs[i], e.timeNanos(), e.node(), e.layer(), e.kind(), e.detail()));
                }
            }
            return new EventBatch(bootId, nextSeq, dropped, out);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until every event so far has been fetched and acknowledged (a fetch {@code after} it), or
     * {@code timeoutMillis} passed: a node that stops lets the control API take its last events.
     */
    public boolean awaitDrained(long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        lock.lock();
        try {
            long left;
            // Nobody takes events (a test, or no control API yet): nothing to wait for.
            while (fetching && size > 0 && (left = deadline - System.nanoTime()) > 0) {
                drained.awaitNanos(left);
            }
            return size == 0;
        } finally {
            lock.unlock();
        }
    }

    /** Events dropped so far because the buffer was full. */
    public long dropped() {
        lock.lock();
        try {
            return dropped;
        } finally {
            lock.unlock();
        }
    }
}
