package dev.wirelab.netstack.tcp;

/**
 * Per-socket options (setsockopt). Set before {@code connect}/{@code listen}; while a connection
 * is open, {@link TcpConnection#setOptions} applies the ones that may change (noDelay, keepAlive
 * and its timers, buffer sizes). An accepted connection inherits its listener's options.
 *
 * @param noDelay            TCP_NODELAY: no Nagle algorithm
 * @param sendBuffer         SO_SNDBUF in bytes (the effective size: the socket layer doubles the
 *                           setsockopt value as Linux does); 0 = the layer's default
 * @param receiveBuffer      SO_RCVBUF in bytes, likewise; 0 = the layer's default
 * @param keepAlive          SO_KEEPALIVE
 * @param reuseAddress       SO_REUSEADDR: bind over connections that are not listening (TIME-WAIT)
 * @param reusePort          SO_REUSEPORT: several listeners on one address and port
 * @param maxSegmentSize     TCP_MAXSEG: clamp on the MSS we announce and use; 0 = none
 * @param keepAliveIdleNanos TCP_KEEPIDLE; 0 = the layer's default
 * @param keepAliveIntervalNanos TCP_KEEPINTVL; 0 = the layer's default
 * @param keepAliveProbes    TCP_KEEPCNT; 0 = the layer's default
 */
public record TcpOptions(boolean noDelay, int sendBuffer, int receiveBuffer, boolean keepAlive, boolean reuseAddress,
                         boolean reusePort, int maxSegmentSize, long keepAliveIdleNanos, long keepAliveIntervalNanos,
                         int keepAliveProbes) {

    public static final TcpOptions DEFAULT = new TcpOptions(false, 0, 0, false, false, false, 0, 0, 0, 0);

    public TcpOptions {
        if (sendBuffer < 0 || receiveBuffer < 0 || maxSegmentSize < 0 || keepAliveIdleNanos < 0
                || keepAliveIntervalNanos < 0 || keepAliveProbes < 0) {
            throw new IllegalArgumentException("TCP options must not be negative");
        }
        if (maxSegmentSize != 0 && (maxSegmentSize < 88 || maxSegmentSize > 65495)) {
            // Linux TCP_MAXSEG accepts 88 (TCP_MIN_MSS) .. 65495 (MAX_TCP_WINDOW minus headers).
            throw new IllegalArgumentException("TCP_MAXSEG must be 88..65495: " + maxSegmentSize);
        }
    }

    public static TcpOptions defaults() {
        return DEFAULT;
    }

    public TcpOptions withNoDelay(boolean v) {
        return new TcpOptions(v, sendBuffer, receiveBuffer, keepAlive, reuseAddress, reusePort, maxSegmentSize,
                keepAliveIdleNanos, keepAliveIntervalNanos, keepAliveProbes);
    }

    public TcpOptions withSendBuffer(int v) {
        return new TcpOptions(noDelay, v, receiveBuffer, keepAlive, reuseAddress, reusePort, maxSegmentSize,
                keepAliveIdleNanos, keepAliveIntervalNanos, keepAliveProbes);
    }

    public TcpOptions withReceiveBuffer(int v) {
        return new TcpOptions(noDelay, sendBuffer, v, keepAlive, reuseAddress, reusePort, maxSegmentSize,
                keepAliveIdleNanos, keepAliveIntervalNanos, keepAliveProbes);
    }

    public TcpOptions withKeepAlive(boolean v) {
        return new TcpOptions(noDelay, sendBuffer, receiveBuffer, v, reuseAddress, reusePort, maxSegmentSize,
                keepAliveIdleNanos, keepAliveIntervalNanos, keepAliveProbes);
    }

    public TcpOptions withReuseAddress(boolean v) {
        return new TcpOptions(noDelay, sendBuffer, receiveBuffer, keepAlive, v, reusePort, maxSegmentSize,
                keepAliveIdleNanos, keepAliveIntervalNanos, keepAliveProbes);
    }

    public TcpOptions withReusePort(boolean v) {
        return new TcpOptions(noDelay, sendBuffer, receiveBuffer, keepAlive, reuseAddress, v, maxSegmentSize,
                keepAliveIdleNanos, keepAliveIntervalNanos, keepAliveProbes);
    }

    public TcpOptions withMaxSegmentSize(int v) {
        return new TcpOptions(noDelay, sendBuffer, receiveBuffer, keepAlive, reuseAddress, reusePort, v,
                keepAliveIdleNanos, keepAliveIntervalNanos, keepAliveProbes);
    }

    public TcpOptions withKeepAliveTimes(long idleNanos, long intervalNanos, int probes) {
        return new TcpOptions(noDelay, sendBuffer, receiveBuffer, keepAlive, reuseAddress, reusePort, maxSegmentSize,
                idleNanos, intervalNanos, probes);
    }
}
