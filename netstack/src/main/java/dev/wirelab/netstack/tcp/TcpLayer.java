package dev.wirelab.netstack.tcp;

import dev.wirelab.netstack.ip.Counters;
import dev.wirelab.netstack.ip.OutboundDatagram;
import dev.wirelab.netstack.ip.RouteCache;
import dev.wirelab.netstack.ip.PmtuDiscovery;
import dev.wirelab.netstack.ip.Route;
import dev.wirelab.netstack.ip.SendResult;
import dev.wirelab.netstack.node.NetworkInterface;
import dev.wirelab.netstack.node.Node;
import dev.wirelab.netstack.node.ProtocolHandler;
import dev.wirelab.netstack.time.Cancellable;
import dev.wirelab.netstack.wire.IcmpMessage;
import dev.wirelab.netstack.wire.Ipv4Address;
import dev.wirelab.netstack.wire.Ipv4Packet;
import dev.wirelab.netstack.wire.TcpSegment;
import dev.wirelab.netstack.wire.WireFormatException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * A node's TCP (IP protocol 6): demultiplexes segments to connections by 4-tuple and to listeners
 * by (address, port), answers segments for no socket with RST (RFC 9293 section 3.10.7.1), runs
 * the listen queues with Linux's semantics and SYN cookies, picks ephemeral ports and ISNs, and
 * reports everything as {@code tcp} trace events and counters ({@code tcp.*} in
 * {@link Node#counters()}).
 *
 * <p>Everything runs on the node's event loop: applications call {@link #listen}, {@link #connect}
 * and the connection methods there (the socket layer posts onto the loop).
 */
public final class TcpLayer implements ProtocolHandler {

    private static final String P = "tcp";
    /** Linux net.ipv4.tcp_challenge_ack_limit: challenge ACKs per second per node (RFC 5961 section 7). */
    static final int CHALLENGE_ACK_LIMIT = 1000;

    /** A connection's identity (RFC 9293 section 3.3.1, the socket pair). */
    record Key(Ipv4Address localAddress, int localPort, Ipv4Address remoteAddress, int remotePort) {
    }

    private final Node node;
    private TcpConfig config;
    private final Secrets secrets;
    private final SynCookies cookies;
    private final Counters counters;
    private final Counters.Counter received;  // per segment: resolved once
    private final Counters.Counter sent;
    private final Map<Key, TcpConnection> connections = new LinkedHashMap<>();
    private final Map<Integer, List<TcpListener>> listeners = new TreeMap<>();
    private final Set<TcpListener> acceptable = new LinkedHashSet<>();
    private int nextEphemeral;
    private long challengeWindowStart = Long.MIN_VALUE;
    private int challengeAcksInWindow;

    private TcpLayer(Node node, TcpConfig config) {
        this.node = node;
        this.config = config;
        this.secrets = new Secrets(node.name(), config.secretSeed());
        this.cookies = new SynCookies(secrets);
        this.counters = node.counterSet();
        this.received = counters.counter(P, "received");
        this.sent = counters.counter(P, "sent");
    }

    /** Gives {@code node} a TCP (registers protocol 6). Installing twice returns the first layer. */
    public static TcpLayer install(Node node, TcpConfig config) {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(config, "config");
        ProtocolHandler h = node.protocolHandler(Ipv4Packet.PROTOCOL_TCP);
        if (h instanceof TcpLayer t) {
            return t;
        }
        TcpLayer layer = new TcpLayer(node, config);
        node.registerProtocol(Ipv4Packet.PROTOCOL_TCP, layer);
        return layer;
    }

    public static TcpLayer install(Node node) {
        return install(node, TcpConfig.defaults());
    }

    /** The TCP of {@code node}. */
    public static TcpLayer of(Node node) {
        return find(node).orElseThrow(() -> new IllegalStateException(node.name() + " has no TCP (TcpLayer.install)"));
    }

    public static Optional<TcpLayer> find(Node node) {
        return node.protocolHandler(Ipv4Packet.PROTOCOL_TCP) instanceof TcpLayer t ? Optional.of(t) : Optional.empty();
    }

    public Node node() {
        return node;
    }

    public TcpConfig config() {
        return config;
    }

    /** Replaces the settings (sysctl -w); connections already open keep the timers they armed. */
    public void setConfig(TcpConfig config) {
        this.config = Objects.requireNonNull(config);
    }

    /** Every connection the node knows, SYN-RECEIVED and TIME-WAIT included, in creation order (ss -tan). */
    public List<TcpConnection> connections() {
        return List.copyOf(connections.values());
    }

    /** Every listening socket, by port (ss -tln). */
    public List<TcpListener> listeners() {
        List<TcpListener> out = new ArrayList<>();
        listeners.values().forEach(out::addAll);
        return out;
    }

    // =================================================================== system calls

    /**
     * listen(): a listening socket on {@code local} (ANY for every address) and {@code port}
     * (0 for an ephemeral one).
     *
     * @throws TcpException EADDRINUSE, EADDRNOTAVAIL, EINVAL
     */
    public TcpListener listen(Ipv4Address local, int port, int backlog, TcpOptions opts) {
        checkLoop();
        Ipv4Address addr = local == null ? Ipv4Address.ANY : local;
        TcpOptions o = opts == null ? TcpOptions.DEFAULT : opts;
        if (port < 0 || port > 65535) {
            throw new TcpException(TcpError.INVALID_ARGUMENT, "port " + port);
        }
        if (!addr.equals(Ipv4Address.ANY) && !node.isLocalAddress(addr)) {
            throw new TcpException(TcpError.ADDRESS_NOT_AVAILABLE, addr + " is not an address of " + node.name());
        }
        if (port == 0) {
            port = pickListenPort(addr, o);
        } else if (bindConflict(addr, port, o, null) != null) {
            throw new TcpException(TcpError.ADDRESS_IN_USE, addr + ":" + port + " (" + bindConflict(addr, port, o, null) + ")");
        }
        TcpListener l = new TcpListener(this, addr, port, capBacklog(backlog), o);
        listeners.computeIfAbsent(port, k -> new ArrayList<>()).add(l);
        node.event(P, "state", "from", TcpState.CLOSED.name(), "to", TcpState.LISTEN.name(), "local", addr + ":" + port,
                "remote", "*:*", "cause", "listen", "backlog", l.backlog(), "reuse_port", o.reusePort());
        queueEvent(l);
        return l;
    }

    /**
     * connect(): an active open from {@code local} (null: the source address the route gives) and
     * {@code localPort} (0: an ephemeral port) to {@code remote:remotePort}. Returns at once in
     * SYN-SENT; {@link TcpConnection.Listener#onEstablished()} or {@code onClosed(error)} follows.
     *
     * @throws TcpException ENETUNREACH, EADDRINUSE, EADDRNOTAVAIL, EINVAL
     */
    public TcpConnection connect(Ipv4Address local, int localPort, Ipv4Address remote, int remotePort, TcpOptions opts) {
        checkLoop();
        Objects.requireNonNull(remote, "remote");
        TcpOptions o = opts == null ? TcpOptions.DEFAULT : opts;
        if (remotePort < 1 || remotePort > 65535 || localPort < 0 || localPort > 65535) {
            throw new TcpException(TcpError.INVALID_ARGUMENT, "port " + remotePort);
        }
        if (remote.equals(Ipv4Address.ANY) || remote.isLimitedBroadcast() || remote.isMulticast()) {
            // RFC 1122 section 4.2.3.10: a TCP connection is never opened to a broadcast or multicast address.
            throw new TcpException(TcpError.NETWORK_UNREACHABLE, "cannot connect to " + remote);
        }
        Ipv4Address src;
        if (local == null || local.equals(Ipv4Address.ANY)) {
            src = node.ip().sourceFor(remote, null).orElseThrow(
                    () -> new TcpException(TcpError.NETWORK_UNREACHABLE, "no route to " + remote));
        } else {
            if (!node.isLocalAddress(local)) {
                throw new TcpException(TcpError.ADDRESS_NOT_AVAILABLE, local + " is not an address of " + node.name());
            }
            src = local;
        }
        int port = localPort;
        if (port != 0) {
            String conflict = bindConflict(src, port, o, new Key(src, port, remote, remotePort));
            if (conflict != null) {
                throw new TcpException(TcpError.ADDRESS_IN_USE, src + ":" + port + " (" + conflict + ")");
            }
            TcpConnection old = connections.get(new Key(src, port, remote, remotePort));
            if (old != null) {
                if (old.state() == TcpState.TIME_WAIT && o.reuseAddress()) {
                    old.killTimeWait();
                } else {
                    throw new TcpException(TcpError.ADDRESS_NOT_AVAILABLE, "4-tuple in use by " + old);
                }
            }
        } else {
            port = pickEphemeral(src, remote, remotePort);
        }
        TcpConnection c = new TcpConnection(this, src, port, remote, remotePort, o);
        connections.put(new Key(src, port, remote, remotePort), c);
        counters.increment(P, "active_opens");
        c.openActive(now());
        return c;
    }

    int capBacklog(int requested) {
        // Linux __sys_listen: "if ((unsigned int)backlog > somaxconn) backlog = somaxconn".
        return requested < 0 || requested > config.somaxconn() ? config.somaxconn() : requested;
    }

    // =================================================================== ports

    /**
     * Linux inet_csk_bind_conflict, simplified: a listener conflicts unless both sides set
     * SO_REUSEPORT; another socket conflicts unless both set SO_REUSEADDR (it is not listening) or
     * both set SO_REUSEPORT. Addresses overlap when equal or either is the wildcard.
     *
     * @return a reason, or null when the bind is allowed
     */
    private String bindConflict(Ipv4Address addr, int port, TcpOptions o, Key ignoreTuple) {
        for (TcpListener l : listeners.getOrDefault(port, List.of())) {
            if (overlap(addr, l.localAddress()) && !(o.reusePort() && l.options().reusePort())) {
                return "listener " + l.localAddress() + ":" + port;
            }
        }
        for (TcpConnection c : connections.values()) {
            if (c.localPort() != port || !overlap(addr, c.localAddress())) {
                continue;
            }
            if (ignoreTuple != null && c.state() == TcpState.TIME_WAIT) {
                continue; // judged by the 4-tuple check
            }
            TcpOptions co = c.options();
            if ((o.reuseAddress() && co.reuseAddress()) || (o.reusePort() && co.reusePort())) {
                continue;
            }
            return c.state().ssName() + " connection " + c.tuple();
        }
        return null;
    }

    private static boolean overlap(Ipv4Address a, Ipv4Address b) {
        return a.equals(b) || a.equals(Ipv4Address.ANY) || b.equals(Ipv4Address.ANY);
    }

    /**
     * RFC 6056 section 3.3.3 (Algorithm 3, "Simple Hash-Based Port Selection"): start at
     * {@code F(local, remote, remote port, secret) + next_ephemeral} and walk the range; a port is
     * usable when no listener holds it and the 4-tuple is free.
     */
    private int pickEphemeral(Ipv4Address local, Ipv4Address remote, int remotePort) {
        int low = config.ephemeralLow();
        int num = config.ephemeralHigh() - low + 1;
        int offset = secrets.hash(3, local.bits(), remote.bits(), remotePort, 0) & 0x7FFFFFFF;
        for (int count = 0; count < num; count++) {
            int port = low + (int) (((long) offset + nextEphemeral) % num);
            nextEphemeral++;
            if (!listeners.containsKey(port) && !connections.containsKey(new Key(local, port, remote, remotePort))) {
                return port;
            }
        }
        throw new TcpException(TcpError.ADDRESS_NOT_AVAILABLE, "no free ephemeral port in " + low + "-"
                + config.ephemeralHigh() + " towards " + remote + ":" + remotePort);
    }

    private int pickListenPort(Ipv4Address addr, TcpOptions o) {
        int low = config.ephemeralLow();
        int num = config.ephemeralHigh() - low + 1;
        for (int count = 0; count < num; count++) {
            int port = low + (int) (((long) secrets.hash(4, addr.bits(), 0, 0, 0) & 0x7FFFFFFF) + nextEphemeral) % num;
            nextEphemeral++;
            if (bindConflict(addr, port, o, null) == null) {
                return port;
            }
        }
        throw new TcpException(TcpError.ADDRESS_IN_USE, "no free port to listen on");
    }

    // =================================================================== input

    @Override
    public void receive(Ipv4Packet packet, String interfaceName) {
        long now = now();
        // The segment is read where it lies (in the received frame), not from a copy.
        byte[] p = packet.payloadArray();
        int off = packet.payloadOffset();
        int len = packet.payloadLength();
        Ipv4Address src = packet.source();
        Ipv4Address dst = packet.destination();
        TcpSegment seg;
        try {
            if (len < TcpSegment.HEADER_LENGTH) {
                throw new WireFormatException(P,
                        "segment of " + len + " bytes is shorter than the 20-byte header");
            }
            if (!TcpSegment.checksumValid(p, off, len, src, dst)) {
                dropNoConnection("bad_checksum", src, dst, len >= 4 ? TcpSegment.readPorts(p, off, len) : null);
                return;
            }
            seg = TcpSegment.parseUnchecked(p, off, len);
        } catch (WireFormatException e) {
            counters.drop(P, "malformed");
            node.event(P, "drop", "reason", "malformed", "source", src.toString(), "error", e.getMessage());
            return;
        }
        received.increment();
        if (dst.isLimitedBroadcast() || dst.isMulticast() || src.isMulticast() || src.isLimitedBroadcast()
                || src.equals(Ipv4Address.ANY) || !node.isLocalAddress(dst)) {
            // RFC 1122 section 4.2.3.10: "A TCP implementation MUST silently discard an incoming SYN
            // segment that is addressed to a broadcast or multicast address"; a connection never has
            // such an end, so no segment to or from one is processed.
            dropNoConnection("broadcast_or_multicast", src, dst, new int[] {seg.sourcePort(), seg.destinationPort()});
            return;
        }
        try {
            dispatch(now, src, dst, seg);
        } finally {
            flushAcceptable();
        }
    }

    private void dispatch(long now, Ipv4Address src, Ipv4Address dst, TcpSegment seg) {
        Key key = new Key(dst, seg.destinationPort(), src, seg.sourcePort());
        TcpConnection c = connections.get(key);
        SeqNum isnHint = null;
        if (c != null) {
            if (c.state() == TcpState.TIME_WAIT && seg.syn() && !seg.ack() && !seg.rst() && c.timeWaitAcceptsSyn(seg)
                    && findListener(dst, seg.destinationPort(), src, seg.sourcePort()) != null) {
                // RFC 9293 section 3.10.7.4 (TIME-WAIT) with RFC 6191: a new SYN may reopen the
                // 4-tuple; the new ISN lies above everything the old incarnation sent.
                isnHint = c.isnAfterTimeWait();
                event(c, "time_wait_reopened", "syn_seq", seg.sequence());
                counters.increment(P, "time_wait_reopens");
                c.killTimeWait();
            } else {
                c.segmentArrives(now, seg);
                return;
            }
        }
        TcpListener l = findListener(dst, seg.destinationPort(), src, seg.sourcePort());
        if (l != null) {
            listenArrives(now, l, src, dst, seg, isnHint);
            return;
        }
        resetForClosed(dst, src, seg);
    }

    /** Exact-address listeners before wildcard ones; an SO_REUSEPORT group is chosen from by a hash of the 4-tuple. */
    private TcpListener findListener(Ipv4Address dst, int port, Ipv4Address src, int srcPort) {
        List<TcpListener> all = listeners.get(port);
        if (all == null || all.isEmpty()) {
            return null;
        }
        List<TcpListener> exact = new ArrayList<>();
        List<TcpListener> wildcard = new ArrayList<>();
        for (TcpListener l : all) {
            if (l.localAddress().equals(dst)) {
                exact.add(l);
            } else if (l.localAddress().equals(Ipv4Address.ANY)) {
                wildcard.add(l);
            }
        }
        List<TcpListener> group = exact.isEmpty() ? wildcard : exact;
        if (group.isEmpty()) {
            return null;
        }
        if (group.size() == 1) {
            return group.get(0);
        }
        // Linux reuseport_select_sock: reciprocal_scale(hash of the 4-tuple, number of sockets).
        long h = secrets.tupleHash(5, dst, port, src, srcPort) & 0xFFFFFFFFL;
        return group.get((int) ((h * group.size()) >>> 32));
    }

    /** RFC 9293 section 3.10.7.2: LISTEN STATE, with Linux's queue limits and SYN cookies. */
    private void listenArrives(long now, TcpListener l, Ipv4Address src, Ipv4Address dst, TcpSegment seg,
                               SeqNum isnHint) {
        String where = dst + ":" + seg.destinationPort();
        if (seg.rst()) {
            // "First, check for a RST: An incoming RST should be ignored."
            dropNoConnection("rst_to_listener", src, dst, new int[] {seg.sourcePort(), seg.destinationPort()});
            return;
        }
        if (seg.ack()) {
            if (!seg.syn() && cookieCheckWanted(now, l)) {
                if (tryCookie(now, l, src, dst, seg)) {
                    return;
                }
            }
            // "Second, check for an ACK: Any acknowledgment is bad if it arrives on a connection
            // still in the LISTEN state. An acceptable reset segment should be formed for any
            // arriving ACK-bearing segment. The RST should be formatted as follows: <SEQ=SEG.ACK><CTL=RST>".
            counters.drop(P, "ack_to_listener");
            sendReset(dst, seg.destinationPort(), src, seg.sourcePort(), SeqNum.of(seg.acknowledgment()), null,
                    "ack to listener " + where);
            return;
        }
        if (!seg.syn()) {
            // "Fourth, other data or control: ... drop the segment and return."
            dropNoConnection("listen_no_syn", src, dst, new int[] {seg.sourcePort(), seg.destinationPort()});
            return;
        }
        // Third, the SYN. Linux tcp_conn_request decides in this order.
        boolean wantCookie = false;
        int mode = config.syncookies();
        if (mode == 2 || l.synQueueFull()) {
            if (l.synQueueFull()) {
                l.lastOverflowNanos = now;
                counters.increment(P, "syn_queue_overflows");
            }
            if (mode == 0) {
                listenDrop(l, "syn_queue_full", src, seg);
                return;
            }
            wantCookie = true;
        }
        if (l.acceptQueueFull()) {
            // Linux: "if (sk_acceptq_is_full(sk)) { NET_INC_STATS(LINUX_MIB_LISTENOVERFLOWS); goto drop; }".
            counters.increment(P, "listen_overflows");
            listenDrop(l, "accept_queue_full", src, seg);
            return;
        }
        if (!wantCookie && mode == 0 && config.maxSynBacklog() - l.synQueueLength() < (config.maxSynBacklog() >> 2)) {
            // Linux: without cookies, the last quarter of tcp_max_syn_backlog is kept for proven peers.
            listenDrop(l, "syn_backlog", src, seg);
            return;
        }
        if (wantCookie) {
            sendCookieSynAck(now, l, src, dst, seg);
            return;
        }
        Key key = new Key(dst, seg.destinationPort(), src, seg.sourcePort());
        TcpConnection c = new TcpConnection(this, dst, seg.destinationPort(), src, seg.sourcePort(), l.options());
        connections.put(key, c);
        l.synQueue.add(c);
        counters.increment(P, "passive_opens");
        queueEvent(l);
        SeqNum isn = isnHint != null ? isnHint
                : secrets.isn(dst, seg.destinationPort(), src, seg.sourcePort(), now);
        c.openPassive(now, seg, l, isn);
    }

    private void listenDrop(TcpListener l, String reason, Ipv4Address src, TcpSegment seg) {
        counters.increment(P, "listen_drops");
        counters.drop(P, reason);
        node.event(P, "drop", "reason", reason, "local", l.localAddress() + ":" + l.localPort(),
                "remote", src + ":" + seg.sourcePort(), "syn_queue", l.synQueueLength(),
                "accept_queue", l.acceptQueueLength(), "backlog", l.backlog());
    }

    /** Linux: cookies are checked when tcp_syncookies = 2, or = 1 and the SYN queue overflowed lately. */
    private boolean cookieCheckWanted(long now, TcpListener l) {
        int mode = config.syncookies();
        if (mode == 2) {
            return true;
        }
        return mode == 1 && l.lastOverflowNanos != Long.MIN_VALUE
                && now - l.lastOverflowNanos < SynCookies.MAX_AGE * SynCookies.MINUTE_NANOS;
    }

    private void sendCookieSynAck(long now, TcpListener l, Ipv4Address src, Ipv4Address dst, TcpSegment syn) {
        int peerMss = syn.mss() > 0 ? syn.mss() : TcpConnection.DEFAULT_MSS;
        int ourMss = mssFor(src, l.options().maxSegmentSize());
        int index = SynCookies.mssIndex(Math.min(peerMss, ourMss));
        SeqNum cookie = cookies.make(dst, syn.destinationPort(), src, syn.sourcePort(), SeqNum.of(syn.sequence()), index,
                now);
        TcpSegment.Options o = new TcpSegment.Options().mss(ourMss);
        TcpSegment.Timestamps ts = syn.timestamps();
        boolean wsOk = config.windowScaling() && syn.windowScale() >= 0;
        if (config.timestamps() && ts != null) {
            long raw = now / 1_000_000L;
            long tsval = (SynCookies.encodeTimestamp(raw, wsOk ? syn.windowScale() : -1, syn.sackPermitted())
                    + secrets.timestampOffset(dst, src)) & 0xFFFFFFFFL;
            o.nop().nop().timestamps(tsval, ts.value());
        }
        if (wsOk) {
            o.nop().windowScale(offeredWindowScale(l.options()));
        }
        int rcvBuf = l.options().receiveBuffer() > 0 ? l.options().receiveBuffer() : config.receiveBuffer();
        TcpSegment synAck = new TcpSegment(syn.destinationPort(), syn.sourcePort(), cookie.unsigned(),
                (syn.sequence() + 1) & 0xFFFFFFFFL, TcpSegment.SYN | TcpSegment.ACK, Math.min(rcvBuf, 65535), 0,
                o.build(), new byte[0]);
        counters.increment(P, "syncookies_sent");
        node.event(P, "syncookie_sent", "local", dst + ":" + syn.destinationPort(), "remote", src + ":" + syn.sourcePort(),
                "mss", SynCookies.MSS_TABLE[index], "isn", cookie.unsigned(), "syn_queue", l.synQueueLength(),
                "backlog", l.backlog());
        send(dst, src, synAck);
    }

    private int offeredWindowScale(TcpOptions o) {
        long space = Math.max(config.maxReceiveBuffer(), o.receiveBuffer());
        int shift = 0;
        while (space > 65535 && shift < 14) {
            space >>= 1;
            shift++;
        }
        return shift;
    }

    private boolean tryCookie(long now, TcpListener l, Ipv4Address src, Ipv4Address dst, TcpSegment seg) {
        SeqNum cookie = SeqNum.of(seg.acknowledgment()).minus(1);
        SeqNum clientIsn = SeqNum.of(seg.sequence()).minus(1);
        int index = cookies.check(dst, seg.destinationPort(), src, seg.sourcePort(), clientIsn, cookie, now);
        if (index < 0) {
            counters.increment(P, "syncookies_failed");
            return false;
        }
        if (l.acceptQueueFull()) {
            counters.increment(P, "listen_overflows");
            listenDrop(l, "accept_queue_full", src, seg);
            return true;
        }
        TcpSegment.Timestamps ts = seg.timestamps();
        int wscale = -1;
        boolean timestamps = false;
        if (ts != null && config.timestamps() && ts.echoReply() != 0) {
            // Linux cookie_timestamp_decode: the options we put in TSval come back in TSecr.
            long echoed = (ts.echoReply() - secrets.timestampOffset(dst, src)) & 0xFFFFFFFFL;
            wscale = SynCookies.decodeWscale(echoed);
            timestamps = true;
        }
        counters.increment(P, "syncookies_validated");
        node.event(P, "syncookie_validated", "local", dst + ":" + seg.destinationPort(),
                "remote", src + ":" + seg.sourcePort(), "mss", SynCookies.MSS_TABLE[index], "wscale", wscale,
                "timestamps", timestamps);
        Key key = new Key(dst, seg.destinationPort(), src, seg.sourcePort());
        TcpConnection c = new TcpConnection(this, dst, seg.destinationPort(), src, seg.sourcePort(), l.options());
        connections.put(key, c);
        counters.increment(P, "passive_opens");
        c.openFromCookie(now, seg, l, cookie, SynCookies.MSS_TABLE[index], wscale, timestamps);
        l.acceptQueue.add(c);
        queueEvent(l);
        acceptable.add(l);
        if (seg.payloadLength() > 0 || seg.fin()) {
            c.segmentArrives(now, seg); // the ACK may carry the first data
        }
        return true;
    }

    /** The SYN-RECEIVED child completed the handshake: move it to the accept queue if there is room. */
    boolean promote(TcpConnection c) {
        TcpListener l = c.parent();
        if (l == null || l.isClosed()) {
            return true;
        }
        if (l.acceptQueueFull()) {
            counters.increment(P, "listen_overflows");
            counters.drop(P, "accept_queue_full");
            event(c, "drop", "reason", "accept_queue_full", "accept_queue", l.acceptQueueLength(), "backlog", l.backlog());
            return false;
        }
        l.synQueue.remove(c);
        l.acceptQueue.add(c);
        queueEvent(l);
        acceptable.add(l);
        return true;
    }

    private void flushAcceptable() {
        if (acceptable.isEmpty()) {
            return;
        }
        List<TcpListener> ready = new ArrayList<>(acceptable);
        acceptable.clear();
        for (TcpListener l : ready) {
            if (!l.isClosed() && l.acceptQueueLength() > 0) {
                l.notifyAcceptable();
            }
        }
    }

    /**
     * RFC 9293 section 3.10.7.1, CLOSED: "An incoming segment containing a RST is discarded. An
     * incoming segment not containing a RST causes a RST to be sent in response."
     */
    void resetForClosed(Ipv4Address local, Ipv4Address remote, TcpSegment seg) {
        int[] ports = {seg.sourcePort(), seg.destinationPort()};
        if (seg.rst()) {
            dropNoConnection("rst_for_no_socket", remote, local, ports);
            return;
        }
        dropNoConnection("no_socket", remote, local, ports);
        if (seg.ack()) {
            // "If the ACK bit is on, <SEQ=SEG.ACK><CTL=RST>".
            sendReset(local, seg.destinationPort(), remote, seg.sourcePort(), SeqNum.of(seg.acknowledgment()), null,
                    "no socket");
        } else {
            // "If the ACK bit is off, sequence number zero is used, <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>".
            sendReset(local, seg.destinationPort(), remote, seg.sourcePort(), SeqNum.ZERO,
                    SeqNum.of(seg.sequence()).plus(seg.sequenceLength()), "no socket");
        }
    }

    private void dropNoConnection(String reason, Ipv4Address src, Ipv4Address dst, int[] ports) {
        counters.drop(P, reason);
        node.event(P, "drop", "reason", reason, "source", src + (ports == null ? "" : ":" + ports[0]),
                "destination", dst + (ports == null ? "" : ":" + ports[1]));
    }

    @Override
    public void error(Ipv4Packet carrier, IcmpMessage error, Ipv4Packet quoted) {
        byte[] q = quoted.payload();
        if (q.length < 8) {
            counters.drop(P, "icmp_quote_too_short");
            return;
        }
        int sport = ((q[0] & 0xFF) << 8) | (q[1] & 0xFF);
        int dport = ((q[2] & 0xFF) << 8) | (q[3] & 0xFF);
        int seq = ((q[4] & 0xFF) << 24) | ((q[5] & 0xFF) << 16) | ((q[6] & 0xFF) << 8) | (q[7] & 0xFF);
        TcpConnection c = connections.get(new Key(quoted.source(), sport, quoted.destination(), dport));
        if (c == null) {
            counters.drop(P, "icmp_for_no_connection");
            return;
        }
        counters.increment(P, "icmp_errors_received");
        try {
            c.icmpError(now(), error, new SeqNum(seq));
        } finally {
            flushAcceptable();
        }
    }

    // =================================================================== output

    void transmit(TcpConnection c, TcpSegment seg) {
        send(c.localAddress(), c.remoteAddress(), seg, c.routeCache());
    }

    /**
     * Sends a segment already encoded at [off, off + length) of {@code buf} ({@code header} is its
     * header, for messages); {@code gsoSize > 0} marks a TSO super-packet of that segment size.
     */
    void transmit(TcpConnection c, TcpSegment header, byte[] buf, int off, int length, int gsoSize) {
        // Linux sets DF on TCP (path MTU discovery, RFC 1191); IP fragments only beyond a known PMTU.
        OutboundDatagram d = new OutboundDatagram(c.localAddress(), c.remoteAddress(), Ipv4Packet.PROTOCOL_TCP, buf,
                off, length, OutboundDatagram.DEFAULT_TTL, 0, PmtuDiscovery.WANT, null, false, false, gsoSize);
        sent(node.ip().send(d, c.routeCache()), c.remoteAddress(), header);
    }

    /** The largest TSO super-packet the route to {@code remote} takes (0: no TSO). */
    int tsoMaxSize(Ipv4Address remote) {
        return node.ip().tsoMaxSize(remote, null);
    }

    private void send(Ipv4Address src, Ipv4Address dst, TcpSegment seg) {
        send(src, dst, seg, null);
    }

    private void send(Ipv4Address src, Ipv4Address dst, TcpSegment seg, RouteCache route) {
        // Linux sets DF on TCP (path MTU discovery, RFC 1191); IP fragments only beyond a known PMTU.
        int at = OutboundDatagram.FRAME_HEADROOM;
        int length = seg.headerLength() + seg.payloadLength();
        byte[] buf = new byte[at + length];
        seg.encodeInto(buf, at, src, dst);
        OutboundDatagram d = new OutboundDatagram(src, dst, Ipv4Packet.PROTOCOL_TCP, buf, at, length,
                OutboundDatagram.DEFAULT_TTL, 0, PmtuDiscovery.WANT, null, false, false, 0);
        sent(route == null ? node.ip().send(d) : node.ip().send(d, route), dst, seg);
    }

    private void sent(SendResult r, Ipv4Address dst, TcpSegment seg) {
        if (r.ok()) {
            sent.increment();
        } else {
            counters.drop(P, "ip_" + r.status().name().toLowerCase());
            node.event(P, "drop", "reason", "ip_send_failed", "status", r.status().message(),
                    "destination", dst + ":" + seg.destinationPort());
        }
    }

    /** A RST: {@code <SEQ=seq><CTL=RST>}, or {@code <SEQ=seq><ACK=ack><CTL=RST,ACK>} when ack is given. */
    void sendReset(Ipv4Address local, int localPort, Ipv4Address remote, int remotePort, SeqNum seq, SeqNum ack,
                   String why) {
        int flags = TcpSegment.RST | (ack != null ? TcpSegment.ACK : 0);
        TcpSegment rst = TcpSegment.of(localPort, remotePort, seq.unsigned(), ack == null ? 0 : ack.unsigned(), flags, 0,
                new byte[0]);
        counters.increment(P, "resets_sent");
        node.event(P, "reset_sent", "local", local + ":" + localPort, "remote", remote + ":" + remotePort,
                "seq", seq.unsigned(), "ack", ack == null ? -1 : ack.unsigned(), "why", why);
        send(local, remote, rst);
    }

    void resetReceived(TcpConnection c) {
        counters.increment(P, "resets_received");
        event(c, "reset_received", "state", c.state().name());
    }

    void retransmitted(TcpConnection c, SeqNum seq, int len, String reason) {
        counters.increment(P, "retransmitted");
        counters.increment(P, "retransmitted." + reason);
        event(c, "retransmit", "seq", seq.unsigned(), "len", len, "reason", reason);
    }

    /** RFC 5961 section 7: at most {@link #CHALLENGE_ACK_LIMIT} challenge ACKs per second. */
    boolean allowChallengeAck(long now) {
        if (now - challengeWindowStart >= 1_000_000_000L || challengeWindowStart == Long.MIN_VALUE) {
            challengeWindowStart = now;
            challengeAcksInWindow = 0;
        }
        return ++challengeAcksInWindow <= CHALLENGE_ACK_LIMIT;
    }

    // =================================================================== bookkeeping for connections

    void removeConnection(TcpConnection c) {
        Key key = new Key(c.localAddress(), c.localPort(), c.remoteAddress(), c.remotePort());
        if (connections.get(key) == c) {
            connections.remove(key);
        }
        TcpListener l = c.parent();
        if (l != null && l.synQueue.remove(c)) {
            queueEvent(l);
        }
    }

    void removeListener(TcpListener l) {
        List<TcpListener> list = listeners.get(l.localPort());
        if (list != null) {
            list.remove(l);
            if (list.isEmpty()) {
                listeners.remove(l.localPort());
            }
        }
        node.event(P, "state", "from", TcpState.LISTEN.name(), "to", TcpState.CLOSED.name(),
                "local", l.localAddress() + ":" + l.localPort(), "remote", "*:*", "cause", "close");
    }

    void stateChanged(TcpConnection c, TcpState from, TcpState to, String cause) {
        node.event(P, "state", "from", from.name(), "to", to.name(), "local", c.localEndpoint(),
                "remote", c.remoteEndpoint(), "cause", cause);
        if (to == TcpState.ESTABLISHED) {
            counters.increment(P, "established");
        }
        if (to == TcpState.CLOSED && (from == TcpState.SYN_SENT || from == TcpState.SYN_RECEIVED)) {
            counters.increment(P, "attempt_fails");
        }
        if (to == TcpState.CLOSED && (from == TcpState.ESTABLISHED || from == TcpState.CLOSE_WAIT)) {
            counters.increment(P, "established_resets");
        }
    }

    void queueEvent(TcpListener l) {
        node.event(P, "queue", "local", l.localAddress() + ":" + l.localPort(), "syn_queue", l.synQueueLength(),
                "accept_queue", l.acceptQueueLength(), "backlog", l.backlog());
    }

    void bufferEvent(TcpConnection c, int sendQueue, int sendCapacity, int receiveQueue, int receiveCapacity) {
        node.event(P, "queue", "local", c.localEndpoint(),
                "remote", c.remoteEndpoint(), "send_buffer", sendQueue, "send_capacity",
                sendCapacity, "receive_buffer", receiveQueue, "receive_capacity", receiveCapacity);
    }

    void event(TcpConnection c, String kind, Object... kv) {
        Object[] all = new Object[kv.length + 4];
        all[0] = "local";
        all[1] = c.localEndpoint();
        all[2] = "remote";
        all[3] = c.remoteEndpoint();
        System.arraycopy(kv, 0, all, 4, kv.length);
        node.event(P, kind, all);
    }

    void drop(TcpConnection c, String reason, Object... kv) {
        counters.drop(P, reason);
        Object[] all = new Object[kv.length + 2];
        all[0] = "reason";
        all[1] = reason;
        System.arraycopy(kv, 0, all, 2, kv.length);
        event(c, "drop", all);
    }

    void count(String counter) {
        counters.increment(P, counter);
    }

    Secrets secrets() {
        return secrets;
    }

    /**
     * The MSS we announce towards {@code remote}: the egress interface MTU minus 40 (RFC 9293
     * section 3.7.1, RFC 6691), or the loopback's 65535 - 40 for our own addresses, clamped by
     * TCP_MAXSEG.
     */
    int mssFor(Ipv4Address remote, int clamp) {
        int mtu = 65535;
        if (!node.isLocalAddress(remote)) {
            Optional<Route> r = node.routeTo(remote);
            if (r.isPresent()) {
                Optional<NetworkInterface> ifc = node.networkInterface(r.get().interfaceName());
                if (ifc.isPresent()) {
                    mtu = ifc.get().mtu();
                }
            } else {
                mtu = 1500;
            }
        }
        int mss = mtu - 40;
        if (clamp > 0) {
            mss = Math.min(mss, clamp);
        }
        return Math.max(mss, 88);
    }

    long now() {
        return node.loop().nanos();
    }

    Cancellable schedule(long at, Runnable task) {
        return node.loop().schedule(Math.max(0, at - now()), () -> {
            try {
                task.run();
            } finally {
                flushAcceptable();
            }
        });
    }

    void checkLoop() {
        if (!node.loop().inLoop()) {
            throw new IllegalStateException("TCP of " + node.name() + " must be called on its event loop");
        }
    }
}
