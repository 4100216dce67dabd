package dev.wirelab.netstack.link;

import java.util.concurrent.atomic.AtomicLong;

/**
 * One end of an in-memory point-to-point link. {@link #pair()} makes two connected ends: a frame
 * sent on one end is handed, synchronously and on the sender's thread, to the receiver of the
 * other end. There is no queue and no copy: the receiver is expected to post the frame to its own
 * event loop, and the sender must not touch the array after {@code send}.
 *
 * <p>Closing either end closes both; frames sent on a closed link are counted and dropped.
 */
public final class InMemoryLink implements Link {

    /** Two connected ends. */
    public record Pair(InMemoryLink a, InMemoryLink b) {
    }

    private final String name;
    private InMemoryLink peer;
    private volatile FrameHandler receiver = FrameHandler.DISCARD;
    private volatile boolean closed;
    private volatile Runnable onClose = () -> { };
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();

    private InMemoryLink(String name) {
        this.name = name;
    }

    public static Pair pair() {
        return pair("a", "b");
    }

    /** A connected pair whose ends carry the given names (for toString and diagnostics). */
    public static Pair pair(String nameA, String nameB) {
        InMemoryLink a = new InMemoryLink(nameA);
        InMemoryLink b = new InMemoryLink(nameB);
        a.peer = b;
        b.peer = a;
        return new Pair(a, b);
    }

    @Override
    public void send(byte[] frame) {
        if (closed || frame == null) {
            dropped.incrementAndGet();
            return;
        }
        sent.incrementAndGet();
        peer.receiver.onFrame(frame);
    }

    /** Passes a super-packet whole, with its gso size, as a veth does. */
    @Override
    public void send(byte[] frame, int gsoSize) {
        if (closed || frame == null) {
            dropped.incrementAndGet();
            return;
        }
        sent.incrementAndGet();
        peer.receiver.onFrame(frame, gsoSize);
    }

    @Override
    public void setReceiver(FrameHandler receiver) {
        this.receiver = receiver == null ? FrameHandler.DISCARD : receiver;
    }

    /** Runs {@code action} once when this end is closed (by either side). */
    public void onClose(Runnable action) {
        this.onClose = action == null ? () -> { } : action;
    }

    public boolean isClosed() {
        return closed;
    }

    /** Frames handed to the peer. */
    public long framesSent() {
        return sent.get();
    }

    /** Frames refused because the link was closed. */
    public long framesDropped() {
        return dropped.get();
    }

    @Override
    public void close() {
        closeOne();
        peer.closeOne();
    }

    private void closeOne() {
        Runnable action;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            action = onClose;
        }
        action.run();
    }

    @Override
    public String toString() {
        return "InMemoryLink[" + name + " <-> " + peer.name + (closed ? ", closed" : "") + "]";
    }
}
