package dev.wirelab.netstack.inspect;

import dev.wirelab.netstack.arp.Neighbor;
import dev.wirelab.netstack.dhcp.DhcpServer;
import dev.wirelab.netstack.dns.DnsCache;
import dev.wirelab.netstack.dns.RecursiveResolver;
import dev.wirelab.netstack.dns.StubResolver;
import dev.wirelab.netstack.ip.Route;
import dev.wirelab.netstack.node.InterfaceAddress;
import dev.wirelab.netstack.node.NetworkInterface;
import dev.wirelab.netstack.node.Node;
import dev.wirelab.netstack.tcp.TcpConnection;
import dev.wirelab.netstack.tcp.TcpInfo;
import dev.wirelab.netstack.tcp.TcpLayer;
import dev.wirelab.netstack.tcp.TcpListener;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A node's state in sections, as a node inspector shows it: interfaces, routes, the ARP cache,
 * sockets (as {@code ss -tan}), the stack's counters, and what a node's kind adds (a DHCP server's
 * leases, a resolver's cache). Plain records, lists and maps that serialize to JSON. The same code
 * serves a node in the control API's JVM and a node alone in its container.
 *
 * <p>Read it where the node's stack is not running meanwhile: on the node's loop (real time) or on
 * the thread that drives virtual time.
 */
public final class NodeState {

    /** One section of the state document. */
    public record Section(String name, Predicate<Node> appliesTo, Function<Node, Object> read) {
    }

    public record InterfaceState(String name, int index, String mac, int mtu, List<String> addresses, long rxFrames,
                                 long rxBytes, long txFrames, long txBytes) {
    }

    public record RouteState(String destination, String gateway, String device, String proto, String source,
                             int metric) {
    }

    public record NeighborState(String device, String ip, String mac, String state, Long deadlineNanos, int queued) {
    }

    /** One socket; fields that do not apply are null. */
    public record Socket(String protocol, String state, String local, String remote, Integer sendQueue,
                         Integer receiveQueue, Integer synQueue, Integer acceptQueue, Integer backlog, TcpInfo tcp) {
    }

    public record LeaseState(String address, String mac, String state, long starts, long ends,
                             String hostname) {
    }

    /** The stub resolver's configuration and cache, and a recursive resolver's cache where the node is one. */
    public record DnsState(List<String> nameservers, String search, List<StubResolver.CachedLookup> stubCache,
                           List<DnsCache.Cached> resolverCache) {
    }

    /** A node in brief, as a run's status lists it: enough to see that it is up and what it did. */
    public record Brief(String name, String kind, boolean running, List<InterfaceBrief> interfaces, int routes,
                        long received, long sent, long dropped) {
    }

    public record InterfaceBrief(String name, String mac, List<String> addresses, long rxFrames, long txFrames) {
    }

    private static final List<Section> STANDARD = List.of(
            new Section("interfaces", n -> true, NodeState::interfaces),
            new Section("routes", n -> true, n -> n.routes().stream().map(NodeState::route).toList()),
            new Section("arp", n -> true, NodeState::arp),
            new Section("sockets", n -> true, NodeState::sockets),
            new Section("counters", n -> true, Node::counters),
            new Section("leases", n -> n.service(DhcpServer.class).isPresent(), NodeState::leases),
            new Section("dns", n -> true, NodeState::dns));

    private NodeState() {
    }

    /** Every section that applies to every kind of node, and those of the kinds. */
    public static List<Section> standard() {
        return STANDARD;
    }

    /** The state document: the node's name, whether it runs, and each section that applies. */
    public static Map<String, Object> of(Node node, String kind, long labTimeNanos) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", node.name());
        m.put("kind", kind);
        m.put("running", node.running());
        m.put("forwarding", node.forwarding());
        m.put("labTimeNanos", labTimeNanos);
        for (Section s : STANDARD) {
            if (s.appliesTo().test(node)) {
                try {
                    m.put(s.name(), s.read().apply(node));
                } catch (RuntimeException e) {
                    m.put(s.name(), Map.of("error", String.valueOf(e)));
                }
            }
        }
        return m;
    }

    /** The node in brief (read it as {@link #of}: where its stack is not running meanwhile). */
    public static Brief brief(Node node, String kind) {
        Map<String, Long> counters = node.counters();
        long dropped = counters.entrySet().stream().filter(x -> x.getKey().contains(".dropped."))
                .mapToLong(Map.Entry::getValue).sum();
        List<InterfaceBrief> ifs = node.interfaces().stream().map(i -> new InterfaceBrief(i.name(), i.mac().toString(),
                i.addresses().stream().map(InterfaceAddress::toString).toList(), i.rxFrames(), i.txFrames())).toList();
        return new Brief(node.name(), kind, node.running(), ifs, node.routes().size(),
                counters.getOrDefault("ethernet.received", 0L), counters.getOrDefault("ethernet.sent", 0L), dropped);
    }

    static List<InterfaceState> interfaces(Node node) {
        return node.interfaces().stream().map(i -> new InterfaceState(i.name(), i.index(), i.mac().toString(), i.mtu(),
                i.addresses().stream().map(InterfaceAddress::toString).toList(), i.rxFrames(), i.rxBytes(),
                i.txFrames(), i.txBytes())).toList();
    }

    static RouteState route(Route r) {
        return new RouteState(r.destinationText(), r.gateway() == null ? null : r.gateway().toString(), r.interfaceName(),
                r.origin().proto(), r.preferredSource() == null ? null : r.preferredSource().toString(), r.metric());
    }

    static List<NeighborState> arp(Node node) {
        List<NeighborState> l = new ArrayList<>();
        for (NetworkInterface i : node.interfaces()) {
            for (Neighbor n : i.neighbors()) {
                l.add(new NeighborState(i.name(), n.ip().toString(), n.mac() == null ? null : n.mac().toString(),
                        n.state().name(), n.deadlineNanos() == Long.MAX_VALUE ? null : n.deadlineNanos(), n.queued()));
            }
        }
        return l;
    }

    /** TCP listeners with their SYN and accept queues against the backlog, connections, bound UDP sockets. */
    static List<Socket> sockets(Node node) {
        List<Socket> out = new ArrayList<>();
        TcpLayer.find(node).ifPresent(tcp -> {
            for (TcpListener l : tcp.listeners()) {
                out.add(new Socket("tcp", "LISTEN", l.localAddress() + ":" + l.localPort(), "*:*", null, null,
                        l.synQueueLength(), l.acceptQueueLength(), l.backlog(), null));
            }
            for (TcpConnection c : tcp.connections()) {
                TcpInfo info = c.info();
                out.add(new Socket("tcp", c.state().name(), c.localAddress() + ":" + c.localPort(),
                        c.remoteAddress() + ":" + c.remotePort(), info.sendQueue(), info.receiveQueue(), null, null, null,
                        info));
            }
        });
        for (String udp : node.udp().boundSockets()) {
            out.add(new Socket("udp", "UNCONN", udp, "*:*", null, null, null, null, null, null));
        }
        return out;
    }

    static List<LeaseState> leases(Node node) {
        return node.service(DhcpServer.class).map(s -> s.leases().stream().map(l -> new LeaseState(
                l.address().toString(), l.mac().toString(), l.state().text(), l.starts(), l.ends(), l.hostname()))
                .toList()).orElse(List.of());
    }

    static DnsState dns(Node node) {
        long now = node.loop().nanos();
        StubResolver stub = StubResolver.of(node);
        List<DnsCache.Cached> resolver = node.service(RecursiveResolver.class).map(r -> r.cache().entries(now))
                .orElse(null);
        return new DnsState(stub.nameservers().stream().map(Object::toString).toList(), stub.searchDomain().orElse(null),
                stub.cached(now), resolver);
    }
}
