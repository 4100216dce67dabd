package dev.wirelab.netstack.tcp;

import dev.wirelab.netstack.wire.Ipv4Address;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A socket in LISTEN (RFC 9293 section 3.10.7.2) with Linux's two queues: the SYN queue of
 * half-open connections (SYN-RECEIVED) and the accept queue of established ones that
 * {@link #accept()} has not taken yet. All calls on the node's loop.
 */
public final class TcpListener {

    /** Told when a connection is waiting in the accept queue. */
    @FunctionalInterface
    public interface Listener {
        void onAcceptable();
    }

    private final TcpLayer layer;
    private final Ipv4Address localAddress;
    private final int localPort;
    private final TcpOptions options;
    private int backlog;
    private boolean closed;
    private Listener listener = () -> { };
    final Set<TcpConnection> synQueue = new LinkedHashSet<>();
    final ArrayDeque<TcpConnection> acceptQueue = new ArrayDeque<>();
    /** Loop time of the last SYN queue overflow (Linux tcp_synq_overflow), for cookie checks. */
    long lastOverflowNanos = Long.MIN_VALUE;

    TcpListener(TcpLayer layer, Ipv4Address localAddress, int localPort, int backlog, TcpOptions options) {
        this.layer = layer;
        this.localAddress = localAddress;
        this.localPort = localPort;
        this.backlog = backlog;
        this.options = options;
    }

    /** The next established connection, or null when the accept queue is empty. */
    public TcpConnection accept() {
        layer.checkLoop();
        if (closed) {
            throw new TcpException(TcpError.INVALID_ARGUMENT, "listener closed");
        }
        TcpConnection c = acceptQueue.poll();
        if (c != null) {
            c.acceptedFrom(this);
            layer.queueEvent(this);
        }
        return c;
    }

    public void setListener(Listener listener) {
        this.listener = listener == null ? () -> { } : listener;
    }

    /** Half-open connections (SYN-RECEIVED). */
    public int synQueueLength() {
        return synQueue.size();
    }

    /** Established connections waiting for accept(). */
    public int acceptQueueLength() {
        return acceptQueue.size();
    }

    /** The backlog given to listen(), capped to somaxconn as Linux does. */
    public int backlog() {
        return backlog;
    }

    /** listen() again on a listening socket changes its backlog (as on Linux). */
    public void setBacklog(int requested) {
        layer.checkLoop();
        backlog = layer.capBacklog(requested);
        layer.queueEvent(this);
    }

    public Ipv4Address localAddress() {
        return localAddress;
    }

    public int localPort() {
        return localPort;
    }

    public TcpOptions options() {
        return options;
    }

    public boolean isClosed() {
        return closed;
    }

    /** Stops listening; connections not yet accepted are reset (Linux inet_csk_listen_stop). */
    public void close() {
        layer.checkLoop();
        if (closed) {
            return;
        }
        closed = true;
        List<TcpConnection> pending = new ArrayList<>(synQueue);
        pending.addAll(acceptQueue);
        synQueue.clear();
        acceptQueue.clear();
        for (TcpConnection c : pending) {
            c.abortFromListener();
        }
        layer.removeListener(this);
    }

    // ------------------------------------------------------------------ queue rules (Linux semantics)

    /** Linux inet_csk_reqsk_queue_is_full: the SYN queue is full at backlog entries. */
    boolean synQueueFull() {
        return synQueue.size() >= backlog;
    }

    /** Linux sk_acceptq_is_full: {@code sk_ack_backlog > sk_max_ack_backlog}, so backlog + 1 fit. */
    boolean acceptQueueFull() {
        return acceptQueue.size() > backlog;
    }

    void notifyAcceptable() {
        listener.onAcceptable();
    }

    void markClosed() {
        closed = true;
    }

    @Override
    public String toString() {
        return "TcpListener[" + localAddress + ":" + localPort + ", backlog " + backlog + ", syn " + synQueue.size()
                + ", accept " + acceptQueue.size() + "]";
    }
}
