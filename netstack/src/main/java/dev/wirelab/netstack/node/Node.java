package dev.wirelab.netstack.node;

import dev.wirelab.netstack.arp.Neighbor;
import dev.wirelab.netstack.arp.NeighborAction;
import dev.wirelab.netstack.arp.NeighborCache;
import dev.wirelab.netstack.arp.NeighborTiming;
import dev.wirelab.netstack.icmp.IcmpErrorPolicy;
import dev.wirelab.netstack.icmp.IcmpLayer;
import dev.wirelab.netstack.ip.Counters;
import dev.wirelab.netstack.ip.Fragmenter;
import dev.wirelab.netstack.ip.Ipv4Sender;
import dev.wirelab.netstack.ip.OutboundDatagram;
import dev.wirelab.netstack.ip.PathMtuCache;
import dev.wirelab.netstack.ip.PmtuDiscovery;
import dev.wirelab.netstack.ip.Reassembler;
import dev.wirelab.netstack.ip.Route;
import dev.wirelab.netstack.ip.RouteCache;
import dev.wirelab.netstack.ip.RoutingTable;
import dev.wirelab.netstack.ip.SendResult;
import dev.wirelab.netstack.link.FrameHandler;
import dev.wirelab.netstack.link.Link;
import dev.wirelab.netstack.offload.Tso;
import dev.wirelab.netstack.program.Program;
import dev.wirelab.netstack.program.Shell;
import dev.wirelab.netstack.time.Cancellable;
import dev.wirelab.netstack.time.EventLoop;
import dev.wirelab.netstack.trace.OverheardDetail;
import dev.wirelab.netstack.trace.TraceSink;
import dev.wirelab.netstack.udp.UdpLayer;
import dev.wirelab.netstack.wire.ArpPacket;
import dev.wirelab.netstack.wire.EthernetFrame;
import dev.wirelab.netstack.wire.IcmpMessage;
import dev.wirelab.netstack.wire.Ipv4Address;
import dev.wirelab.netstack.wire.Ipv4Packet;
import dev.wirelab.netstack.wire.MacAddress;
import dev.wirelab.netstack.wire.UdpDatagram;
import dev.wirelab.netstack.wire.WireFormatException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * A virtual machine of the lab: NICs, IPv4 with routing, ARP, ICMP, UDP, and programs. Everything
 * runs on the node's {@link EventLoop}: frames from links are handed to the loop before any state
 * is touched, programs are state machines on the loop, and every decision worth seeing is a trace
 * event. Bad bytes never escape: they are counted in {@link #counters()} and traced as drops.
 *
 * <p>Configuration ({@link #addInterface}, {@link #addAddress}, {@link #addRoute}) is meant to be
 * done before {@link #start()}, or from the loop.
 */
public class Node {

    public enum Kind { HOST, ROUTER }

    /** IP layer's view for trace events. */
    private static final String IP = "ipv4";

    private final String name;
    private final EventLoop loop;
    private final TraceSink trace;
    private final Kind kind;
    private volatile boolean forwarding;
    private volatile boolean running;
    private final Map<String, NetworkInterface> interfaces = new LinkedHashMap<>();
    private final RoutingTable routes = new RoutingTable();
    private volatile List<Route> routeView = List.of();
    private final Counters counters = new Counters();
    // The counters of every packet, resolved once (see Counters.counter).
    private final Counters.Counter ethernetReceived = counters.counter("ethernet", "received");
    private final Counters.Counter ethernetSent = counters.counter("ethernet", "sent");
    private final Counters.Counter ipReceived = counters.counter(IP, "received");
    private final Counters.Counter ipDelivered = counters.counter(IP, "delivered");
    private final Counters.Counter ipForwarded = counters.counter(IP, "forwarded");
    private final Counters.Counter ipSent = counters.counter(IP, "sent");
    private final Counters.Counter ipTransmitted = counters.counter(IP, "transmitted");
    private static final byte[] NO_OPTIONS = new byte[0];
    private final Counters.Counter gsoSegmented = counters.counter(IP, "gso_segmented");
    // What every host of a segment counts for each broadcast on it: resolved once, counted with a store.
    private final Counters.Counter arpReceived = counters.counter("arp", "received");
    private final Counters.Counter arpRequestsOverheard = counters.counter("arp", "requests_overheard");
    private final Counters.Counter arpRepliesOverheard = counters.counter("arp", "replies_overheard");
    private final Counters.Counter udpReceived = counters.counter("udp", "received");
    private final Counters.Counter udpBroadcastsOverheard = counters.counter("udp", "broadcasts_overheard");
    private final Counters.Counter udpNoSocket = counters.counter("udp", "dropped.no_socket");
    private final Counters.Counter icmpSuppressedBroadcast = counters.counter("icmp", "error_suppressed.to_broadcast_or_multicast");
    private final Reassembler reassembler = new Reassembler();
    private Cancellable reassemblyTimer = Cancellable.NONE;
    private long reassemblyTimerAt = Long.MAX_VALUE;
    private final PathMtuCache pathMtu = new PathMtuCache();
    private final Map<Integer, ProtocolHandler> protocols = new HashMap<>();
    private final Map<String, Supplier<Program>> programs = new LinkedHashMap<>();
    private final Ipv4Sender ipSender = new IpSenderImpl();
    private final UdpLayer udp;
    private final IcmpLayer icmp;
    private NeighborTiming neighborTiming = NeighborTiming.LINUX;
    private int nextIdentification;
    private final Map<Class<?>, Object> services = new ConcurrentHashMap<>();
    private final List<Runnable> startHooks = new CopyOnWriteArrayList<>();
    private final List<Runnable> stopHooks = new CopyOnWriteArrayList<>();
    private final Map<String, AddressLifetime> lifetimes = new ConcurrentHashMap<>();
    private RandomGenerator random;
    private OverheardDetail overheardDetail = new OverheardDetail(OverheardDetail.DEFAULT_LIMIT);
    /** The broadcast or multicast frame being received, and whether this node traces what it overheard in it (0: not asked yet). */
    private byte[] rxGroupFrame;
    private int rxGroupVerdict;

    /** A host (no forwarding). */
    public Node(String name, EventLoop loop, TraceSink trace) {
        this(name, loop, trace, Kind.HOST);
    }

    protected Node(String name, EventLoop loop, TraceSink trace, Kind kind) {
        this.name = Objects.requireNonNull(name, "name");
        this.loop = Objects.requireNonNull(loop, "loop");
        this.trace = trace == null ? TraceSink.NONE : trace;
        this.kind = kind;
        this.forwarding = kind == Kind.ROUTER;
        int seed = name.hashCode();
        // Deterministic per-node starting points, different between nodes (no randomness, no clock).
        this.nextIdentification = (seed ^ (seed >>> 16)) & 0xFFFF;
        this.random = new java.util.SplittableRandom(seed);
        this.udp = new UdpLayer(ipSender, counters, loop::nanos, this::event);
        this.icmp = new IcmpLayer(ipSender, counters, loop::nanos, ((seed >>> 8) ^ seed) & 0xFFFF, this::event);
    }

    public static Node host(String name, EventLoop loop, TraceSink trace) {
        return new Host(name, loop, trace);
    }

    public static Node router(String name, EventLoop loop, TraceSink trace) {
        return new Router(name, loop, trace);
    }

    // ------------------------------------------------------------------ configuration

    public String name() {
        return name;
    }

    public Kind kind() {
        return kind;
    }

    public EventLoop loop() {
        return loop;
    }

    public TraceSink trace() {
        return trace;
    }

    /** True when this node forwards datagrams not addressed to it (net.ipv4.ip_forward). */
    public boolean forwarding() {
        return forwarding;
    }

    public void setForwarding(boolean forwarding) {
        this.forwarding = forwarding;
    }

    public boolean running() {
        return running;
    }

    /** Replaces the ARP timers (before adding interfaces). */
    public void setNeighborTiming(NeighborTiming timing) {
        this.neighborTiming = Objects.requireNonNull(timing);
    }

    /**
     * Adds a NIC plugged into {@code link}. The node becomes the link's receiver; frames are handed
     * to the node's loop before anything reads them.
     */
    public NetworkInterface addInterface(String ifName, MacAddress mac, int mtu, Link link) {
        Objects.requireNonNull(ifName, "ifName");
        Objects.requireNonNull(mac, "mac");
        Objects.requireNonNull(link, "link");
        if (interfaces.containsKey(ifName)) {
            throw new IllegalArgumentException(name + ": interface " + ifName + " already exists");
        }
        if (mtu < Fragmenter.MINIMUM_MTU || mtu > 65535) {
            // RFC 791 section 3.2: every network must carry 68-octet datagrams unfragmented.
            throw new IllegalArgumentException(name + ": interface " + ifName + ": MTU must be 68..65535: " + mtu);
        }
        if (mac.isGroup()) {
            throw new IllegalArgumentException(name + ": interface " + ifName + ": MAC " + mac + " is a group address");
        }
        NetworkInterface ifc = new NetworkInterface(ifName, interfaces.size() + 1, mac, mtu, link, neighborTiming);
        interfaces.put(ifName, ifc);
        link.setReceiver(new FrameHandler() {
            @Override
            public void onFrame(byte[] frame) {
                loop.execute(() -> receiveFrame(ifc, frame, 0));
            }

            @Override
            public void onFrame(byte[] frame, int gsoSize) {
                // A TCP super-packet is taken whole, as a Linux veth takes a GSO skb.
                loop.execute(() -> receiveFrame(ifc, frame, gsoSize));
            }
        });
        return ifc;
    }

    /**
     * Turns TCP segmentation offload on or off ({@code ethtool -K ifName tso on|off}). New TCP
     * connections see it when they are established (Linux's sk_setup_caps); super-packets of older
     * connections through an interface that lost TSO are cut into segments in software on the way out.
     */
    public void setTso(String ifName, boolean on) {
        onLoop(() -> {
            NetworkInterface ifc = requireInterface(ifName);
            if (ifc.tso() != on) {
                ifc.setTso(on);
                event("link", "offload", "interface", ifName, "feature", "tso", "state", on ? "on" : "off");
            }
        });
    }

    /** Adds {@code address/prefixLength} to an interface, with its connected route (as the kernel does). */
    public void addAddress(String ifName, Ipv4Address address, int prefixLength) {
        onLoop(() -> {
            NetworkInterface ifc = requireInterface(ifName);
            InterfaceAddress a = new InterfaceAddress(address, prefixLength);
            if (ifc.hasAddress(address)) {
                throw new IllegalArgumentException(name + ": " + ifName + " already has " + address);
            }
            ifc.addressList().add(a);
            if (prefixLength < 32) {
                routes.add(Route.connected(address, prefixLength, ifName, address));
            }
            publishRoutes();
            event("ip", "address_added", "interface", ifName, "address", a.toString());
            if (running) {
                announce(ifc, address);
            }
        });
    }

    /** Removes an address and the connected route it brought. */
    public void removeAddress(String ifName, Ipv4Address address) {
        onLoop(() -> {
            NetworkInterface ifc = requireInterface(ifName);
            ifc.addressList().removeIf(a -> a.address().equals(address));
            lifetimes.remove(ifName + " " + address);
            routes.removeIf(r -> r.origin() == Route.Origin.CONNECTED && r.interfaceName().equals(ifName)
                    && address.equals(r.preferredSource()));
            publishRoutes();
            event("ip", "address_removed", "interface", ifName, "address", address.toString());
        });
    }

    /**
     * Adds a static route. {@code via} null means on-link; {@code ifName} null means "the
     * interface whose connected route reaches {@code via}" (as {@code ip route add ... via X} does).
     *
     * @throws IllegalArgumentException with a precise reason when the route cannot be added
     */
    public void addRoute(Ipv4Address network, int prefixLength, Ipv4Address via, String ifName) {
        onLoop(() -> {
            String dev = ifName;
            if (dev == null) {
                if (via == null) {
                    throw new IllegalArgumentException(name + ": route " + network + "/" + prefixLength + " needs a gateway or an interface");
                }
                Route r = routes.lookup(via).filter(Route::onLink).orElseThrow(() -> new IllegalArgumentException(
                        name + ": gateway " + via + " is not on a connected network (Nexthop has invalid gateway)"));
                dev = r.interfaceName();
            } else {
                requireInterface(dev);
            }
            routes.add(new Route(network, prefixLength, via, dev, Route.Origin.STATIC, null, 0));
            publishRoutes();
            event("ip", "route_added", "route", network + "/" + prefixLength, "via", String.valueOf(via), "interface", dev);
        });
    }

    /** Removes static routes to {@code network/prefixLength}; returns how many. */
    public int removeRoute(Ipv4Address network, int prefixLength) {
        int[] n = new int[1];
        onLoop(() -> {
            n[0] = routes.removeIf(r -> r.network().equals(network.network(prefixLength)) && r.prefixLength() == prefixLength
                    && r.origin() == Route.Origin.STATIC);
            publishRoutes();
        });
        return n[0];
    }

    /** Plugs a transport in by IP protocol number (TCP = 6). */
    public void registerProtocol(int protocol, ProtocolHandler handler) {
        protocols.put(protocol, handler);
    }

    /** The transport registered for an IP protocol number, or null. */
    public ProtocolHandler protocolHandler(int protocol) {
        return protocols.get(protocol);
    }

    /** Adds (or replaces) a program this node can {@link #exec}. */
    public void registerProgram(String programName, Supplier<Program> factory) {
        programs.put(programName, factory);
    }

    /** Every program this node can {@link #exec} (built-in and registered), sorted. */
    public List<String> programNames() {
        return List.copyOf(Shell.programNames(programs));
    }

    // ------------------------------------------------------------------ extension points for services

    /**
     * The node's service of {@code type} (a DHCP client, a stub resolver...), made with {@code create}
     * the first time it is asked for. Services live as long as the node, across stop and start.
     */
    public <T> T service(Class<T> type, Function<Node, T> create) {
        return type.cast(services.computeIfAbsent(type, t -> create.apply(this)));
    }

    /** The node's service of {@code type}, if one was made. */
    public <T> Optional<T> service(Class<T> type) {
        return Optional.ofNullable(type.cast(services.get(type)));
    }

    /** Runs {@code hook} on the loop each time the node starts, after its addresses are announced. */
    public void onStart(Runnable hook) {
        startHooks.add(hook);
    }

    /** Runs {@code hook} on the loop each time the node stops, before it stops taking frames. */
    public void onStop(Runnable hook) {
        stopHooks.add(hook);
    }

    /** A copy of every frame of one EtherType that reaches an interface (after the MAC filter). */
    @FunctionalInterface
    public interface FrameTap {
        void frame(EthernetFrame frame);
    }

    /**
     * Opens a packet socket (AF_PACKET) on {@code ifName}: {@code tap} sees every frame of
     * {@code etherType} the interface accepts, before the stack handles it. DHCP clients watch ARP
     * with it (RFC 5227 conflict detection). Call on the loop; returns the action that closes it.
     */
    public Runnable tapFrames(String ifName, int etherType, FrameTap tap) {
        NetworkInterface ifc = requireInterface(ifName);
        FrameTap filtered = f -> {
            if (f.etherType() == etherType) {
                tap.frame(f);
            }
        };
        ifc.taps.add(filtered);
        return () -> ifc.taps.remove(filtered);
    }

    /**
     * Sends a raw Ethernet frame from {@code ifName} (a packet socket's sendto): DHCP servers and
     * relays reach a client that has no address yet at its hardware address (RFC 2131 section 4.1),
     * DHCP clients send ARP probes. Call on the loop.
     */
    public void sendFrame(String ifName, MacAddress destination, int etherType, byte[] payload) {
        if (!running) {
            counters.drop("ethernet", "node_stopped");
            return;
        }
        NetworkInterface ifc = requireInterface(ifName);
        if (etherType == EthernetFrame.ETHERTYPE_ARP) {
            counters.increment("arp", "sent");
        } else if (etherType == EthernetFrame.ETHERTYPE_IPV4) {
            ipTransmitted.increment();
        }
        transmit(ifc, destination, etherType, payload);
    }

    /** Records when a (DHCP-leased) address expires, for {@code ip addr}; cleared when the address goes. */
    public void setAddressLifetime(String ifName, Ipv4Address address, AddressLifetime lifetime) {
        lifetimes.put(ifName + " " + address, lifetime);
    }

    /** The lifetime of a dynamic address; empty for static ones ("forever"). */
    public Optional<AddressLifetime> addressLifetime(String ifName, Ipv4Address address) {
        return Optional.ofNullable(lifetimes.get(ifName + " " + address));
    }

    /**
     * The node's random numbers (DNS query IDs and source ports, DHCP xids and backoff jitter): seeded,
     * so the same lab seed gives the same run. Use on the loop.
     */
    public RandomGenerator random() {
        return random;
    }

    /** Reseeds {@link #random()} from the lab's seed and this node's name (the lab does this once). */
    public void seedRandom(long labSeed) {
        this.random = new java.util.SplittableRandom(labSeed * 0x9E3779B97F4A7C15L ^ name.hashCode());
    }

    /** Starts the node: it accepts frames and announces each address with a gratuitous ARP (RFC 5227 section 3). */
    public void start() {
        onLoop(() -> {
            if (running) {
                return;
            }
            running = true;
            event("node", "start", "kind", kind.name().toLowerCase(), "forwarding", forwarding);
            for (NetworkInterface ifc : interfaces.values()) {
                for (InterfaceAddress a : ifc.addressList()) {
                    announce(ifc, a.address());
                }
            }
            for (Runnable hook : startHooks) {
                safely(hook);
            }
        });
    }

    /** Stops the node: frames are ignored and timers cancelled. */
    public void stop() {
        onLoop(() -> {
            if (!running) {
                return;
            }
            for (Runnable hook : stopHooks) {
                safely(hook);
            }
            running = false;
            reassemblyTimer.cancel();
            reassemblyTimerAt = Long.MAX_VALUE;
            for (NetworkInterface ifc : interfaces.values()) {
                ifc.neighborTimer.cancel();
                ifc.neighborTimerAt = Long.MAX_VALUE;
            }
            event("node", "stop");
        });
    }

    private void onLoop(Runnable r) {
        if (!running || loop.inLoop()) {
            r.run();
        } else {
            loop.execute(r);
        }
    }

    private NetworkInterface requireInterface(String ifName) {
        NetworkInterface ifc = interfaces.get(ifName);
        if (ifc == null) {
            throw new IllegalArgumentException(name + ": no interface named " + ifName
                    + " (have " + String.join(", ", interfaces.keySet()) + ")");
        }
        return ifc;
    }

    // ------------------------------------------------------------------ views

    public List<NetworkInterface> interfaces() {
        return List.copyOf(interfaces.values());
    }

    public Optional<NetworkInterface> networkInterface(String ifName) {
        return Optional.ofNullable(interfaces.get(ifName));
    }

    /** The routing table in {@code ip route} order. */
    public List<Route> routes() {
        return routeView;
    }

    /** The ARP cache of one interface. */
    public List<Neighbor> neighbors(String ifName) {
        return requireInterface(ifName).neighbors();
    }

    /** Every counter: {@code <protocol>.received|sent|forwarded|delivered}, {@code <protocol>.dropped.<reason>}. */
    public Map<String, Long> counters() {
        return counters.snapshot();
    }

    public Counters counterSet() {
        return counters;
    }

    public UdpLayer udp() {
        return udp;
    }

    public IcmpLayer icmp() {
        return icmp;
    }

    /** The IP layer as transports and programs use it. */
    public Ipv4Sender ip() {
        return ipSender;
    }

    /** The route the node would use for {@code destination} (no trace event). */
    public Optional<Route> routeTo(Ipv4Address destination) {
        return routes.lookup(destination);
    }

    public boolean isLocalAddress(Ipv4Address address) {
        for (NetworkInterface ifc : interfaces.values()) {
            if (ifc.hasAddress(address)) {
                return true;
            }
        }
        return false;
    }

    private void publishRoutes() {
        routeView = List.copyOf(routes.routes());
    }

    // ------------------------------------------------------------------ programs

    /**
     * Runs a program as a shell would: {@code ping -c 3 10.0.3.2}. Output lines go to
     * {@code outputLine} (called on the node's loop); the future completes with the exit status
     * on the node's loop. Never blocks: programs are state machines on the loop. Cancelling the
     * future stops the program at its next step (exit status 130, as after Ctrl-C).
     */
    public CompletableFuture<Integer> exec(String commandLine, Consumer<String> outputLine) {
        CompletableFuture<Integer> done = new CompletableFuture<>();
        loop.execute(() -> Shell.run(this, commandLine, outputLine, done, programs));
        return done;
    }

    // ------------------------------------------------------------------ trace helpers

    private Route routeTextFor;
    private String routeText;

    /** {@code r.destinationText()}, kept for the route named last (a router names the same few). */
    private String routeText(Route r) {
        if (r != routeTextFor) {
            routeText = r.destinationText();
            routeTextFor = r;
        }
        return routeText;
    }

    /** A few recent addresses in dotted form: per-packet events name the same ones again and again. */
    private final AddressText[] addressTexts = new AddressText[64];

    private record AddressText(Ipv4Address address, String text) {
    }

    /** {@code a.toString()}, from a small direct-mapped cache (racy reads see a whole entry or none). */
    String text(Ipv4Address a) {
        int i = (a.bits() * 0x9E3779B9) >>> 26;
        AddressText e = addressTexts[i];
        if (e != null && e.address().equals(a)) {
            return e.text();
        }
        String t = a.toString();
        addressTexts[i] = new AddressText(a, t);
        return t;
    }

    /**
     * Shares how much detail receivers of one broadcast trace with the other nodes of a lab (a
     * node alone keeps its own, which limits nothing across nodes).
     */
    public void setOverheardDetail(OverheardDetail detail) {
        this.overheardDetail = Objects.requireNonNull(detail);
    }

    /**
     * Something this node overheard in the broadcast frame being received (not for it): always
     * counted as {@code layer.counter}; whether it is also traced in detail, as the first receivers
     * of a broadcast do, is {@link OverheardDetail}'s call, once per node and frame.
     *
     * @return true when the caller traces its event
     */
    private boolean overheard(String layer, String counter, Counters.Counter count) {
        count.increment();
        if (rxGroupFrame == null) {
            return true;
        }
        if (rxGroupVerdict == 0) {
            OverheardDetail.Verdict v = overheardDetail.receiver(rxGroupFrame);
            rxGroupVerdict = v == OverheardDetail.Verdict.DETAIL ? 1 : 2;
            if (v == OverheardDetail.Verdict.FIRST_LIMITED) {
                // Once per broadcast: from here on its receivers only count it.
                event("trace", "detail_limited", "limit", overheardDetail.limit(), "counted_as", layer + "." + counter,
                        "setting", OverheardDetail.PROPERTY);
            }
        }
        return rxGroupVerdict == 1;
    }

    /** Emits a trace event from this node at the loop's current time. */
    public void event(String layer, String kind, Object... keyValues) {
        trace.event(loop.nanos(), name, layer, kind, keyValues);
    }

    private void drop(String protocol, String reason, Object... detail) {
        counters.drop(protocol, reason);
        Object[] kv = new Object[detail.length + 4];
        kv[0] = "protocol";
        kv[1] = protocol;
        kv[2] = "reason";
        kv[3] = reason;
        System.arraycopy(detail, 0, kv, 4, detail.length);
        event(protocol, "drop", kv);
    }

    // ------------------------------------------------------------------ link input

    private void receiveFrame(NetworkInterface ifc, byte[] bytes, int gsoSize) {
        if (!running) {
            counters.drop("ethernet", "node_stopped");
            return;
        }
        ifc.rxFrames.increment();
        ifc.rxBytes.increment(bytes == null ? 0 : bytes.length);
        ethernetReceived.increment();
        try {
            // The header only: an IPv4 packet is read in place from the frame, without a copy.
            EthernetFrame frame = EthernetFrame.parseHeader(bytes);
            MacAddress dst = frame.destination();
            boolean linkBroadcast = dst.isGroup();
            rxGroupFrame = linkBroadcast ? bytes : null;
            rxGroupVerdict = 0;
            if (!dst.equals(ifc.mac()) && !dst.isBroadcast()) {
                // Unknown-unicast flooding or multicast we did not join: not ours.
                counters.drop("ethernet", dst.isGroup() ? "multicast_not_joined" : "not_our_mac");
                return;
            }
            if (frame.source().isGroup()) {
                drop("ethernet", "group_source_mac", "interface", ifc.name(), "source", frame.source().toString());
                return;
            }
            if (frame.vlanTci() != -1) {
                drop("ethernet", "vlan_tagged", "interface", ifc.name(), "vlan", frame.vlanTci() & 0xFFF);
                return;
            }
            List<FrameTap> taps = ifc.taps; // on the interface: no map lookup per frame
            if (!taps.isEmpty()) {
                EthernetFrame whole = EthernetFrame.parse(bytes);
                for (FrameTap t : List.copyOf(taps)) {
                    t.frame(whole);
                }
            }
            int hl = frame.headerLength();
            switch (frame.etherType()) {
                case EthernetFrame.ETHERTYPE_ARP -> arpInput(ifc, EthernetFrame.parse(bytes));
                case EthernetFrame.ETHERTYPE_IPV4 -> ipInput(ifc, bytes, hl, bytes.length - hl, linkBroadcast, gsoSize);
                default -> drop("ethernet", "unknown_ethertype", "interface", ifc.name(),
                        "ethertype", String.format("0x%04x", frame.etherType()));
            }
        } catch (WireFormatException e) {
            drop(protocolName(e.protocol()), "malformed", "interface", ifc.name(), "error", e.getMessage());
        } catch (RuntimeException e) {
            // A frame must never kill the node: anything unexpected is a drop with its message.
            drop("node", "internal_error", "interface", ifc.name(), "error", String.valueOf(e));
        } finally {
            rxGroupFrame = null;
        }
    }

    /** Counter/trace protocol names follow the wire decoders', with "ipv4" for IP. */
    private static String protocolName(String wireProtocol) {
        return wireProtocol == null || wireProtocol.isEmpty() ? "unknown" : wireProtocol;
    }

    private void transmit(NetworkInterface ifc, MacAddress dst, int etherType, byte[] payload) {
        sendFrame(ifc, EthernetFrame.of(dst, ifc.mac(), etherType, payload).encode());
    }

    private void sendFrame(NetworkInterface ifc, byte[] frame) {
        sendFrame(ifc, frame, 0);
    }

    private void sendFrame(NetworkInterface ifc, byte[] frame, int gsoSize) {
        ifc.txFrames.increment();
        ifc.txBytes.increment(frame.length);
        ethernetSent.increment();
        ifc.link().send(frame, gsoSize);
    }

    // ------------------------------------------------------------------ ARP

    private void arpInput(NetworkInterface ifc, EthernetFrame frame) {
        byte[] p = frame.payload();
        ArpPacket arp = ArpPacket.parse(p, 0, p.length);
        arpReceived.increment();
        Ipv4Address sender = arp.senderIp();
        if (sender.isMulticast() || sender.isLimitedBroadcast() || ifc.isSubnetBroadcast(sender)) {
            drop("arp", "bad_sender_address", "interface", ifc.name(), "sender", sender.toString());
            return;
        }
        if (arp.senderMac().isGroup()) {
            // RFC 1812 section 3.3.2: a router must not believe ARP replies that claim a broadcast or multicast MAC.
            drop("arp", "group_sender_mac", "interface", ifc.name(), "sender_mac", arp.senderMac().toString());
            return;
        }
        if (ifc.hasAddress(sender) && !arp.senderMac().equals(ifc.mac())) {
            // Someone else claims our address (RFC 5227 section 2.4: an address conflict).
            drop("arp", "address_conflict", "interface", ifc.name(), "address", sender.toString(),
                    "claimed_by", arp.senderMac().toString());
            return;
        }
        boolean forUs = ifc.hasAddress(arp.targetIp());
        NeighborCache.Evidence evidence;
        if (arp.isReply() && forUs && frame.destination().equals(ifc.mac())) {
            evidence = NeighborCache.Evidence.REPLY_TO_US;
        } else if (arp.isRequest() && forUs) {
            evidence = NeighborCache.Evidence.REQUEST_FOR_US;
        } else {
            evidence = NeighborCache.Evidence.OVERHEARD;
        }
        // A broadcast request (or gratuitous reply) for another address is heard by the whole segment.
        if (forUs || rxGroupFrame == null
                || (arp.isRequest() ? overheard("arp", "requests_overheard", arpRequestsOverheard)
                        : overheard("arp", "replies_overheard", arpRepliesOverheard))) {
            event("arp", arp.isRequest() ? "request_received" : arp.isReply() ? "reply_received" : "received",
                    "interface", ifc.name(), "sender_ip", sender.toString(), "sender_mac", arp.senderMac().toString(),
                    "target_ip", arp.targetIp().toString(), "for_us", forUs, "gratuitous", arp.isGratuitous());
        }
        if (!sender.equals(Ipv4Address.ANY)) { // RFC 5227 probes (sender 0.0.0.0) teach nothing
            applyNeighbor(ifc, ifc.neighbors.receive(sender, arp.senderMac(), evidence, loop.nanos()));
        }
        if (arp.isRequest() && forUs) {
            // RFC 826: "swap hardware and protocol fields, putting the local hardware and protocol
            // addresses in the sender fields ... set ar$op to ares_op$REPLY ... send the packet to the
            // (new) target hardware address on the same hardware on which the request was received."
            ArpPacket reply = ArpPacket.reply(ifc.mac(), arp.targetIp(), arp.senderMac(), sender);
            counters.increment("arp", "sent");
            event("arp", "reply_sent", "interface", ifc.name(), "ip", arp.targetIp().toString(), "to", arp.senderMac().toString());
            transmit(ifc, arp.senderMac(), EthernetFrame.ETHERTYPE_ARP, reply.encode());
        } else if (!arp.isRequest() && !arp.isReply()) {
            counters.drop("arp", "unknown_operation");
        }
    }

    /** A gratuitous ARP announcing {@code address} (RFC 5227 section 3, RFC 826 "merge" on receivers). */
    private void announce(NetworkInterface ifc, Ipv4Address address) {
        counters.increment("arp", "sent");
        event("arp", "gratuitous_sent", "interface", ifc.name(), "ip", address.toString(), "mac", ifc.mac().toString());
        transmit(ifc, MacAddress.BROADCAST, EthernetFrame.ETHERTYPE_ARP, ArpPacket.gratuitous(ifc.mac(), address).encode());
    }

    private void applyNeighbor(NetworkInterface ifc, List<NeighborAction<Ipv4Packet>> actions) {
        applyNeighbor(ifc, actions, true);
    }

    /**
     * Carries out what the neighbor cache decided. The cache's read-only view is republished
     * unless not {@code always} and the only actions were transmissions to a resolved neighbor
     * (the per-packet case, which changes no entry: every state, deadline or queue change comes
     * with an action of its own).
     */
    private void applyNeighbor(NetworkInterface ifc, List<NeighborAction<Ipv4Packet>> actions, boolean always) {
        boolean changed = always;
        for (NeighborAction<Ipv4Packet> a : actions) {
            if (!(a instanceof NeighborAction.Transmit<Ipv4Packet>)) {
                changed = true;
            }
            switch (a) {
                case NeighborAction.Transmit<Ipv4Packet> t -> transmitIp(ifc, t.packet(), t.mac());
                case NeighborAction.Solicit<Ipv4Packet> s -> solicit(ifc, s);
                case NeighborAction.StateChange<Ipv4Packet> c -> event("arp", "neighbor_state", "interface", ifc.name(),
                        "ip", c.ip().toString(), "mac", c.mac() == null ? "" : c.mac().toString(),
                        "from", c.from().name(), "to", c.to().name(), "cause", c.cause(),
                        "timeout_ms", c.timeoutNanos() / 1_000_000);
                case NeighborAction.Queued<Ipv4Packet> q -> event("arp", "queued", "interface", ifc.name(),
                        "neighbor", q.ip().toString(), "destination", q.packet().destination().toString(),
                        "queue_length", q.queueLength(), "limit", ifc.neighbors.timing().queueLimit());
                case NeighborAction.QueueOverflow<Ipv4Packet> q -> drop(IP, "arp_queue_full", "interface", ifc.name(),
                        "neighbor", q.ip().toString(), "destination", q.packet().destination().toString());
                case NeighborAction.Unreachable<Ipv4Packet> u -> {
                    for (Ipv4Packet p : u.packets()) {
                        drop(IP, "neighbor_unreachable", "interface", ifc.name(), "neighbor", u.ip().toString(),
                                "destination", p.destination().toString());
                        // RFC 1812 section 5.2.7.1 / RFC 1122 section 3.2.2.1: host unreachable when the
                        // next hop cannot be resolved. Locally sent datagrams get it too (it loops back).
                        sendIcmpError(p, false, IcmpMessage.TYPE_DESTINATION_UNREACHABLE << 8 | IcmpMessage.HOST_UNREACHABLE, 0, "arp failed for " + u.ip());
                    }
                }
            }
        }
        if (changed) {
            ifc.publishNeighbors();
            scheduleNeighborTimer(ifc);
        }
    }

    private void solicit(NetworkInterface ifc, NeighborAction.Solicit<Ipv4Packet> s) {
        Ipv4Address source = ifc.addressFor(s.target());
        if (source == null) {
            source = Ipv4Address.ANY;
        }
        MacAddress to = s.unicastTo() == null ? MacAddress.BROADCAST : s.unicastTo();
        counters.increment("arp", "sent");
        event("arp", "request_sent", "interface", ifc.name(), "target", s.target().toString(),
                "to", to.toString(), "attempt", s.attempt());
        transmit(ifc, to, EthernetFrame.ETHERTYPE_ARP, ArpPacket.request(ifc.mac(), source, s.target()).encode());
    }

    private void scheduleNeighborTimer(NetworkInterface ifc) {
        long at = ifc.neighbors.nextDeadline();
        if (at == ifc.neighborTimerAt || !running) {
            return;
        }
        ifc.neighborTimer.cancel();
        ifc.neighborTimerAt = at;
        if (at == Long.MAX_VALUE) {
            ifc.neighborTimer = Cancellable.NONE;
            return;
        }
        ifc.neighborTimer = loop.schedule(at - loop.nanos(), () -> {
            ifc.neighborTimerAt = Long.MAX_VALUE;
            ifc.neighborTimer = Cancellable.NONE;
            if (running) {
                applyNeighbor(ifc, ifc.neighbors.poll(loop.nanos()));
            }
        });
    }

    // ------------------------------------------------------------------ IPv4 input

    private void ipInput(NetworkInterface ifc, byte[] bytes, int off, int len, boolean linkBroadcast, int gsoSize) {
        Ipv4Packet packet = Ipv4Packet.parse(bytes, off, len);
        if (gsoSize > 0 && packet.protocol() == Ipv4Packet.PROTOCOL_TCP && !packet.isFragment()) {
            packet = packet.withGsoSize(gsoSize); // a TCP super-packet: kept as one until a link needs segments
        }
        ipReceived.increment();
        Ipv4Address src = packet.source();
        Ipv4Address dst = packet.destination();
        // RFC 1122 section 3.2.1.3 / RFC 1812 section 5.3.7: a source that is broadcast, multicast
        // or class E is not a host; discard.
        if (src.isLimitedBroadcast() || src.isMulticast() || (src.bits() >>> 28) == 0xF || ifc.isSubnetBroadcast(src)) {
            drop(IP, "martian_source", "interface", ifc.name(), "source", src.toString());
            return;
        }
        boolean ipBroadcast = dst.isLimitedBroadcast() || ifc.isSubnetBroadcast(dst);
        boolean forUs = ipBroadcast || isLocalAddress(dst)
                // An unconfigured host interface (DHCP client) takes unicast to its MAC, as a raw socket would.
                || (!forwarding && ifc.addressList().isEmpty() && !linkBroadcast);
        if (dst.isMulticast()) {
            drop(IP, "multicast_not_joined", "interface", ifc.name(), "destination", dst.toString());
            return;
        }
        if (forUs) {
            localInput(ifc, packet, linkBroadcast, ipBroadcast);
        } else if (forwarding) {
            forward(ifc, packet, linkBroadcast);
        } else {
            // RFC 1122 section 3.3.4.2 (multihoming) / 3.3.1: a host that is not a gateway discards
            // datagrams not addressed to it.
            drop(IP, "not_for_us", "interface", ifc.name(), "destination", dst.toString());
        }
    }

    private void localInput(NetworkInterface ifc, Ipv4Packet packet, boolean linkBroadcast, boolean ipBroadcast) {
        String ifName = ifc == null ? "lo" : ifc.name();
        if (packet.isFragment()) {
            List<Reassembler.Expired> evicted = new ArrayList<>();
            Reassembler.Result r = reassembler.add(packet, loop.nanos(), evicted);
            for (Reassembler.Expired e : evicted) {
                drop(IP, e.reason(), "source", e.key().source().toString(), "identification", e.key().identification(),
                        "fragments", e.fragmentsReceived());
            }
            switch (r) {
                case Reassembler.Rejected rej -> {
                    drop(IP, rej.reason(), "interface", ifName, "source", packet.source().toString(),
                            "identification", packet.identification(), "offset", packet.fragmentOffset());
                    return;
                }
                case Reassembler.Pending p -> {
                    event(IP, "fragment_received", "interface", ifName, "source", packet.source().toString(),
                            "identification", packet.identification(), "offset", packet.fragmentOffset(),
                            "length", packet.payloadLength(), "more_fragments", packet.moreFragments(), "holes", p.holes());
                    scheduleReassemblyTimer();
                    return;
                }
                case Reassembler.Complete c -> {
                    counters.increment(IP, "reassembled");
                    event(IP, "reassembly_complete", "source", packet.source().toString(),
                            "identification", packet.identification(), "fragments", c.fragments(),
                            "total_length", c.packet().totalLength());
                    packet = c.packet();
                    scheduleReassemblyTimer();
                }
            }
        }
        ipDelivered.increment();
        switch (packet.protocol()) {
            case Ipv4Packet.PROTOCOL_ICMP -> icmpInput(ifName, packet, linkBroadcast || ipBroadcast);
            case Ipv4Packet.PROTOCOL_UDP -> udpInput(ifName, packet, linkBroadcast, ipBroadcast);
            default -> {
                ProtocolHandler h = protocols.get(packet.protocol());
                if (h != null) {
                    h.receive(packet, ifName);
                } else {
                    drop(IP, "unknown_protocol", "protocol_number", packet.protocol(), "source", packet.source().toString());
                    // RFC 1122 section 3.2.2.1: a host SHOULD send protocol unreachable.
                    sendIcmpError(packet, linkBroadcast || ipBroadcast, IcmpMessage.TYPE_DESTINATION_UNREACHABLE << 8
                            | IcmpMessage.PROTOCOL_UNREACHABLE, 0, "no such protocol");
                }
            }
        }
    }

    private void scheduleReassemblyTimer() {
        long at = reassembler.nextDeadline();
        if (at == reassemblyTimerAt || !running) {
            return;
        }
        reassemblyTimer.cancel();
        reassemblyTimerAt = at;
        if (at == Long.MAX_VALUE) {
            reassemblyTimer = Cancellable.NONE;
            return;
        }
        reassemblyTimer = loop.schedule(at - loop.nanos(), () -> {
            reassemblyTimerAt = Long.MAX_VALUE;
            reassemblyTimer = Cancellable.NONE;
            for (Reassembler.Expired e : reassembler.expire(loop.nanos())) {
                drop(IP, e.reason(), "source", e.key().source().toString(), "identification", e.key().identification(),
                        "fragments", e.fragmentsReceived(), "first_fragment_received", e.first() != null);
                event(IP, "reassembly_timeout", "source", e.key().source().toString(),
                        "identification", e.key().identification(), "fragments", e.fragmentsReceived());
                if (e.first() != null) {
                    // RFC 1122 section 3.3.2: time exceeded (code 1) only "if fragment zero is available".
                    sendIcmpError(e.first(), false, IcmpMessage.TYPE_TIME_EXCEEDED << 8
                            | IcmpMessage.FRAGMENT_REASSEMBLY_TIME_EXCEEDED, 0, "reassembly timeout");
                }
            }
            scheduleReassemblyTimer();
        });
    }

    // ------------------------------------------------------------------ ICMP

    private void icmpInput(String ifName, Ipv4Packet packet, boolean broadcast) {
        IcmpMessage m = IcmpMessage.parse(packet.payloadArray(), packet.payloadOffset(), packet.payloadLength());
        counters.increment("icmp", "received");
        switch (m.type()) {
            case IcmpMessage.TYPE_ECHO_REQUEST -> {
                if (broadcast) {
                    // RFC 1122 section 3.2.2.6: echo to a broadcast "MAY be silently discarded"
                    // (Linux: icmp_echo_ignore_broadcasts = 1).
                    drop("icmp", "echo_to_broadcast_ignored", "source", packet.source().toString());
                    return;
                }
                // RFC 1122 section 3.2.2.6: the reply's source "MUST be the same as the
                // specific-destination address" of the request; data returned unchanged (RFC 792).
                event("icmp", "echo_request_received", "from", packet.source().toString(), "id", m.identifier(),
                        "seq", m.sequence(), "ttl", packet.ttl(), "bytes", m.length());
                byte[] reply = IcmpMessage.echoReply(m.identifier(), m.sequence(), m.body()).encode();
                event("icmp", "echo_reply_sent", "to", packet.source().toString(), "id", m.identifier(),
                        "seq", m.sequence(), "bytes", reply.length);
                // Linux sends ICMP replies with IP_PMTUDISC_DONT: routers may fragment them.
                SendResult r = ipSender.send(new OutboundDatagram(packet.destination(), packet.source(), Ipv4Packet.PROTOCOL_ICMP,
                        reply, OutboundDatagram.DEFAULT_TTL, packet.tos(), PmtuDiscovery.DONT, null, false, false));
                if (r.ok()) {
                    counters.increment("icmp", "sent");
                    counters.increment("icmp", "sent.echo_reply");
                }
            }
            case IcmpMessage.TYPE_ECHO_REPLY -> {
                event("icmp", "echo_reply_received", "from", packet.source().toString(), "id", m.identifier(),
                        "seq", m.sequence(), "ttl", packet.ttl(), "bytes", m.length());
                if (!icmp.deliverReply(packet, m)) {
                    counters.drop("icmp", "no_echo_socket");
                }
            }
            default -> {
                if (!m.isError()) {
                    // RFC 1122 section 3.2.2: "If an ICMP message of unknown type is received, it MUST be silently discarded."
                    drop("icmp", "unsupported_type", "type", m.type(), "code", m.code());
                    return;
                }
                icmpErrorInput(packet, m);
            }
        }
    }

    private void icmpErrorInput(Ipv4Packet packet, IcmpMessage m) {
        Ipv4Packet quoted = IcmpLayer.quotedOrNull(m);
        event("icmp", "error_received", "from", packet.source().toString(), "type", m.type(), "code", m.code(),
                "text", IcmpErrorPolicy.describe(m), "about", quoted == null ? "" : quoted.destination().toString());
        if (quoted == null) {
            drop("icmp", "unreadable_quote", "from", packet.source().toString());
            return;
        }
        if (m.type() == IcmpMessage.TYPE_DESTINATION_UNREACHABLE && m.code() == IcmpMessage.FRAGMENTATION_NEEDED) {
            byte[] body = m.body();
            int quotedTotal = ((body[2] & 0xFF) << 8) | (body[3] & 0xFF);
            int learned = pathMtu.learn(quoted.destination(), m.nextHopMtu(), quotedTotal, loop.nanos());
            event("icmp", "path_mtu_learned", "destination", quoted.destination().toString(), "mtu", learned,
                    "reported_by", packet.source().toString());
        }
        boolean delivered = switch (quoted.protocol()) {
            case Ipv4Packet.PROTOCOL_ICMP -> icmp.deliverError(packet, m, quoted);
            case Ipv4Packet.PROTOCOL_UDP -> {
                byte[] q = quoted.payload();
                yield q.length >= 4 && udp.deliverError(packet, m, quoted, ((q[0] & 0xFF) << 8) | (q[1] & 0xFF),
                        ((q[2] & 0xFF) << 8) | (q[3] & 0xFF));
            }
            default -> {
                ProtocolHandler h = protocols.get(quoted.protocol());
                if (h != null) {
                    h.error(packet, m, quoted);
                    yield true;
                }
                yield false;
            }
        };
        if (!delivered) {
            counters.increment("icmp", "error_unclaimed");
        }
    }

    /**
     * Sends an ICMP error about {@code offending} to its source unless RFC 1122 section 3.2.2
     * forbids it.
     *
     * @param typeCode (type << 8) | code
     * @param mtu      next-hop MTU for fragmentation-needed, else 0
     */
    private void sendIcmpError(Ipv4Packet offending, boolean linkBroadcast, int typeCode, int mtu, String why) {
        int type = typeCode >>> 8;
        int code = typeCode & 0xFF;
        Optional<String> suppressed = IcmpErrorPolicy.suppression(offending, linkBroadcast, this::isBroadcastAddress);
        if (suppressed.isPresent()) {
            counters.increment("icmp", "error_suppressed." + suppressed.get());
            event("icmp", "error_suppressed", "type", type, "code", code, "reason", suppressed.get(),
                    "about", offending.destination().toString());
            return;
        }
        // RFC 1812 section 4.3.2.3: quote "as much of the original datagram as possible without the
        // length of the ICMP datagram exceeding 576 bytes" (Linux does the same).
        int room = IcmpMessage.MAX_ERROR_DATAGRAM_LENGTH - Ipv4Packet.MIN_HEADER_LENGTH - IcmpMessage.HEADER_LENGTH;
        byte[] quote = IcmpMessage.quote(offending.encodeHead(room), room);
        IcmpMessage error = new IcmpMessage(type, code, mtu & 0xFFFF, quote);
        // RFC 1812 section 4.3.2.4: the source is an address of the interface the error leaves from.
        Optional<Ipv4Address> source = sourceFor(offending.source(), null);
        if (source.isEmpty()) {
            counters.increment("icmp", "error_no_route");
            event("icmp", "error_not_sent", "type", type, "code", code, "reason", "no route back to " + offending.source());
            return;
        }
        event("icmp", "error_sent", "type", type, "code", code, "text", IcmpErrorPolicy.describe(error),
                "to", offending.source().toString(), "about", offending.destination().toString(), "why", why);
        SendResult r = ipSender.send(new OutboundDatagram(source.get(), offending.source(), Ipv4Packet.PROTOCOL_ICMP,
                error.encode(), OutboundDatagram.DEFAULT_TTL, 0, PmtuDiscovery.DONT, null, false, false));
        if (r.ok()) {
            counters.increment("icmp", "sent");
            counters.increment("icmp", "sent.error");
        }
    }

    private boolean isBroadcastAddress(Ipv4Address a) {
        if (a.isLimitedBroadcast()) {
            return true;
        }
        for (NetworkInterface ifc : interfaces.values()) {
            if (ifc.isSubnetBroadcast(a)) {
                return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------------ UDP

    private void udpInput(String ifName, Ipv4Packet packet, boolean linkBroadcast, boolean ipBroadcast) {
        UdpDatagram d = UdpDatagram.parse(packet.payloadArray(), packet.payloadOffset(), packet.payloadLength(),
                packet.source(), packet.destination());
        udpReceived.increment();
        if (!udp.deliver(packet, d, ifName, ipBroadcast)) {
            if ((linkBroadcast || ipBroadcast) && rxGroupFrame != null && !overheard("udp", "broadcasts_overheard", udpBroadcastsOverheard)) {
                // A broadcast to a port nobody here serves (another host's DHCP): counted only, and
                // RFC 1122 section 3.2.2 forbids the ICMP error anyway.
                Optional<String> why = IcmpErrorPolicy.suppression(packet, true, this::isBroadcastAddress);
                if (why.isPresent()) {
                    udpNoSocket.increment();
                    if (why.get().equals("to_broadcast_or_multicast")) {
                        icmpSuppressedBroadcast.increment();
                    } else {
                        counters.increment("icmp", "error_suppressed." + why.get());
                    }
                    return;
                }
            }
            drop("udp", "no_socket", "destination", packet.destination() + ":" + d.destinationPort(),
                    "source", packet.source() + ":" + d.sourcePort());
            // RFC 1122 section 4.1.3.1: "If a datagram arrives addressed to a UDP port for which there
            // is no pending LISTEN call, UDP SHOULD send an ICMP Port Unreachable message."
            sendIcmpError(packet, linkBroadcast || ipBroadcast, IcmpMessage.TYPE_DESTINATION_UNREACHABLE << 8
                    | IcmpMessage.PORT_UNREACHABLE, 0, "no socket on port " + d.destinationPort());
        }
    }

    // ------------------------------------------------------------------ forwarding

    private void forward(NetworkInterface in, Ipv4Packet packet, boolean linkBroadcast) {
        Ipv4Address dst = packet.destination();
        Ipv4Address src = packet.source();
        if (linkBroadcast) {
            // RFC 1812 section 5.3.4: a datagram received as a link-layer broadcast is not forwarded.
            drop(IP, "link_broadcast_not_forwarded", "interface", in.name(), "destination", dst.toString());
            return;
        }
        if (isBroadcastAddress(dst)) {
            // RFC 2644 section 3: routers MUST by default not forward directed broadcasts (smurf amplifiers).
            drop(IP, "directed_broadcast_not_forwarded", "interface", in.name(), "destination", dst.toString());
            return;
        }
        int firstOctet = src.bits() >>> 24;
        if (firstOctet == 0 || firstOctet == 127 || (dst.bits() >>> 24) == 0 || (dst.bits() >>> 24) == 127) {
            // RFC 1812 section 5.3.7: martian addresses (0/8, 127/8) are not forwarded.
            drop(IP, "martian_address", "interface", in.name(), "source", src.toString(), "destination", dst.toString());
            return;
        }
        if (packet.fragmentOffset() + packet.payloadLength() + Ipv4Packet.MIN_HEADER_LENGTH > Ipv4Packet.MAX_TOTAL_LENGTH) {
            // A fragment reaching past the 65535-byte maximum datagram (the "ping of death" shape,
            // RFC 791 section 3.1 total length) cannot be part of any valid datagram.
            drop(IP, "fragment_beyond_65535", "interface", in.name(), "source", src.toString(),
                    "offset", packet.fragmentOffset(), "length", packet.payloadLength());
            return;
        }
        // RFC 1812 section 5.3.1: "If the TTL is reduced to zero (or less), the packet MUST be
        // discarded, and ... the router MUST send an ICMP Time Exceeded message".
        if (packet.ttl() <= 1) {
            drop(IP, "ttl_exceeded", "interface", in.name(), "source", src.toString(), "destination", dst.toString(),
                    "ttl", packet.ttl());
            event(IP, "ttl_expired", "source", src.toString(), "destination", dst.toString(), "ttl", packet.ttl());
            sendIcmpError(packet, false, IcmpMessage.TYPE_TIME_EXCEEDED << 8 | IcmpMessage.TTL_EXCEEDED_IN_TRANSIT, 0,
                    "ttl " + packet.ttl());
            return;
        }
        Optional<Route> route = decide(dst, null);
        if (route.isEmpty()) {
            drop(IP, "no_route", "interface", in.name(), "destination", dst.toString());
            // RFC 1812 section 5.2.7.1: no route -> Destination Unreachable, network unreachable.
            sendIcmpError(packet, false, IcmpMessage.TYPE_DESTINATION_UNREACHABLE << 8 | IcmpMessage.NET_UNREACHABLE, 0,
                    "no route to " + dst);
            return;
        }
        Route r = route.get();
        NetworkInterface out = interfaces.get(r.interfaceName());
        Ipv4Address nextHop = r.onLink() ? dst : r.gateway();
        // RFC 791 section 3.2 / RFC 1812 section 5.3.1: TTL minus one; the header checksum is
        // recomputed when the packet is encoded.
        Ipv4Packet outPacket = packet.withTtl(packet.ttl() - 1);
        // A TCP super-packet (TSO) is as big as the segments it stands for (Linux's
        // skb_gso_validate_network_len): those must fit the next hop.
        int length = outPacket.gsoSize() > 0 ? Tso.segmentDatagramLength(outPacket) : outPacket.totalLength();
        if (length > out.mtu()) {
            if (packet.dontFragment()) {
                drop(IP, "fragmentation_needed", "interface", out.name(), "destination", dst.toString(),
                        "length", length, "mtu", out.mtu());
                // RFC 1191 section 4 / RFC 1812 section 5.2.6: DF set and too big -> "fragmentation
                // needed and DF set" carrying the next-hop MTU. RFC 1812 section 4.3.2.3: the quote is
                // of "the datagram that caused the error" as it was received: the TTL not yet
                // decremented, the header and TCP checksums as on the wire, and a super-packet (TSO)
                // as it crossed the link, its total length and all. Linux's ip_forward does the same:
                // icmp_send() before ip_decrease_ttl(), quoting the (GSO) skb's headers unchanged. So
                // the quote is the first bytes of a frame the capture holds, checksums and all.
                sendIcmpError(packet, false, IcmpMessage.TYPE_DESTINATION_UNREACHABLE << 8
                        | IcmpMessage.FRAGMENTATION_NEEDED, out.mtu(), "datagram of " + length + " bytes, next-hop MTU "
                        + out.mtu());
                return;
            }
        }
        ipForwarded.increment();
        event(IP, "forward", "in", in.name(), "out", out.name(), "source", text(src), "destination", text(dst),
                "next_hop", text(nextHop), "ttl", outPacket.ttl());
        emit(out, nextHop, outPacket, out.mtu());
    }

    /**
     * Route lookup with the trace event that shows the on-link/gateway decision:
     * {@code destination AND mask == network} (RFC 1122 section 3.3.1.1).
     */
    private Optional<Route> decide(Ipv4Address dst, String forcedInterface) {
        Optional<Route> route = forcedInterface == null ? routes.lookup(dst) : lookupOn(dst, forcedInterface);
        if (route.isEmpty()) {
            event("route", "lookup", "destination", dst.toString(), "result", "unreachable");
            return route;
        }
        Route r = route.get();
        Ipv4Address masked = new Ipv4Address(dst.bits() & r.mask());
        String dstText = text(dst);
        event("route", "lookup", "destination", dstText, "route", routeText(r),
                "mask", text(r.maskAddress()), "destination_and_mask", text(masked),
                "result", r.onLink() ? "on-link" : "gateway", "via", r.onLink() ? dstText : text(r.gateway()),
                "interface", r.interfaceName());
        return route;
    }

    private Optional<Route> lookupOn(Ipv4Address dst, String ifName) {
        Route best = null;
        for (Route r : routes.routes()) {
            if (r.interfaceName().equals(ifName) && r.matches(dst)
                    && (best == null || r.prefixLength() > best.prefixLength())) {
                best = r;
            }
        }
        return Optional.ofNullable(best);
    }

    /**
     * Fragments to {@code mtu} when needed (DF clear) and hands each piece to ARP. A TCP
     * super-packet goes whole when the interface has TSO and its segments fit; otherwise it is cut
     * into those segments here, in software, as Linux's GSO does before a driver without TSO.
     */
    private void emit(NetworkInterface out, Ipv4Address nextHop, Ipv4Packet packet, int mtu) {
        if (packet.gsoSize() > 0) {
            if (goesWhole(out, packet, mtu)) {
                resolveAndSend(out, nextHop, packet);
                return;
            }
            List<Ipv4Packet> segments = Tso.segment(packet);
            gsoSegmented.increment();
            event(IP, "gso_segment", "interface", out.name(), "destination", text(packet.destination()),
                    "length", packet.totalLength(), "gso_size", packet.gsoSize(), "segments", segments.size(),
                    "why", out.tso() ? "segments exceed the MTU" : "no tso on " + out.name());
            for (Ipv4Packet s : segments) {
                emit(out, nextHop, s, mtu);
            }
            return;
        }
        List<Ipv4Packet> pieces = packet.totalLength() <= mtu ? List.of(packet) : Fragmenter.fragment(packet, mtu);
        if (pieces.size() > 1) {
            counters.increment(IP, "fragmented");
            counters.add(IP + ".fragments_created", pieces.size());
            List<Integer> sizes = new ArrayList<>();
            for (Ipv4Packet f : pieces) {
                sizes.add(f.totalLength());
            }
            // RFC 791 section 3.2: fragments of one datagram share identification, offsets in 8-octet units.
            event(IP, "fragment", "interface", out.name(), "destination", packet.destination().toString(),
                    "identification", packet.identification(), "length", packet.totalLength(), "mtu", mtu,
                    "fragments", pieces.size(), "sizes", sizes.toString());
        }
        for (Ipv4Packet f : pieces) {
            resolveAndSend(out, nextHop, f);
        }
    }

    /** A super-packet may leave whole: the NIC has TSO, its segments fit {@code mtu}, it fits one frame. */
    private static boolean goesWhole(NetworkInterface out, Ipv4Packet packet, int mtu) {
        return out.tso() && Tso.segmentDatagramLength(packet) <= mtu && packet.totalLength() <= Tso.MAX_DATAGRAM;
    }

    private void resolveAndSend(NetworkInterface out, Ipv4Address nextHop, Ipv4Packet packet) {
        if (nextHop.isLimitedBroadcast() || out.isSubnetBroadcast(nextHop)) {
            transmitIp(out, packet, MacAddress.BROADCAST);
        } else if (nextHop.isMulticast()) {
            // RFC 1112 section 6.4: 01-00-5E-00-00-00 plus the low 23 bits of the group address.
            transmitIp(out, packet, new MacAddress(0x01005E000000L | (nextHop.bits() & 0x7FFFFF)));
        } else {
            applyNeighbor(out, out.neighbors.send(nextHop, packet, loop.nanos()), false);
        }
    }

    private void transmitIp(NetworkInterface out, Ipv4Packet packet, MacAddress mac) {
        if (packet.gsoSize() > 0 && !goesWhole(out, packet, out.mtu())) {
            // TSO went off, or the MTU shrank, while the super-packet waited for ARP: cut it now,
            // as Linux checks at transmit time (validate_xmit_skb).
            for (Ipv4Packet s : Tso.segment(packet)) {
                transmitIp(out, s, mac);
            }
            return;
        }
        ipTransmitted.increment();
        byte[] frame;
        if (packet.takeFrameHeadroom()) {
            // The sender left room for the headers in front of its payload: no copy at all.
            frame = packet.payloadArray();
            EthernetFrame.writeHeader(frame, mac, out.mac(), EthernetFrame.ETHERTYPE_IPV4);
            packet.writeHeader(frame, EthernetFrame.HEADER_LENGTH);
        } else {
            // Ethernet header and datagram written into one array: the payload is copied once.
            frame = EthernetFrame.allocate(mac, out.mac(), EthernetFrame.ETHERTYPE_IPV4, packet.totalLength());
            packet.encodeInto(frame, EthernetFrame.HEADER_LENGTH);
        }
        sendFrame(out, frame, packet.gsoSize());
    }

    // ------------------------------------------------------------------ local output

    private Optional<Ipv4Address> sourceFor(Ipv4Address dst, String ifName) {
        if (isLocalAddress(dst)) {
            return Optional.of(dst);
        }
        if (dst.isLimitedBroadcast()) {
            NetworkInterface ifc = ifName != null ? interfaces.get(ifName) : firstInterface();
            return Optional.ofNullable(ifc == null ? null : ifc.primaryAddress());
        }
        Optional<Route> r = ifName == null ? routes.lookup(dst) : lookupOn(dst, ifName);
        if (r.isEmpty()) {
            return Optional.empty();
        }
        if (r.get().preferredSource() != null) {
            return Optional.of(r.get().preferredSource());
        }
        NetworkInterface ifc = interfaces.get(r.get().interfaceName());
        Ipv4Address a = ifc == null ? null : ifc.addressFor(r.get().onLink() ? dst : r.get().gateway());
        return Optional.ofNullable(a);
    }

    private NetworkInterface firstInterface() {
        return interfaces.isEmpty() ? null : interfaces.values().iterator().next();
    }

    private int nextIdentification() {
        int id = nextIdentification;
        nextIdentification = (nextIdentification + 1) & 0xFFFF;
        return id;
    }

    private SendResult sendLocal(OutboundDatagram d, RouteCache cache) {
        if (!running) {
            return SendResult.of(SendResult.Status.NOT_RUNNING);
        }
        Ipv4Address dst = d.destination();
        boolean unspecified = d.source() == null || d.source().equals(Ipv4Address.ANY);
        if (dst.equals(Ipv4Address.ANY)) {
            return SendResult.of(SendResult.Status.INVALID_ARGUMENT);
        }
        // Loopback: a datagram to one of our own addresses never touches a link.
        if (isLocalAddress(dst)) {
            Ipv4Packet packet = Ipv4Packet.view(d.tos(), nextIdentification(), false, d.ttl(), d.protocol(),
                    unspecified ? dst : d.source(), dst, NO_OPTIONS, d.payload(), d.payloadOffset(), d.payloadLength());
            ipSent.increment();
            loop.execute(() -> {
                if (running) {
                    safely(() -> localInput(null, packet, false, false));
                }
            });
            return SendResult.OK;
        }
        NetworkInterface out;
        Ipv4Address nextHop;
        if (dst.isLimitedBroadcast()) {
            if (!d.broadcast()) {
                return SendResult.of(SendResult.Status.PERMISSION_DENIED);
            }
            out = d.interfaceName() != null ? interfaces.get(d.interfaceName()) : firstInterface();
            if (out == null) {
                return SendResult.of(SendResult.Status.NETWORK_UNREACHABLE);
            }
            nextHop = dst;
            event("route", "lookup", "destination", dst.toString(), "result", "limited broadcast", "interface", out.name());
        } else {
            Route cached = cache == null ? null : cache.valid(dst, d.interfaceName(), routes.version());
            Optional<Route> route = cached != null ? Optional.of(cached) : decide(dst, d.interfaceName());
            if (route.isEmpty()) {
                return SendResult.of(SendResult.Status.NETWORK_UNREACHABLE);
            }
            if (cache != null && cached == null) {
                cache.store(dst, d.interfaceName(), route.get(), routes.version());
            }
            out = interfaces.get(route.get().interfaceName());
            nextHop = route.get().onLink() ? dst : route.get().gateway();
            if (out.isSubnetBroadcast(dst) && !d.broadcast()) {
                return SendResult.of(SendResult.Status.PERMISSION_DENIED);
            }
        }
        Ipv4Address source;
        if (!unspecified) {
            source = d.source();
        } else if (d.allowUnspecifiedSource()) {
            source = Ipv4Address.ANY;
        } else {
            Optional<Ipv4Address> s = sourceFor(dst, out.name());
            if (s.isEmpty()) {
                return SendResult.of(SendResult.Status.ADDRESS_NOT_AVAILABLE);
            }
            source = s.get();
        }
        int mtu = Math.min(out.mtu(), pathMtu.get(dst, loop.nanos()));
        Ipv4Packet packet = Ipv4Packet.view(d.tos(), nextIdentification(), false, d.ttl(), d.protocol(), source, dst,
                NO_OPTIONS, d.payload(), d.payloadOffset(), d.payloadLength());
        if (d.gsoSize() > 0) {
            packet = packet.withGsoSize(d.gsoSize());
            // Its segments carry IDs counting up from its own (Tso.segment): reserve them all, as
            // Linux's ip_select_ident_segs does for gso_segs, so no later datagram reuses one.
            nextIdentification = (nextIdentification + Tso.segmentCount(packet) - 1) & 0xFFFF;
        }
        // A TCP super-packet is as long as its segments (they are what a link finally carries).
        int length = d.gsoSize() > 0 ? Tso.segmentDatagramLength(packet) : packet.totalLength();
        boolean df;
        switch (d.pmtu()) {
            case DO -> {
                if (length > mtu) {
                    return new SendResult(SendResult.Status.MESSAGE_TOO_LONG, mtu);
                }
                df = true;
            }
            // RFC 1191 section 3: set DF to discover the path MTU; beyond a known PMTU, fragment here.
            case WANT -> df = length <= mtu && !pathMtu.locked(dst, loop.nanos());
            default -> df = false;
        }
        if (df) {
            packet = packet.withDontFragment(true);
        }
        ipSent.increment();
        emit(out, nextHop, packet, mtu);
        return SendResult.OK;
    }

    private void safely(Runnable r) {
        try {
            r.run();
        } catch (WireFormatException e) {
            drop(protocolName(e.protocol()), "malformed", "interface", "lo", "error", e.getMessage());
        } catch (RuntimeException e) {
            drop("node", "internal_error", "interface", "lo", "error", String.valueOf(e));
        }
    }

    private final class IpSenderImpl implements Ipv4Sender {
        @Override
        public SendResult send(OutboundDatagram datagram) {
            return sendLocal(datagram, null);
        }

        @Override
        public SendResult send(OutboundDatagram datagram, RouteCache cache) {
            return sendLocal(datagram, cache);
        }

        @Override
        public Optional<Ipv4Address> sourceFor(Ipv4Address destination, String interfaceName) {
            return Node.this.sourceFor(destination, interfaceName);
        }

        @Override
        public boolean isLocalAddress(Ipv4Address address) {
            return Node.this.isLocalAddress(address);
        }

        @Override
        public int tsoMaxSize(Ipv4Address destination, String interfaceName) {
            if (isLocalAddress(destination)) {
                return 0;
            }
            Optional<Route> r = interfaceName == null ? routes.lookup(destination) : lookupOn(destination, interfaceName);
            NetworkInterface ifc = r.map(route -> interfaces.get(route.interfaceName())).orElse(null);
            return ifc != null && ifc.tso() ? Tso.MAX_DATAGRAM : 0;
        }
    }

    @Override
    public String toString() {
        return kind.name().toLowerCase() + " " + name;
    }
}
