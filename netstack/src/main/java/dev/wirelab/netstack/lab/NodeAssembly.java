package dev.wirelab.netstack.lab;

import dev.wirelab.netstack.lab.topology.InterfaceSpec;
import dev.wirelab.netstack.lab.topology.NodeSpec;
import dev.wirelab.netstack.lab.topology.RouteSpec;
import dev.wirelab.netstack.lab.topology.Topology;
import dev.wirelab.netstack.link.Link;
import dev.wirelab.netstack.node.Node;
import dev.wirelab.netstack.time.EventLoop;
import dev.wirelab.netstack.trace.TraceSink;
import dev.wirelab.netstack.wire.MacAddress;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Builds one node of a topology: its kind's services, its interfaces on links the caller provides,
 * addresses and routes. The embedded runtime links interfaces to the in-memory bus; a node that runs
 * alone in a container links them to the bus over VXLAN. Either way the node is built by this code,
 * so it is the same node.
 */
public final class NodeAssembly {

    /** The link for one interface of the node. */
    @FunctionalInterface
    public interface Links {
        Link link(String ifName, InterfaceSpec spec) throws IOException;
    }

    private NodeAssembly() {
    }

    /** The bus port name of a node's interface, e.g. {@code pc1:eth0}: the capture's ingress port. */
    public static String portName(String node, String ifName) {
        return node + ":" + ifName;
    }

    /** The interface's MAC: the topology's, or a locally administered one derived from its port name. */
    public static MacAddress mac(String node, String ifName, InterfaceSpec spec) {
        return spec.mac() != null ? spec.mac() : MacAddress.locallyAdministered(portName(node, ifName));
    }

    public static Node build(Topology topology, String name, EventLoop loop, TraceSink sink, long seed,
                             NodeFactory factory, Links links) {
        NodeSpec spec = topology.nodes().get(name);
        if (spec == null) {
            throw new LabException("no node '" + name + "' in lab " + topology.name() + " (nodes: "
                    + String.join(", ", topology.nodes().keySet()) + ")");
        }
        Node node = factory.make(name, spec, loop, sink);
        node.seedRandom(seed);
        for (Map.Entry<String, InterfaceSpec> ie : spec.interfaces().entrySet()) {
            String ifName = ie.getKey();
            InterfaceSpec is = ie.getValue();
            Link link;
            try {
                link = links.link(ifName, is);
            } catch (IOException e) {
                throw new UncheckedIOException("node " + name + ", interface " + ifName + ": " + e.getMessage(), e);
            }
            node.addInterface(ifName, mac(name, ifName, is), topology.effectiveMtu(name, ifName), link);
            if (is.tso()) {
                node.setTso(ifName, true);
            }
            if (is.address() != null) {
                node.addAddress(ifName, is.address().address(), is.address().prefixLength());
            }
        }
        for (RouteSpec r : spec.routes()) {
            node.addRoute(r.to().network(), r.to().prefixLength(), r.via(), r.dev());
        }
        return node;
    }
}
