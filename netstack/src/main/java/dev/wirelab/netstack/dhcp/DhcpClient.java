package dev.wirelab.netstack.dhcp;

import dev.wirelab.netstack.dns.StubResolver;
import dev.wirelab.netstack.node.AddressLifetime;
import dev.wirelab.netstack.node.NetworkInterface;
import dev.wirelab.netstack.node.Node;
import dev.wirelab.netstack.time.Cancellable;
import dev.wirelab.netstack.udp.UdpMessage;
import dev.wirelab.netstack.wire.ArpPacket;
import dev.wirelab.netstack.wire.DhcpMessage;
import dev.wirelab.netstack.wire.DhcpOption;
import dev.wirelab.netstack.wire.EthernetFrame;
import dev.wirelab.netstack.wire.Ipv4Address;
import dev.wirelab.netstack.wire.MacAddress;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The DHCP client of one interface (RFC 2131 section 4.4, figure 5): INIT, SELECTING, REQUESTING,
 * BOUND, RENEWING, REBINDING, and INIT-REBOOT / REBOOTING when it restarts with a lease in hand.
 * Retransmissions back off exponentially with jitter from the node's seeded RNG (section 4.1); a
 * leased address is probed with ARP before use (RFC 5227) and declined on conflict. When bound it
 * configures the address with its lifetime, the default route and the node's resolver. Runs on
 * the node's loop; every message and state change is a trace event (layer "dhcp"), and the lines
 * ISC dhclient would log go to {@link #onLog} listeners.
 */
public final class DhcpClient {

    /** Client states of RFC 2131 figure 5 (plus STOPPED: not running, e.g. after a release). */
    public enum State { STOPPED, INIT, SELECTING, REQUESTING, BOUND, RENEWING, REBINDING, INIT_REBOOT, REBOOTING }

    /** What the client got from its server. */
    public record LeaseInfo(Ipv4Address address, int prefixLength, Ipv4Address server, List<Ipv4Address> routers,
                            List<Ipv4Address> dnsServers, String domain, long leaseSeconds, long renewSeconds,
                            long rebindSeconds, long boundAtNanos) {
        public long expiresAtNanos() {
            return boundAtNanos + leaseSeconds * 1_000_000_000L;
        }
    }

    // RFC 5227 section 1.1 constants.
    static final long PROBE_WAIT = 1_000_000_000L;
    static final int PROBE_NUM = 3;
    static final long PROBE_MIN = 1_000_000_000L;
    static final long PROBE_MAX = 2_000_000_000L;
    static final long ANNOUNCE_WAIT = 2_000_000_000L;
    /** RFC 2131 section 3.1 step 5: after a DHCPDECLINE wait at least ten seconds before restarting. */
    static final long DECLINE_BACKOFF = 10_000_000_000L;
    /** RFC 2131 section 4.1: first retransmission after 4 s, doubled up to 64 s. */
    static final long FIRST_RETRANSMIT = 4_000_000_000L;
    static final long MAX_RETRANSMIT = 64_000_000_000L;
    /** REQUESTING / REBOOTING give up after this many retransmissions (4 + 8 + 16 + 32 s). */
    static final int REQUEST_RETRIES = 4;
    /** RFC 2131 section 4.4.5: retransmissions in RENEWING and REBINDING are at least 60 s apart. */
    static final long MIN_RENEW_RETRANSMIT = 60_000_000_000L;

    private static final String LAYER = "dhcp";
    private static final long SECOND = 1_000_000_000L;

    private final Node node;
    private final String ifName;
    private final DhcpClients port;
    private final List<Consumer<String>> logListeners = new CopyOnWriteArrayList<>();
    private State state = State.STOPPED;
    private int xid;
    private long transactionStart;
    /** When the first DHCPREQUEST of this transaction went out: the lease runs from then. */
    private long requestSentAt = -1;
    private long retransmitDelay;
    private int attempts;
    private Cancellable timer = Cancellable.NONE;
    private Cancellable leaseTimer = Cancellable.NONE;
    private Runnable arpTapClose;
    private DhcpMessage offer;
    private LeaseInfo lease;
    private LeaseInfo pending;
    private boolean configured;
    private CompletableFuture<LeaseInfo> bound = new CompletableFuture<>();
    /** Wait before the first DISCOVER after boot (RFC 2131 section 4.4.1: 1 to 10 s). */
    private long initialDelayMin = SECOND;
    private long initialDelayMax = 10 * SECOND;

    DhcpClient(Node node, String ifName, DhcpClients port) {
        this.node = node;
        this.ifName = ifName;
        this.port = port;
    }

    /** The client of {@code ifName} on {@code node} (made on first use). */
    public static DhcpClient of(Node node, String ifName) {
        return DhcpClients.of(node).client(ifName);
    }

    public String interfaceName() {
        return ifName;
    }

    public State state() {
        return state;
    }

    public Optional<LeaseInfo> lease() {
        return Optional.ofNullable(lease);
    }

    /** Completes when the client is next BOUND. */
    public CompletableFuture<LeaseInfo> whenBound() {
        return bound;
    }

    /** Receives dhclient-style log lines ("DHCPACK of ... from ..."); returns the action that stops it. */
    public Runnable onLog(Consumer<String> listener) {
        logListeners.add(listener);
        return () -> logListeners.remove(listener);
    }

    /** The random wait before the first DISCOVER of {@link #boot()} (defaults: 1 s to 10 s). */
    public void setInitialDelay(long minNanos, long maxNanos) {
        this.initialDelayMin = minNanos;
        this.initialDelayMax = Math.max(minNanos, maxNanos);
    }

    // ------------------------------------------------------------------ commands (on the loop)

    /**
     * Starts as at boot: INIT-REBOOT with a lease still valid, else INIT after a random delay
     * (RFC 2131 section 4.4.1: "wait a random time between one and ten seconds").
     */
    public void boot() {
        if (state != State.STOPPED) {
            return;
        }
        port.open();
        if (lease != null && node.loop().nanos() < lease.expiresAtNanos()) {
            initReboot();
            return;
        }
        setState(State.INIT, "boot");
        long delay = initialDelayMin + (long) (node.random().nextDouble() * (initialDelayMax - initialDelayMin));
        timer = node.loop().schedule(delay, this::startSelecting);
    }

    /**
     * What {@code dhclient IFACE} does: renews now when bound, else starts acquiring at once
     * (no initial delay).
     */
    public void acquireOrRenew() {
        port.open();
        switch (state) {
            case BOUND -> enterRenewing();
            case STOPPED, INIT -> {
                if (lease != null && node.loop().nanos() < lease.expiresAtNanos()) {
                    initReboot();
                } else {
                    startSelecting();
                }
            }
            default -> { // already acquiring, renewing or rebinding: let it go on
            }
        }
    }

    /** {@code dhclient -r}: DHCPRELEASE to the server (RFC 2131 section 4.4.6), address removed, client stopped. */
    public void release() {
        cancelTimers();
        if (lease != null) {
            port.open();
            Ipv4Address server = lease.server();
            DhcpMessage m = message(DhcpMessage.RELEASE, node.random().nextInt(), lease.address(),
                    List.of(DhcpOption.ofAddresses(DhcpOption.SERVER_ID, server)));
            log("DHCPRELEASE of " + lease.address() + " on " + ifName + " to " + server + " port 67");
            sendUnicast(m, server);
            unconfigure("released");
            lease = null;
        }
        setState(State.STOPPED, "release");
    }

    /** Stops without releasing (the node is going down); the lease is remembered for INIT-REBOOT. */
    public void halt() {
        cancelTimers();
        if (configured) {
            unconfigure("node stopped");
        }
        setState(State.STOPPED, "halt");
    }

    // ------------------------------------------------------------------ states

    private void startSelecting() {
        cancelTimers();
        offer = null;
        xid = node.random().nextInt();
        requestSentAt = -1;
        transactionStart = node.loop().nanos();
        retransmitDelay = FIRST_RETRANSMIT;
        setState(State.SELECTING, "discover");
        sendDiscover();
    }

    private void sendDiscover() {
        List<DhcpOption> o = new ArrayList<>();
        if (lease != null) {
            // RFC 2131 section 4.4.1: the client MAY suggest its last address.
            o.add(DhcpOption.ofAddresses(DhcpOption.REQUESTED_IP, lease.address()));
        }
        DhcpMessage m = message(DhcpMessage.DISCOVER, xid, Ipv4Address.ANY, o);
        long delay = jittered(retransmitDelay);
        log("DHCPDISCOVER on " + ifName + " to 255.255.255.255 port 67 interval " + Math.round(delay / 1e9));
        sendBroadcast(m, Ipv4Address.ANY);
        timer = node.loop().schedule(delay, () -> {
            retransmitDelay = Math.min(MAX_RETRANSMIT, retransmitDelay * 2);
            node.event(LAYER, "retransmit", "interface", ifName, "message", "DHCPDISCOVER", "state", state.name());
            sendDiscover();
        });
    }

    private void selectOffer(DhcpMessage m, Ipv4Address from) {
        Optional<Ipv4Address> server = m.address(DhcpOption.SERVER_ID);
        if (server.isEmpty() || m.yiaddr().equals(Ipv4Address.ANY)) {
            drop("offer_without_server_id_or_address");
            return;
        }
        log("DHCPOFFER of " + m.yiaddr() + " from " + server.get());
        offer = m;
        timer.cancel();
        retransmitDelay = FIRST_RETRANSMIT;
        attempts = 0;
        setState(State.REQUESTING, "offer from " + server.get());
        sendRequest();
    }

    private void sendRequest() {
        List<DhcpOption> o = new ArrayList<>();
        Ipv4Address ciaddr = Ipv4Address.ANY;
        boolean broadcast = true;
        Ipv4Address to = Ipv4Address.BROADCAST;
        switch (state) {
            case REQUESTING -> {
                // Table 5: SELECTING carries 'server identifier' and 'requested IP address', ciaddr 0.
                o.add(DhcpOption.ofAddresses(DhcpOption.REQUESTED_IP, offer.yiaddr()));
                o.add(DhcpOption.ofAddresses(DhcpOption.SERVER_ID, offer.address(DhcpOption.SERVER_ID).orElseThrow()));
            }
            case REBOOTING -> o.add(DhcpOption.ofAddresses(DhcpOption.REQUESTED_IP, lease.address()));
            case RENEWING -> {
                ciaddr = lease.address();
                broadcast = false;
                to = lease.server();
            }
            case REBINDING -> ciaddr = lease.address();
            default -> throw new IllegalStateException("no DHCPREQUEST in state " + state);
        }
        DhcpMessage m = message(DhcpMessage.REQUEST, xid, ciaddr, o);
        if (requestSentAt < 0) {
            requestSentAt = node.loop().nanos();
        }
        Ipv4Address requested = state == State.REQUESTING ? offer.yiaddr() : lease.address();
        log("DHCPREQUEST for " + requested + " on " + ifName + " to " + to + " port 67");
        if (broadcast) {
            sendBroadcast(m, ciaddr);
        } else {
            sendUnicast(m, to);
        }
        long delay;
        if (state == State.RENEWING || state == State.REBINDING) {
            // RFC 2131 section 4.4.5: "wait one-half of the remaining time until T2 (in RENEWING
            // state) and one-half of the remaining lease time (in REBINDING state), down to a
            // minimum of 60 seconds".
            long until = state == State.RENEWING ? lease.boundAtNanos() + lease.rebindSeconds() * SECOND
                    : lease.expiresAtNanos();
            delay = Math.max(MIN_RENEW_RETRANSMIT, (until - node.loop().nanos()) / 2);
            if (node.loop().nanos() + delay >= until) {
                return; // the T2 or expiry timer moves the client on
            }
        } else {
            delay = jittered(retransmitDelay);
        }
        timer = node.loop().schedule(delay, () -> {
            attempts++;
            if ((state == State.REQUESTING || state == State.REBOOTING) && attempts > REQUEST_RETRIES) {
                // RFC 2131 section 3.1 step 5: no DHCPACK nor DHCPNAK after retransmitting: back to INIT.
                node.event(LAYER, "request_timeout", "interface", ifName, "state", state.name());
                if (state == State.REBOOTING && node.loop().nanos() < lease.expiresAtNanos()) {
                    // RFC 2131 section 3.2 step 3: no answer to INIT-REBOOT, the lease is still good: use it.
                    enterBound(lease, "no answer to INIT-REBOOT, lease still valid");
                } else {
                    startSelecting();
                }
                return;
            }
            retransmitDelay = Math.min(MAX_RETRANSMIT, retransmitDelay * 2);
            node.event(LAYER, "retransmit", "interface", ifName, "message", "DHCPREQUEST", "state", state.name());
            sendRequest();
        });
    }

    private void initReboot() {
        cancelTimers();
        setState(State.INIT_REBOOT, "lease of " + lease.address() + " still valid");
        xid = node.random().nextInt();
        requestSentAt = -1;
        transactionStart = node.loop().nanos();
        retransmitDelay = FIRST_RETRANSMIT;
        attempts = 0;
        setState(State.REBOOTING, "request " + lease.address());
        sendRequest();
    }

    private void ack(DhcpMessage m, Ipv4Address from) {
        Ipv4Address server = m.address(DhcpOption.SERVER_ID).orElse(from);
        log("DHCPACK of " + (m.yiaddr().equals(Ipv4Address.ANY) ? m.ciaddr() : m.yiaddr()) + " from " + server);
        timer.cancel();
        long leaseSeconds = m.unsigned32(DhcpOption.LEASE_TIME).orElse(0L);
        if (leaseSeconds == 0 || m.yiaddr().equals(Ipv4Address.ANY)) {
            drop("ack_without_lease");
            return;
        }
        // RFC 2131 section 4.4.5: T1 defaults to 0.5 and T2 to 0.875 of the lease.
        long t1 = m.unsigned32(DhcpOption.RENEWAL_TIME).orElse(leaseSeconds / 2);
        long t2 = m.unsigned32(DhcpOption.REBINDING_TIME).orElse(leaseSeconds * 7 / 8);
        if (t2 > leaseSeconds || t1 > t2) {
            t1 = leaseSeconds / 2;
            t2 = leaseSeconds * 7 / 8;
        }
        LeaseInfo got = new LeaseInfo(m.yiaddr(), prefixOf(m), server, m.addresses(DhcpOption.ROUTER),
                m.addresses(DhcpOption.DOMAIN_NAME_SERVER), m.text(DhcpOption.DOMAIN_NAME).orElse(null), leaseSeconds,
                // RFC 2131 section 4.4.1: "the client records the lease expiration time as the sum of the
                // time at which the original request was sent and the duration of the lease".
                t1, t2, requestSentAt >= 0 ? requestSentAt : node.loop().nanos());
        if (state == State.REQUESTING || (state == State.REBOOTING && !configured)) {
            probe(got);
        } else {
            enterBound(got, "DHCPACK");
        }
    }

    private void nak(DhcpMessage m, Ipv4Address from) {
        log("DHCPNAK from " + m.address(DhcpOption.SERVER_ID).orElse(from)
                + m.text(DhcpOption.MESSAGE).map(t -> " (" + t + ")").orElse(""));
        // RFC 2131 section 3.1 step 5 / 4.4.5: "If the client receives a DHCPNAK message, the client
        // restarts the configuration process" and stops using its address.
        cancelTimers();
        if (configured) {
            unconfigure("DHCPNAK");
        }
        lease = null;
        setState(State.INIT, "DHCPNAK");
        startSelecting();
    }

    // ------------------------------------------------------------------ RFC 5227 probing

    private void probe(LeaseInfo got) {
        pending = got;
        node.event(LAYER, "arp_probe_start", "interface", ifName, "address", got.address().toString());
        MacAddress mine = mac();
        arpTapClose = node.tapFrames(ifName, EthernetFrame.ETHERTYPE_ARP, frame -> {
            ArpPacket arp;
            try {
                byte[] p = frame.payload();
                arp = ArpPacket.parse(p, 0, p.length);
            } catch (RuntimeException e) {
                return; // the node counts malformed ARP itself
            }
            if (arp.senderMac().equals(mine)) {
                return;
            }
            // RFC 5227 section 2.1.1: a conflict is any ARP whose sender IP is the address, or a probe
            // from another host for the same target.
            boolean conflict = arp.senderIp().equals(got.address())
                    || (arp.senderIp().equals(Ipv4Address.ANY) && arp.targetIp().equals(got.address()));
            if (conflict && pending == got) {
                conflict(got, arp.senderMac());
            }
        });
        long wait = (long) (node.random().nextDouble() * PROBE_WAIT);
        timer = node.loop().schedule(wait, () -> sendProbe(got, 1));
    }

    private void sendProbe(LeaseInfo got, int n) {
        if (pending != got) {
            return;
        }
        // RFC 5227 section 2.1.1: sender IP 0, target IP the address, target MAC 0, broadcast.
        node.event(LAYER, "arp_probe", "interface", ifName, "address", got.address().toString(), "probe", n);
        node.sendFrame(ifName, MacAddress.BROADCAST, EthernetFrame.ETHERTYPE_ARP,
                ArpPacket.request(mac(), Ipv4Address.ANY, got.address()).encode());
        if (n < PROBE_NUM) {
            long gap = PROBE_MIN + (long) (node.random().nextDouble() * (PROBE_MAX - PROBE_MIN));
            timer = node.loop().schedule(gap, () -> sendProbe(got, n + 1));
        } else {
            timer = node.loop().schedule(ANNOUNCE_WAIT, () -> {
                if (pending == got) {
                    closeTap();
                    pending = null;
                    enterBound(got, "no ARP conflict for " + got.address());
                }
            });
        }
    }

    private void conflict(LeaseInfo got, MacAddress other) {
        pending = null;
        closeTap();
        timer.cancel();
        node.event(LAYER, "arp_conflict", "interface", ifName, "address", got.address().toString(), "owner", other.toString());
        // RFC 2131 section 3.1 step 5: "the client SHOULD send a DHCPDECLINE message to the server".
        DhcpMessage m = message(DhcpMessage.DECLINE, xid, Ipv4Address.ANY, List.of(
                DhcpOption.ofAddresses(DhcpOption.REQUESTED_IP, got.address()),
                DhcpOption.ofAddresses(DhcpOption.SERVER_ID, got.server()),
                DhcpOption.ofText(DhcpOption.MESSAGE, "address in use by " + other)));
        log("DHCPDECLINE of " + got.address() + " on " + ifName + " to 255.255.255.255 port 67");
        sendBroadcast(m, Ipv4Address.ANY);
        if (configured) {
            unconfigure("conflict");
        }
        lease = null;
        setState(State.INIT, "declined " + got.address());
        timer = node.loop().schedule(DECLINE_BACKOFF, this::startSelecting);
    }

    // ------------------------------------------------------------------ BOUND

    private void enterBound(LeaseInfo got, String why) {
        boolean changed = lease == null || !lease.address().equals(got.address()) || lease.prefixLength() != got.prefixLength()
                || !configured;
        if (changed && configured) {
            unconfigure("new address");
        }
        lease = got;
        if (changed) {
            configure(got);
        } else {
            refreshLifetime(got);
        }
        setState(State.BOUND, why);
        long now = node.loop().nanos();
        long t1At = got.boundAtNanos() + got.renewSeconds() * SECOND;
        long t2At = got.boundAtNanos() + got.rebindSeconds() * SECOND;
        log("bound to " + got.address() + " -- renewal in " + Math.max(0, (t1At - now) / SECOND) + " seconds.");
        timer = node.loop().schedule(Math.max(0, t1At - now), this::enterRenewing);
        leaseTimer.cancel();
        leaseTimer = node.loop().schedule(Math.max(0, t2At - now), this::enterRebinding);
        CompletableFuture<LeaseInfo> b = bound;
        bound = new CompletableFuture<>();
        b.complete(got);
    }

    private void enterRenewing() {
        if (lease == null) {
            return;
        }
        timer.cancel();
        xid = node.random().nextInt();
        requestSentAt = -1;
        transactionStart = node.loop().nanos();
        setState(State.RENEWING, "T1");
        sendRequest();
    }

    private void enterRebinding() {
        if (lease == null) {
            return;
        }
        timer.cancel();
        xid = node.random().nextInt();
        requestSentAt = -1;
        transactionStart = node.loop().nanos();
        setState(State.REBINDING, "T2");
        sendRequest();
        long now = node.loop().nanos();
        leaseTimer = node.loop().schedule(Math.max(0, lease.expiresAtNanos() - now), this::expire);
    }

    private void expire() {
        // RFC 2131 section 4.4.5: "If the lease expires before the client receives a DHCPACK, the
        // client moves to INIT state, MUST immediately stop any other network processing and
        // requests network initialization parameters as if the client were uninitialized."
        cancelTimers();
        node.event(LAYER, "lease_expired", "interface", ifName, "address", lease.address().toString());
        unconfigure("lease expired");
        lease = null;
        setState(State.INIT, "lease expired");
        startSelecting();
    }

    private void configure(LeaseInfo got) {
        node.addAddress(ifName, got.address(), got.prefixLength());
        refreshLifetime(got);
        if (!got.routers().isEmpty()) {
            try {
                node.addRoute(Ipv4Address.ANY, 0, got.routers().get(0), ifName);
            } catch (IllegalArgumentException e) {
                node.event(LAYER, "route_not_added", "interface", ifName, "error", e.getMessage());
            }
        }
        StubResolver.of(node).setFromDhcp(ifName, got.dnsServers(), got.domain());
        configured = true;
        node.event(LAYER, "configured", "interface", ifName, "address", got.address() + "/" + got.prefixLength(),
                "router", got.routers().isEmpty() ? "" : got.routers().get(0).toString(),
                "dns", got.dnsServers().toString(), "domain", got.domain() == null ? "" : got.domain(),
                "lease_seconds", got.leaseSeconds());
    }

    private void refreshLifetime(LeaseInfo got) {
        node.setAddressLifetime(ifName, got.address(), new AddressLifetime(got.expiresAtNanos(),
                got.expiresAtNanos()));
    }

    private void unconfigure(String why) {
        if (!configured || lease == null) {
            configured = false;
            return;
        }
        if (!lease.routers().isEmpty()) {
            node.removeRoute(Ipv4Address.ANY, 0);
        }
        node.removeAddress(ifName, lease.address());
        StubResolver.of(node).setFromDhcp(ifName, List.of(), null);
        configured = false;
        node.event(LAYER, "unconfigured", "interface", ifName, "address", lease.address().toString(), "reason", why);
    }

    // ------------------------------------------------------------------ input (from DhcpClients)

    void receive(DhcpMessage m, UdpMessage u) {
        if (m.op() != DhcpMessage.BOOTREPLY || m.xid() != xid || !m.clientMac().equals(mac())) {
            drop("not_our_transaction");
            return;
        }
        int type = m.messageType();
        if (pending != null) {
            drop("busy_probing"); // a duplicate reply while the address is being probed
            return;
        }
        node.event(LAYER, "received", "interface", ifName, "message", DhcpMessage.typeName(type), "xid", xid(m),
                "from", u.source().toString(), "yiaddr", m.yiaddr().toString(), "state", state.name());
        switch (state) {
            case SELECTING -> {
                if (type == DhcpMessage.OFFER) {
                    selectOffer(m, u.source());
                } else {
                    drop("unexpected_in_selecting");
                }
            }
            case REQUESTING, REBOOTING, RENEWING, REBINDING -> {
                if (type == DhcpMessage.ACK) {
                    if (state == State.REQUESTING && !m.yiaddr().equals(offer.yiaddr())) {
                        drop("ack_for_other_address");
                        return;
                    }
                    ack(m, u.source());
                } else if (type == DhcpMessage.NAK) {
                    nak(m, u.source());
                } else {
                    drop("unexpected_message");
                }
            }
            default -> drop("unexpected_in_" + state.name().toLowerCase());
        }
    }

    // ------------------------------------------------------------------ helpers

    private DhcpMessage message(int type, int id, Ipv4Address ciaddr, List<DhcpOption> extra) {
        List<DhcpOption> o = new ArrayList<>();
        o.add(DhcpOption.ofByte(DhcpOption.MESSAGE_TYPE, type));
        o.addAll(extra);
        if (type == DhcpMessage.DISCOVER || type == DhcpMessage.REQUEST) {
            o.add(DhcpOption.ofText(DhcpOption.HOST_NAME, node.name()));
            o.add(new DhcpOption(DhcpOption.PARAMETER_REQUEST_LIST, new byte[] {
                    DhcpOption.SUBNET_MASK, DhcpOption.BROADCAST_ADDRESS, DhcpOption.ROUTER, DhcpOption.DOMAIN_NAME,
                    DhcpOption.DOMAIN_NAME_SERVER, DhcpOption.LEASE_TIME, DhcpOption.RENEWAL_TIME,
                    DhcpOption.REBINDING_TIME}));
        }
        byte[] ch = new byte[16];
        mac().write(ch, 0);
        // Table 5: 'secs' is the time since the client began acquiring or renewing (0 for RELEASE/DECLINE).
        int secs = type == DhcpMessage.RELEASE || type == DhcpMessage.DECLINE ? 0
                : (int) Math.min(0xFFFF, (node.loop().nanos() - transactionStart) / SECOND);
        return new DhcpMessage(DhcpMessage.BOOTREQUEST, DhcpMessage.HTYPE_ETHERNET, 6, 0, id, secs, 0, ciaddr,
                Ipv4Address.ANY, Ipv4Address.ANY, Ipv4Address.ANY, ch, new byte[64], new byte[128], o);
    }

    /** Broadcast from {@code from} (0.0.0.0 before the client has an address) over a packet socket. */
    private void sendBroadcast(DhcpMessage m, Ipv4Address from) {
        traceSent(m, Ipv4Address.BROADCAST);
        RawUdp.send(node, ifName, MacAddress.BROADCAST, from, DhcpMessage.CLIENT_PORT, Ipv4Address.BROADCAST,
                DhcpMessage.SERVER_PORT, m.encode());
    }

    private void sendUnicast(DhcpMessage m, Ipv4Address to) {
        traceSent(m, to);
        port.send(m.encode(), to);
    }

    private void traceSent(DhcpMessage m, Ipv4Address to) {
        node.counterSet().increment(LAYER, "sent");
        node.event(LAYER, "sent", "interface", ifName, "message", DhcpMessage.typeName(m.messageType()), "xid", xid(m),
                "to", to.toString(), "ciaddr", m.ciaddr().toString(),
                "requested", m.address(DhcpOption.REQUESTED_IP).map(Ipv4Address::toString).orElse(""), "state", state.name());
    }

    /** RFC 2131 section 4.1: the delay "randomized by the value of a uniform random number chosen from the range -1 to +1". */
    private long jittered(long base) {
        return base + (long) ((node.random().nextDouble() * 2 - 1) * SECOND);
    }

    /** Prefix length from option 1, else the address's class (RFC 950 / RFC 1122 section 3.3.1.1). */
    private static int prefixOf(DhcpMessage m) {
        Optional<Ipv4Address> mask = m.address(DhcpOption.SUBNET_MASK);
        if (mask.isPresent()) {
            int bits = mask.get().bits();
            int n = Integer.bitCount(bits);
            if (bits == Ipv4Address.mask(n)) {
                return n;
            }
        }
        int top = m.yiaddr().bits() >>> 24;
        return top < 128 ? 8 : top < 192 ? 16 : 24;
    }

    private MacAddress mac() {
        return node.networkInterface(ifName).map(NetworkInterface::mac).orElseThrow();
    }

    private void setState(State to, String why) {
        State from = state;
        state = to;
        node.event(LAYER, "state", "interface", ifName, "from", from.name(), "to", to.name(), "reason", why);
    }

    private void log(String line) {
        node.event(LAYER, "log", "interface", ifName, "line", line);
        for (Consumer<String> l : logListeners) {
            l.accept(line);
        }
    }

    private void drop(String reason) {
        node.counterSet().drop(LAYER, reason);
        node.event(LAYER, "drop", "interface", ifName, "reason", reason, "state", state.name());
    }

    private void closeTap() {
        if (arpTapClose != null) {
            arpTapClose.run();
            arpTapClose = null;
        }
    }

    private void cancelTimers() {
        timer.cancel();
        leaseTimer.cancel();
        pending = null;
        closeTap();
    }

    private static String xid(DhcpMessage m) {
        return String.format("0x%08x", m.xid());
    }
}
