package dev.wirelab.netstack.lab;

import dev.wirelab.netstack.lab.topology.NodeSpec;
import dev.wirelab.netstack.node.Node;
import dev.wirelab.netstack.tcp.TcpConfig;
import dev.wirelab.netstack.tcp.TcpLayer;
import dev.wirelab.netstack.time.EventLoop;
import dev.wirelab.netstack.trace.TraceSink;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Makes the runtime node of each kind the topology names. Interfaces, addresses and routes are
 * added by the lab afterwards, the same way for every kind; a kind adds its own services here
 * (a DHCP server's pool, a DNS server's zones).
 */
public final class NodeFactory {

    /** Creates a node of one kind from its spec. */
    @FunctionalInterface
    public interface Maker {
        Node make(String name, NodeSpec spec, EventLoop loop, TraceSink trace);
    }

    private final Map<String, Maker> makers = new LinkedHashMap<>();

    public static NodeFactory standard() {
        return new NodeFactory()
                .with("host", (name, spec, loop, trace) -> withTcp(Node.host(name, loop, trace)))
                .with("router", (name, spec, loop, trace) -> withTcp(Node.router(name, loop, trace)))
                .with("dhcp", (name, spec, loop, trace) -> withTcp(NodeServices.dhcpServer(name, spec, loop, trace)))
                .with("dns", (name, spec, loop, trace) -> withTcp(NodeServices.dnsServer(name, spec, loop, trace)))
                .with("web", (name, spec, loop, trace) -> withTcp(WebServers.make(name, spec, loop, trace)));
    }

    /** Every host and router has a TCP, as every kernel does. */
    private static Node withTcp(Node node) {
        TcpLayer.install(node, TcpConfig.defaults());
        return node;
    }

    public NodeFactory with(String kind, Maker maker) {
        makers.put(kind, maker);
        return this;
    }

    public Node make(String name, NodeSpec spec, EventLoop loop, TraceSink trace) {
        Maker m = makers.get(spec.kind());
        if (m == null) {
            throw new LabException("node " + name + ": kind '" + spec.kind() + "' has no runtime (known: "
                    + String.join(", ", makers.keySet()) + ")");
        }
        Node node = m.make(name, spec, loop, trace);
        node.setForwarding(spec.forwarding());
        NodeServices.common(node, spec); // resolver, DHCP clients, DHCP relay
        return node;
    }
}
