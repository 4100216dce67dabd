package dev.wirelab.netstack.lab.topology;

import dev.wirelab.netstack.dns.Zone;
import dev.wirelab.netstack.wire.DnsName;
import dev.wirelab.netstack.wire.Ipv4Address;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Kind {@code dns}: a name server. {@code role: authoritative} serves {@code zones}, each given as
 * master-file text (RFC 1035 section 5) under its origin; {@code role: recursive} resolves from
 * {@code root_hints} (or sends everything to {@code forwarders}):
 * <pre>
 * role: authoritative
 * zones:
 *   example.com: |
 *     $TTL 3600
 *     @    SOA ns1 hostmaster 1 7200 900 1209600 300
 *     @    NS  ns1
 *     ns1  A   10.0.3.53
 *     www  A   10.0.4.80
 *
 * role: recursive
 * root_hints: [ { name: a.root-servers.net, address: 10.0.1.53 } ]
 * </pre>
 */
public final class DnsKind implements NodeKind {

    public static final String AUTHORITATIVE = "authoritative";
    public static final String RECURSIVE = "recursive";

    /** The server's role and data; {@code zones} maps origin (as written) to master-file text. */
    public record Settings(String role, Map<String, String> zones, List<Hint> rootHints, List<Ipv4Address> forwarders,
                           ResolverSpec resolver) implements KindSettings, ResolverSpec.Holder {
        public Settings {
            zones = Collections.unmodifiableMap(new LinkedHashMap<>(zones));
            rootHints = List.copyOf(rootHints);
            forwarders = List.copyOf(forwarders);
        }

        /** The zones, parsed (valid once the topology validated). */
        public List<Zone> parsedZones() {
            List<Zone> out = new ArrayList<>();
            zones.forEach((origin, text) -> out.add(Zone.parse(DnsName.parse(origin), text)));
            return out;
        }
    }

    /** A root server: its name and address (a root hints line). */
    public record Hint(String name, Ipv4Address address) {
    }

    @Override
    public String name() {
        return "dns";
    }

    @Override
    public boolean defaultForwarding() {
        return false;
    }

    @Override
    public List<String> extraFields() {
        return List.of("role", "zones", "root_hints", "forwarders", ResolverSpec.FIELD);
    }

    @Override
    public KindSettings readSettings(String nodeName, Fields f) {
        String role = f.string("role", true, "'authoritative' or 'recursive'");
        if (role != null && !role.equals(AUTHORITATIVE) && !role.equals(RECURSIVE)) {
            f.problems().add(f.get("role", false), "unknown role '" + role + "' (roles: 'authoritative', 'recursive')"
                    + Names.didYouMean(role, List.of(AUTHORITATIVE, RECURSIVE)));
            role = null;
        }
        Map<String, String> zones = new LinkedHashMap<>();
        SourceNode.MapNode zm = f.mapping("zones", false, "a mapping of zone origin to master-file text");
        if (zm != null) {
            for (SourceNode.Entry e : zm.entries().values()) {
                String text = f.asString(e.value(), "the zone's records in master-file form (a YAML block: |)");
                if (text == null) {
                    continue;
                }
                DnsName origin;
                try {
                    origin = DnsName.parse(e.key());
                } catch (IllegalArgumentException ex) {
                    f.problems().add(e.value(), "'" + e.key() + "' is not a zone origin: " + ex.getMessage());
                    continue;
                }
                try {
                    Zone.parse(origin, text);
                } catch (IllegalArgumentException ex) {
                    f.problems().add(e.value(), "zone " + origin + ": " + ex.getMessage());
                    continue;
                }
                zones.put(e.key(), text);
            }
        }
        List<Hint> hints = new ArrayList<>();
        List<SourceNode> hl = f.list("root_hints", false, "a list of root servers ({name, address})");
        if (hl != null) {
            for (SourceNode item : hl) {
                SourceNode.MapNode m = f.asMapping(item, "a root server {name, address}");
                if (m == null) {
                    continue;
                }
                Fields hf = new Fields(m, f.problems(), "a root hint of node '" + nodeName + "'", List.of("name", "address"));
                String name = hf.string("name", true, "the root server's name, e.g. a.root-servers.net");
                Ipv4Address a = FieldReaders.address(hf, "address", true, "the root server's IPv4 address");
                if (name != null) {
                    try {
                        DnsName.parse(name);
                    } catch (IllegalArgumentException ex) {
                        f.problems().add(hf.get("name", false), "'" + name + "' is not a host name: " + ex.getMessage());
                        name = null;
                    }
                }
                if (name != null && a != null) {
                    hints.add(new Hint(name, a));
                }
            }
        }
        List<Ipv4Address> forwarders = FieldReaders.addresses(f, "forwarders", false, "a resolver's IPv4 address");
        return new Settings(role == null ? "" : role, zones, hints, forwarders, ResolverSpec.read(nodeName, f));
    }

    @Override
    public void validate(String nodeName, NodeSpec node, Topology topology, Problems problems) {
        if (!(node.settings() instanceof Settings s) || s.role().isEmpty()) {
            return;
        }
        String base = Paths.child("nodes", nodeName);
        if (s.role().equals(AUTHORITATIVE)) {
            if (s.zones().isEmpty() && !problems.hasAtOrUnder(base + ".zones")) {
                problems.add(base + ".zones", "an authoritative server needs at least one zone");
            }
            if (!s.rootHints().isEmpty()) {
                problems.add(base + ".root_hints", "root hints are for role recursive; an authoritative server does not resolve");
            }
            if (!s.forwarders().isEmpty()) {
                problems.add(base + ".forwarders", "forwarders are for role recursive");
            }
        } else {
            if (!s.zones().isEmpty()) {
                problems.add(base + ".zones", "zones are for role authoritative; a recursive resolver learns from the root");
            }
            if (s.rootHints().isEmpty() && s.forwarders().isEmpty() && !problems.hasAtOrUnder(base + ".root_hints")) {
                problems.add(base + ".root_hints", "a recursive resolver needs root_hints (or forwarders) to start from");
            }
        }
    }

    @Override
    public void writeSettings(KindSettings settings, ObjectNode node) {
        if (!(settings instanceof Settings s)) {
            return;
        }
        node.put("role", s.role());
        if (!s.zones().isEmpty()) {
            ObjectNode z = node.putObject("zones");
            s.zones().forEach(z::put);
        }
        if (!s.rootHints().isEmpty()) {
            ArrayNode a = node.putArray("root_hints");
            for (Hint h : s.rootHints()) {
                ObjectNode o = a.addObject();
                o.put("name", h.name());
                o.put("address", h.address().toString());
            }
        }
        if (!s.forwarders().isEmpty()) {
            ArrayNode a = node.putArray("forwarders");
            s.forwarders().forEach(x -> a.add(x.toString()));
        }
        ResolverSpec.write(s.resolver(), node);
    }

    @Override
    public String toString() {
        return "NodeKind[dns]";
    }
}
