package dev.wirelab.netstack.bus;

import dev.wirelab.netstack.link.InMemoryLink;
import dev.wirelab.netstack.link.Link;
import dev.wirelab.netstack.time.EventLoop;
import dev.wirelab.netstack.trace.TraceSink;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The L2 bus of one lab: named segments, each a learning switch with its own VNI, ports for
 * in-memory nodes ({@link #connect}), remote VTEPs over VXLAN ({@link #listenVxlan},
 * {@link #addExternalPort}), impairments per segment and a capture of every frame.
 *
 * <pre>{@code
 * Bus bus = new Bus(loop, trace, seed);
 * bus.addSegment("lan", 100);
 * Link eth0 = bus.connect("lan", "pc1:eth0");   // the node's end: send() and setReceiver()
 * bus.segment("lan").setImpairments(Impairments.fromMap(Map.of("delay", "2ms", "loss", 0.01)));
 * bus.listenVxlan(new InetSocketAddress("10.0.0.1", 4789));
 * bus.addExternalPort("lan", "linux1", new InetSocketAddress("10.0.0.2", 4789));
 * }</pre>
 *
 * <p>The bus takes VXLAN only from the VTEPs it was given ({@link #addExternalPort}): a datagram
 * from any other source is counted ({@link VxlanEndpoint.Counters#unknownSource}) and dropped, so a
 * stranger can neither join a segment nor poison a node's ARP cache nor receive its floods.
 *
 * <p>{@code busLoop} runs delayed deliveries and gives the capture clock; in virtual time it is the
 * lab's scheduler. VXLAN ports need real time (their datagrams arrive on a reader thread).
 */
public final class Bus implements AutoCloseable {

    public static final Duration DEFAULT_MAC_AGEING = Duration.ofSeconds(300);

    private final EventLoop loop;
    private final TraceSink trace;
    private final long seed;
    private final Map<String, Segment> segments = new LinkedHashMap<>();
    private final Map<Integer, Segment> byVni = new ConcurrentHashMap<>();
    private final Map<RemoteKey, RemotePort> remotesByAddress = new ConcurrentHashMap<>();
    private final Map<RemoteIpKey, RemotePort> externalsByIp = new ConcurrentHashMap<>();
    private volatile VxlanEndpoint endpoint;
    private Duration macAgeing = DEFAULT_MAC_AGEING;

    private record RemoteKey(int vni, InetSocketAddress address) {
    }

    private record RemoteIpKey(int vni, InetAddress ip) {
    }

    public Bus(EventLoop busLoop, TraceSink trace, long seed) {
        this.loop = busLoop;
        this.trace = trace;
        this.seed = seed;
    }

    public EventLoop loop() {
        return loop;
    }

    public TraceSink trace() {
        return trace;
    }

    public long seed() {
        return seed;
    }

    /** Adds a segment; its RNG is seeded from the lab seed and its name. */
    public synchronized Segment addSegment(String name, int vni) {
        if (segments.containsKey(name)) {
            throw new IllegalArgumentException("segment '" + name + "' already exists");
        }
        if (byVni.containsKey(vni)) {
            throw new IllegalArgumentException("segment '" + name + "': VNI " + vni + " is already used by segment '"
                    + byVni.get(vni).name() + "'");
        }
        Segment s = new Segment(name, vni, loop, trace, seed, macAgeing.toNanos());
        segments.put(name, s);
        byVni.put(vni, s);
        return s;
    }

    /** The named segment; throws IllegalArgumentException when there is none. */
    public synchronized Segment segment(String name) {
        Segment s = segments.get(name);
        if (s == null) {
            throw new IllegalArgumentException("no segment '" + name + "' (have: " + segments.keySet() + ")");
        }
        return s;
    }

    public synchronized List<Segment> segments() {
        return new ArrayList<>(segments.values());
    }

    Segment segmentByVni(int vni) {
        return byVni.get(vni);
    }

    /** Sets the MAC ageing time of every segment, present and future. */
    public synchronized void setMacAgeing(Duration ageing) {
        for (Segment s : segments.values()) {
            s.setMacAgeing(ageing);
        }
        macAgeing = ageing;
    }

    public void setImpairments(String segment, Impairments impairments) {
        segment(segment).setImpairments(impairments);
    }

    /**
     * Attaches a node: returns the node's end of an in-memory link whose other end is a new port
     * {@code portName} of the segment. {@code send} puts a frame on the segment (processed on the
     * caller's thread); the receiver gets frames on the delivering thread and must post them to
     * its own loop. Each received array is the node's own copy. Closing the link removes the port.
     */
    public Link connect(String segment, String portName) {
        Segment s = segment(segment);
        InMemoryLink.Pair pair = InMemoryLink.pair(portName, segment + "/" + portName);
        s.addPort(new MemoryPort(portName, s, pair.b()));
        return pair.a();
    }

    /**
     * Adds a port behind a remote VTEP (e.g. a Linux {@code vxlan} device) before it has sent
     * anything, so flooding reaches it: frames leaving the port are encapsulated with the
     * segment's VNI and sent to {@code remoteVtep}. Datagrams with that VNI coming from the
     * remote's IP address, from any source port (Linux picks one per flow), enter through it.
     */
    public void addExternalPort(String segment, String portName, InetSocketAddress remoteVtep) {
        if (remoteVtep.isUnresolved()) {
            throw new IllegalArgumentException("external port " + portName + ": unresolved address " + remoteVtep);
        }
        Segment s = segment(segment);
        RemotePort p = new RemotePort(portName, s, remoteVtep, this);
        synchronized (this) {
            RemoteKey key = new RemoteKey(s.vni(), remoteVtep);
            if (remotesByAddress.containsKey(key)) {
                throw new IllegalArgumentException("segment " + segment + " already has a port for VTEP " + remoteVtep);
            }
            s.addPort(p);
            remotesByAddress.put(key, p);
            externalsByIp.putIfAbsent(new RemoteIpKey(s.vni(), remoteVtep.getAddress()), p);
        }
    }

    /** Removes a port (in-memory or external) from a segment; its MAC entries go with it. */
    public void removePort(String segment, String portName) {
        Segment s = segment(segment);
        s.removePort(s.find(portName));
    }

    /**
     * Starts the VXLAN endpoint (RFC 7348) on {@code bindAddress} (port 0 picks a free one; the
     * standard port is {@link dev.wirelab.netstack.wire.Vxlan#DEFAULT_PORT}).
     */
    public synchronized VxlanEndpoint listenVxlan(InetSocketAddress bindAddress) throws IOException {
        if (endpoint != null) {
            throw new IllegalStateException("the bus already listens on " + endpoint.localAddress());
        }
        endpoint = new VxlanEndpoint(this, bindAddress);
        return endpoint;
    }

    /** The VXLAN endpoint, or null when the bus does not listen. */
    public VxlanEndpoint vxlanEndpoint() {
        return endpoint;
    }

    /**
     * The port a datagram from {@code from} with the segment's VNI enters through: a port known
     * by that exact address, else an external port on that IP (Linux picks a source port per
     * flow), else null: the sender is no VTEP of this segment and its datagram is dropped.
     */
    RemotePort remotePortFor(Segment s, InetSocketAddress from) {
        RemotePort p = remotesByAddress.get(new RemoteKey(s.vni(), from));
        if (p != null && !p.closed) {
            return p;
        }
        p = externalsByIp.get(new RemoteIpKey(s.vni(), from.getAddress()));
        return p != null && !p.closed ? p : null;
    }

    synchronized void forget(RemotePort p) {
        remotesByAddress.remove(new RemoteKey(p.segment.vni(), p.remote), p);
        externalsByIp.remove(new RemoteIpKey(p.segment.vni(), p.remote.getAddress()), p);
    }

    /** Counters of every port of every segment. */
    public List<PortCounters> counters() {
        List<PortCounters> l = new ArrayList<>();
        for (Segment s : segments()) {
            l.addAll(s.counters());
        }
        return l;
    }

    /** Stops the VXLAN endpoint. In-memory ports stay usable. */
    @Override
    public void close() {
        VxlanEndpoint ep;
        synchronized (this) {
            ep = endpoint;
            endpoint = null;
        }
        if (ep != null) {
            ep.close();
        }
    }
}
