package dev.wirelab.netstack.lab.topology;

import dev.wirelab.netstack.wire.DnsName;
import dev.wirelab.netstack.wire.Ipv4Address;
import dev.wirelab.netstack.wire.MacAddress;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Kind {@code dhcp}: a DHCP server (RFC 2131). Its pool (or pools, one per segment it serves
 * through relays) and the options it hands out:
 * <pre>
 * pool: { range: 192.168.1.100-192.168.1.199, gateway: 192.168.1.1, dns: [192.168.1.3],
 *         domain: home.arpa, lease: 1h, exclude: [192.168.1.150-192.168.1.159],
 *         reservations: { "02:00:00:00:00:99": 192.168.1.50 } }
 * pools: [ { range: ..., subnet: 10.0.2.0/24, ... }, ... ]
 * </pre>
 * A pool's {@code subnet} defaults to that of the server's interface holding the range; a pool for
 * a segment behind a relay must name it.
 */
public final class DhcpKind implements NodeKind {

    static final List<String> POOL_FIELDS = List.of("range", "subnet", "exclude", "reservations", "gateway", "dns",
            "domain", "lease", "renew", "rebind");
    /** dnsmasq's default lease time. */
    public static final long DEFAULT_LEASE = 3600;

    /** The server's pools and its own resolver settings. */
    public record Settings(List<Pool> pools, ResolverSpec resolver) implements KindSettings, ResolverSpec.Holder {
        public Settings {
            pools = List.copyOf(pools);
        }
    }

    /**
     * One pool as written.
     *
     * @param subnet  the pool's subnet, or null to take the server interface's that holds the range
     * @param exclude addresses or ranges ("a-b") never handed out
     * @param renew   T1 in seconds, or null for half the lease (RFC 2131 section 4.4.5)
     * @param rebind  T2 in seconds, or null for 7/8 of the lease
     */
    public record Pool(Ipv4Address first, Ipv4Address last, Ipv4Cidr subnet, List<String> exclude,
                       Map<MacAddress, Ipv4Address> reservations, Ipv4Address gateway, List<Ipv4Address> dns,
                       String domain, long lease, Long renew, Long rebind) {
        public Pool {
            exclude = List.copyOf(exclude);
            reservations = Collections.unmodifiableMap(new LinkedHashMap<>(reservations));
            dns = List.copyOf(dns);
        }

        /** The subnet the pool serves: its own, else the one of {@code server}'s interfaces that holds the range. */
        public Ipv4Cidr effectiveSubnet(NodeSpec server) {
            if (subnet != null) {
                return subnet.subnet();
            }
            for (InterfaceSpec i : server.interfaces().values()) {
                if (i.address() != null && i.address().contains(first)) {
                    return i.address().subnet();
                }
            }
            return null;
        }
    }

    @Override
    public String name() {
        return "dhcp";
    }

    @Override
    public boolean defaultForwarding() {
        return false;
    }

    @Override
    public List<String> extraFields() {
        return List.of("pool", "pools", ResolverSpec.FIELD);
    }

    @Override
    public KindSettings readSettings(String nodeName, Fields fields) {
        List<Pool> pools = new ArrayList<>();
        boolean one = fields.has("pool");
        boolean many = fields.has("pools");
        if (one && many) {
            fields.problems().add(fields.get("pools", false), "give either 'pool' or 'pools', not both");
        } else if (!one && !many) {
            fields.problems().add(new Problem(fields.path("pool"), "missing required field 'pool' (or 'pools'): "
                    + "a DHCP server needs addresses to hand out", fields.map().line(), fields.map().column()));
        }
        if (one) {
            SourceNode.MapNode m = fields.mapping("pool", true, "a mapping with 'range' and options");
            if (m != null) {
                Pool p = pool(nodeName, m, fields.problems());
                if (p != null) {
                    pools.add(p);
                }
            }
        } else if (many) {
            List<SourceNode> items = fields.list("pools", true, "a list of pools ({range, subnet, ...})");
            if (items != null) {
                if (items.isEmpty()) {
                    fields.problems().add(fields.get("pools", false), "needs at least one pool");
                }
                for (SourceNode item : items) {
                    SourceNode.MapNode m = fields.asMapping(item, "a pool mapping with 'range' and options");
                    if (m != null) {
                        Pool p = pool(nodeName, m, fields.problems());
                        if (p != null) {
                            pools.add(p);
                        }
                    }
                }
            }
        }
        return new Settings(pools, ResolverSpec.read(nodeName, fields));
    }

    private static Pool pool(String nodeName, SourceNode.MapNode m, Problems problems) {
        Fields f = new Fields(m, problems, "a pool of node '" + nodeName + "'", POOL_FIELDS);
        String range = f.string("range", true, "an address range such as 192.168.1.100-192.168.1.199");
        Ipv4Address first = null;
        Ipv4Address last = null;
        if (range != null) {
            int dash = range.indexOf('-');
            if (dash < 0) {
                problems.add(f.get("range", false), "'" + range + "' is not a range: write first-last, e.g. "
                        + "192.168.1.100-192.168.1.199");
            } else {
                try {
                    String a = range.substring(0, dash).strip();
                    String b = range.substring(dash + 1).strip();
                    first = Ipv4Cidr.parseAddress(a, a);
                    last = Ipv4Cidr.parseAddress(b, b);
                    if (first.compareTo(last) > 0) {
                        problems.add(f.get("range", false), "range " + range + " ends before it starts");
                        first = null;
                    }
                } catch (IllegalArgumentException e) {
                    problems.add(f.get("range", false), e.getMessage());
                    first = null;
                }
            }
        }
        Ipv4Cidr subnet = null;
        String s = f.string("subnet", false, "a subnet such as 10.0.2.0/24");
        if (s != null) {
            try {
                subnet = Ipv4Cidr.parse(s, true);
                if (!subnet.isNetwork()) {
                    problems.add(f.get("subnet", false), s + " has host bits set; did you mean " + subnet.subnet() + "?");
                }
            } catch (IllegalArgumentException e) {
                problems.add(f.get("subnet", false), e.getMessage());
            }
        }
        List<String> exclude = new ArrayList<>();
        List<SourceNode> ex = f.list("exclude", false, "a list of addresses or ranges");
        if (ex != null) {
            for (SourceNode item : ex) {
                String t = f.asString(item, "an address or a range first-last");
                if (t == null) {
                    continue;
                }
                try {
                    for (String part : t.split("-", 2)) {
                        Ipv4Cidr.parseAddress(part.strip(), part.strip());
                    }
                    exclude.add(t.strip());
                } catch (IllegalArgumentException e) {
                    problems.add(item, e.getMessage());
                }
            }
        }
        Map<MacAddress, Ipv4Address> reservations = new LinkedHashMap<>();
        SourceNode.MapNode rm = f.mapping("reservations", false, "a mapping of client MAC to address");
        if (rm != null) {
            for (SourceNode.Entry e : rm.entries().values()) {
                MacAddress mac = FieldReaders.mac(problems, e.value(), e.key());
                Ipv4Address a = FieldReaders.address(f, e.value(), "an IPv4 address");
                if (mac != null && a != null) {
                    reservations.put(mac, a);
                }
            }
        }
        Ipv4Address gateway = FieldReaders.address(f, "gateway", false, "the router's IPv4 address");
        List<Ipv4Address> dns = FieldReaders.addresses(f, "dns", false, "a DNS server's IPv4 address");
        String domain = f.string("domain", false, "a domain name such as home.arpa");
        if (domain != null) {
            try {
                DnsName.parse(domain);
            } catch (IllegalArgumentException e) {
                problems.add(f.get("domain", false), "'" + domain + "' is not a domain name: " + e.getMessage());
            }
        }
        Long lease = FieldReaders.seconds(f, "lease", 60, 0x7FFFFFFFL);
        Long renew = FieldReaders.seconds(f, "renew", 1, 0x7FFFFFFFL);
        Long rebind = FieldReaders.seconds(f, "rebind", 1, 0x7FFFFFFFL);
        if (first == null) {
            return null;
        }
        return new Pool(first, last, subnet, exclude, reservations, gateway, dns, domain,
                lease == null ? DEFAULT_LEASE : lease, renew, rebind);
    }

    @Override
    public void validate(String nodeName, NodeSpec node, Topology topology, Problems problems) {
        if (!(node.settings() instanceof Settings s)) {
            return;
        }
        String nodePath = Paths.child("nodes", nodeName);
        for (Map.Entry<String, InterfaceSpec> e : node.interfaces().entrySet()) {
            if (e.getValue().dhcp()) {
                problems.add(Paths.child(Paths.child(nodePath + ".interfaces", e.getKey()), "dhcp"),
                        "a DHCP server needs a static address, not dhcp: true");
            }
        }
        Map<Ipv4Cidr, Integer> subnets = new HashMap<>();
        for (int i = 0; i < s.pools().size(); i++) {
            Pool p = s.pools().get(i);
            String path = s.pools().size() == 1 && !isPoolsList(node) ? nodePath + ".pool" : Paths.item(nodePath + ".pools", i);
            Ipv4Cidr subnet = p.effectiveSubnet(node);
            if (subnet == null) {
                problems.add(path + ".range", "range " + p.first() + "-" + p.last() + " is in no subnet of '" + nodeName
                        + "'s interfaces; a pool served through a relay must give its 'subnet'");
                continue;
            }
            Integer other = subnets.putIfAbsent(subnet, i);
            if (other != null) {
                problems.add(path + ".subnet", "two pools for " + subnet + "; put both ranges' options in one pool");
            }
            if (!subnet.contains(p.first()) || !subnet.contains(p.last())) {
                problems.add(path + ".range", "range " + p.first() + "-" + p.last() + " is not inside " + subnet);
            } else if (p.first().equals(subnet.network()) || p.last().equals(subnet.broadcast())) {
                problems.add(path + ".range", "range " + p.first() + "-" + p.last() + " includes the network or broadcast "
                        + "address of " + subnet);
            }
            for (InterfaceSpec i2 : node.interfaces().values()) {
                if (i2.address() != null && !i2.address().address().equals(subnet.network())
                        && p.first().compareTo(i2.address().address()) <= 0 && p.last().compareTo(i2.address().address()) >= 0
                        && !excluded(p, i2.address().address())) {
                    problems.add(path + ".range", "range " + p.first() + "-" + p.last() + " holds the server's own address "
                            + i2.address().address() + "; exclude it or move the range");
                }
            }
            if (p.gateway() != null && !subnet.contains(p.gateway())) {
                problems.add(path + ".gateway", "gateway " + p.gateway() + " is not in the pool's subnet " + subnet
                        + "; clients could not reach it");
            }
            for (Map.Entry<MacAddress, Ipv4Address> r : p.reservations().entrySet()) {
                if (!subnet.contains(r.getValue())) {
                    problems.add(path + ".reservations", "reservation " + r.getKey() + " -> " + r.getValue()
                            + " is not in " + subnet);
                }
            }
            for (String x : p.exclude()) {
                for (String part : x.split("-", 2)) {
                    Ipv4Address a = Ipv4Address.parse(part.strip());
                    if (!subnet.contains(a)) {
                        problems.add(path + ".exclude", "excluded " + x + " is not in " + subnet);
                    }
                }
            }
            long lease = p.lease();
            long t1 = p.renew() == null ? lease / 2 : p.renew();
            long t2 = p.rebind() == null ? lease * 7 / 8 : p.rebind();
            if (!(t1 <= t2 && t2 <= lease)) {
                problems.add(path, "renew (" + t1 + " s) <= rebind (" + t2 + " s) <= lease (" + lease
                        + " s) must hold (RFC 2131 section 4.4.5)");
            }
        }
    }

    private static boolean excluded(Pool p, Ipv4Address a) {
        for (String x : p.exclude()) {
            String[] parts = x.split("-", 2);
            Ipv4Address lo = Ipv4Address.parse(parts[0].strip());
            Ipv4Address hi = parts.length == 2 ? Ipv4Address.parse(parts[1].strip()) : lo;
            if (a.compareTo(lo) >= 0 && a.compareTo(hi) <= 0) {
                return true;
            }
        }
        return false;
    }

    private static boolean isPoolsList(NodeSpec node) {
        return node.settings() instanceof Settings s && s.pools().size() != 1;
    }

    @Override
    public void writeSettings(KindSettings settings, ObjectNode node) {
        if (!(settings instanceof Settings s)) {
            return;
        }
        if (s.pools().size() == 1) {
            writePool(s.pools().get(0), node.putObject("pool"));
        } else {
            ArrayNode a = node.putArray("pools");
            s.pools().forEach(p -> writePool(p, a.addObject()));
        }
        ResolverSpec.write(s.resolver(), node);
    }

    private static void writePool(Pool p, ObjectNode o) {
        o.put("range", p.first() + "-" + p.last());
        if (p.subnet() != null) {
            o.put("subnet", p.subnet().toString());
        }
        if (!p.exclude().isEmpty()) {
            ArrayNode a = o.putArray("exclude");
            p.exclude().forEach(a::add);
        }
        if (!p.reservations().isEmpty()) {
            ObjectNode r = o.putObject("reservations");
            p.reservations().forEach((mac, a) -> r.put(mac.toString(), a.toString()));
        }
        if (p.gateway() != null) {
            o.put("gateway", p.gateway().toString());
        }
        if (!p.dns().isEmpty()) {
            ArrayNode a = o.putArray("dns");
            p.dns().forEach(x -> a.add(x.toString()));
        }
        if (p.domain() != null) {
            o.put("domain", p.domain());
        }
        o.put("lease", FieldReaders.formatSeconds(p.lease()));
        if (p.renew() != null) {
            o.put("renew", FieldReaders.formatSeconds(p.renew()));
        }
        if (p.rebind() != null) {
            o.put("rebind", FieldReaders.formatSeconds(p.rebind()));
        }
    }

    @Override
    public String toString() {
        return "NodeKind[dhcp]";
    }
}
