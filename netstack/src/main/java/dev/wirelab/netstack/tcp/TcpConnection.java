package dev.wirelab.netstack.tcp;

import dev.wirelab.netstack.ip.OutboundDatagram;
import dev.wirelab.netstack.ip.RouteCache;
import dev.wirelab.netstack.offload.Tso;
import dev.wirelab.netstack.wire.Ipv4Packet;
import dev.wirelab.netstack.wire.IcmpMessage;
import dev.wirelab.netstack.wire.Ipv4Address;
import dev.wirelab.netstack.wire.TcpSegment;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * One TCP connection: the RFC 9293 state machine with its send and receive buffers, timers,
 * RFC 7323 options, RFC 6298 retransmission timer and RFC 5681/6582 congestion control.
 *
 * <p>It is a state machine driven by (time, segment) and (time, timer): the {@link TcpLayer}
 * hands it segments and fires its one timer (the earliest of its deadlines) on the node's event
 * loop; it answers with segments through the layer. Applications call it on the node's loop too
 * (the socket layer posts there); callbacks of {@link Listener} run on the loop at the end of the
 * step that caused them.
 */
public final class TcpConnection {

    /** Readiness and completion callbacks, on the node's loop. */
    public interface Listener {
        /** The three-way handshake completed (active open). */
        default void onEstablished() {
        }

        /** Data, end of stream or an error can be read now. */
        default void onReadable() {
        }

        /** Space was freed in the send buffer (or the connection became writable). */
        default void onWritable() {
        }

        /**
         * The connection is finished for the application: closed normally (null: FIN exchange
         * done, TIME-WAIT entered or CLOSED), or by an error (REFUSED, RESET, TIMED_OUT, ...).
         */
        default void onClosed(TcpError error) {
        }
    }

    private static final Listener NO_LISTENER = new Listener() { };
    private static final long NEVER = Long.MAX_VALUE;
    private static final long MS = 1_000_000L;
    /** RFC 9293 section 3.7.1 / RFC 1122 section 4.2.2.6: MSS assumed when the peer sends no option. */
    static final int DEFAULT_MSS = 536;
    /** RFC 7323 section 5.5: TS.Recent is invalid after 24 days of idleness. */
    private static final long PAWS_IDLE_NANOS = 24L * 24 * 3600 * 1_000_000_000L;
    /** RFC 7323 section 3: the timestamps option with two NOPs for alignment. */
    private static final int TIMESTAMP_OPTION_LENGTH = 12;
    private static final int EV_ESTABLISHED = 1;
    private static final int EV_READABLE = 2;
    private static final int EV_WRITABLE = 4;
    private static final int EV_CLOSED = 8;

    private final TcpLayer layer;
    private final Ipv4Address localAddress;
    private final int localPort;
    private final Ipv4Address remoteAddress;
    private final int remotePort;
    private String localEndpoint;
    private String remoteEndpoint;
    /** The socket's route, as Linux's sk_dst_cache (see RouteCache). */
    private final RouteCache routeCache = new RouteCache();
    private final String tuple;
    private TcpOptions options;
    private TcpState state = TcpState.CLOSED;
    private Listener listener = NO_LISTENER;
    private TcpListener parent;
    private boolean active;
    private boolean orphan;
    private boolean userClosedNotified;
    private TcpError error;
    private TcpError softError;

    // RFC 9293 section 3.3.1, send sequence variables. sndMax is the highest SND.NXT ever (RFC 9293's
    // SND.NXT when we go back after a timeout); sndNxt is where the next new or resent byte goes.
    private SeqNum iss = SeqNum.ZERO;
    private SeqNum sndUna = SeqNum.ZERO;
    private SeqNum sndNxt = SeqNum.ZERO;
    private SeqNum sndMax = SeqNum.ZERO;
    private long sndWnd;
    private long maxSndWnd;
    private SeqNum sndWl1 = SeqNum.ZERO;
    private SeqNum sndWl2 = SeqNum.ZERO;
    private boolean synAcked;
    // Receive sequence variables.
    private SeqNum irs = SeqNum.ZERO;
    private SeqNum rcvNxt = SeqNum.ZERO;
    private SeqNum rcvAdvRight = SeqNum.ZERO;
    private long rcvNxtAbs;

    // RFC 7323 and MSS.
    private boolean offerOptions7323;
    private boolean wsOk;
    private boolean tsOk;
    private int sndWscale;
    private int rcvWscale;
    private long tsRecent;
    private long tsRecentAt;
    private SeqNum lastAckSent = SeqNum.ZERO;
    private int tsOffset;
    private int peerMss = DEFAULT_MSS;
    private int ourMss;
    private int pmtuMss = Integer.MAX_VALUE;
    private int sndMss = DEFAULT_MSS;
    // TCP segmentation offload: how many MSS-sized segments one super-packet may carry (1: no TSO).
    private int tsoSegments = 1;
    private static final byte[] NO_BYTES = new byte[0];
    private int rcvMss = DEFAULT_MSS;

    // Buffers.
    private final ByteRing sendBuf = new ByteRing();
    private final ByteRing recvBuf = new ByteRing();
    private final TreeMap<Long, byte[]> outOfOrder = new TreeMap<>();
    private long oooFinAbs = -1;
    private int sndBufCap;
    private int rcvBufCap;
    // Buffer autotuning (Linux's tcp_rcv_space_adjust and tcp_sndbuf_expand), off for a buffer the
    // application sized itself (SO_RCVBUF / SO_SNDBUF lock it, as in Linux).
    private long rcvSpace;         // bytes the application read in the last measured round trip (rcvq_space.space)
    private long rcvSpaceStart;    // consumed-stream position where the current measurement began
    private long rcvSpaceAt = -1;  // when it began
    private long rcvRttNanos;      // the receiver's round-trip estimate, from echoed timestamps (rcv_rtt_est)
    private long rcvRttEcho;       // the echoed timestamp it was last measured from
    private boolean finQueued;
    private boolean finSent;
    private SeqNum finSeq = SeqNum.ZERO;
    private boolean peerFin;
    private int reportedSendQueue = -1;
    private int reportedRecvQueue = -1;

    // Timers (loop nanos; NEVER when off).
    private long rtxAt = NEVER;
    private long persistAt = NEVER;
    private long delAckAt = NEVER;
    private long keepAliveAt = NEVER;
    private long closeAt = NEVER; // TIME-WAIT, FIN-WAIT-2 orphan timeout
    private long scheduledAt = NEVER;
    private dev.wirelab.netstack.time.Cancellable scheduled = dev.wirelab.netstack.time.Cancellable.NONE;
    private int retries;
    private int persistBackoff;
    private int persistProbes;
    private int keepAliveProbes;
    private long lastReceivedAt;
    private long lastSentDataAt;
    private boolean synRetransmitted;

    // RTT and congestion control.
    private final RttEstimator rtt;
    private boolean rttTiming;
    private long rtxTsFloor;
    private boolean rtxTsFloorValid;
    private SeqNum rttSeq = SeqNum.ZERO;
    private long rttStart;
    private long cwnd;
    private long ssthresh = Integer.MAX_VALUE;
    private int dupAcks;
    private boolean inRecovery;
    private boolean partialAckSeen;
    private SeqNum recover = SeqNum.ZERO;
    private String rtxReason = "timeout";
    private long reportedCwnd = -1;
    private long reportedSsthresh = -1;
    private long reportedRto = -1;

    // ACK state.
    private boolean ackNow;
    private int bytesSinceAck;

    // Statistics.
    private long retransmits;
    private long bytesSent;
    private long bytesAcked;
    private long bytesReceived;

    private int pendingEvents;
    private boolean flushing;

    TcpConnection(TcpLayer layer, Ipv4Address localAddress, int localPort, Ipv4Address remoteAddress, int remotePort,
                  TcpOptions options) {
        this.layer = layer;
        this.localAddress = localAddress;
        this.localPort = localPort;
        this.remoteAddress = remoteAddress;
        this.remotePort = remotePort;
        this.options = options;
        this.tuple = localAddress + ":" + localPort + " " + remoteAddress + ":" + remotePort;
        TcpConfig c = layer.config();
        this.rtt = new RttEstimator(c.initialRtoNanos(), c.minRtoNanos(), c.maxRtoNanos());
        this.sndBufCap = options.sendBuffer() > 0 ? options.sendBuffer() : c.sendBuffer();
        this.rcvBufCap = options.receiveBuffer() > 0 ? options.receiveBuffer() : c.receiveBuffer();
        this.tsOffset = layer.secrets().timestampOffset(localAddress, remoteAddress);
        this.ourMss = layer.mssFor(remoteAddress, options.maxSegmentSize());
        this.rcvMss = Math.min(ourMss, DEFAULT_MSS);
    }

    // =================================================================== public API

    public TcpState state() {
        return state;
    }

    public Ipv4Address localAddress() {
        return localAddress;
    }

    public int localPort() {
        return localPort;
    }

    public Ipv4Address remoteAddress() {
        return remoteAddress;
    }

    public int remotePort() {
        return remotePort;
    }

    RouteCache routeCache() {
        return routeCache;
    }

    /** "address:port" of the local end, made once: it is in every event of the connection. */
    public String localEndpoint() {
        String e = localEndpoint;
        if (e == null) {
            e = localEndpoint = localAddress + ":" + localPort;
        }
        return e;
    }

    /** "address:port" of the remote end, made once. */
    public String remoteEndpoint() {
        String e = remoteEndpoint;
        if (e == null) {
            e = remoteEndpoint = remoteAddress + ":" + remotePort;
        }
        return e;
    }

    /** The error that ended the connection (null while it is fine or after a normal close). */
    public TcpError error() {
        return error;
    }

    public TcpOptions options() {
        return options;
    }

    public void setListener(Listener listener) {
        this.listener = listener == null ? NO_LISTENER : listener;
    }

    /**
     * Applies the options that may change on an open connection: noDelay, keepAlive and its
     * timers, buffer sizes. Address reuse and the MSS clamp keep their values from the open.
     */
    public void setOptions(TcpOptions o) {
        layer.checkLoop();
        long now = layer.now();
        TcpOptions old = options;
        options = new TcpOptions(o.noDelay(), o.sendBuffer(), o.receiveBuffer(), o.keepAlive(), old.reuseAddress(),
                old.reusePort(), old.maxSegmentSize(), o.keepAliveIdleNanos(), o.keepAliveIntervalNanos(),
                o.keepAliveProbes());
        if (o.sendBuffer() > 0) {
            sndBufCap = o.sendBuffer();
        }
        if (o.receiveBuffer() > 0) {
            rcvBufCap = o.receiveBuffer();
        }
        if (options.keepAlive() && !old.keepAlive()) {
            keepAliveProbes = 0;
            armKeepAlive(now);
        } else if (!options.keepAlive()) {
            keepAliveAt = NEVER;
        }
        if (options.noDelay() && !old.noDelay()) {
            // Linux: setting TCP_NODELAY pushes what Nagle was holding back.
            output(now);
        }
        finish();
    }

    /**
     * Copies up to {@code len} bytes into the send buffer and sends what the windows allow.
     *
     * @return bytes accepted; 0 when the buffer is full or the connection is not established yet
     * @throws TcpException EPIPE after shutdownOutput/close, or the error that ended the connection
     */
    public int send(byte[] b, int off, int len) {
        layer.checkLoop();
        if (off < 0 || len < 0 || off + len > b.length) {
            throw new TcpException(TcpError.INVALID_ARGUMENT, "range " + off + "+" + len + " of " + b.length);
        }
        if (error != null) {
            throw new TcpException(error, tuple);
        }
        switch (state) {
            case SYN_SENT, SYN_RECEIVED -> {
                return 0;
            }
            case ESTABLISHED, CLOSE_WAIT -> {
                if (finQueued) {
                    throw new TcpException(TcpError.BROKEN_PIPE, "output shut down");
                }
            }
            case CLOSED -> throw new TcpException(active || parent != null ? TcpError.BROKEN_PIPE : TcpError.NOT_CONNECTED,
                    tuple);
            default -> throw new TcpException(TcpError.BROKEN_PIPE, "output shut down (" + state + ")");
        }
        int n = Math.min(len, Math.max(0, sndBufCap - sendBuf.length()));
        if (n > 0) {
            sendBuf.append(b, off, n);
            output(layer.now());
        }
        finish();
        return n;
    }

    /**
     * Reads up to {@code len} bytes of in-order data.
     *
     * @return bytes read; 0 when nothing is available yet; -1 at end of stream (the peer's FIN)
     * @throws TcpException the error that ended the connection, once the buffered data is read
     */
    public int receive(byte[] b, int off, int len) {
        return read(b, off, len, false);
    }

    /**
     * Copies up to {@code len} bytes of in-order data without taking them from the receive buffer
     * (recv with MSG_PEEK, as Linux's tcp_recvmsg peeks): the window does not move, and the next
     * receive returns the same bytes.
     *
     * @return bytes copied; 0 when nothing is available yet; -1 at end of stream
     * @throws TcpException the error that ended the connection, once the buffered data is gone
     */
    public int peek(byte[] b, int off, int len) {
        return read(b, off, len, true);
    }

    private int read(byte[] b, int off, int len, boolean peek) {
        layer.checkLoop();
        if (off < 0 || len < 0 || off + len > b.length) {
            throw new TcpException(TcpError.INVALID_ARGUMENT, "range " + off + "+" + len + " of " + b.length);
        }
        if (!recvBuf.isEmpty()) {
            if (peek) {
                int n = Math.min(len, recvBuf.length());
                recvBuf.copy(0, b, off, n);
                return n;
            }
            int n = recvBuf.read(b, off, len);
            adjustReceiveSpace(layer.now());
            afterRead(layer.now());
            finish();
            return n;
        }
        if (peerFin) {
            return -1;
        }
        if (error != null) {
            throw new TcpException(error, tuple);
        }
        if (state == TcpState.CLOSED && (active || parent != null)) {
            return -1;
        }
        return 0;
    }

    /** Bytes that {@link #receive} can return now. */
    public int available() {
        return recvBuf.length();
    }

    /** True once the peer's FIN has arrived (reads return -1 after the buffered data). */
    public boolean endOfStream() {
        return peerFin;
    }

    /** Room left in the send buffer. */
    public int sendBufferFree() {
        return Math.max(0, sndBufCap - sendBuf.length());
    }

    /** Bytes in the send buffer: unacknowledged and not yet sent (ss Send-Q). */
    public int sendQueueLength() {
        return sendBuf.length();
    }

    /** shutdown(SHUT_WR): a FIN follows the queued data (RFC 9293 section 3.10.4, CLOSE of one direction). */
    public void shutdownOutput() {
        layer.checkLoop();
        long now = layer.now();
        switch (state) {
            case SYN_SENT -> closeNow(null, "shutdown in SYN-SENT");
            case SYN_RECEIVED -> finQueued = true; // sent once the handshake completes
            case ESTABLISHED -> {
                // RFC 9293 section 3.10.4: "Queue this until all preceding SENDs have been
                // segmentized, then form a FIN segment and send it. In any case, enter FIN-WAIT-1 state."
                finQueued = true;
                setState(TcpState.FIN_WAIT_1, "shutdown");
                output(now);
            }
            case CLOSE_WAIT -> {
                // RFC 9293 section 3.10.4, CLOSE-WAIT: "Queue this request until all preceding SENDs
                // have been segmentized; then send a FIN segment, enter LAST-ACK state."
                finQueued = true;
                setState(TcpState.LAST_ACK, "shutdown");
                output(now);
            }
            default -> {
            }
        }
        finish();
    }

    /**
     * close(): RFC 9293 section 3.10.4. With unread received data the connection is reset instead
     * (RFC 2525 section 2.17, as Linux does), so the peer learns that data was lost.
     */
    public void close() {
        layer.checkLoop();
        long now = layer.now();
        orphan = true;
        userClosedNotified = true;
        if (!recvBuf.isEmpty() && state != TcpState.CLOSED && state != TcpState.TIME_WAIT) {
            layer.count("resets_on_close_with_unread_data");
            layer.event(this, "close_with_unread_data", "unread", recvBuf.length());
            resetAndClose(null, "close with unread data");
            finish();
            return;
        }
        switch (state) {
            case SYN_SENT -> closeNow(null, "close in SYN-SENT"); // "Delete the TCB"
            case SYN_RECEIVED, ESTABLISHED, CLOSE_WAIT -> shutdownOutput();
            case FIN_WAIT_2 -> armFinWait2(now);
            default -> {
            }
        }
        finish();
    }

    /** ABORT (RFC 9293 section 3.10.5): send a reset, drop everything. */
    public void abort() {
        layer.checkLoop();
        orphan = true;
        userClosedNotified = true;
        if (state == TcpState.CLOSED) {
            return;
        }
        if (state == TcpState.TIME_WAIT || state == TcpState.SYN_SENT) {
            closeNow(null, "abort");
        } else {
            resetAndClose(null, "abort");
        }
        finish();
    }

    public TcpInfo info() {
        return new TcpInfo(state, sendBuf.length(), recvBuf.length(), sndMss, peerMss, cwnd, ssthresh, rtt.rto(),
                rtt.srtt(), rtt.rttvar(), sndWnd, Math.max(0, rcvAdvRight.minus(rcvNxt)), wsOk ? sndWscale : -1,
                wsOk ? rcvWscale : -1, tsOk, retransmits, rtt.backoff(), bytesSent, bytesAcked, bytesReceived);
    }

    @Override
    public String toString() {
        return "TcpConnection[" + tuple + " " + state + "]";
    }

    // =================================================================== opening (called by the layer)

    String tuple() {
        return tuple;
    }

    TcpListener parent() {
        return parent;
    }

    boolean isOrphan() {
        return orphan;
    }

    /** Active OPEN (RFC 9293 section 3.10.1): send SYN, enter SYN-SENT. */
    void openActive(long now) {
        active = true;
        offerOptions7323 = true;
        iss = layer.secrets().isn(localAddress, localPort, remoteAddress, remotePort, now);
        initSend(iss);
        rcvWscale = windowScaleToOffer();
        setState(TcpState.SYN_SENT, "connect");
        sendSyn(now, false);
        timeSyn(now);
        armRetransmit(now);
        finish();
    }

    /** A SYN arrived at a listener: enter SYN-RECEIVED and answer SYN,ACK (RFC 9293 section 3.10.7.2). */
    void openPassive(long now, TcpSegment syn, TcpListener listener, SeqNum isn) {
        parent = listener;
        iss = isn;
        initSend(iss);
        irs = SeqNum.of(syn.sequence());
        rcvNxt = irs.plus(1);
        takeSynOptions(now, syn, true);
        // RFC 7323 section 2.2: the window in a SYN segment is never scaled.
        sndWnd = syn.window();
        maxSndWnd = sndWnd;
        sndWl1 = irs;
        sndWl2 = iss;
        setState(TcpState.SYN_RECEIVED, "syn received");
        sendSyn(now, true);
        timeSyn(now);
        armRetransmit(now);
        finish();
    }

    /**
     * The ACK of a SYN cookie was valid (RFC 4987 section 3.6): the connection is established
     * straight away with what the cookie remembered.
     */
    void openFromCookie(long now, TcpSegment ack, TcpListener listener, SeqNum cookieIss, int mss, int peerWscale,
                        boolean timestamps) {
        parent = listener;
        iss = cookieIss;
        initSend(iss);
        irs = SeqNum.of(ack.sequence()).minus(1);
        rcvNxt = irs.plus(1);
        peerMss = mss;
        offerOptions7323 = true;
        tsOk = timestamps && layer.config().timestamps();
        wsOk = peerWscale >= 0 && layer.config().windowScaling();
        sndWscale = wsOk ? peerWscale : 0;
        rcvWscale = wsOk ? windowScaleToOffer() : 0;
        if (tsOk) {
            TcpSegment.Timestamps ts = ack.timestamps();
            tsRecent = ts.value();
            tsRecentAt = now;
        }
        rcvAdvRight = rcvNxt.plus(Math.min(rcvBufCap, 65535));
        updateSendMss();
        sndUna = iss.plus(1);
        sndNxt = sndUna;
        sndMax = sndUna;
        synAcked = true;
        sndWnd = (long) ack.window() << sndWscale;
        maxSndWnd = sndWnd;
        sndWl1 = SeqNum.of(ack.sequence());
        sndWl2 = SeqNum.of(ack.acknowledgment());
        lastReceivedAt = now;
        initCongestion();
        setState(TcpState.SYN_RECEIVED, "syn cookie");
        setState(TcpState.ESTABLISHED, "cookie ack");
        armKeepAlive(now);
        finish();
    }

    /** The SYN is timed like data (RFC 6298 section 3: Karn's rule drops the sample if it is sent again). */
    private void timeSyn(long now) {
        rttTiming = true;
        rttSeq = iss;
        rttStart = now;
    }

    private void initSend(SeqNum isn) {
        sndUna = isn;
        sndNxt = isn.plus(1);
        sndMax = sndNxt;
        recover = isn;
        lastAckSent = SeqNum.ZERO;
    }

    /** Linux tcp_select_initial_window: the smallest shift that lets the largest buffer be offered. */
    private int windowScaleToOffer() {
        if (!layer.config().windowScaling()) {
            return 0;
        }
        long space = Math.max(layer.config().maxReceiveBuffer(), rcvBufCap);
        int shift = 0;
        while (space > 65535 && shift < 14) {
            space >>= 1;
            shift++;
        }
        return shift;
    }

    private void takeSynOptions(long now, TcpSegment syn, boolean passive) {
        int m = syn.mss();
        // RFC 9293 section 3.7.1: without the option, "the default MSS of 536" (RFC 6691 / RFC 879).
        peerMss = m > 0 ? m : DEFAULT_MSS;
        TcpConfig c = layer.config();
        int ws = syn.windowScale();
        // RFC 7323 section 2.2/2.3: scaling is on only when both SYNs carry the option; a shift above
        // 14 is taken as 14.
        wsOk = c.windowScaling() && ws >= 0 && (passive || offerOptions7323);
        if (wsOk && ws > 14) {
            layer.event(this, "option_clamped", "option", "wscale", "value", ws, "used", 14);
        }
        sndWscale = wsOk ? Math.min(ws, 14) : 0;
        rcvWscale = wsOk ? windowScaleToOffer() : 0;
        TcpSegment.Timestamps ts = syn.timestamps();
        // RFC 7323 section 3.2: timestamps are used only when both SYNs carry them.
        tsOk = c.timestamps() && ts != null && (passive || offerOptions7323);
        if (passive) {
            offerOptions7323 = true;
        }
        if (tsOk) {
            tsRecent = ts.value();
            tsRecentAt = now;
        }
        updateSendMss();
    }

    /**
     * RFC 6691 section 2 / RFC 9293 section 3.7.1: Eff.snd.MSS = min(SendMSS + 20, MMS_S) - 20 - 20
     * minus the TCP options we put on every segment (12 bytes of timestamps).
     */
    private void updateSendMss() {
        int m = Math.min(peerMss, Math.min(ourMss, pmtuMss));
        if (tsOk) {
            m -= TIMESTAMP_OPTION_LENGTH;
        }
        sndMss = Math.max(m, 64);
        // Linux's sk_setup_caps: with TSO on the route's interface, hand IP super-packets of whole
        // segments, up to what one datagram may carry and 64 segments (Linux also sizes them to
        // about 1 ms of its pacing rate, tcp_tso_autosize; we have no pacing).
        int tsoMax = layer.tsoMaxSize(remoteAddress);
        int header = Ipv4Packet.MIN_HEADER_LENGTH + TcpSegment.HEADER_LENGTH + (tsOk ? TIMESTAMP_OPTION_LENGTH : 0);
        tsoSegments = tsoMax <= 0 ? 1 : Math.max(1, Math.min(Tso.MAX_SEGMENTS, (tsoMax - header) / sndMss));
    }

    /** RFC 5681 section 3.1 with RFC 6928: IW = min(10*MSS, max(2*MSS, 14600)); the config says how many segments. */
    private void initCongestion() {
        long iw = Math.min((long) layer.config().initialWindowSegments() * sndMss, Math.max(2L * sndMss, 14600));
        if (layer.config().initialWindowSegments() < 10) {
            iw = (long) layer.config().initialWindowSegments() * sndMss;
        }
        cwnd = iw;
        // RFC 5681 section 3.1: "The initial value of ssthresh SHOULD be set arbitrarily high".
        ssthresh = Integer.MAX_VALUE;
        if (synRetransmitted && !rtt.hasSample()) {
            // RFC 6298 section 5.7: after a SYN timeout, RTO = 3 s when data transmission begins.
            rtt.setRto(3_000_000_000L);
        }
        if (synRetransmitted && !tsOk) {
            // RFC 5681 section 3.1: "if the SYN or SYN/ACK is lost, the initial window ... MUST be 1 SMSS".
            cwnd = sndMss;
        }
    }

    // =================================================================== segment arrival

    /** A segment for this connection's 4-tuple (RFC 9293 section 3.10.7). */
    void segmentArrives(long now, TcpSegment seg) {
        try {
            switch (state) {
                case CLOSED -> layer.resetForClosed(localAddress, remoteAddress, seg);
                case LISTEN -> { }
                case SYN_SENT -> synSentArrives(now, seg);
                default -> otherArrives(now, seg);
            }
        } finally {
            finish();
        }
    }

    /** RFC 9293 section 3.10.7.3: SYN-SENT STATE. */
    private void synSentArrives(long now, TcpSegment seg) {
        SeqNum ack = SeqNum.of(seg.acknowledgment());
        SeqNum seq = SeqNum.of(seg.sequence());
        boolean ackAcceptable = false;
        if (seg.ack()) {
            // "If SEG.ACK =< ISS or SEG.ACK > SND.NXT, send a reset (unless the RST bit is set, if so
            // drop the segment and return) <SEQ=SEG.ACK><CTL=RST>".
            if (ack.le(iss) || ack.gt(sndMax)) {
                layer.drop(this, "bad_ack_in_syn_sent", "ack", ack.unsigned());
                if (!seg.rst()) {
                    layer.sendReset(localAddress, localPort, remoteAddress, remotePort, ack, null, "unacceptable ack in SYN-SENT");
                }
                return;
            }
            ackAcceptable = true; // SND.UNA < SEG.ACK =< SND.NXT
        }
        if (seg.rst()) {
            // "If the ACK was acceptable, then signal to the user "error: connection reset", drop
            // the segment, enter CLOSED state". RFC 5961 section 3.2 keeps this for SYN-SENT.
            if (ackAcceptable) {
                layer.resetReceived(this);
                closeNow(TcpError.REFUSED, "reset in SYN-SENT");
            } else {
                layer.drop(this, "rst_without_ack_in_syn_sent");
            }
            return;
        }
        if (!seg.syn()) {
            // "If neither of the SYN or RST bits is set, then drop the segment and return."
            layer.drop(this, "no_syn_in_syn_sent");
            return;
        }
        // Fourth: the SYN bit. "RCV.NXT is set to SEG.SEQ+1, IRS is set to SEG.SEQ."
        irs = seq;
        rcvNxt = seq.plus(1);
        takeSynOptions(now, seg, false);
        lastReceivedAt = now;
        // RFC 7323 section 2.2: the window of a SYN is not scaled.
        sndWnd = seg.window();
        maxSndWnd = sndWnd;
        sndWl1 = seq;
        sndWl2 = ack;
        if (ackAcceptable) {
            // "SND.UNA should be advanced to equal SEG.ACK ... If SND.UNA > ISS (our SYN has been
            // ACKed), change the connection state to ESTABLISHED, form an ACK segment and send it".
            sampleRtt(now, seg, ack);
            sndUna = ack;
            synAcked = true;
            rtxAt = NEVER;
            retries = 0;
            rtt.resetBackoff();
            initCongestion();
            // The window our SYN offered now starts at RCV.NXT (data may ride on the SYN,ACK).
            rcvAdvRight = rcvNxt.plus(Math.min(rcvBufCap, 65535));
            setState(finQueued ? TcpState.FIN_WAIT_1 : TcpState.ESTABLISHED, "syn-ack received");
            pendingEvents |= EV_ESTABLISHED | EV_WRITABLE;
            armKeepAlive(now);
            if (seg.payloadLength() > 0 || seg.fin()) {
                receiveText(now, seq.plus(1), seg.payloadArray(), seg.payloadOffset(), seg.payloadLength(), seg.fin());
            }
            ackNow = true;
            output(now);
        } else {
            // Simultaneous open: "enter SYN-RECEIVED, form a SYN,ACK segment
            // <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK> and send it."
            rcvAdvRight = rcvNxt;
            setState(TcpState.SYN_RECEIVED, "simultaneous open");
            retries = 0;
            sendSyn(now, true);
            armRetransmit(now);
        }
    }

    /** RFC 9293 section 3.10.7.4: every state after SYN-SENT. */
    private void otherArrives(long now, TcpSegment seg) {
        SeqNum seq = SeqNum.of(seg.sequence());
        SeqNum ack = SeqNum.of(seg.acknowledgment());
        int len = seg.sequenceLength();
        TcpSegment.Timestamps ts = seg.timestamps();
        if (state == TcpState.SYN_RECEIVED && seg.syn() && !seg.ack() && seq.equals(irs)) {
            // Our SYN,ACK was lost and the peer sent its SYN again: answer it again (Linux tcp_check_req).
            layer.event(this, "syn_retransmission_received");
            sendSyn(now, true);
            return;
        }
        if (tsOk && !seg.rst()) {
            if (ts == null) {
                // RFC 7323 section 3.2: "If a non-<RST> segment is received without a TSopt, a TCP
                // SHOULD silently drop the segment."
                layer.drop(this, "missing_timestamp");
                return;
            }
            // RFC 7323 section 5.3 (PAWS), R1: "If there is a Timestamps option in the arriving
            // segment, SEG.TSval < TS.Recent, TS.Recent is valid ... then treat the arriving segment
            // as not acceptable: Send an acknowledgment in reply ... and drop the segment."
            if ((int) (ts.value() - tsRecent) < 0 && now - tsRecentAt < PAWS_IDLE_NANOS) {
                layer.drop(this, "paws", "tsval", ts.value(), "ts_recent", tsRecent);
                ackNow = true;
                sendAck(now);
                return;
            }
        }
        // First: check the sequence number (the four cases of RFC 9293 section 3.10.7.4).
        int rcvWnd = Math.max(0, rcvAdvRight.minus(rcvNxt));
        boolean acceptable = acceptable(seq, len, rcvWnd);
        if (!acceptable && rcvWnd == 0 && seq.equals(rcvNxt)) {
            // "If the RCV.WND is zero, no segments will be acceptable, but special allowance should
            // be made to accept valid ACKs, URGs, and RSTs": the data is trimmed off below.
            acceptable = true;
        }
        if (!acceptable) {
            // "If an incoming segment is not acceptable, an acknowledgment should be sent in reply
            // (unless the RST bit is set, if so drop the segment and return)".
            if (seg.rst()) {
                layer.drop(this, "rst_out_of_window", "seq", seq.unsigned(), "rcv_nxt", rcvNxt.unsigned());
            } else {
                layer.drop(this, "out_of_window", "seq", seq.unsigned(), "len", len, "rcv_nxt", rcvNxt.unsigned(),
                        "rcv_wnd", rcvWnd);
                if (state == TcpState.TIME_WAIT && seg.fin()) {
                    // RFC 9293 section 3.10.7.4, TIME-WAIT: "The only thing that can arrive in this
                    // state is a retransmission of the remote FIN. Acknowledge it, and restart the
                    // 2 MSL timeout."
                    closeAt = now + layer.config().timeWaitNanos();
                }
                ackNow = true;
                sendAck(now);
            }
            return;
        }
        lastReceivedAt = now;
        keepAliveProbes = 0;
        if (tsOk && ts != null && seg.payloadLength() > 0 && ts.echoReply() != 0 && ts.echoReply() != rcvRttEcho) {
            // The receiver's RTT (Linux tcp_rcv_rtt_measure_ts): our clock now minus the timestamp
            // the data echoes, at least one tick, once per echoed value (later segments echoing the
            // same one would only add their queueing); smoothed 7/8 as SRTT.
            rcvRttEcho = ts.echoReply();
            long ticks = Math.max(1, (tsNow(now) - ts.echoReply()) & 0xFFFFFFFFL);
            if (ticks < 60_000) {
                long sample = ticks * MS;
                rcvRttNanos = rcvRttNanos == 0 ? sample : (7 * rcvRttNanos + sample) / 8;
            }
        }
        if (tsOk && ts != null && (int) (ts.value() - tsRecent) >= 0 && seq.le(lastAckSent)) {
            // RFC 7323 section 4.3 (2): "If SEG.TSval >= TS.Recent and SEG.SEQ =< Last.ACK.sent then
            // SEG.TSval is copied to TS.Recent".
            tsRecent = ts.value();
            tsRecentAt = now;
        }
        // Second: the RST bit, with RFC 5961 section 3.2.
        if (seg.rst()) {
            if (seq.equals(rcvNxt)) {
                // "If the RST bit is set and the sequence number exactly matches the next expected
                // sequence value (RCV.NXT), then TCP MUST reset the connection."
                layer.resetReceived(this);
                resetArrived();
            } else {
                // "Otherwise (the sequence number does not exactly match RCV.NXT but is within the
                // window), TCP MUST send an acknowledgment (challenge ACK)".
                challengeAck(now, "rst_in_window");
            }
            return;
        }
        // Fourth: the SYN bit.
        if (seg.syn()) {
            if (state == TcpState.SYN_RECEIVED && parent != null) {
                // RFC 9293: "If the connection was initiated with a passive OPEN, then return this
                // connection to the LISTEN state and return."
                layer.drop(this, "syn_in_syn_received");
                closeNow(null, "syn in SYN-RECEIVED");
                return;
            }
            // RFC 5961 section 4.2: "TCP MUST send an ACK (also referred to as challenge ACK) to the
            // remote peer" whatever the sequence number, and drop the segment.
            challengeAck(now, "syn_in_synchronized_state");
            return;
        }
        // Fifth: the ACK field. "If the ACK bit is off, drop the segment and return."
        if (!seg.ack()) {
            layer.drop(this, "no_ack");
            return;
        }
        if (state == TcpState.SYN_RECEIVED) {
            // "If SND.UNA < SEG.ACK =< SND.NXT, then enter ESTABLISHED state ... If the segment
            // acknowledgment is not acceptable, form a reset segment <SEQ=SEG.ACK><CTL=RST>".
            if (!(sndUna.lt(ack) && ack.le(sndMax))) {
                layer.drop(this, "bad_ack_in_syn_received", "ack", ack.unsigned());
                layer.sendReset(localAddress, localPort, remoteAddress, remotePort, ack, null,
                        "unacceptable ack in SYN-RECEIVED");
                return;
            }
            if (parent != null && !layer.promote(this)) {
                // Linux (tcp_check_req with tcp_abort_on_overflow = 0): the accept queue is full, so
                // the ACK is dropped and the connection stays in SYN-RECEIVED; the SYN,ACK timer
                // goes on and the peer's next ACK or data tries again.
                return;
            }
            sampleRtt(now, seg, ack);
            sndUna = sndUna.plus(1);
            synAcked = true;
            retries = 0;
            rtxAt = NEVER;
            rtt.resetBackoff();
            // "set SND.WND <- SEG.WND, SND.WL1 <- SEG.SEQ, SND.WL2 <- SEG.ACK".
            sndWnd = (long) seg.window() << sndWscale;
            maxSndWnd = Math.max(maxSndWnd, sndWnd);
            sndWl1 = seq;
            sndWl2 = ack;
            initCongestion();
            setState(finQueued ? TcpState.FIN_WAIT_1 : TcpState.ESTABLISHED, "ack of syn-ack");
            if (parent == null) {
                pendingEvents |= EV_ESTABLISHED | EV_WRITABLE;
            }
            armKeepAlive(now);
        }
        // RFC 5961 section 5.2: the ACK value is acceptable only if it is in
        // [SND.UNA - MAX.SND.WND, SND.NXT]; otherwise send a (challenge) ACK and drop the segment.
        // RFC 9293: "If the ACK acks something not yet sent (SEG.ACK > SND.NXT), then send an ACK".
        if (ack.gt(sndMax) || ack.lt(sndUna.minus(maxSndWnd))) {
            challengeAck(now, "ack_unacceptable");
            return;
        }
        processAck(now, seg, seq, ack);
        if (state == TcpState.CLOSED) {
            return;
        }
        // Sixth: the URG bit. Urgent data is delivered inline (RFC 6093 section 6 advises
        // applications not to use it); the urgent pointer is ignored.
        // Seventh: segment text, and eighth: the FIN bit.
        int dataLength = seg.payloadLength();
        if (dataLength > 0 || seg.fin()) {
            switch (state) {
                case ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2 -> {
                    if (orphan && dataLength > 0 && seq.plus(dataLength).gt(rcvNxt)) {
                        // The application closed: new data has no reader. Linux resets
                        // (tcp_rcv_state_process, RCV_SHUTDOWN) so the peer learns it was not read.
                        layer.drop(this, "data_after_close", "length", dataLength);
                        resetAndClose(null, "data after close");
                        return;
                    }
                    receiveText(now, seq, seg.payloadArray(), seg.payloadOffset(), dataLength, seg.fin());
                }
                default -> {
                    // CLOSE-WAIT, CLOSING, LAST-ACK, TIME-WAIT: "This should not occur since a FIN
                    // has been received from the remote side. Ignore the segment text."
                    if (seg.fin() && state == TcpState.TIME_WAIT) {
                        closeAt = now + layer.config().timeWaitNanos();
                        ackNow = true;
                    }
                }
            }
        }
        output(now);
    }

    /** The four acceptability cases of RFC 9293 section 3.10.7.4. */
    private boolean acceptable(SeqNum seq, int len, int rcvWnd) {
        SeqNum end = rcvNxt.plus(rcvWnd);
        if (len == 0) {
            return rcvWnd == 0 ? seq.equals(rcvNxt) : seq.inWindow(rcvNxt, end);
        }
        if (rcvWnd == 0) {
            return false;
        }
        return seq.inWindow(rcvNxt, end) || seq.plus(len - 1).inWindow(rcvNxt, end);
    }

    /** RFC 9293 section 3.10.7.4, second check, what a valid RST does in each state. */
    private void resetArrived() {
        switch (state) {
            case SYN_RECEIVED -> {
                if (parent != null) {
                    // "If this connection was initiated with a passive OPEN (i.e., came from the
                    // LISTEN state), then return this connection to LISTEN state and return."
                    closeNow(null, "reset in SYN-RECEIVED");
                } else {
                    // "If this connection was initiated with an active OPEN ... the connection was
                    // refused; signal the user "connection refused"".
                    closeNow(TcpError.REFUSED, "reset in SYN-RECEIVED");
                }
            }
            // "any outstanding RECEIVEs and SEND should receive "reset" responses ... enter the CLOSED state".
            case ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT -> closeNow(TcpError.RESET, "reset received");
            // CLOSING, LAST-ACK, TIME-WAIT: "enter the CLOSED state, delete the TCB, and return".
            default -> closeNow(null, "reset received");
        }
    }

    /** RFC 5961 section 3.2 / 4.2 / 5.2: an ACK for RCV.NXT, rate limited per node (section 7). */
    private void challengeAck(long now, String why) {
        if (!layer.allowChallengeAck(now)) {
            layer.drop(this, "challenge_ack_rate_limited", "why", why);
            return;
        }
        layer.count("challenge_acks");
        layer.event(this, "challenge_ack", "why", why);
        ackNow = true;
        sendAck(now);
    }

    // =================================================================== ACK processing

    private void processAck(long now, TcpSegment seg, SeqNum seq, SeqNum ack) {
        long segWnd = (long) seg.window() << sndWscale;
        SeqNum oldUna = sndUna;
        if (ack.gt(sndUna)) {
            int acked = ack.minus(sndUna);
            int dataAcked = Math.min(acked, sendBuf.length());
            boolean finAcked = finSent && ack.gt(finSeq);
            sampleRtt(now, seg, ack);
            sendBuf.discard(dataAcked);
            bytesAcked += dataAcked;
            sndUna = ack;
            if (sndNxt.lt(sndUna)) {
                sndNxt = sndUna;
            }
            retries = 0;
            persistProbes = 0;
            rtt.resetBackoff();
            boolean restart = newAck(now, dataAcked, ack);
            // RFC 6298 section 5.2: "When all outstanding data has been acknowledged, turn off the
            // retransmission timer." Section 5.3: "When an ACK is received that acknowledges new
            // data, restart the retransmission timer so that it will expire after RTO seconds".
            if (sndUna.equals(sndMax)) {
                rtxAt = NEVER;
            } else if (restart) {
                rtxAt = now + rtt.rto();
            }
            if (dataAcked > 0) {
                pendingEvents |= EV_WRITABLE;
            }
            if (finAcked) {
                ourFinAcked(now);
            }
        } else if (ack.equals(sndUna) && seg.payloadLength() == 0 && !seg.syn() && !seg.fin()
                && segWnd == sndWnd && !sndMax.equals(sndUna)) {
            // RFC 5681 section 2, DUPLICATE ACKNOWLEDGMENT: outstanding data, no data, no SYN/FIN,
            // SEG.ACK = SND.UNA, and the advertised window unchanged.
            dupAck(now, ack);
        }
        // RFC 9293 section 3.10.7.4: "If SND.UNA =< SEG.ACK =< SND.NXT, the send window should be
        // updated. If (SND.WL1 < SEG.SEQ or (SND.WL1 = SEG.SEQ and SND.WL2 =< SEG.ACK)), set
        // SND.WND <- SEG.WND, set SND.WL1 <- SEG.SEQ, and set SND.WL2 <- SEG.ACK."
        if (ack.ge(oldUna) && (sndWl1.lt(seq) || (sndWl1.equals(seq) && sndWl2.le(ack)))) {
            boolean opened = sndWnd == 0 && segWnd > 0;
            sndWnd = segWnd;
            maxSndWnd = Math.max(maxSndWnd, sndWnd);
            sndWl1 = seq;
            sndWl2 = ack;
            if (opened) {
                layer.event(this, "window_opened", "window", sndWnd);
                persistAt = NEVER;
                persistBackoff = 0;
            }
        }
        if (persistAt != NEVER) {
            persistProbes = 0; // the peer answered
        }
    }

    private void ourFinAcked(long now) {
        switch (state) {
            // RFC 9293 FIN-WAIT-1: "if the FIN segment is now acknowledged, then enter FIN-WAIT-2".
            case FIN_WAIT_1 -> {
                setState(TcpState.FIN_WAIT_2, "fin acked");
                if (orphan) {
                    armFinWait2(now);
                }
            }
            // CLOSING: "if the ACK acknowledges our FIN, then enter the TIME-WAIT state".
            case CLOSING -> enterTimeWait(now);
            // LAST-ACK: "If our FIN is now acknowledged, delete the TCB, enter the CLOSED state".
            case LAST_ACK -> closeNow(null, "fin acked");
            default -> {
            }
        }
    }

    /** RFC 7323 section 4 (timestamps) or Karn's algorithm (RFC 6298 section 3) for one RTT sample. */
    private void sampleRtt(long now, TcpSegment seg, SeqNum ack) {
        TcpSegment.Timestamps ts = tsOk ? seg.timestamps() : null;
        long r = -1;
        if (ts != null && ts.echoReply() != 0) {
            // RFC 7323 section 4.1: RTT = current time - TSecr, for ACKs that advance the left edge.
            // An echo older than our last timeout retransmission belongs to the original
            // transmission while the ACK may answer the retransmission (its first ACK was lost);
            // such samples would include the whole backoff and feed on themselves, so they are
            // skipped in the spirit of Karn's rule (RFC 6298 section 3).
            long ms = (tsNow(now) - ts.echoReply()) & 0xFFFFFFFFL;
            boolean beforeRetransmit = rtxTsFloorValid && (int) (ts.echoReply() - rtxTsFloor) < 0;
            if (ms < 0x7FFFFFFFL && !beforeRetransmit) {
                r = ms * MS;
            }
        } else if (rttTiming && ack.gt(rttSeq)) {
            r = now - rttStart;
        }
        if (rttTiming && ack.gt(rttSeq)) {
            rttTiming = false;
        }
        if (r >= 0) {
            rtt.sample(r);
        }
    }

    /**
     * RFC 5681 sections 3.1-3.2 and RFC 6582 section 3.2 on an ACK of new data.
     *
     * @return false when the retransmission timer must keep running (a later partial ACK)
     */
    private boolean newAck(long now, int acked, SeqNum ack) {
        if (inRecovery) {
            if (ack.ge(recover)) {
                // RFC 6582 section 3.2 step 3, full acknowledgment: "Set cwnd to either (1) min
                // (ssthresh, max(FlightSize, SMSS) + SMSS) or (2) ssthresh ... Exit the fast recovery procedure."
                long flight = sndMax.minus(sndUna);
                cwnd = Math.min(ssthresh, Math.max(flight, sndMss) + sndMss);
                inRecovery = false;
                dupAcks = 0;
                layer.event(this, "recovery_exit", "ack", ack.unsigned(), "cwnd", cwnd);
                return true;
            } else {
                // Step 4, partial acknowledgment: "retransmit the first unacknowledged segment ...
                // deflate the congestion window by the amount of new data acknowledged by the
                // Cumulative Acknowledgment field. If the partial ACK acknowledges at least one SMSS
                // of new data, then add back SMSS bytes to the congestion window."
                cwnd = Math.max(sndMss, cwnd - acked + (acked >= sndMss ? sndMss : 0));
                retransmitFirst(now, "partial_ack");
                // "For the first partial ACK that arrives during fast recovery, also reset the
                // retransmit timer."
                boolean first = !partialAckSeen;
                partialAckSeen = true;
                return first;
            }
        }
        dupAcks = 0;
        // With TSO one ACK covers a whole super-packet (up to 44 segments): counted as one ACK it
        // would add one SMSS per round trip. Like Linux (tcp_slow_start and tcp_cong_avoid_ai count
        // the segments acknowledged: RFC 3465 byte counting without its L limit), such an ACK counts
        // once for every segment it covers. Without TSO each ACK counts once, as RFC 5681 says.
        long segments = tsoSegments > 1 ? Math.max(1, acked / sndMss) : 1;
        if (cwnd < ssthresh) {
            // RFC 5681 section 3.1, slow start: "cwnd += min (N, SMSS)" (equation 2), per segment covered.
            cwnd += Math.min(acked, segments * sndMss);
        } else {
            // Congestion avoidance: "cwnd += SMSS*SMSS/cwnd" per ACK (equation 3), at least 1 byte.
            cwnd += Math.max(1, segments * sndMss * sndMss / Math.max(cwnd, 1));
        }
        cwnd = Math.min(cwnd, 1L << 30);
        expandSendBuffer();
        return true;
    }

    /** RFC 5681 section 3.2 with RFC 6582: three duplicate ACKs start fast retransmit. */
    private void dupAck(long now, SeqNum ack) {
        dupAcks++;
        layer.count("duplicate_acks_received");
        if (inRecovery) {
            // RFC 5681 section 3.2 step 4: "For each additional duplicate ACK received (after the
            // third), cwnd MUST be incremented by SMSS." Step 5: send new data if allowed.
            cwnd += sndMss;
            return;
        }
        if (dupAcks == 3) {
            // RFC 6582 section 3.2 step 2: enter fast retransmit only if the cumulative ACK covers
            // more than "recover" (else these are duplicates of segments sent before a timeout).
            if (!ack.gt(recover) && !recover.equals(iss)) {
                layer.event(this, "fast_retransmit_suppressed", "ack", ack.unsigned(), "recover", recover.unsigned());
                return;
            }
            long flight = sndMax.minus(sndUna);
            // RFC 5681 equation 4: "ssthresh = max (FlightSize / 2, 2*SMSS)".
            ssthresh = Math.max(flight / 2, 2L * sndMss);
            recover = sndMax;
            inRecovery = true;
            partialAckSeen = false;
            layer.count("fast_retransmits");
            retransmitFirst(now, "fast");
            // "set cwnd to ssthresh plus 3*SMSS. This artificially "inflates" the congestion window
            // by the number of segments (three) that have left the network".
            cwnd = ssthresh + 3L * sndMss;
            layer.event(this, "recovery_enter", "recover", recover.unsigned(), "ssthresh", ssthresh, "cwnd", cwnd);
        }
    }

    // =================================================================== receiving data

    /** RFC 9293 section 3.10.7.4, seventh and eighth: queue the text in order, then the FIN. */
    /** Segment text [off, off + len) of {@code a} (the received frame: read, never kept) at {@code seq}. */
    private void receiveText(long now, SeqNum seq, byte[] a, int off, int len, boolean fin) {
        int skip = rcvNxt.minus(seq);
        if (skip > 0) {
            // Already received: trim the head (a FIN beyond it is still new).
            if (skip > len) {
                fin = false;
            }
            int cut = Math.min(skip, len);
            off += cut;
            len -= cut;
            seq = rcvNxt;
        }
        int room = rcvAdvRight.minus(seq);
        if (len > Math.max(room, 0)) {
            // Beyond the window we offered: trim the tail (and a FIN after it).
            layer.drop(this, "beyond_window", "bytes", len - Math.max(room, 0));
            len = Math.max(room, 0);
            fin = false;
            ackNow = true;
        }
        if (seq.equals(rcvNxt)) {
            boolean hadHoles = !outOfOrder.isEmpty();
            if (len > 0) {
                deliver(a, off, len);
                bytesSinceAck += len;
                // The peer's segment size as seen (Linux tcp_measure_rcv_mss), for the every-second-segment rule.
                rcvMss = Math.max(rcvMss, Math.min(len, ourMss));
            }
            drainOutOfOrder();
            if (fin) {
                finArrived(now);
            } else if (oooFinAbs >= 0 && oooFinAbs == rcvNxtAbs) {
                oooFinAbs = -1;
                finArrived(now);
            }
            if (hadHoles) {
                // RFC 5681 section 4.2: "an immediate ACK SHOULD be generated when the incoming
                // segment fills in all or part of a gap in the sequence space."
                ackNow = true;
            } else if (bytesSinceAck >= 2 * rcvMss) {
                // RFC 1122 section 4.2.3.2 / RFC 5681 section 4.2: "an ACK SHOULD be generated for
                // at least every second full-sized segment".
                ackNow = true;
            } else if (len > 0 && delAckAt == NEVER) {
                // RFC 1122 section 4.2.3.2: delayed ACK, "the delay MUST be less than 0.5 seconds".
                delAckAt = now + layer.config().delayedAckNanos();
            }
        } else {
            // Out of order: keep it within the window and ACK at once (RFC 5681 section 4.2: "A TCP
            // receiver SHOULD send an immediate duplicate ACK when an out-of-order segment arrives").
            long start = rcvNxtAbs + seq.minus(rcvNxt);
            if (len > 0) {
                insertOutOfOrder(start, Arrays.copyOfRange(a, off, off + len)); // kept: a copy of its own
            }
            if (fin) {
                oooFinAbs = start + len;
            }
            layer.count("out_of_order_segments");
            layer.event(this, "out_of_order", "seq", seq.unsigned(), "len", len, "rcv_nxt", rcvNxt.unsigned(),
                    "queued", outOfOrderBytes());
            ackNow = true;
        }
    }

    private void deliver(byte[] a, int off, int len) {
        recvBuf.append(a, off, len);
        rcvNxt = rcvNxt.plus(len);
        rcvNxtAbs += len;
        bytesReceived += len;
        pendingEvents |= EV_READABLE;
    }

    private void insertOutOfOrder(long start, byte[] data) {
        long end = start + data.length;
        Map.Entry<Long, byte[]> before = outOfOrder.floorEntry(start);
        if (before != null) {
            long bEnd = before.getKey() + before.getValue().length;
            if (bEnd >= end) {
                return; // already held
            }
            if (bEnd > start) {
                data = Arrays.copyOfRange(data, (int) (bEnd - start), data.length);
                start = bEnd;
            }
        }
        Map.Entry<Long, byte[]> next;
        while ((next = outOfOrder.ceilingEntry(start)) != null && next.getKey() < end) {
            long nEnd = next.getKey() + next.getValue().length;
            if (nEnd <= end) {
                outOfOrder.remove(next.getKey());
            } else {
                data = Arrays.copyOf(data, (int) (next.getKey() - start));
                break;
            }
        }
        if (data.length > 0) {
            outOfOrder.put(start, data);
        }
    }

    private void drainOutOfOrder() {
        Map.Entry<Long, byte[]> e;
        while ((e = outOfOrder.firstEntry()) != null && e.getKey() <= rcvNxtAbs) {
            outOfOrder.pollFirstEntry();
            long skip = rcvNxtAbs - e.getKey();
            byte[] d = e.getValue();
            if (skip < d.length) {
                deliver(d, (int) skip, d.length - (int) skip);
            }
        }
    }

    private int outOfOrderBytes() {
        int n = 0;
        for (byte[] d : outOfOrder.values()) {
            n += d.length;
        }
        return n;
    }

    /** RFC 9293 section 3.10.7.4, eighth: the FIN bit. */
    private void finArrived(long now) {
        // "advance RCV.NXT over the FIN, and send an acknowledgment for the FIN."
        rcvNxt = rcvNxt.plus(1);
        peerFin = true;
        ackNow = true;
        pendingEvents |= EV_READABLE;
        layer.event(this, "fin_received");
        switch (state) {
            // "SYN-RECEIVED STATE, ESTABLISHED STATE: Enter the CLOSE-WAIT state."
            case SYN_RECEIVED, ESTABLISHED -> setState(TcpState.CLOSE_WAIT, "fin received");
            // "FIN-WAIT-1 STATE: If our FIN has been ACKed (perhaps in this segment), then enter
            // TIME-WAIT, start the time-wait timer, turn off the other timers; otherwise, enter the
            // CLOSING state."
            case FIN_WAIT_1 -> setState(TcpState.CLOSING, "simultaneous close");
            // "FIN-WAIT-2 STATE: Enter the TIME-WAIT state."
            case FIN_WAIT_2 -> enterTimeWait(now);
            default -> {
            }
        }
    }

    /** Linux __tcp_cleanup_rbuf: after a read, announce a window that at least doubled. */
    /**
     * Receive buffer autotuning (Linux's dynamic right-sizing, tcp_rcv_space_adjust): once per
     * receiver round trip, if the application read more than in the round trip before, the buffer
     * grows to twice that plus 16 segments, up to tcp_rmem[2], so the window never limits a reader
     * that keeps up.
     */
    private void adjustReceiveSpace(long now) {
        if (options.receiveBuffer() > 0) {
            return; // SO_RCVBUF set: the application chose the size
        }
        long rtt = rcvRttNanos > 0 ? rcvRttNanos : (this.rtt.hasSample() ? this.rtt.srtt() : 0);
        long consumed = rcvNxtAbs - recvBuf.length();
        if (rcvSpaceAt < 0) {
            rcvSpace = Math.min(rcvBufCap, 10L * ourMss);
            rcvSpaceStart = consumed;
            rcvSpaceAt = now;
            return;
        }
        if (rtt <= 0 || now - rcvSpaceAt < rtt) {
            return;
        }
        long copied = consumed - rcvSpaceStart;
        if (copied > rcvSpace) {
            long target = Math.min(layer.config().maxReceiveBuffer(), 2 * copied + 16L * ourMss);
            if (target > rcvBufCap) {
                layer.event(this, "buffer_autotune", "buffer", "receive", "from", rcvBufCap, "to", target,
                        "copied", copied, "rtt_us", rtt / 1000);
                rcvBufCap = (int) target;
            }
            rcvSpace = copied;
        }
        rcvSpaceStart = consumed;
        rcvSpaceAt = now;
    }

    /**
     * Send buffer autotuning (Linux's tcp_sndbuf_expand): room for twice the congestion window, at
     * least ten segments' worth, up to tcp_wmem[2], unless SO_SNDBUF fixed it.
     */
    private void expandSendBuffer() {
        if (options.sendBuffer() > 0) {
            return;
        }
        long need = 2 * Math.max(cwnd, 10L * sndMss);
        if (need <= sndBufCap) {
            return;
        }
        // In power-of-two steps (Linux rounds each segment's memory up to a power of two too), so
        // the buffer grows a handful of times per connection, not on every ACK.
        long target = Math.min(TcpConfig.MAX_SEND_BUFFER, Long.highestOneBit(need - 1) << 1);
        if (target > sndBufCap) {
            layer.event(this, "buffer_autotune", "buffer", "send", "from", sndBufCap, "to", target, "cwnd", cwnd);
            sndBufCap = (int) target;
            pendingEvents |= EV_WRITABLE;
        }
    }

    private void afterRead(long now) {
        if (peerFin || !state.synchronizedState() || state == TcpState.TIME_WAIT) {
            return;
        }
        long cur = Math.max(0, rcvAdvRight.minus(rcvNxt));
        long maxWin = (long) 65535 << rcvWscale;
        if (2 * cur <= Math.min(rcvBufCap, maxWin)) {
            long next = selectWindow(false);
            if (next > 0 && next >= 2 * cur) {
                layer.event(this, "window_update", "from", cur, "to", next);
                ackNow = true;
                output(now);
            }
        }
    }

    /**
     * The window to advertise: the free receive buffer, with receiver-side silly window syndrome
     * avoidance (RFC 9293 section 3.8.6.2.2, RFC 1122 section 4.2.3.3), never moving the right edge
     * back (RFC 9293 section 3.8.6.2.2: shrinking the window is "strongly discouraged"), rounded to
     * the window scale.
     */
    private long selectWindow(boolean commit) {
        long free = Math.max(0, (long) rcvBufCap - recvBuf.length() - outOfOrderBytes());
        long cur = Math.max(0, rcvAdvRight.minus(rcvNxt));
        long threshold = Math.min(rcvBufCap / 2, rcvMss);
        long wnd = free;
        // "The suggested SWS avoidance algorithm for the receiver is to keep RCV.NXT+RCV.WND fixed
        // until the reduction satisfies: RCV.BUFF - RCV.USER - RCV.WND >= min(Fr * RCV.BUFF, Eff.snd.MSS)".
        if (wnd > cur && wnd - cur < threshold) {
            wnd = cur;
        }
        if (wnd < cur) {
            wnd = cur;
        }
        long max = (long) 65535 << rcvWscale;
        wnd = Math.min(wnd, max);
        long unit = 1L << rcvWscale;
        wnd = (wnd + unit - 1) / unit * unit; // round up: never below the edge already offered
        wnd = Math.min(wnd, max);
        if (commit) {
            rcvAdvRight = rcvNxt.plus(wnd);
        }
        return wnd;
    }

    // =================================================================== sending

    /**
     * Sends what the send and congestion windows, Nagle and sender-side SWS avoidance allow, then
     * an ACK if one is due and no data carried it.
     */
    void output(long now) {
        boolean sentSomething = false;
        if (state.synchronizedState() && state != TcpState.TIME_WAIT && synAcked) {
            if (sndMax.equals(sndUna) && lastSentDataAt != 0 && now - lastSentDataAt > rtt.rto()) {
                // RFC 5681 section 4.1: after an idle period longer than the RTO, "cwnd is set to
                // RW = min(IW, cwnd)" before transmission restarts.
                long iw = Math.min(10L * sndMss, Math.max(2L * sndMss, 14600));
                if (cwnd > iw && sendBuf.length() > 0) {
                    cwnd = iw;
                    layer.event(this, "idle_restart", "cwnd", cwnd);
                }
            }
            int guard = 0;
            while (guard++ < 100_000) {
                if (finSent && sndNxt.gt(finSeq)) {
                    break; // everything, FIN included, is out
                }
                int off = sndNxt.minus(sndUna);
                int avail = sendBuf.length() - off;
                long wndEdge = Math.min(sndWnd, cwnd);
                long usable = wndEdge - off;
                boolean retransmission = sndNxt.lt(sndMax);
                // Retransmissions go one MSS at a time; new data may go as a TSO super-packet.
                int sizeGoal = retransmission ? sndMss : sndMss * tsoSegments;
                int len = (int) Math.max(0, Math.min(Math.min(sizeGoal, avail), usable));
                if (len > sndMss && len < avail) {
                    // Whole segments only, unless this is the tail of what was written (Linux's
                    // tcp_mss_split_point): a short piece waits under Nagle as any small segment.
                    len -= len % sndMss;
                }
                boolean fin = finQueued && off + len == sendBuf.length();
                if (len == 0 && !fin) {
                    break;
                }
                if (len > 0 && len < sndMss && !retransmission && !fin && !mayPushSmall(len, avail, off)) {
                    break;
                }
                if (len == 0 && fin && avail > 0) {
                    break; // data first
                }
                sendData(now, sndNxt, off, len, fin, retransmission);
                sentSomething = true;
                sndNxt = sndNxt.plus(len + (fin ? 1 : 0));
                if (sndNxt.gt(sndMax)) {
                    sndMax = sndNxt;
                }
                if (rtxAt == NEVER) {
                    // RFC 6298 section 5.1: "Every time a packet containing data is sent (including a
                    // retransmission), if the timer is not running, start it running".
                    rtxAt = now + rtt.rto();
                }
                if (fin) {
                    break;
                }
            }
            // Persist timer (RFC 9293 section 3.8.6.1, RFC 1122 section 4.2.2.17): data waits, nothing
            // is in flight, and the window lets nothing go.
            int unsent = sendBuf.length() - sndNxt.minus(sndUna);
            if (unsent > 0 && sndMax.equals(sndUna) && rtxAt == NEVER) {
                if (persistAt == NEVER) {
                    persistAt = now + persistInterval();
                    layer.event(this, "persist_start", "window", sndWnd, "unsent", unsent,
                            "timeout_ms", (persistAt - now) / MS);
                }
            } else if (persistAt != NEVER && (unsent == 0 || !sndMax.equals(sndUna))) {
                persistAt = NEVER;
            }
        }
        if (!sentSomething && ackNow) {
            sendAck(now);
        }
    }

    /**
     * RFC 9293 section 3.7.4 (Nagle, RFC 896) with section 3.8.6.2.1 (sender SWS avoidance): a
     * segment smaller than the MSS goes only when all queued data fits and nothing is unacknowledged
     * (or TCP_NODELAY), or when it fills half the largest window the peer ever offered.
     */
    private boolean mayPushSmall(int len, int avail, int off) {
        boolean nothingInFlight = sndNxt.equals(sndUna) && off == 0;
        if (len == avail && (options.noDelay() || nothingInFlight)) {
            return true;
        }
        return nothingInFlight && len >= maxSndWnd / 2;
    }

    private long persistInterval() {
        return Math.min(layer.config().maxRtoNanos(), rtt.rto() << Math.min(persistBackoff, 20));
    }

    private void sendData(long now, SeqNum seq, int off, int len, boolean fin, boolean retransmission) {
        int flags = TcpSegment.ACK;
        if (len > 0 && off + len == sendBuf.length()) {
            flags |= TcpSegment.PSH; // the last byte the application gave us (Linux sets PSH so)
        }
        if (fin) {
            flags |= TcpSegment.FIN;
            if (!finSent) {
                finSent = true;
                finSeq = seq.plus(len);
            }
        }
        if (retransmission) {
            rtxTsFloor = tsNow(now);
            rtxTsFloorValid = true;
            retransmits++;
            layer.retransmitted(this, seq, len + (fin ? 1 : 0), rtxReason);
            rttTiming = false; // Karn: no sample from a retransmitted segment (RFC 6298 section 3)
        } else {
            bytesSent += len;
            if (!rttTiming && len > 0 && !tsOk) {
                rttTiming = true;
                rttSeq = seq;
                rttStart = now;
            }
        }
        if (len > 0) {
            lastSentDataAt = now;
        }
        emit(now, seq, flags, off, len);
    }

    /** Retransmits the first unacknowledged segment (fast retransmit, partial ACK). */
    private void retransmitFirst(long now, String reason) {
        int len = Math.min(sndMss, sendBuf.length());
        boolean fin = finSent && len == sendBuf.length() && sndUna.plus(len).equals(finSeq);
        if (len == 0 && !fin) {
            return;
        }
        String old = rtxReason;
        rtxReason = reason;
        sendData(now, sndUna, 0, len, fin, true);
        rtxReason = old;
        if (rtxAt == NEVER) {
            rtxAt = now + rtt.rto();
        }
    }

    private void sendAck(long now) {
        if (state == TcpState.CLOSED || state == TcpState.LISTEN || state == TcpState.SYN_SENT) {
            return;
        }
        emit(now, sndNxt, TcpSegment.ACK, 0, 0);
    }

    private void sendSyn(long now, boolean synAck) {
        TcpSegment.Options o = new TcpSegment.Options().mss(ourMss);
        boolean ts = synAck ? tsOk : layer.config().timestamps();
        boolean ws = synAck ? wsOk : layer.config().windowScaling();
        // Linux's order without SACK: MSS, NOP, NOP, TS, NOP, WS.
        if (ts) {
            o.nop().nop().timestamps(tsNow(now), synAck ? tsRecent : 0);
        }
        if (ws) {
            o.nop().windowScale(rcvWscale);
        }
        // RFC 7323 section 2.2: the window of a SYN is not scaled.
        int window = (int) Math.min(rcvBufCap, 65535);
        rcvAdvRight = rcvNxt.plus(window);
        int flags = TcpSegment.SYN | (synAck ? TcpSegment.ACK : 0);
        TcpSegment seg = new TcpSegment(localPort, remotePort, iss.unsigned(), synAck ? rcvNxt.unsigned() : 0, flags,
                window, 0, o.build(), new byte[0]);
        if (synAck) {
            lastAckSent = rcvNxt;
        }
        layer.transmit(this, seg);
    }

    /**
     * Every non-SYN segment we send: ACK, window and timestamps filled in here; its data are bytes
     * [dataOff, dataOff + dataLen) of the send buffer. The segment is written straight into the
     * array that becomes its frame (room for the Ethernet and IPv4 headers left in front), so the
     * data are copied once on their way from the send buffer to the wire.
     */
    private void emit(long now, SeqNum seq, int flags, int dataOff, int dataLen) {
        byte[] opts = NO_BYTES;
        if (tsOk) {
            // RFC 7323 section 3.2: once negotiated, "the TSopt MUST be sent in every non-<RST> segment".
            opts = new TcpSegment.Options().nop().nop().timestamps(tsNow(now), tsRecent).build();
        }
        long wnd = selectWindow(true);
        int field = (int) Math.min(65535, wnd >> rcvWscale);
        TcpSegment header = new TcpSegment(localPort, remotePort, seq.unsigned(), rcvNxt.unsigned(), flags, field, 0,
                opts, NO_BYTES);
        int at = OutboundDatagram.FRAME_HEADROOM;
        int length = header.headerLength() + dataLen;
        byte[] buf = new byte[at + length];
        sendBuf.copy(dataOff, buf, at + header.headerLength(), dataLen);
        header.encodeHeaderInto(buf, at, dataLen, localAddress, remoteAddress);
        lastAckSent = rcvNxt;
        ackNow = false;
        delAckAt = NEVER;
        bytesSinceAck = 0;
        // A super-packet (TSO) tells IP the size of the segments it stands for.
        layer.transmit(this, header, buf, at, length, dataLen > sndMss ? sndMss : 0);
    }

    /** RFC 7323 section 5.4: a millisecond clock with a per-connection offset. */
    private long tsNow(long now) {
        return (now / MS + tsOffset) & 0xFFFFFFFFL;
    }

    private void resetAndClose(TcpError err, String why) {
        if (state.synchronizedState() || state == TcpState.SYN_RECEIVED) {
            // RFC 9293 section 3.10.5 (ABORT): "Send a reset segment: <SEQ=SND.NXT><CTL=RST>".
            layer.sendReset(localAddress, localPort, remoteAddress, remotePort, sndMax, null, why);
        }
        closeNow(err, why);
    }

    // =================================================================== timers

    /** The earliest deadline of this connection's timers, or Long.MAX_VALUE. */
    long nextDeadline() {
        return Math.min(Math.min(rtxAt, persistAt), Math.min(Math.min(delAckAt, keepAliveAt), closeAt));
    }

    void timerFired(long now) {
        scheduledAt = NEVER;
        scheduled = dev.wirelab.netstack.time.Cancellable.NONE;
        try {
            if (closeAt <= now) {
                closeAt = NEVER;
                if (state == TcpState.TIME_WAIT) {
                    // RFC 9293 section 3.10.8: "If the time-wait timeout expires on a connection,
                    // delete the TCB, enter the CLOSED state, and return."
                    closeNow(null, "time-wait expired");
                    return;
                }
                if (state == TcpState.FIN_WAIT_2) {
                    layer.event(this, "fin_wait_2_timeout");
                    closeNow(null, "fin-wait-2 timeout");
                    return;
                }
            }
            if (rtxAt <= now) {
                rtxAt = NEVER;
                retransmitTimeout(now);
                if (state == TcpState.CLOSED) {
                    return;
                }
            }
            if (persistAt <= now) {
                persistAt = NEVER;
                persistTimeout(now);
                if (state == TcpState.CLOSED) {
                    return;
                }
            }
            if (delAckAt <= now) {
                delAckAt = NEVER;
                if (state.synchronizedState() || state == TcpState.SYN_RECEIVED) {
                    layer.event(this, "delayed_ack", "unacked_bytes", bytesSinceAck);
                    ackNow = true;
                    output(now);
                }
            }
            if (keepAliveAt <= now) {
                keepAliveAt = NEVER;
                keepAliveTimeout(now);
            }
        } finally {
            finish();
        }
    }

    /** RFC 6298 section 5.4-5.7 (and SYN/SYN-ACK retransmission, RFC 9293 section 3.8.1). */
    private void retransmitTimeout(long now) {
        TcpConfig c = layer.config();
        switch (state) {
            case SYN_SENT -> {
                if (retries >= c.synRetries()) {
                    layer.count("timeouts");
                    closeNow(softError != null ? softError : TcpError.TIMED_OUT, "no answer to SYN");
                    return;
                }
                retries++;
                synRetransmitted = true;
                rttTiming = false;
                rtt.backOff();
                retransmits++;
                layer.retransmitted(this, iss, 1, "timeout");
                sendSyn(now, false);
                rtxAt = now + rtt.rto();
                return;
            }
            case SYN_RECEIVED -> {
                int limit = parent != null ? c.synAckRetries() : c.synRetries();
                if (retries >= limit) {
                    layer.count("timeouts");
                    if (parent != null) {
                        // Linux reqsk_timer_handler: the half-open connection is dropped quietly.
                        layer.drop(this, "syn_received_timeout", "retries", retries);
                        closeNow(null, "syn-ack retries exhausted");
                    } else {
                        closeNow(TcpError.TIMED_OUT, "syn-ack retries exhausted");
                    }
                    return;
                }
                retries++;
                synRetransmitted = true;
                rttTiming = false;
                rtt.backOff();
                retransmits++;
                layer.retransmitted(this, iss, 1, "timeout");
                sendSyn(now, true);
                rtxAt = now + rtt.rto();
                return;
            }
            case CLOSED, LISTEN, TIME_WAIT -> {
                return;
            }
            default -> {
            }
        }
        if (sndMax.equals(sndUna)) {
            return;
        }
        if (retries >= c.retries2()) {
            // Linux tcp_write_timeout: retries2 exhausted, the connection dies with ETIMEDOUT (or the
            // soft error an ICMP message reported, RFC 1122 section 4.2.3.9).
            layer.count("timeouts");
            layer.event(this, "retransmission_limit", "retries", retries);
            closeNow(softError != null ? softError : TcpError.TIMED_OUT, "retransmission limit");
            return;
        }
        if (retries == 0) {
            // RFC 5681 section 3.1, equation 4, on the first timeout of this data:
            // "ssthresh = max (FlightSize / 2, 2*SMSS)".
            ssthresh = Math.max(sndMax.minus(sndUna) / 2, 2L * sndMss);
        }
        retries++;
        layer.count("timeouts");
        // "cwnd MUST be set to no more than the loss window, LW, which equals 1 full-sized segment".
        cwnd = sndMss;
        inRecovery = false;
        dupAcks = 0;
        // RFC 6582 section 3.2 step 4... after a timeout, "recover" is the highest sequence sent.
        recover = sndMax;
        // RFC 6298 section 5.5: back off the timer; 5.4: retransmit the earliest unacknowledged segment.
        rtt.backOff();
        rttTiming = false;
        sndNxt = sndUna; // go back: resend from the first unacknowledged byte as cwnd grows again
        rtxReason = "timeout";
        layer.event(this, "rto_expired", "retries", retries, "rto_ms", rtt.rto() / MS, "ssthresh", ssthresh);
        output(now);
        rtxReason = "timeout";
        // RFC 6298 section 5.6: "Start the retransmission timer, such that it expires after RTO seconds".
        rtxAt = now + rtt.rto();
    }

    /** Persist timer: probe a zero window (or override SWS avoidance when the window is just small). */
    private void persistTimeout(long now) {
        if (!state.synchronizedState() || state == TcpState.TIME_WAIT) {
            return;
        }
        int off = sndNxt.minus(sndUna);
        int unsent = sendBuf.length() - off;
        if (unsent <= 0 || !sndMax.equals(sndUna)) {
            persistBackoff = 0;
            return;
        }
        if (persistProbes >= layer.config().retries2()) {
            layer.event(this, "persist_limit", "probes", persistProbes);
            closeNow(softError != null ? softError : TcpError.TIMED_OUT, "zero window probes unanswered");
            return;
        }
        long usable = Math.min(sndWnd, cwnd) - off;
        if (usable > 0) {
            // RFC 9293 section 3.8.6.2.1: the override timeout sends what the small window allows.
            int len = (int) Math.min(Math.min(sndMss, unsent), usable);
            sendData(now, sndNxt, off, len, false, false);
            sndNxt = sndNxt.plus(len);
            sndMax = sndNxt;
            rtxAt = now + rtt.rto();
            persistBackoff = 0;
            return;
        }
        // RFC 9293 section 3.8.6.1: "The sending TCP must regularly retransmit to the receiving TCP
        // even when the window is zero" -- a probe with an old sequence number (SND.UNA - 1, as
        // Linux's tcp_xmit_probe_skb and the keep-alive of section 3.8.4) draws an ACK with the
        // current window without putting data at risk.
        persistProbes++;
        layer.count("zero_window_probes");
        layer.event(this, "zero_window_probe", "probe", persistProbes, "backoff", persistBackoff);
        emit(now, sndUna.minus(1), TcpSegment.ACK, 0, 0);
        // RFC 1122 section 4.2.2.17: "the interval between successive probes SHOULD be increased exponentially".
        persistBackoff++;
        persistAt = now + persistInterval();
    }

    /** RFC 1122 section 4.2.3.6 / RFC 9293 section 3.8.4: keep-alive probes on an idle connection. */
    private void keepAliveTimeout(long now) {
        if (!options.keepAlive() || !state.synchronizedState() || state == TcpState.TIME_WAIT) {
            return;
        }
        TcpConfig c = layer.config();
        long idle = options.keepAliveIdleNanos() > 0 ? options.keepAliveIdleNanos() : c.keepAliveIdleNanos();
        long interval = options.keepAliveIntervalNanos() > 0 ? options.keepAliveIntervalNanos()
                : c.keepAliveIntervalNanos();
        int probes = options.keepAliveProbes() > 0 ? options.keepAliveProbes() : c.keepAliveProbes();
        if (!sndMax.equals(sndUna) || sendBuf.length() > 0) {
            keepAliveAt = now + idle; // data in flight: the retransmission timer watches the peer
            return;
        }
        long quiet = now - lastReceivedAt;
        if (quiet < idle && keepAliveProbes == 0) {
            keepAliveAt = lastReceivedAt + idle;
            return;
        }
        if (keepAliveProbes >= probes) {
            layer.event(this, "keepalive_timeout", "probes", keepAliveProbes);
            layer.count("keepalive_timeouts");
            resetAndClose(softError != null ? softError : TcpError.TIMED_OUT, "keep-alive unanswered");
            return;
        }
        keepAliveProbes++;
        layer.count("keepalive_probes");
        layer.event(this, "keepalive_probe", "probe", keepAliveProbes);
        // RFC 9293 section 3.8.4: a keep-alive segment has "SEG.SEQ = SND.NXT-1" and no data.
        emit(now, sndNxt.minus(1), TcpSegment.ACK, 0, 0);
        keepAliveAt = now + interval;
    }

    private void armRetransmit(long now) {
        rtxAt = now + rtt.rto();
    }

    private void armKeepAlive(long now) {
        if (options.keepAlive()) {
            long idle = options.keepAliveIdleNanos() > 0 ? options.keepAliveIdleNanos()
                    : layer.config().keepAliveIdleNanos();
            keepAliveAt = now + idle;
        }
    }

    private void armFinWait2(long now) {
        // Linux tcp_fin_timeout: an orphaned connection does not wait in FIN-WAIT-2 forever.
        closeAt = now + layer.config().finTimeoutNanos();
    }

    // =================================================================== ICMP (RFC 1122 section 4.2.3.9, RFC 5927)

    void icmpError(long now, IcmpMessage m, SeqNum quotedSeq) {
        try {
            // RFC 5927 section 4.1: the quoted sequence number must be one we sent and is not acknowledged.
            if (!(quotedSeq.ge(sndUna) && quotedSeq.lt(sndMax)) && !(state == TcpState.SYN_SENT && quotedSeq.equals(iss))) {
                layer.drop(this, "icmp_sequence_not_in_flight", "seq", quotedSeq.unsigned());
                return;
            }
            if (m.type() == IcmpMessage.TYPE_DESTINATION_UNREACHABLE && m.code() == IcmpMessage.FRAGMENTATION_NEEDED) {
                int mtu = m.nextHopMtu();
                if (mtu >= 68 && mtu - 40 < Math.min(ourMss, pmtuMss)) {
                    // RFC 1191 section 6.4 / RFC 9293 section 3.7.3: a smaller path MTU lowers the
                    // segment size; what was sent too large is sent again (Linux tcp_simple_retransmit).
                    pmtuMss = Math.max(mtu - 40, 48);
                    int old = sndMss;
                    updateSendMss();
                    layer.event(this, "pmtu", "mtu", mtu, "mss_from", old, "mss_to", sndMss);
                    if (synAcked && sndMax.gt(sndUna)) {
                        sndNxt = sndUna;
                        rtxReason = "pmtu";
                        output(now);
                        rtxReason = "timeout";
                    }
                }
                return;
            }
            if (m.type() == IcmpMessage.TYPE_SOURCE_QUENCH) {
                return; // RFC 6633: ignored
            }
            TcpError e = errorFor(m);
            if (e == null) {
                return;
            }
            if (state == TcpState.SYN_SENT || (state == TcpState.SYN_RECEIVED && parent == null)) {
                // RFC 5461 section 4.1: during connection establishment, stacks (Linux among them)
                // abort on ICMP unreachables and report the error to connect().
                layer.event(this, "icmp_abort", "type", m.type(), "code", m.code(), "error", e.errno());
                closeNow(e, "icmp " + m.type() + "/" + m.code());
            } else if (state == TcpState.SYN_RECEIVED) {
                // Linux tcp_req_err: a half-open connection is dropped only for "fatal" errors
                // (icmp_err_convert: protocol/port unreachable, administratively prohibited ...);
                // net/host unreachable leave it to its SYN,ACK timer.
                if (fatal(m)) {
                    layer.drop(this, "icmp_for_syn_received", "type", m.type(), "code", m.code());
                    closeNow(null, "icmp for half-open connection");
                }
            } else {
                // RFC 1122 section 4.2.3.9: soft errors "MUST NOT" abort; RFC 5461: neither do hard ones
                // in synchronized states. The error is reported if the connection later times out.
                softError = e;
                layer.event(this, "icmp_soft_error", "type", m.type(), "code", m.code(), "error", e.errno());
            }
        } finally {
            finish();
        }
    }

    /** The "fatal" column of Linux's icmp_err_convert. */
    private static boolean fatal(IcmpMessage m) {
        if (m.type() != IcmpMessage.TYPE_DESTINATION_UNREACHABLE) {
            return false;
        }
        return switch (m.code()) {
            case 0, 1, 4, 5, 11, 12 -> false;
            default -> true;
        };
    }

    /** Linux icmp_err_convert. */
    private static TcpError errorFor(IcmpMessage m) {
        if (m.type() == IcmpMessage.TYPE_TIME_EXCEEDED) {
            return TcpError.HOST_UNREACHABLE;
        }
        if (m.type() != IcmpMessage.TYPE_DESTINATION_UNREACHABLE) {
            return null;
        }
        return switch (m.code()) {
            case 0, 6, 9, 11 -> TcpError.NETWORK_UNREACHABLE;
            case 2 -> TcpError.PROTOCOL_UNAVAILABLE;
            case 3 -> TcpError.REFUSED;
            default -> TcpError.HOST_UNREACHABLE;
        };
    }

    // =================================================================== TIME-WAIT

    /** RFC 9293 section 3.10.7.4 / RFC 6191: may a new SYN reopen this TIME-WAIT connection? */
    boolean timeWaitAcceptsSyn(TcpSegment syn) {
        TcpSegment.Timestamps ts = syn.timestamps();
        if (tsOk && ts != null) {
            // RFC 6191 section 2: with timestamps, the SYN is acceptable when its TSval is larger
            // than the last one seen on the old incarnation.
            return (int) (ts.value() - tsRecent) > 0;
        }
        // Otherwise (RFC 9293 / RFC 1122 section 4.2.2.13): its sequence number must be above the
        // final sequence number of the old incarnation.
        return SeqNum.of(syn.sequence()).gt(rcvNxt);
    }

    /** The ISN for a new incarnation after TIME-WAIT: above everything the old one sent (Linux: +65535+2). */
    SeqNum isnAfterTimeWait() {
        return sndMax.plus(65535 + 2);
    }

    /** Ends TIME-WAIT early because a new incarnation takes the 4-tuple. */
    void killTimeWait() {
        closeNow(null, "new incarnation");
        finish();
    }

    // =================================================================== state changes

    private void enterTimeWait(long now) {
        setState(TcpState.TIME_WAIT, "2msl");
        // "start the time-wait timer, turn off the other timers".
        rtxAt = NEVER;
        persistAt = NEVER;
        keepAliveAt = NEVER;
        delAckAt = NEVER;
        closeAt = now + layer.config().timeWaitNanos();
        pendingEvents |= EV_CLOSED;
    }

    private void closeNow(TcpError err, String why) {
        if (state == TcpState.CLOSED) {
            return;
        }
        boolean wasTimeWait = state == TcpState.TIME_WAIT;
        if (err != null) {
            error = err;
        }
        setState(TcpState.CLOSED, why);
        rtxAt = NEVER;
        persistAt = NEVER;
        delAckAt = NEVER;
        keepAliveAt = NEVER;
        closeAt = NEVER;
        sendBuf.clear();
        outOfOrder.clear();
        layer.removeConnection(this);
        if (!wasTimeWait) {
            pendingEvents |= EV_CLOSED | EV_READABLE | EV_WRITABLE;
        }
    }

    /** The listener closed with this connection still in its queues: reset it (Linux inet_csk_listen_stop). */
    void abortFromListener() {
        orphan = true;
        resetAndClose(null, "listener closed");
        finish();
    }

    void acceptedFrom(TcpListener l) {
        parent = l;
        layer.event(this, "accepted");
    }

    private void setState(TcpState to, String cause) {
        TcpState from = state;
        if (from == to) {
            return;
        }
        state = to;
        layer.stateChanged(this, from, to, cause);
    }

    // =================================================================== end of every step

    /** An application callback that throws must not cost the connection its other callbacks. */
    private void callback(String name, Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            layer.count("callback_failures");
            layer.event(this, "callback_failed", "callback", name, "error", String.valueOf(e));
        }
    }

    /**
     * Runs at the end of every entry point: reports buffer, cwnd and RTO changes as trace events,
     * re-arms the one loop timer, and calls the application's callbacks.
     */
    private void finish() {
        int sq = sendBuf.length();
        int rq = recvBuf.length();
        if (sq != reportedSendQueue || rq != reportedRecvQueue) {
            if (state != TcpState.CLOSED || reportedSendQueue > 0 || reportedRecvQueue > 0) {
                layer.bufferEvent(this, sq, sndBufCap, rq, rcvBufCap);
            }
            reportedSendQueue = sq;
            reportedRecvQueue = rq;
        }
        // cwnd is reported in whole segments (it grows by a fraction of one per ACK in congestion
        // avoidance); every ssthresh change is reported.
        if (synAcked && (cwnd / sndMss != reportedCwnd / sndMss || reportedCwnd < 0 || ssthresh != reportedSsthresh)) {
            layer.event(this, "cc", "cwnd", cwnd, "ssthresh", ssthresh == Integer.MAX_VALUE ? -1 : ssthresh,
                    "flight", sndMax.minus(sndUna), "recovery", inRecovery);
            reportedCwnd = cwnd;
            reportedSsthresh = ssthresh;
        }
        if (rtt.rto() / MS != reportedRto / MS || reportedRto < 0) { // in whole milliseconds
            layer.event(this, "rto", "rto_ms", rtt.rto() / MS, "srtt_us", rtt.srtt() / 1000, "rttvar_us",
                    rtt.rttvar() / 1000, "backoff", rtt.backoff());
            reportedRto = rtt.rto();
        }
        long at = state == TcpState.CLOSED ? NEVER : nextDeadline();
        if (at != scheduledAt) {
            scheduled.cancel();
            scheduledAt = at;
            scheduled = at == NEVER ? dev.wirelab.netstack.time.Cancellable.NONE
                    : layer.schedule(at, () -> timerFired(layer.now()));
        }
        if (flushing) {
            return;
        }
        flushing = true;
        try {
            int guard = 0;
            while (pendingEvents != 0 && guard++ < 16) {
                int ev = pendingEvents;
                pendingEvents = 0;
                if ((ev & EV_ESTABLISHED) != 0) {
                    callback("onEstablished", listener::onEstablished);
                }
                if ((ev & EV_READABLE) != 0) {
                    callback("onReadable", listener::onReadable);
                }
                if ((ev & EV_WRITABLE) != 0 && (sendBufferFree() > 0 || state == TcpState.CLOSED)) {
                    callback("onWritable", listener::onWritable);
                }
                if ((ev & EV_CLOSED) != 0) {
                    TcpError e = error;
                    callback("onClosed", () -> listener.onClosed(e));
                }
            }
        } finally {
            flushing = false;
        }
    }
}
