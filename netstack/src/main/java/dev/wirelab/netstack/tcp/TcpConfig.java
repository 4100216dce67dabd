package dev.wirelab.netstack.tcp;

/**
 * A node's TCP settings, named after the Linux sysctls they stand for ({@code net.ipv4.tcp_*}).
 * Times are in nanoseconds of the node's loop. Use {@link #defaults()} and the withers.
 *
 * @param ephemeralLow        ip_local_port_range low end (32768)
 * @param ephemeralHigh       ip_local_port_range high end (60999)
 * @param mslNanos            Maximum Segment Lifetime; TIME-WAIT lasts 2*MSL (RFC 9293 section 3.4.2).
 *                            Default 60 s; labs shorten it
 * @param receiveBuffer       initial receive buffer (tcp_rmem[1]); autotuning grows it to what the reader
 *                            drains per round trip, up to maxReceiveBuffer, unless SO_RCVBUF is set
 * @param sendBuffer          initial send buffer (tcp_wmem[1]); autotuning grows it to twice the congestion
 *                            window, up to {@link #MAX_SEND_BUFFER}, unless SO_SNDBUF is set
 * @param maxReceiveBuffer    largest receive buffer, which fixes the window scale we offer (tcp_rmem[2])
 * @param synRetries          tcp_syn_retries: SYN retransmissions before connect() fails (6)
 * @param synAckRetries       tcp_synack_retries: SYN-ACK retransmissions of a half-open connection (5)
 * @param syncookies          tcp_syncookies: 0 never, 1 when the SYN queue overflows, 2 always
 * @param maxSynBacklog       tcp_max_syn_backlog: without syncookies, SYNs are dropped once the SYN
 *                            queue is within a quarter of this (Linux)
 * @param somaxconn           net.core.somaxconn: listen() backlogs are capped to it
 * @param retries2            tcp_retries2: retransmissions of data before the connection times out
 * @param initialRtoNanos     RFC 6298 section 2.1 initial RTO (1 s)
 * @param minRtoNanos         lower bound of the RTO (Linux TCP_RTO_MIN, 200 ms)
 * @param maxRtoNanos         upper bound of the RTO (Linux TCP_RTO_MAX, 120 s)
 * @param delayedAckNanos     delayed-ACK timeout (Linux TCP_DELACK_MIN, 40 ms; RFC 1122 allows up to 500 ms)
 * @param keepAliveIdleNanos  tcp_keepalive_time (2 h)
 * @param keepAliveIntervalNanos tcp_keepalive_intvl (75 s)
 * @param keepAliveProbes     tcp_keepalive_probes (9)
 * @param finTimeoutNanos     tcp_fin_timeout: how long an orphaned connection stays in FIN-WAIT-2 (60 s)
 * @param timestamps          tcp_timestamps: offer RFC 7323 timestamps
 * @param windowScaling       tcp_window_scaling: offer RFC 7323 window scaling
 * @param initialWindowSegments initial congestion window in segments (RFC 6928: 10, as Linux)
 * @param secretSeed          seeds the keyed hashes of ISNs (RFC 6528), timestamp offsets, SYN
 *                            cookies and ephemeral ports; same seed, same numbers
 */
public record TcpConfig(int ephemeralLow, int ephemeralHigh, long mslNanos, int receiveBuffer, int sendBuffer,
                        int maxReceiveBuffer, int synRetries, int synAckRetries, int syncookies, int maxSynBacklog,
                        int somaxconn, int retries2, long initialRtoNanos, long minRtoNanos, long maxRtoNanos,
                        long delayedAckNanos, long keepAliveIdleNanos, long keepAliveIntervalNanos,
                        int keepAliveProbes, long finTimeoutNanos, boolean timestamps, boolean windowScaling,
                        int initialWindowSegments, long secretSeed) {

    private static final long MS = 1_000_000L;
    private static final long S = 1_000_000_000L;

    public TcpConfig {
        if (ephemeralLow < 1 || ephemeralHigh > 65535 || ephemeralLow > ephemeralHigh) {
            throw new IllegalArgumentException("ephemeral port range must lie in 1..65535: " + ephemeralLow + "-"
                    + ephemeralHigh);
        }
        if (mslNanos <= 0 || receiveBuffer < 1 || sendBuffer < 1 || maxReceiveBuffer < receiveBuffer
                || synRetries < 0 || synAckRetries < 0 || maxSynBacklog < 1 || somaxconn < 1 || retries2 < 1
                || initialRtoNanos <= 0 || minRtoNanos <= 0 || maxRtoNanos < minRtoNanos || delayedAckNanos <= 0
                || keepAliveIdleNanos <= 0 || keepAliveIntervalNanos <= 0 || keepAliveProbes < 1
                || finTimeoutNanos <= 0 || initialWindowSegments < 1) {
            throw new IllegalArgumentException("invalid TCP configuration: " + this);
        }
        if (syncookies < 0 || syncookies > 2) {
            throw new IllegalArgumentException("tcp_syncookies must be 0, 1 or 2: " + syncookies);
        }
    }

    /**
     * Largest send buffer autotuning grows to (Linux's tcp_wmem[2], 4 MB); a socket with SO_SNDBUF
     * keeps what it asked for.
     */
    public static final int MAX_SEND_BUFFER = 4 * 1024 * 1024;

    public static TcpConfig defaults() {
        return new TcpConfig(32768, 60999, 60 * S, 131072, 131072, 6 * 1024 * 1024, 6, 5, 1, 256, 4096, 15,
                S, 200 * MS, 120 * S, 40 * MS, 7200 * S, 75 * S, 9, 60 * S, true, true, 10, 0);
    }

    public TcpConfig withEphemeralRange(int low, int high) {
        return new TcpConfig(low, high, mslNanos, receiveBuffer, sendBuffer, maxReceiveBuffer, synRetries,
                synAckRetries, syncookies, maxSynBacklog, somaxconn, retries2, initialRtoNanos, minRtoNanos,
                maxRtoNanos, delayedAckNanos, keepAliveIdleNanos, keepAliveIntervalNanos, keepAliveProbes,
                finTimeoutNanos, timestamps, windowScaling, initialWindowSegments, secretSeed);
    }

    public TcpConfig withMsl(long nanos) {
        return new TcpConfig(ephemeralLow, ephemeralHigh, nanos, receiveBuffer, sendBuffer, maxReceiveBuffer,
                synRetries, synAckRetries, syncookies, maxSynBacklog, somaxconn, retries2, initialRtoNanos,
                minRtoNanos, maxRtoNanos, delayedAckNanos, keepAliveIdleNanos, keepAliveIntervalNanos,
                keepAliveProbes, finTimeoutNanos, timestamps, windowScaling, initialWindowSegments, secretSeed);
    }

    public TcpConfig withBuffers(int receive, int send) {
        return new TcpConfig(ephemeralLow, ephemeralHigh, mslNanos, receive, send, Math.max(maxReceiveBuffer, receive),
                synRetries, synAckRetries, syncookies, maxSynBacklog, somaxconn, retries2, initialRtoNanos,
                minRtoNanos, maxRtoNanos, delayedAckNanos, keepAliveIdleNanos, keepAliveIntervalNanos,
                keepAliveProbes, finTimeoutNanos, timestamps, windowScaling, initialWindowSegments, secretSeed);
    }

    public TcpConfig withRetries(int syn, int synAck, int data) {
        return new TcpConfig(ephemeralLow, ephemeralHigh, mslNanos, receiveBuffer, sendBuffer, maxReceiveBuffer,
                syn, synAck, syncookies, maxSynBacklog, somaxconn, data, initialRtoNanos, minRtoNanos, maxRtoNanos,
                delayedAckNanos, keepAliveIdleNanos, keepAliveIntervalNanos, keepAliveProbes, finTimeoutNanos,
                timestamps, windowScaling, initialWindowSegments, secretSeed);
    }

    public TcpConfig withSyncookies(int mode) {
        return new TcpConfig(ephemeralLow, ephemeralHigh, mslNanos, receiveBuffer, sendBuffer, maxReceiveBuffer,
                synRetries, synAckRetries, mode, maxSynBacklog, somaxconn, retries2, initialRtoNanos, minRtoNanos,
                maxRtoNanos, delayedAckNanos, keepAliveIdleNanos, keepAliveIntervalNanos, keepAliveProbes,
                finTimeoutNanos, timestamps, windowScaling, initialWindowSegments, secretSeed);
    }

    public TcpConfig withMaxSynBacklog(int n) {
        return new TcpConfig(ephemeralLow, ephemeralHigh, mslNanos, receiveBuffer, sendBuffer, maxReceiveBuffer,
                synRetries, synAckRetries, syncookies, n, somaxconn, retries2, initialRtoNanos, minRtoNanos,
                maxRtoNanos, delayedAckNanos, keepAliveIdleNanos, keepAliveIntervalNanos, keepAliveProbes,
                finTimeoutNanos, timestamps, windowScaling, initialWindowSegments, secretSeed);
    }

    public TcpConfig withRto(long initial, long min, long max) {
        return new TcpConfig(ephemeralLow, ephemeralHigh, mslNanos, receiveBuffer, sendBuffer, maxReceiveBuffer,
                synRetries, synAckRetries, syncookies, maxSynBacklog, somaxconn, retries2, initial, min, max,
                delayedAckNanos, keepAliveIdleNanos, keepAliveIntervalNanos, keepAliveProbes, finTimeoutNanos,
                timestamps, windowScaling, initialWindowSegments, secretSeed);
    }

    public TcpConfig withKeepAlive(long idle, long interval, int probes) {
        return new TcpConfig(ephemeralLow, ephemeralHigh, mslNanos, receiveBuffer, sendBuffer, maxReceiveBuffer,
                synRetries, synAckRetries, syncookies, maxSynBacklog, somaxconn, retries2, initialRtoNanos,
                minRtoNanos, maxRtoNanos, delayedAckNanos, idle, interval, probes, finTimeoutNanos, timestamps,
                windowScaling, initialWindowSegments, secretSeed);
    }

    public TcpConfig withFinTimeout(long nanos) {
        return new TcpConfig(ephemeralLow, ephemeralHigh, mslNanos, receiveBuffer, sendBuffer, maxReceiveBuffer,
                synRetries, synAckRetries, syncookies, maxSynBacklog, somaxconn, retries2, initialRtoNanos,
                minRtoNanos, maxRtoNanos, delayedAckNanos, keepAliveIdleNanos, keepAliveIntervalNanos,
                keepAliveProbes, nanos, timestamps, windowScaling, initialWindowSegments, secretSeed);
    }

    /** Turns RFC 7323 timestamps and window scaling on or off (tcp_timestamps, tcp_window_scaling). */
    public TcpConfig withRfc7323(boolean ts, boolean ws) {
        return new TcpConfig(ephemeralLow, ephemeralHigh, mslNanos, receiveBuffer, sendBuffer, maxReceiveBuffer,
                synRetries, synAckRetries, syncookies, maxSynBacklog, somaxconn, retries2, initialRtoNanos,
                minRtoNanos, maxRtoNanos, delayedAckNanos, keepAliveIdleNanos, keepAliveIntervalNanos,
                keepAliveProbes, finTimeoutNanos, ts, ws, initialWindowSegments, secretSeed);
    }

    public TcpConfig withSecretSeed(long seed) {
        return new TcpConfig(ephemeralLow, ephemeralHigh, mslNanos, receiveBuffer, sendBuffer, maxReceiveBuffer,
                synRetries, synAckRetries, syncookies, maxSynBacklog, somaxconn, retries2, initialRtoNanos,
                minRtoNanos, maxRtoNanos, delayedAckNanos, keepAliveIdleNanos, keepAliveIntervalNanos,
                keepAliveProbes, finTimeoutNanos, timestamps, windowScaling, initialWindowSegments, seed);
    }

    /** TIME-WAIT duration: 2*MSL (RFC 9293 section 3.4.2). */
    public long timeWaitNanos() {
        return 2 * mslNanos;
    }
}
