package dev.wirelab.netstack.bus;

import dev.wirelab.netstack.link.FrameHandler;
import dev.wirelab.netstack.time.EventLoop;
import java.util.ArrayList;
import java.util.List;

/** Records the frames a port delivers, with the bus loop's time of delivery. Thread-safe. */
final class Receiver implements FrameHandler {

    record Got(long timeNanos, byte[] frame) {
        int id() {
            return TestFrames.id(frame);
        }
    }

    private final EventLoop loop;
    private final List<Got> got = new ArrayList<>();

    Receiver(EventLoop loop) {
        this.loop = loop;
    }

    @Override
    public synchronized void onFrame(byte[] frame) {
        got.add(new Got(loop.nanos(), frame));
        notifyAll();
    }

    synchronized List<Got> frames() {
        return List.copyOf(got);
    }

    synchronized List<Integer> ids() {
        return got.stream().map(Got::id).toList();
    }

    synchronized int count() {
        return got.size();
    }

    synchronized void clear() {
        got.clear();
    }

    /** Waits (real time, tests only) until {@code n} frames arrived or the timeout passed. */
    synchronized boolean await(int n, long timeoutMillis) throws InterruptedException {
        long end = System.currentTimeMillis() + timeoutMillis;
        while (got.size() < n) {
            long left = end - System.currentTimeMillis();
            if (left <= 0) {
                return false;
            }
            wait(left);
        }
        return true;
    }
}
