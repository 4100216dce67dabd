package dev.wirelab.netstack.lab.topology;

import dev.wirelab.netstack.wire.DnsName;
import dev.wirelab.netstack.wire.Ipv4Address;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A node's resolver configuration, field {@code resolver} (resolv.conf and /etc/hosts):
 * <pre>
 * resolver: { nameservers: [192.168.1.3], search: home.arpa, hosts: { printer: 192.168.1.9 } }
 * </pre>
 * Name servers a DHCP lease brings are used after these.
 */
public record ResolverSpec(List<Ipv4Address> nameservers, String search, Map<String, List<Ipv4Address>> hosts) {

    public static final String FIELD = "resolver";

    /** Kind settings that carry a resolver configuration (every standard kind's). */
    public interface Holder {
        /** The node's resolver configuration, or null when the file gives none. */
        ResolverSpec resolver();
    }
    static final List<String> FIELDS = List.of("nameservers", "search", "hosts");

    public ResolverSpec {
        nameservers = List.copyOf(nameservers);
        hosts = Collections.unmodifiableMap(new LinkedHashMap<>(hosts));
    }

    /** Reads {@code resolver} from a node's fields; null when the node has none. */
    static ResolverSpec read(String nodeName, Fields node) {
        SourceNode.MapNode m = node.mapping(FIELD, false, "a mapping with 'nameservers', 'search' and 'hosts'");
        if (m == null) {
            return null;
        }
        Fields f = new Fields(m, node.problems(), "the resolver of node '" + nodeName + "'", FIELDS);
        List<Ipv4Address> ns = FieldReaders.addresses(f, "nameservers", false, "a name server's IPv4 address");
        String search = f.string("search", false, "a domain name such as example.com");
        if (search != null) {
            try {
                DnsName.parse(search);
            } catch (IllegalArgumentException e) {
                f.problems().add(f.get("search", false), "'" + search + "' is not a domain name: " + e.getMessage());
                search = null;
            }
        }
        Map<String, List<Ipv4Address>> hosts = new LinkedHashMap<>();
        SourceNode.MapNode hm = f.mapping("hosts", false, "a mapping of host name to address(es)");
        if (hm != null) {
            for (SourceNode.Entry e : hm.entries().values()) {
                try {
                    DnsName.parse(e.key());
                } catch (IllegalArgumentException ex) {
                    f.problems().add(e.value(), "'" + e.key() + "' is not a host name: " + ex.getMessage());
                    continue;
                }
                List<SourceNode> items = e.value() instanceof SourceNode.ListNode l ? l.items() : List.of(e.value());
                List<Ipv4Address> as = new java.util.ArrayList<>();
                for (SourceNode item : items) {
                    Ipv4Address a = FieldReaders.address(f, item, "an IPv4 address");
                    if (a != null) {
                        as.add(a);
                    }
                }
                hosts.put(e.key(), as);
            }
        }
        return new ResolverSpec(ns, search, hosts);
    }

    static void write(ResolverSpec r, ObjectNode node) {
        if (r == null) {
            return;
        }
        ObjectNode o = node.putObject(FIELD);
        if (!r.nameservers().isEmpty()) {
            ArrayNode a = o.putArray("nameservers");
            r.nameservers().forEach(x -> a.add(x.toString()));
        }
        if (r.search() != null) {
            o.put("search", r.search());
        }
        if (!r.hosts().isEmpty()) {
            ObjectNode h = o.putObject("hosts");
            r.hosts().forEach((name, as) -> {
                ArrayNode a = h.putArray(name);
                as.forEach(x -> a.add(x.toString()));
            });
        }
    }
}
