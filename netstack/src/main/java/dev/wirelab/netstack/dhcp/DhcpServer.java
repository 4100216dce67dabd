package dev.wirelab.netstack.dhcp;

import dev.wirelab.netstack.node.InterfaceAddress;
import dev.wirelab.netstack.node.NetworkInterface;
import dev.wirelab.netstack.node.Node;
import dev.wirelab.netstack.udp.UdpMessage;
import dev.wirelab.netstack.udp.UdpSocket;
import dev.wirelab.netstack.wire.DhcpMessage;
import dev.wirelab.netstack.wire.DhcpOption;
import dev.wirelab.netstack.wire.Ipv4Address;
import dev.wirelab.netstack.wire.MacAddress;
import dev.wirelab.netstack.wire.WireFormatException;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.PriorityQueue;
import java.util.TreeSet;
import java.util.Objects;
import java.util.Optional;

/**
 * A DHCP server (RFC 2131 section 4.3) on a node: UDP port 67, one or more pools, bindings kept in a
 * {@link LeaseFile} that survives a restart of the node. Runs on the node's loop. Every message
 * received and sent and every binding change is a trace event of layer "dhcp"; a message that cannot
 * be used is counted as {@code dhcp.dropped.<reason>}.
 */
public final class DhcpServer {

    /** How long an offered address is held for the client's DHCPREQUEST (dhcpd holds offers about as long). */
    public static final long OFFER_HOLD_SECONDS = 60;

    private static final String LAYER = "dhcp";

    private final Node node;
    private final List<DhcpPool> pools;
    private final LeaseFile file;
    private final LeaseDatabase db = new LeaseDatabase();
    /** Entries in the lease file since it was last compacted (rewritten with one entry per address). */
    private int fileEntries;
    /**
     * Per pool, the lowest address of its range that may never have had a record: every address
     * below it has one (records are never removed while the server runs), so the search for an
     * address "nobody had" starts there instead of at the range's start.
     */
    private final Map<DhcpPool, long[]> freshCursor = new IdentityHashMap<>();
    /**
     * Addresses that may go to a client again although they have a record, in address order: those
     * released, those whose binding has run out (moved here from {@link #expiries} once due), and
     * those the fresh cursor passed without handing out. A candidate is checked again when chosen.
     */
    private final NavigableSet<Ipv4Address> reusable = new TreeSet<>();
    /** When each binding ends, soonest first; an entry whose binding has changed since is ignored. */
    private final PriorityQueue<Expiry> expiries = new PriorityQueue<>();

    private record Expiry(long ends, Ipv4Address address) implements Comparable<Expiry> {
        @Override
        public int compareTo(Expiry o) {
            int c = Long.compare(ends, o.ends);
            return c != 0 ? c : address.compareTo(o.address);
        }
    }
    private UdpSocket socket;

    /** Compact once the file holds this many times as many entries as there are bindings (dhcpd rewrites it hourly). */
    static final int COMPACT_FACTOR = 2;
    /** ... and at least this many entries, so a small file is not rewritten at every other change. */
    static final int COMPACT_MIN_ENTRIES = 64;

    private DhcpServer(Node node, List<DhcpPool> pools, LeaseFile file) {
        this.node = node;
        this.pools = List.copyOf(pools);
        this.file = Objects.requireNonNull(file);
    }

    /** Adds a DHCP server to {@code node}: it serves from each start of the node until its stop. */
    public static DhcpServer install(Node node, List<DhcpPool> pools, LeaseFile file) {
        DhcpServer s = node.service(DhcpServer.class, n -> new DhcpServer(n, pools, file));
        node.onStart(s::start);
        node.onStop(s::stop);
        if (node.running()) {
            node.loop().execute(s::start);
        }
        return s;
    }

    public List<DhcpPool> pools() {
        return pools;
    }

    /** Current bindings (call on the loop, or after the lab has stopped moving). */
    public List<Lease> leases() {
        return db.all();
    }

    public LeaseFile leaseFile() {
        return file;
    }

    // ------------------------------------------------------------------ lifecycle

    private void start() {
        if (socket != null) {
            return;
        }
        db.clear();
        freshCursor.clear();
        reusable.clear();
        expiries.clear();
        String text = file.read();
        if (text.isEmpty()) {
            file.write(LeaseDatabase.write(List.of())); // a new file: its header, then the appends
        }
        LeaseDatabase.Parsed parsed = LeaseDatabase.parse(text);
        parsed.leases().forEach(db::put); // in file order: the last entry for an address wins
        for (Lease l : db.all()) {
            track(l);
        }
        for (String e : parsed.errors()) {
            node.counterSet().increment(LAYER, "lease_file_errors");
            node.event(LAYER, "lease_file_error", "error", e);
        }
        fileEntries = parsed.entries();
        if (!parsed.errors().isEmpty() || needsCompaction()) {
            // A torn or damaged file is rewritten before the first append: an entry appended after
            // a cut-short one would otherwise be read as part of it.
            compact(parsed.errors().isEmpty() ? "grown" : "damaged");
        }
        socket = node.udp().open(Ipv4Address.ANY, DhcpMessage.SERVER_PORT);
        socket.setBroadcast(true);
        socket.onReceive(this::receive);
        List<String> ranges = new ArrayList<>();
        for (DhcpPool p : pools) {
            ranges.add(p.rangeStart() + "-" + p.rangeEnd());
        }
        node.event(LAYER, "server_start", "pools", ranges.toString(), "leases_loaded", parsed.leases().size());
    }

    private void stop() {
        if (socket == null) {
            return;
        }
        compact("stop");
        socket.close();
        socket = null;
        int n = db.size();
        db.clear(); // what survives a restart is what the lease file says
        node.event(LAYER, "server_stop", "leases_saved", n);
    }

    private boolean needsCompaction() {
        return fileEntries >= Math.max(COMPACT_MIN_ENTRIES, COMPACT_FACTOR * db.size());
    }

    /** Rewrites the lease file with one entry per address (dhcpd's lease file rewrite). */
    private void compact(String why) {
        int before = fileEntries;
        file.write(LeaseDatabase.write(db.all()));
        fileEntries = db.size();
        node.counterSet().increment(LAYER, "lease_file_compactions");
        if (!why.equals("stop")) {
            node.event(LAYER, "lease_file_compacted", "reason", why, "entries_before", before, "entries_after", fileEntries);
        }
    }

    private long now() {
        return (node.loop().epochUnixNanos() + node.loop().nanos()) / 1_000_000_000L;
    }

    // ------------------------------------------------------------------ input

    private void receive(UdpMessage u) {
        node.counterSet().increment(LAYER, "received");
        DhcpMessage m;
        try {
            m = DhcpMessage.parse(u.payload(), 0, u.payload().length);
        } catch (WireFormatException e) {
            drop("malformed", "from", u.source() + ":" + u.sourcePort(), "error", e.getMessage());
            return;
        }
        int type = m.messageType();
        node.event(LAYER, "received", "message", DhcpMessage.typeName(type), "xid", xid(m), "chaddr",
                m.clientMac().toString(), "from", u.source().toString(), "interface", u.interfaceName(),
                "ciaddr", m.ciaddr().toString(), "giaddr", m.giaddr().toString(),
                "requested", m.address(DhcpOption.REQUESTED_IP).map(Ipv4Address::toString).orElse(""));
        if (m.op() != DhcpMessage.BOOTREQUEST) {
            drop("not_a_request", "xid", xid(m)); // BOOTREPLYs are for clients and relays
            return;
        }
        if (m.htype() != DhcpMessage.HTYPE_ETHERNET || m.hlen() != 6) {
            drop("unsupported_hardware", "htype", m.htype(), "hlen", m.hlen());
            return;
        }
        DhcpPool pool = selectPool(m, u);
        if (pool == null) {
            drop("no_pool", "xid", xid(m), "giaddr", m.giaddr().toString(), "interface", u.interfaceName());
            return;
        }
        Ipv4Address serverId = serverId(u, pool);
        if (serverId == null) {
            drop("no_server_address", "interface", u.interfaceName());
            return;
        }
        switch (type) {
            case DhcpMessage.DISCOVER -> discover(m, u, pool, serverId);
            case DhcpMessage.REQUEST -> request(m, u, pool, serverId);
            case DhcpMessage.DECLINE -> decline(m, pool, serverId);
            case DhcpMessage.RELEASE -> release(m, serverId);
            case DhcpMessage.INFORM -> inform(m, u, pool, serverId);
            default -> drop("unsupported_type", "message", DhcpMessage.typeName(type));
        }
    }

    /**
     * RFC 2131 section 4.3.1: the client's subnet is giaddr's when a relay forwarded the message,
     * else (a client renewing by unicast) ciaddr's, else that of the interface it arrived on.
     */
    private DhcpPool selectPool(DhcpMessage m, UdpMessage u) {
        if (!m.giaddr().equals(Ipv4Address.ANY)) {
            return poolFor(m.giaddr());
        }
        if (!m.ciaddr().equals(Ipv4Address.ANY)) {
            DhcpPool p = poolFor(m.ciaddr());
            if (p != null) {
                return p;
            }
        }
        NetworkInterface ifc = node.networkInterface(u.interfaceName()).orElse(null);
        if (ifc != null) {
            for (InterfaceAddress a : ifc.addresses()) {
                DhcpPool p = poolFor(a.address());
                if (p != null) {
                    return p;
                }
            }
        }
        return null;
    }

    private DhcpPool poolFor(Ipv4Address a) {
        for (DhcpPool p : pools) {
            if (p.inSubnet(a)) {
                return p;
            }
        }
        return null;
    }

    /** Our address the client can reach: the one the message was sent to, else the receiving interface's. */
    private Ipv4Address serverId(UdpMessage u, DhcpPool pool) {
        if (node.isLocalAddress(u.destination())) {
            return u.destination();
        }
        NetworkInterface ifc = node.networkInterface(u.interfaceName()).orElse(null);
        if (ifc == null) {
            return null;
        }
        for (InterfaceAddress a : ifc.addresses()) {
            if (pool.inSubnet(a.address())) {
                return a.address();
            }
        }
        return ifc.primaryAddress();
    }

    // ------------------------------------------------------------------ RFC 2131 section 4.3.1: DHCPDISCOVER

    private void discover(DhcpMessage m, UdpMessage u, DhcpPool pool, Ipv4Address serverId) {
        MacAddress mac = m.clientMac();
        Ipv4Address address = chooseAddress(pool, m);
        if (address == null) {
            node.event(LAYER, "pool_exhausted", "range", pool.rangeStart() + "-" + pool.rangeEnd(), "chaddr", mac.toString());
            drop("no_free_address", "xid", xid(m));
            return;
        }
        long now = now();
        setLease(new Lease(address, mac, Lease.State.OFFERED, now, now + OFFER_HOLD_SECONDS, hostname(m)));
        send(reply(m, DhcpMessage.OFFER, address, Ipv4Address.ANY, pool, serverId, leaseSeconds(m, pool)), m, u, serverId);
    }

    /**
     * RFC 2131 section 4.3.1, in its order: the client's reservation; its current or previous
     * binding; the address it asked for, if valid and free; else a free address of the range.
     */
    private Ipv4Address chooseAddress(DhcpPool pool, DhcpMessage m) {
        MacAddress mac = m.clientMac();
        long now = now();
        Ipv4Address reserved = pool.reservations().get(mac);
        if (reserved != null) {
            return available(reserved, mac, now, false) ? reserved : null;
        }
        for (Lease l : db.of(mac)) {
            if (pool.inSubnet(l.address()) && l.state() != Lease.State.ABANDONED && usable(pool, l.address(), mac, now, false)) {
                return l.address();
            }
        }
        Optional<Ipv4Address> asked = m.address(DhcpOption.REQUESTED_IP);
        if (asked.isPresent() && usable(pool, asked.get(), mac, now, false)) {
            return asked.get();
        }
        // Addresses nobody had first: from the pool's cursor, which only moves forward, so handing
        // out a whole range costs one pass over it, not one per client.
        long end = pool.rangeEnd().bits() & 0xFFFFFFFFL;
        long[] cursor = freshCursor.computeIfAbsent(pool, p -> new long[] {p.rangeStart().bits() & 0xFFFFFFFFL});
        for (; cursor[0] <= end; cursor[0]++) {
            Ipv4Address candidate = new Ipv4Address((int) cursor[0]);
            if (!db.has(candidate)) {
                if (usable(pool, candidate, mac, now, false)) {
                    return candidate; // not passed: the offer gives it a record, and the next search moves on
                }
                reusable.add(candidate); // not usable now (e.g. a local address): looked at again below
            }
        }
        // Then the lowest of those others released or let expire (an expired abandoned one too), or
        // one the cursor passed that has become usable: from the set of such addresses, not a scan.
        for (Expiry e; (e = expiries.peek()) != null && e.ends() <= now; ) {
            expiries.poll();
            Lease l = db.get(e.address()).orElse(null);
            if (l != null && l.ends() == e.ends()) {
                reusable.add(e.address()); // the binding it was queued for has run out
            }
        }
        for (Ipv4Address candidate : reusable.subSet(pool.rangeStart(), true, pool.rangeEnd(), true)) {
            if (usable(pool, candidate, mac, now, true)) {
                return candidate;
            }
        }
        return null;
    }

    /** Keeps {@link #reusable} and {@link #expiries} up to date with a binding's change. */
    private void track(Lease l) {
        if (l.state() == Lease.State.FREE) {
            reusable.add(l.address()); // released (RFC 2131 section 4.3.4): free for others
        } else {
            reusable.remove(l.address());
            expiries.add(new Expiry(l.ends(), l.address()));
        }
    }

    private boolean usable(DhcpPool pool, Ipv4Address a, MacAddress mac, long now, boolean reuseOthers) {
        return pool.assignable(a, mac) && available(a, mac, now, reuseOthers) && !node.isLocalAddress(a)
                && !a.equals(pool.gateway()) && !pool.dnsServers().contains(a);
    }

    private boolean available(Ipv4Address a, MacAddress mac, long now, boolean reuseOthers) {
        Lease l = db.get(a).orElse(null);
        if (l == null) {
            return true;
        }
        if (l.state() == Lease.State.ABANDONED) {
            return !l.holds(now);
        }
        if (l.mac().equals(mac)) {
            return true;
        }
        return reuseOthers && !l.holds(now);
    }

    // ------------------------------------------------------------------ RFC 2131 section 4.3.2: DHCPREQUEST

    private void request(DhcpMessage m, UdpMessage u, DhcpPool pool, Ipv4Address serverId) {
        MacAddress mac = m.clientMac();
        long now = now();
        Optional<Ipv4Address> chosenServer = m.address(DhcpOption.SERVER_ID);
        Optional<Ipv4Address> requested = m.address(DhcpOption.REQUESTED_IP);
        if (chosenServer.isPresent()) {
            // SELECTING: "'server identifier' MUST be set ... 'requested IP address' MUST be filled in".
            if (!node.isLocalAddress(chosenServer.get())) {
                // The client took another server's offer: free ours.
                for (Lease l : db.of(mac)) {
                    if (l.state() == Lease.State.OFFERED) {
                        setLease(l.with(Lease.State.FREE, l.starts(), now));
                    }
                }
                node.event(LAYER, "client_chose_other_server", "chaddr", mac.toString(), "server", chosenServer.get().toString());
                return;
            }
            if (requested.isEmpty()) {
                drop("request_without_requested_address", "xid", xid(m));
                return;
            }
            Lease l = db.get(requested.get()).orElse(null);
            if (l != null && l.mac().equals(mac) && (l.state() == Lease.State.OFFERED || l.state() == Lease.State.ACTIVE)
                    && pool.inSubnet(requested.get())) {
                bind(m, u, pool, serverId, requested.get());
            } else {
                nak(m, u, serverId, "requested address " + requested.get() + " was not offered to this client");
            }
            return;
        }
        if (requested.isPresent()) {
            // INIT-REBOOT: "server SHOULD send a DHCPNAK message to the client if the 'requested IP
            // address' is incorrect, or is on the wrong network".
            Ipv4Address a = requested.get();
            if (!pool.inSubnet(a)) {
                nak(m, u, serverId, "requested address " + a + " is not on the client's network " + pool.network()
                        + "/" + pool.prefixLength());
                return;
            }
            Lease l = db.get(a).orElse(null);
            if (l != null && !l.mac().equals(mac) && l.holds(now)) {
                nak(m, u, serverId, "requested address " + a + " is bound to another client");
            } else if (!pool.assignable(a, mac)) {
                nak(m, u, serverId, "requested address " + a + " is not assignable to this client");
            } else if (l != null && l.mac().equals(mac) && l.state() != Lease.State.ABANDONED) {
                bind(m, u, pool, serverId, a);
            } else {
                // "If the DHCP server has no record of this client, then it MUST remain silent".
                node.event(LAYER, "init_reboot_unknown_client", "chaddr", mac.toString(), "requested", a.toString());
            }
            return;
        }
        if (!m.ciaddr().equals(Ipv4Address.ANY)) {
            // RENEWING (unicast) or REBINDING (broadcast): "'ciaddr' MUST be filled in".
            Ipv4Address a = m.ciaddr();
            Lease l = db.get(a).orElse(null);
            if (l != null && l.mac().equals(mac) && l.state() != Lease.State.ABANDONED && pool.assignable(a, mac)) {
                bind(m, u, pool, serverId, a);
            } else if ((l != null && !l.mac().equals(mac) && l.holds(now)) || (pool.inSubnet(a) && !pool.assignable(a, mac))) {
                nak(m, u, serverId, "address " + a + " is not this client's");
            } else {
                node.event(LAYER, "renew_unknown_binding", "chaddr", mac.toString(), "ciaddr", a.toString());
            }
            return;
        }
        drop("request_without_address", "xid", xid(m));
    }

    private void bind(DhcpMessage m, UdpMessage u, DhcpPool pool, Ipv4Address serverId, Ipv4Address a) {
        long now = now();
        long seconds = leaseSeconds(m, pool);
        setLease(new Lease(a, m.clientMac(), Lease.State.ACTIVE, now, now + seconds, hostname(m)));
        send(reply(m, DhcpMessage.ACK, a, m.ciaddr(), pool, serverId, seconds), m, u, serverId);
    }

    private void nak(DhcpMessage m, UdpMessage u, Ipv4Address serverId, String why) {
        List<DhcpOption> o = List.of(DhcpOption.ofByte(DhcpOption.MESSAGE_TYPE, DhcpMessage.NAK),
                DhcpOption.ofAddresses(DhcpOption.SERVER_ID, serverId), DhcpOption.ofText(DhcpOption.MESSAGE, why));
        // RFC 2131 section 4.1: with giaddr set, the server sets the broadcast bit in a DHCPNAK so the
        // relay broadcasts it to the client.
        int flags = m.giaddr().equals(Ipv4Address.ANY) ? m.flags() : m.flags() | DhcpMessage.FLAG_BROADCAST;
        DhcpMessage nak = new DhcpMessage(DhcpMessage.BOOTREPLY, m.htype(), m.hlen(), 0, m.xid(), 0, flags,
                Ipv4Address.ANY, Ipv4Address.ANY, Ipv4Address.ANY, m.giaddr(), m.chaddr(), new byte[64], new byte[128], o);
        node.event(LAYER, "nak", "chaddr", m.clientMac().toString(), "reason", why);
        send(nak, m, u, serverId);
    }

    // ------------------------------------------------------------------ RFC 2131 sections 4.3.3 - 4.3.5

    private void decline(DhcpMessage m, DhcpPool pool, Ipv4Address serverId) {
        Optional<Ipv4Address> a = m.address(DhcpOption.REQUESTED_IP);
        Optional<Ipv4Address> sid = m.address(DhcpOption.SERVER_ID);
        if (a.isEmpty() || (sid.isPresent() && !node.isLocalAddress(sid.get()))) {
            drop("decline_not_for_us", "xid", xid(m));
            return;
        }
        // 4.3.3: "the server MUST mark the network address as not available and SHOULD notify the
        // local system administrator of a possible configuration problem".
        long now = now();
        setLease(new Lease(a.get(), m.clientMac(), Lease.State.ABANDONED, now, now + pool.leaseSeconds(), null));
        node.event(LAYER, "address_declined", "address", a.get().toString(), "chaddr", m.clientMac().toString(),
                "message", m.text(DhcpOption.MESSAGE).orElse(""));
    }

    private void release(DhcpMessage m, Ipv4Address serverId) {
        // 4.3.4: "the server marks the network address as not allocated" and keeps the client's record.
        Lease l = db.get(m.ciaddr()).orElse(null);
        if (l == null || !l.mac().equals(m.clientMac())) {
            drop("release_unknown_binding", "ciaddr", m.ciaddr().toString());
            return;
        }
        setLease(l.with(Lease.State.FREE, l.starts(), now()));
    }

    private void inform(DhcpMessage m, UdpMessage u, DhcpPool pool, Ipv4Address serverId) {
        // 4.3.5: "The server ... SHOULD NOT check for an existing lease ... MUST NOT send a lease
        // expiration time ... and SHOULD NOT fill in 'yiaddr'".
        send(reply(m, DhcpMessage.ACK, Ipv4Address.ANY, m.ciaddr(), pool, serverId, -1), m, u, serverId);
    }

    // ------------------------------------------------------------------ output

    /** RFC 2131 section 4.3.1 table 3: the fields and options of DHCPOFFER and DHCPACK. */
    private DhcpMessage reply(DhcpMessage m, int type, Ipv4Address yiaddr, Ipv4Address ciaddr, DhcpPool pool,
                              Ipv4Address serverId, long leaseSeconds) {
        List<DhcpOption> o = new ArrayList<>();
        o.add(DhcpOption.ofByte(DhcpOption.MESSAGE_TYPE, type));
        o.add(DhcpOption.ofAddresses(DhcpOption.SERVER_ID, serverId));
        if (leaseSeconds > 0) {
            o.add(DhcpOption.ofInt(DhcpOption.LEASE_TIME, leaseSeconds));
            // RFC 2131 section 4.4.5: T1 and T2 scale with a shortened lease.
            o.add(DhcpOption.ofInt(DhcpOption.RENEWAL_TIME, Math.min(pool.renewSeconds(), leaseSeconds / 2)));
            o.add(DhcpOption.ofInt(DhcpOption.REBINDING_TIME, Math.min(pool.rebindSeconds(), leaseSeconds * 7 / 8)));
        }
        o.add(DhcpOption.ofAddresses(DhcpOption.SUBNET_MASK, pool.mask()));
        o.add(DhcpOption.ofAddresses(DhcpOption.BROADCAST_ADDRESS, pool.broadcast()));
        if (pool.gateway() != null) {
            o.add(DhcpOption.ofAddresses(DhcpOption.ROUTER, pool.gateway()));
        }
        if (!pool.dnsServers().isEmpty()) {
            o.add(DhcpOption.ofAddresses(DhcpOption.DOMAIN_NAME_SERVER, pool.dnsServers().toArray(Ipv4Address[]::new)));
        }
        if (pool.domain() != null) {
            o.add(DhcpOption.ofText(DhcpOption.DOMAIN_NAME, pool.domain()));
        }
        return new DhcpMessage(DhcpMessage.BOOTREPLY, m.htype(), m.hlen(), 0, m.xid(), 0, m.flags(), ciaddr, yiaddr,
                Ipv4Address.ANY, m.giaddr(), m.chaddr(), new byte[64], new byte[128], o);
    }

    /**
     * RFC 2131 section 4.1: to the relay's server port when giaddr is set; a DHCPNAK without relay
     * is broadcast; to ciaddr when the client has one; broadcast when the client set the broadcast
     * bit; else unicast to chaddr and yiaddr (a packet socket, since the client has no address yet).
     */
    private void send(DhcpMessage reply, DhcpMessage request, UdpMessage u, Ipv4Address serverId) {
        byte[] bytes = reply.encode();
        String how;
        Ipv4Address to;
        if (!request.giaddr().equals(Ipv4Address.ANY)) {
            to = request.giaddr();
            how = "relay";
            socket.sendTo(to, DhcpMessage.SERVER_PORT, bytes);
        } else if (reply.messageType() == DhcpMessage.NAK || (request.ciaddr().equals(Ipv4Address.ANY)
                && request.broadcastFlag())) {
            to = Ipv4Address.BROADCAST;
            how = "broadcast";
            RawUdp.send(node, u.interfaceName(), MacAddress.BROADCAST, serverId, DhcpMessage.SERVER_PORT, to,
                    DhcpMessage.CLIENT_PORT, bytes);
        } else if (!request.ciaddr().equals(Ipv4Address.ANY)) {
            to = request.ciaddr();
            how = "unicast";
            socket.sendTo(to, DhcpMessage.CLIENT_PORT, bytes);
        } else {
            to = reply.yiaddr();
            how = "unicast to chaddr";
            RawUdp.send(node, u.interfaceName(), request.clientMac(), serverId, DhcpMessage.SERVER_PORT, to,
                    DhcpMessage.CLIENT_PORT, bytes);
        }
        node.counterSet().increment(LAYER, "sent");
        node.event(LAYER, "sent", "message", DhcpMessage.typeName(reply.messageType()), "xid", xid(reply),
                "chaddr", reply.clientMac().toString(), "yiaddr", reply.yiaddr().toString(), "to", to.toString(),
                "delivery", how, "lease_seconds", reply.unsigned32(DhcpOption.LEASE_TIME).orElse(0L));
    }

    private void setLease(Lease l) {
        Lease before = db.get(l.address()).orElse(null);
        db.put(l);
        track(l);
        // Appended, as dhcpd appends to dhcpd.leases: rewriting the whole file at every change made
        // leasing N clients cost N^2.
        file.append(LeaseDatabase.entry(l));
        fileEntries++;
        if (needsCompaction()) {
            compact("grown");
        }
        node.event(LAYER, "lease", "address", l.address().toString(), "chaddr", l.mac().toString(),
                "from", before == null ? "none" : before.mac().equals(l.mac()) ? before.state().text() : "other client",
                "to", l.state().text(), "ends_in_seconds", l.ends() - now());
    }

    private long leaseSeconds(DhcpMessage m, DhcpPool pool) {
        // RFC 2131 section 4.3.1: the client may ask for a lease time; the server may grant less.
        long asked = m.unsigned32(DhcpOption.LEASE_TIME).orElse(pool.leaseSeconds());
        return Math.max(1, Math.min(asked, pool.leaseSeconds()));
    }

    private static String hostname(DhcpMessage m) {
        return m.text(DhcpOption.HOST_NAME).filter(h -> h.matches("[A-Za-z0-9.-]{1,63}")).orElse(null);
    }

    private static String xid(DhcpMessage m) {
        return String.format("0x%08x", m.xid());
    }

    private void drop(String reason, Object... detail) {
        node.counterSet().drop(LAYER, reason);
        Object[] kv = new Object[detail.length + 2];
        kv[0] = "reason";
        kv[1] = reason;
        System.arraycopy(detail, 0, kv, 2, detail.length);
        node.event(LAYER, "drop", kv);
    }
}
