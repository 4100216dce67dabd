package dev.wirelab.nodeservice.protocol;

import dev.wirelab.netstack.lab.topology.NodeSpec;
import dev.wirelab.netstack.lab.topology.Topologies;
import dev.wirelab.netstack.lab.topology.Topology;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a node container needs to become one node of a run, given by the control API in the
 * container's environment ({@link NodeApi#CONFIG_ENV}) as JSON. The container keeps it, so a
 * restarted container comes back as the same node.
 *
 * @param runId          the run it belongs to
 * @param node           its name in the topology
 * @param topology       the whole topology as JSON (the node's spec, and the segments' VNIs and MTUs)
 * @param seed           the run's seed (the node's random choices: ISNs, DHCP xids, ports)
 * @param busHost        where the bus's VXLAN endpoint listens, as the container reaches it
 * @param busPort        its UDP port
 * @param nicBasePort    the UDP port of the node's first interface; the i-th (topology order) is base + i
 * @param originNanoTime the bus's {@code System.nanoTime()} at lab time zero: containers of one machine
 *                       share the kernel's CLOCK_MONOTONIC, so the node's events land on the bus's timeline
 * @param epochUnixNanos wall-clock time of lab time zero
 * @param token          bearer token the management API requires
 */
public record NodeConfig(long runId, String node, String topology, long seed, String busHost, int busPort,
                         int nicBasePort, long originNanoTime, long epochUnixNanos, String token) {

    public NodeConfig {
        List<String> problems = new ArrayList<>();
        if (node == null || node.isBlank()) {
            problems.add("node is required");
        }
        if (topology == null || topology.isBlank()) {
            problems.add("topology is required");
        }
        if (busHost == null || busHost.isBlank()) {
            problems.add("busHost is required");
        }
        if (busPort < 1 || busPort > 65535) {
            problems.add("busPort must be 1..65535, got " + busPort);
        }
        if (nicBasePort < 1 || nicBasePort > 65535 - 64) {
            problems.add("nicBasePort must be 1..65471, got " + nicBasePort);
        }
        if (token == null || token.length() < 16) {
            problems.add("token must have at least 16 characters");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("bad node configuration: " + String.join("; ", problems));
        }
    }

    /** The parsed topology. */
    /**
     * The topology (JSON) as one node's container needs it: every node's spec (routes and relays
     * refer to the others), but only this node's files, so that one web node's site does not
     * weigh on every container's configuration.
     */
    public static String topologyFor(String topologyJson, String node) {
        tools.jackson.databind.json.JsonMapper json = tools.jackson.databind.json.JsonMapper.builder().build();
        tools.jackson.databind.JsonNode tree = json.readTree(topologyJson);
        if (tree.get("nodes") instanceof tools.jackson.databind.node.ObjectNode nodes) {
            for (java.util.Map.Entry<String, tools.jackson.databind.JsonNode> e : nodes.properties()) {
                if (!e.getKey().equals(node) && e.getValue() instanceof tools.jackson.databind.node.ObjectNode spec) {
                    spec.remove("files");
                }
            }
        }
        return json.writeValueAsString(tree);
    }

    public Topology parsedTopology() {
        return Topologies.parseJson(topology);
    }

    /** The node's spec in the topology, or a clear error. */
    public NodeSpec spec(Topology t) {
        NodeSpec s = t.nodes().get(node);
        if (s == null) {
            throw new IllegalArgumentException("bad node configuration: no node '" + node + "' in lab " + t.name()
                    + " (nodes: " + String.join(", ", t.nodes().keySet()) + ")");
        }
        return s;
    }

    /** Each interface's UDP port in the container, in topology order. */
    public static Map<String, Integer> nicPorts(NodeSpec spec, int nicBasePort) {
        Map<String, Integer> m = new LinkedHashMap<>();
        int i = 0;
        for (String ifName : spec.interfaces().keySet()) {
            m.put(ifName, nicBasePort + i++);
        }
        return m;
    }
}
