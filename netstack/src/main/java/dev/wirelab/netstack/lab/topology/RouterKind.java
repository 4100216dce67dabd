package dev.wirelab.netstack.lab.topology;

import dev.wirelab.netstack.wire.Ipv4Address;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * Kind {@code router}: forwards (RFC 1812). Fields of its own: {@code resolver} and
 * {@code dhcp_relay}, a DHCP relay agent (RFC 1542) for the segments of {@code interfaces}
 * (default: every interface whose subnet holds none of the servers):
 * <pre>
 * dhcp_relay: { servers: [192.168.1.2], interfaces: [eth1] }
 * </pre>
 */
public final class RouterKind implements NodeKind {

    public static final String RELAY = "dhcp_relay";

    /** A router's settings: resolver and relay, each null when absent. */
    public record Settings(ResolverSpec resolver, Relay relay) implements KindSettings, ResolverSpec.Holder {
    }

    /** A DHCP relay: the servers to relay to, and the client-facing interfaces (empty: the default). */
    public record Relay(List<Ipv4Address> servers, List<String> interfaces) {
        public Relay {
            servers = List.copyOf(servers);
            interfaces = List.copyOf(interfaces);
        }
    }

    @Override
    public String name() {
        return "router";
    }

    @Override
    public boolean defaultForwarding() {
        return true;
    }

    @Override
    public List<String> extraFields() {
        return List.of(ResolverSpec.FIELD, RELAY);
    }

    @Override
    public KindSettings readSettings(String nodeName, Fields fields) {
        ResolverSpec r = ResolverSpec.read(nodeName, fields);
        Relay relay = null;
        SourceNode.MapNode m = fields.mapping(RELAY, false, "a mapping with 'servers' and optionally 'interfaces'");
        if (m != null) {
            Fields f = new Fields(m, fields.problems(), "the DHCP relay of node '" + nodeName + "'",
                    List.of("servers", "interfaces"));
            List<Ipv4Address> servers = FieldReaders.addresses(f, "servers", true, "a DHCP server's IPv4 address");
            if (f.get("servers", false) != null && servers.isEmpty() && !f.problems().hasAtOrUnder(f.path("servers"))) {
                f.problems().add(f.get("servers", false), "a relay needs at least one server address");
            }
            relay = new Relay(servers, FieldReaders.strings(f, "interfaces", "interface names"));
        }
        return r == null && relay == null ? KindSettings.NONE : new Settings(r, relay);
    }

    @Override
    public void validate(String nodeName, NodeSpec node, Topology topology, Problems problems) {
        if (!(node.settings() instanceof Settings s) || s.relay() == null) {
            return;
        }
        String base = Paths.child(Paths.child("nodes", nodeName), RELAY);
        for (int i = 0; i < s.relay().interfaces().size(); i++) {
            String ifName = s.relay().interfaces().get(i);
            InterfaceSpec spec = node.interfaces().get(ifName);
            String path = Paths.item(base + ".interfaces", i);
            if (spec == null) {
                problems.add(path, "node '" + nodeName + "' has no interface '" + ifName + "' (interfaces: "
                        + Names.list(node.interfaces().keySet()) + ")" + Names.didYouMean(ifName, node.interfaces().keySet()));
            } else if (spec.address() == null) {
                problems.add(path, "interface '" + ifName + "' needs a static address: the relay puts it in giaddr "
                        + "(RFC 1542 section 4.1.1)");
            }
        }
        for (Ipv4Address server : s.relay().servers()) {
            for (InterfaceSpec i : node.interfaces().values()) {
                if (i.address() != null && i.address().address().equals(server)) {
                    problems.add(base + ".servers", server + " is an address of '" + nodeName
                            + "' itself; relay to the DHCP server's address");
                }
            }
        }
    }

    @Override
    public void writeSettings(KindSettings settings, ObjectNode node) {
        if (settings instanceof Settings s) {
            ResolverSpec.write(s.resolver(), node);
            if (s.relay() != null) {
                ObjectNode o = node.putObject(RELAY);
                ArrayNode servers = o.putArray("servers");
                s.relay().servers().forEach(a -> servers.add(a.toString()));
                if (!s.relay().interfaces().isEmpty()) {
                    ArrayNode ifs = o.putArray("interfaces");
                    s.relay().interfaces().forEach(ifs::add);
                }
            }
        }
    }

    @Override
    public String toString() {
        return "NodeKind[router]";
    }
}
