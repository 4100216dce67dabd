package dev.wirelab.netstack.lab.topology;

import dev.wirelab.netstack.wire.Ipv4Address;
import dev.wirelab.netstack.wire.MacAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns a {@link SourceNode} tree into a {@link Topology}: fields, types and formats (addresses,
 * durations...). Keeps going after a problem so one run finds them all; a bad value is replaced by a
 * neutral placeholder ("" for a name, null for an optional value) that the validator does not report
 * again, since it skips paths that already have a problem.
 */
final class TopologyBinder {

    static final List<String> TOP_FIELDS = List.of("name", "segments", "nodes", "links", "external", "bus", "seed");
    static final List<String> SEGMENT_FIELDS = List.of("name", "vni", "mtu");
    static final List<String> INTERFACE_FIELDS = List.of("segment", "address", "dhcp", "mac", "mtu", "tso");
    static final List<String> ROUTE_FIELDS = List.of("to", "via", "dev");
    static final List<String> LINK_FIELDS = List.of("delay", "jitter", "loss", "duplicate", "reorder", "corrupt", "rate");
    static final List<String> EXTERNAL_FIELDS = List.of("name", "segment", "remote");
    static final List<String> BUS_FIELDS = List.of("bind", "port");

    private static final Pattern HOST_NAME =
            Pattern.compile("(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");

    private final NodeKinds kinds;
    private final Problems problems;
    /**
     * For lists whose bad items are left out of the model (routes, external ports): list path ->
     * source index of each model item, so later checks report the item's real path.
     */
    private final Map<String, List<Integer>> sourceIndexes = new HashMap<>();

    TopologyBinder(NodeKinds kinds, Problems problems) {
        this.kinds = kinds;
        this.problems = problems;
    }

    /** The path of item {@code modelIndex} of list {@code listPath} in the source. */
    String itemPath(String listPath, int modelIndex) {
        List<Integer> idx = sourceIndexes.get(listPath);
        return Paths.item(listPath, idx != null && modelIndex < idx.size() ? idx.get(modelIndex) : modelIndex);
    }

    Topology bind(SourceNode root) {
        if (!(root instanceof SourceNode.MapNode map)) {
            problems.add(root, "a topology must be a mapping with the fields 'name', 'segments' and 'nodes', got "
                    + root.describe());
            return null;
        }
        Fields f = new Fields(map, problems, "the topology", TOP_FIELDS);
        String name = orEmpty(f.string("name", true, "the lab's name"));
        List<SegmentSpec> segments = segments(f);
        Map<String, NodeSpec> nodes = nodes(f);
        Map<String, LinkSpec> links = links(f);
        List<ExternalPortSpec> external = external(f);
        BusSpec bus = bus(f);
        Long seed = f.integer("seed", false, Long.MIN_VALUE, Long.MAX_VALUE);
        return new Topology(name, segments, nodes, links, external, bus, seed);
    }

    // ---- segments ----

    private List<SegmentSpec> segments(Fields top) {
        List<SourceNode> items = top.list("segments", true,
                "a list of segment names (or of {name, vni, mtu} mappings)");
        if (items == null) {
            return List.of();
        }
        record Raw(String name, Long vni, int mtu) {
        }
        List<Raw> raws = new ArrayList<>();
        for (SourceNode item : items) {
            if (item instanceof SourceNode.MapNode m) {
                Fields f = new Fields(m, problems, "segment " + item.path(), SEGMENT_FIELDS);
                String name = orEmpty(f.string("name", true, "a segment name"));
                Long vni = f.integer("vni", false, 1, SegmentSpec.MAX_VNI);
                Long mtu = f.integer("mtu", false, SegmentSpec.MIN_MTU, SegmentSpec.MAX_MTU);
                raws.add(new Raw(name, vni, mtu == null ? SegmentSpec.DEFAULT_MTU : mtu.intValue()));
            } else if (item instanceof SourceNode.Scalar s && s.type() == SourceNode.ScalarType.STRING) {
                raws.add(new Raw(s.text(), null, SegmentSpec.DEFAULT_MTU));
            } else {
                top.asString(item, "a segment name or a {name, vni, mtu} mapping");
                raws.add(new Raw("", null, SegmentSpec.DEFAULT_MTU));
            }
        }
        // VNIs not given take 1, 2, 3... in order, skipping those given explicitly.
        Set<Long> taken = new HashSet<>();
        for (Raw r : raws) {
            if (r.vni() != null) {
                taken.add(r.vni());
            }
        }
        List<SegmentSpec> out = new ArrayList<>();
        long next = 1;
        for (Raw r : raws) {
            long vni;
            if (r.vni() != null) {
                vni = r.vni();
            } else {
                while (taken.contains(next)) {
                    next++;
                }
                vni = next++;
            }
            out.add(new SegmentSpec(r.name(), (int) vni, r.mtu()));
        }
        return out;
    }

    // ---- nodes ----

    private Map<String, NodeSpec> nodes(Fields top) {
        SourceNode.MapNode m = top.mapping("nodes", true, "a mapping of node name to node ({kind, interfaces, ...})");
        Map<String, NodeSpec> out = new LinkedHashMap<>();
        if (m == null) {
            return out;
        }
        for (SourceNode.Entry e : m.entries().values()) {
            NodeSpec node = node(e.key(), e.value(), top);
            if (node != null) {
                out.put(e.key(), node);
            }
        }
        return out;
    }

    private NodeSpec node(String nodeName, SourceNode value, Fields top) {
        if (!(value instanceof SourceNode.MapNode m)) {
            problems.add(value, "node '" + nodeName + "' must be a mapping with 'kind' and 'interfaces', got "
                    + value.describe());
            return null;
        }
        // The kind decides which fields are allowed, so read it before anything else.
        String kindName = "";
        NodeKind kind = null;
        SourceNode.Entry kindEntry = m.entries().get("kind");
        if (kindEntry == null || isNull(kindEntry.value())) {
            problems.add(new Problem(Paths.child(m.path(), "kind"), "missing required field 'kind' (one of "
                    + Names.list(kinds.names()) + ")", m.line(), m.column()));
        } else if (kindEntry.value() instanceof SourceNode.Scalar s && s.type() == SourceNode.ScalarType.STRING) {
            kindName = s.text();
            kind = kinds.get(kindName);
            if (kind == null) {
                problems.add(s, "unknown kind '" + kindName + "' (known kinds: " + Names.list(kinds.names()) + ")"
                        + Names.didYouMean(kindName, kinds.names()));
            }
        } else {
            top.asString(kindEntry.value(), "a node kind (one of " + Names.list(kinds.names()) + ")");
        }
        Set<String> allowed = new LinkedHashSet<>(NodeKind.COMMON_FIELDS);
        if (kind != null) {
            allowed.addAll(kind.extraFields());
        } else {
            // Kind missing or unknown: do not pile "unknown field" errors on fields some kind has,
            // nor (when a kind was named) on fields the named kind might have.
            for (NodeKind k : kinds.all()) {
                allowed.addAll(k.extraFields());
            }
            if (!kindName.isEmpty()) {
                allowed.addAll(m.entries().keySet());
            }
        }
        final String kn = kindName;
        Fields f = new Fields(m, problems, "node '" + nodeName + "'", allowed, field -> {
            List<String> owners = kinds.kindsWithField(field);
            return owners.isEmpty() ? null
                    : "field '" + field + "' is not allowed for kind " + kn + " (only kind " + String.join(", ", owners)
                    + " has it)";
        });
        f.get("kind", false); // already read
        Map<String, InterfaceSpec> interfaces = interfaces(nodeName, f);
        List<RouteSpec> routes = routes(f);
        Boolean forwarding = f.bool("forwarding", false);
        KindSettings settings = kind == null ? KindSettings.NONE : kind.readSettings(nodeName, f);
        boolean fwd = forwarding != null ? forwarding : kind != null && kind.defaultForwarding();
        return new NodeSpec(kindName, interfaces, routes, fwd, settings == null ? KindSettings.NONE : settings);
    }

    private Map<String, InterfaceSpec> interfaces(String nodeName, Fields node) {
        SourceNode.MapNode m = node.mapping("interfaces", true,
                "a mapping of interface name to interface ({segment, address, ...})");
        Map<String, InterfaceSpec> out = new LinkedHashMap<>();
        if (m == null) {
            return out;
        }
        for (SourceNode.Entry e : m.entries().values()) {
            if (!(e.value() instanceof SourceNode.MapNode im)) {
                problems.add(e.value(), "interface '" + e.key() + "' of node '" + nodeName
                        + "' must be a mapping with 'segment' and optionally 'address', 'dhcp', 'mac', 'mtu', 'tso', got "
                        + e.value().describe());
                continue;
            }
            Fields f = new Fields(im, problems, "interface '" + e.key() + "' of node '" + nodeName + "'",
                    INTERFACE_FIELDS);
            String segment = orEmpty(f.string("segment", true, "a segment name"));
            Ipv4Cidr address = null;
            String a = f.string("address", false, "an IPv4 address with prefix length, e.g. 192.168.1.1/24");
            if (a != null) {
                try {
                    address = Ipv4Cidr.parse(a, true);
                } catch (IllegalArgumentException ex) {
                    problems.add(f.get("address", false), ex.getMessage());
                }
            }
            Boolean dhcp = f.bool("dhcp", false);
            MacAddress mac = null;
            String macText = f.string("mac", false, "a MAC address such as 02:00:00:00:00:01");
            if (macText != null) {
                mac = parseMac(macText, f.get("mac", false));
            }
            Long mtu = f.integer("mtu", false, SegmentSpec.MIN_MTU, SegmentSpec.MAX_MTU);
            Boolean tso = f.bool("tso", false);
            out.put(e.key(), new InterfaceSpec(segment, address, dhcp != null && dhcp, mac,
                    mtu == null ? null : mtu.intValue(), tso != null && tso));
        }
        return out;
    }

    private MacAddress parseMac(String text, SourceNode at) {
        if (!text.strip().matches("[0-9A-Fa-f]{1,2}([:-][0-9A-Fa-f]{1,2}){5}")) {
            problems.add(at, "'" + text + "' is not a MAC address: write six hex bytes separated by ':', "
                    + "e.g. 02:00:00:00:00:01");
            return null;
        }
        return MacAddress.parse(text);
    }

    private List<RouteSpec> routes(Fields node) {
        List<SourceNode> items = node.list("routes", false, "a list of routes ({to, via, dev})");
        List<RouteSpec> out = new ArrayList<>();
        if (items == null) {
            return out;
        }
        List<Integer> kept = new ArrayList<>();
        sourceIndexes.put(node.path("routes"), kept);
        for (int index = 0; index < items.size(); index++) {
            SourceNode item = items.get(index);
            if (!(item instanceof SourceNode.MapNode m)) {
                problems.add(item, "a route must be a mapping with 'to' and 'via' (and optionally 'dev'), got "
                        + item.describe());
                continue;
            }
            Fields f = new Fields(m, problems, "route " + item.path(), ROUTE_FIELDS);
            Ipv4Cidr to = null;
            String toText = f.string("to", true, "a destination prefix such as 10.0.0.0/8 or 'default'");
            if (toText != null) {
                try {
                    to = "default".equals(toText.strip())
                            ? new Ipv4Cidr(Ipv4Address.ANY, 0) : Ipv4Cidr.parse(toText, false);
                } catch (IllegalArgumentException ex) {
                    problems.add(f.get("to", false), ex.getMessage());
                }
            }
            Ipv4Address via = null;
            String viaText = f.string("via", false, "the next hop's IPv4 address");
            if (viaText != null) {
                try {
                    via = Ipv4Cidr.parseAddress(viaText.strip(), viaText);
                } catch (IllegalArgumentException ex) {
                    problems.add(f.get("via", false), ex.getMessage());
                }
            }
            String dev = f.string("dev", false, "an interface name of this node");
            if (to == null) {
                continue; // reported above; a route without a destination means nothing
            }
            out.add(new RouteSpec(to, via, dev));
            kept.add(index);
        }
        return out;
    }

    // ---- links ----

    private Map<String, LinkSpec> links(Fields top) {
        SourceNode.MapNode m = top.mapping("links", false,
                "a mapping of segment name to impairments ({delay, loss, ...})");
        Map<String, LinkSpec> out = new LinkedHashMap<>();
        if (m == null) {
            return out;
        }
        for (SourceNode.Entry e : m.entries().values()) {
            if (isNull(e.value())) {
                out.put(e.key(), LinkSpec.NONE);
                continue;
            }
            if (!(e.value() instanceof SourceNode.MapNode lm)) {
                problems.add(e.value(), "the impairments of segment '" + e.key() + "' must be a mapping with "
                        + "fields " + Names.list(LINK_FIELDS) + ", got " + e.value().describe());
                continue;
            }
            Fields f = new Fields(lm, problems, "the impairments of segment '" + e.key() + "'", LINK_FIELDS);
            long delay = duration(f, "delay");
            long jitter = duration(f, "jitter");
            double loss = probability(f, "loss");
            double duplicate = probability(f, "duplicate");
            double reorder = probability(f, "reorder");
            double corrupt = probability(f, "corrupt");
            long rate = rate(f);
            out.put(e.key(), new LinkSpec(delay, jitter, loss, duplicate, reorder, corrupt, rate));
        }
        return out;
    }

    private long duration(Fields f, String field) {
        SourceNode n = f.get(field, false);
        if (n == null) {
            return 0;
        }
        if (n instanceof SourceNode.Scalar s) {
            if (s.type() == SourceNode.ScalarType.STRING) {
                try {
                    return Units.parseDurationNanos(s.text());
                } catch (IllegalArgumentException ex) {
                    problems.add(n, ex.getMessage());
                    return 0;
                }
            }
            if (s.type() == SourceNode.ScalarType.INTEGER && s.integer().signum() == 0) {
                return 0;
            }
            if (s.type() == SourceNode.ScalarType.INTEGER || s.type() == SourceNode.ScalarType.DECIMAL) {
                problems.add(n, "'" + s.text() + "' has no unit: write e.g. " + s.text() + "ms (units: ns, us, ms, s)");
                return 0;
            }
        }
        problems.add(n, "must be a duration such as 2ms, 1.5s or 250us, got " + n.describe());
        return 0;
    }

    private double probability(Fields f, String field) {
        SourceNode n = f.get(field, false);
        if (n == null) {
            return 0;
        }
        try {
            if (n instanceof SourceNode.Scalar s) {
                switch (s.type()) {
                    case INTEGER, DECIMAL:
                        return Units.checkProbability(s.decimal(), s.text());
                    case STRING:
                        return Units.parseProbability(s.text());
                    default:
                        break;
                }
            }
        } catch (IllegalArgumentException ex) {
            problems.add(n, ex.getMessage());
            return 0;
        }
        problems.add(n, "must be a probability from 0 to 1 (e.g. 0.01) or a percentage (e.g. 1%), got "
                + n.describe());
        return 0;
    }

    private long rate(Fields f) {
        SourceNode n = f.get("rate", false);
        if (n == null) {
            return 0;
        }
        if (n instanceof SourceNode.Scalar s && s.type() == SourceNode.ScalarType.STRING) {
            try {
                return Units.parseRateBitsPerSecond(s.text());
            } catch (IllegalArgumentException ex) {
                problems.add(n, ex.getMessage());
                return 0;
            }
        }
        if (n instanceof SourceNode.Scalar s
                && (s.type() == SourceNode.ScalarType.INTEGER || s.type() == SourceNode.ScalarType.DECIMAL)) {
            problems.add(n, "'" + s.text() + "' has no unit: write e.g. " + s.text()
                    + "mbit (units: bit, kbit, mbit, gbit, tbit)");
            return 0;
        }
        problems.add(n, "must be a rate such as 10mbit, 1gbit or 500kbit, got " + n.describe());
        return 0;
    }

    // ---- external ports and bus ----

    private List<ExternalPortSpec> external(Fields top) {
        List<SourceNode> items = top.list("external", false,
                "a list of external VXLAN ports ({segment, remote, name})");
        List<ExternalPortSpec> out = new ArrayList<>();
        if (items == null) {
            return out;
        }
        // Explicit names first, so default names (ext1, ext2...) never collide with them.
        Set<String> used = new HashSet<>();
        for (SourceNode item : items) {
            if (item instanceof SourceNode.MapNode m && m.entries().get("name") != null
                    && m.entries().get("name").value() instanceof SourceNode.Scalar s
                    && s.type() == SourceNode.ScalarType.STRING) {
                used.add(s.text());
            }
        }
        int nextDefault = 1;
        List<Integer> kept = new ArrayList<>();
        sourceIndexes.put("external", kept);
        for (int index = 0; index < items.size(); index++) {
            SourceNode item = items.get(index);
            if (!(item instanceof SourceNode.MapNode m)) {
                problems.add(item, "an external port must be a mapping with 'segment' and 'remote' (and optionally "
                        + "'name'), got " + item.describe());
                continue;
            }
            Fields f = new Fields(m, problems, "external port " + item.path(), EXTERNAL_FIELDS);
            String name = f.string("name", false, "a port name");
            if (name == null && !f.has("name")) {
                while (used.contains("ext" + nextDefault)) {
                    nextDefault++;
                }
                name = "ext" + nextDefault;
                used.add(name);
            }
            String segment = orEmpty(f.string("segment", true, "a segment name"));
            String remote = f.string("remote", true, "the VTEP address as host or host:port, e.g. 10.255.0.2:4789");
            String host = "";
            int port = ExternalPortSpec.DEFAULT_PORT;
            if (remote != null) {
                SourceNode at = f.get("remote", false);
                String r = remote.strip();
                int colon = r.lastIndexOf(':');
                boolean portOk = true;
                if (colon >= 0) {
                    String p = r.substring(colon + 1);
                    host = r.substring(0, colon);
                    if (p.matches("[0-9]{1,5}") && Integer.parseInt(p) >= 1 && Integer.parseInt(p) <= 65535) {
                        port = Integer.parseInt(p);
                    } else {
                        problems.add(at, "'" + remote + "': port '" + p + "' is not a UDP port 1..65535");
                        portOk = false;
                    }
                } else {
                    host = r;
                }
                String why = portOk ? hostProblem(host) : null;
                if (why != null) {
                    problems.add(at, why);
                }
                if (!portOk || why != null) {
                    host = "";
                }
            }
            out.add(new ExternalPortSpec(orEmpty(name), segment, host, port));
            kept.add(index);
        }
        return out;
    }

    /** Why {@code host} is not an IPv4 address or host name, or null. */
    static String hostProblem(String host) {
        if (host.isEmpty()) {
            return "the remote host is missing: write an IPv4 address or host name, optionally with :port";
        }
        if (host.matches("[0-9.]+")) {
            try {
                Ipv4Cidr.parseAddress(host, host);
                return null;
            } catch (IllegalArgumentException e) {
                return e.getMessage();
            }
        }
        if (host.contains(":") || host.startsWith("[")) {
            return "'" + host + "': IPv6 VTEPs are not supported; give an IPv4 address or host name";
        }
        return HOST_NAME.matcher(host).matches() ? null
                : "'" + host + "' is neither an IPv4 address nor a host name";
    }

    private BusSpec bus(Fields top) {
        SourceNode.MapNode m = top.mapping("bus", false, "a mapping with 'bind' and 'port'");
        if (m == null) {
            return null;
        }
        Fields f = new Fields(m, problems, "the bus", BUS_FIELDS);
        Ipv4Address bind = null; // chosen by the lab (see BusSpec)
        String b = f.string("bind", false, "a local IPv4 address such as 127.0.0.1 or 10.255.0.1");
        if (b != null) {
            try {
                bind = Ipv4Cidr.parseAddress(b.strip(), b);
            } catch (IllegalArgumentException ex) {
                problems.add(f.get("bind", false), ex.getMessage());
            }
        }
        Long port = f.integer("port", false, 1, 65535);
        return new BusSpec(bind, port == null ? ExternalPortSpec.DEFAULT_PORT : port.intValue());
    }

    private static boolean isNull(SourceNode n) {
        return n instanceof SourceNode.Scalar s && s.type() == SourceNode.ScalarType.NULL;
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }
}
