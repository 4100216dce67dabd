package dev.wirelab.netstack.lab.topology;

import dev.wirelab.netstack.wire.Ipv4Address;
import dev.wirelab.netstack.wire.MacAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * Checks what the types alone cannot: names, references between sections, address plans, value
 * ranges. Works on any {@link Topology}, read from a file or built in code. A check whose path
 * already has a problem (from reading the file) is not reported twice.
 */
final class TopologyValidator {

    private final NodeKinds kinds;
    private final Problems problems;
    /** Problems found while reading the file: a check at or under one of their paths is skipped. */
    private final Problems earlier;

    /** Path of a list item by model index (items dropped while reading shift the indexes). */
    private final BiFunction<String, Integer, String> itemPath;

    TopologyValidator(NodeKinds kinds, Problems problems, BiFunction<String, Integer, String> itemPath) {
        this.kinds = kinds;
        this.itemPath = itemPath;
        this.problems = problems;
        this.earlier = snapshot(problems);
    }

    private static Problems snapshot(Problems p) {
        Problems copy = new Problems();
        p.toList().forEach(copy::add);
        return copy;
    }

    private void report(String path, String message) {
        if (earlier.hasAtOrUnder(path)) {
            return;
        }
        reportExact(path, message);
    }

    /** Reports unless a problem is already at exactly {@code path} (for names of mapping keys). */
    private void reportExact(String path, String message) {
        if (earlier.toList().stream().anyMatch(p -> p.path().equals(path))) {
            return;
        }
        problems.add(path, message); // the reader adds the source position, if any
    }

    void validate(Topology t) {
        name("name", t.name(), Names.MAX_NAME);
        segmentsComplete = !t.segments().isEmpty()
                && earlier.toList().stream().noneMatch(p -> p.path().equals("segments"))
                && t.segments().stream().noneMatch(s -> s.name().isEmpty());
        listedSegments = new HashSet<>(t.segmentNames());
        Map<String, SegmentSpec> segments = segments(t);
        nodes(t, segments);
        links(t, segments);
        external(t, segments);
        if (t.bus() != null && (t.bus().port() < 1 || t.bus().port() > 65535)) {
            report("bus.port", "must be from 1 to 65535, got " + t.bus().port());
        }
    }

    private boolean name(String path, String name, int max) {
        String why = Names.nameProblem(name, max);
        if (why != null) {
            report(path, why);
            return false;
        }
        return true;
    }

    /** Names that are mapping keys are never placeholders, so only an exact earlier problem hides them. */
    private void keyName(String path, String name, int max) {
        String why = Names.nameProblem(name, max);
        if (why != null) {
            reportExact(path, why);
        }
    }

    // ---- segments ----

    private Map<String, SegmentSpec> segments(Topology t) {
        Map<String, SegmentSpec> byName = new LinkedHashMap<>();
        Map<Integer, String> byVni = new HashMap<>();
        if (t.segments().isEmpty()) {
            report("segments", "a topology needs at least one segment");
        }
        for (int i = 0; i < t.segments().size(); i++) {
            SegmentSpec s = t.segments().get(i);
            String path = Paths.item("segments", i);
            if (name(path, s.name(), Names.MAX_NAME) && byName.putIfAbsent(s.name(), s) != null) {
                report(path, "segment '" + s.name() + "' is listed twice");
            }
            if (s.vni() < 1 || s.vni() > SegmentSpec.MAX_VNI) {
                report(path + ".vni", "must be from 1 to " + SegmentSpec.MAX_VNI + " (24 bits), got " + s.vni());
            } else {
                String other = byVni.putIfAbsent(s.vni(), s.name());
                if (other != null) {
                    report(path + ".vni", "VNI " + s.vni() + " is already used by segment '" + other
                            + "'; each segment needs its own VNI");
                }
            }
            if (s.mtu() < SegmentSpec.MIN_MTU || s.mtu() > SegmentSpec.MAX_MTU) {
                report(path + ".mtu", "must be from " + SegmentSpec.MIN_MTU + " to " + SegmentSpec.MAX_MTU
                        + ", got " + s.mtu());
            }
        }
        // A malformed segment entry leaves a placeholder name: references to it are then unknowable.
        return byName;
    }

    /** Every name in the segments list, valid or not. */
    private Set<String> listedSegments = Set.of();

    /** False when some segment's name could not be read: references cannot be judged then. */
    private boolean segmentsComplete;

    private boolean segmentsComplete() {
        return segmentsComplete;
    }

    private void segmentRef(String path, String segment, Map<String, SegmentSpec> segments) {
        if (segments.containsKey(segment) || listedSegments.contains(segment) || !segmentsComplete()) {
            return; // a listed segment with a bad name is reported once, where it is listed
        }
        report(path, "unknown segment '" + segment + "' (segments: " + Names.list(segments.keySet()) + ")"
                + Names.didYouMean(segment, segments.keySet()));
    }

    // ---- nodes ----

    private void nodes(Topology t, Map<String, SegmentSpec> segments) {
        if (t.nodes().isEmpty()) {
            report("nodes", "a topology needs at least one node");
        }
        // segment -> address -> "node.interface", to find duplicates on one segment
        Map<String, Map<Ipv4Address, String>> addressesOnSegment = new HashMap<>();
        Map<String, Map<MacAddress, String>> macsOnSegment = new HashMap<>();
        for (Map.Entry<String, NodeSpec> e : t.nodes().entrySet()) {
            String nodeName = e.getKey();
            NodeSpec node = e.getValue();
            String path = Paths.child("nodes", nodeName);
            keyName(path, nodeName, Names.MAX_NAME);
            NodeKind kind = kinds.get(node.kind());
            if (kind == null) {
                report(path + ".kind", "unknown kind '" + node.kind() + "' (known kinds: " + Names.list(kinds.names())
                        + ")" + Names.didYouMean(node.kind(), kinds.names()));
            }
            interfaces(nodeName, node, path, segments, addressesOnSegment, macsOnSegment);
            routes(nodeName, node, path);
            if (kind != null) {
                kind.validate(nodeName, node, t, problems);
            }
        }
    }

    private void interfaces(String nodeName, NodeSpec node, String nodePath, Map<String, SegmentSpec> segments,
                            Map<String, Map<Ipv4Address, String>> addressesOnSegment,
                            Map<String, Map<MacAddress, String>> macsOnSegment) {
        String base = nodePath + ".interfaces";
        if (node.interfaces().isEmpty()) {
            report(base, "node '" + nodeName + "' needs at least one interface");
        }
        Map<String, String> segmentUsedBy = new HashMap<>();
        for (Map.Entry<String, InterfaceSpec> ie : node.interfaces().entrySet()) {
            String ifName = ie.getKey();
            InterfaceSpec i = ie.getValue();
            String path = Paths.child(base, ifName);
            keyName(path, ifName, Names.MAX_INTERFACE_NAME);
            segmentRef(path + ".segment", i.segment(), segments);
            String first = segmentUsedBy.putIfAbsent(i.segment(), ifName);
            if (first != null && !i.segment().isEmpty()) {
                report(path + ".segment", "node '" + nodeName + "' already has interface '" + first
                        + "' on segment '" + i.segment() + "'; a node joins a segment once");
            }
            if (i.address() != null) {
                if (i.dhcp()) {
                    report(path + ".dhcp", "interface '" + ifName + "' has both a static address and dhcp: true; "
                            + "choose one");
                }
                String why = hostAddressProblem(i.address());
                if (why != null) {
                    report(path + ".address", why);
                } else {
                    String other = addressesOnSegment.computeIfAbsent(i.segment(), k -> new HashMap<>())
                            .putIfAbsent(i.address().address(), nodeName + "." + ifName);
                    if (other != null) {
                        report(path + ".address", "address " + i.address().address() + " is already used by "
                                + other + " on segment '" + i.segment() + "'");
                    }
                }
            }
            if (i.mac() != null) {
                if (i.mac().isGroup() || i.mac().bits() == 0) {
                    report(path + ".mac", "'" + i.mac() + "' is not a unicast MAC address (the least significant "
                            + "bit of the first byte must be 0, and it must not be all zeros)");
                } else {
                    String other = macsOnSegment.computeIfAbsent(i.segment(), k -> new HashMap<>())
                            .putIfAbsent(i.mac(), nodeName + "." + ifName);
                    if (other != null) {
                        report(path + ".mac", "MAC address " + i.mac() + " is already used by " + other
                                + " on segment '" + i.segment() + "'");
                    }
                }
            }
            if (i.mtu() != null && (i.mtu() < SegmentSpec.MIN_MTU || i.mtu() > SegmentSpec.MAX_MTU)) {
                report(path + ".mtu", "must be from " + SegmentSpec.MIN_MTU + " to " + SegmentSpec.MAX_MTU
                        + ", got " + i.mtu());
            }
        }
    }

    /** Why {@code a} cannot be an interface's address, or null. */
    static String hostAddressProblem(Ipv4Cidr a) {
        int top = a.address().bits() >>> 24;
        if (a.prefixLength() == 0) {
            return a + ": prefix length 0 would put every address on this link; use the subnet's real length";
        }
        if (a.address().bits() == 0 || top == 0) {
            return a + ": 0.0.0.0/8 means 'this network' (RFC 1122 section 3.2.1.3) and is not a host address";
        }
        if (top == 127) {
            return a + ": 127.0.0.0/8 is loopback (RFC 1122 section 3.2.1.3), not for an interface on a segment";
        }
        if (a.address().isMulticast()) {
            return a + ": 224.0.0.0/4 is multicast (RFC 1112), not a host address";
        }
        if (top >= 240) {
            return a + ": 240.0.0.0/4 is reserved and 255.255.255.255 is the limited broadcast (RFC 1122)";
        }
        // RFC 3021: /31 and /32 have no network or broadcast address; shorter prefixes do.
        if (a.prefixLength() <= 30) {
            if (a.address().equals(a.network())) {
                return a + " is the network address of " + a.subnet() + "; pick a host address such as "
                        + new Ipv4Address(a.network().bits() + 1) + "/" + a.prefixLength();
            }
            if (a.address().equals(a.broadcast())) {
                return a + " is the broadcast address of " + a.subnet() + "; pick a host address such as "
                        + new Ipv4Address(a.broadcast().bits() - 1) + "/" + a.prefixLength();
            }
        }
        return null;
    }

    private void routes(String nodeName, NodeSpec node, String nodePath) {
        // Names of interfaces are known unless reading dropped one; subnets only if no address is in doubt.
        boolean interfacesKnown = !earlier.hasAtOrUnder(nodePath + ".interfaces");
        boolean subnetsKnown = !problems.hasAtOrUnder(nodePath + ".interfaces");
        List<String> subnets = new ArrayList<>();
        boolean anyDhcp = false;
        for (Map.Entry<String, InterfaceSpec> ie : node.interfaces().entrySet()) {
            InterfaceSpec i = ie.getValue();
            anyDhcp |= i.dhcp();
            if (i.address() != null) {
                subnets.add(ie.getKey() + " " + i.address().subnet());
            }
        }
        Set<Ipv4Cidr> seen = new HashSet<>();
        for (int r = 0; r < node.routes().size(); r++) {
            RouteSpec route = node.routes().get(r);
            String path = itemPath.apply(nodePath + ".routes", r);
            if (!route.to().isNetwork()) {
                report(path + ".to", route.to() + " has host bits set; the destination must be a network, "
                        + "did you mean " + route.to().subnet() + "?");
            } else if (!seen.add(route.to())) {
                report(path + ".to", "node '" + nodeName + "' already has a route to " + route.to());
            }
            InterfaceSpec dev = null;
            if (route.dev() != null) {
                dev = node.interfaces().get(route.dev());
                if (dev == null && interfacesKnown) {
                    report(path + ".dev", "node '" + nodeName + "' has no interface '" + route.dev() + "' (interfaces: "
                            + Names.list(node.interfaces().keySet()) + ")"
                            + Names.didYouMean(route.dev(), node.interfaces().keySet()));
                }
            }
            if (route.via() == null) {
                if (route.dev() == null) {
                    report(path, "a route needs 'via' (the next hop) or 'dev' (an on-link route), or both");
                }
                continue;
            }
            Ipv4Address via = route.via();
            if (via.bits() == 0 || via.isMulticast() || via.isLimitedBroadcast() || (via.bits() >>> 24) == 127) {
                report(path + ".via", via + " cannot be a next hop (not a unicast host address)");
                continue;
            }
            if (!subnetsKnown) {
                continue; // an interface had a problem: its subnet is in doubt, do not guess
            }
            boolean own = false;
            boolean connected = false;
            for (Map.Entry<String, InterfaceSpec> ie : node.interfaces().entrySet()) {
                InterfaceSpec i = ie.getValue();
                if (i.address() == null || (dev != null && i != dev)) {
                    continue;
                }
                own |= i.address().address().equals(via);
                connected |= i.address().contains(via);
            }
            if (own) {
                report(path + ".via", via + " is an address of '" + nodeName + "' itself; the next hop must be "
                        + "another node");
            } else if (!connected && !(anyDhcp || (dev != null && dev.dhcp()))) {
                report(path + ".via", dev != null
                        ? via + " is not in the subnet of interface '" + route.dev() + "' of '" + nodeName + "' ("
                        + (dev.address() == null ? "it has no address" : dev.address().subnet().toString()) + ")"
                        : via + " is not on any subnet directly connected to '" + nodeName + "' ("
                        + (subnets.isEmpty() ? "it has no addresses" : String.join(", ", subnets))
                        + "); a next hop must be reachable without routing");
            }
        }
    }

    // ---- links, external ports ----

    private void links(Topology t, Map<String, SegmentSpec> segments) {
        for (Map.Entry<String, LinkSpec> e : t.links().entrySet()) {
            String path = Paths.child("links", e.getKey());
            if (!segments.containsKey(e.getKey()) && !listedSegments.contains(e.getKey()) && segmentsComplete()) {
                report(path, "unknown segment '" + e.getKey() + "' (segments: " + Names.list(segments.keySet())
                        + ")" + Names.didYouMean(e.getKey(), segments.keySet()));
            }
            LinkSpec l = e.getValue();
            if (l.delayNanos() < 0 || l.delayNanos() > Units.MAX_DURATION_NANOS) {
                report(path + ".delay", "must be from 0 to 3600s");
            }
            if (l.jitterNanos() < 0 || l.jitterNanos() > Units.MAX_DURATION_NANOS) {
                report(path + ".jitter", "must be from 0 to 3600s");
            }
            probability(path + ".loss", l.loss());
            probability(path + ".duplicate", l.duplicate());
            probability(path + ".reorder", l.reorder());
            probability(path + ".corrupt", l.corrupt());
            if (l.rateBitsPerSecond() < 0 || l.rateBitsPerSecond() > Units.MAX_RATE_BITS) {
                report(path + ".rate", "must be more than 0 and at most 1tbit (0 means no limit)");
            }
        }
    }

    private void probability(String path, double v) {
        if (Double.isNaN(v) || v < 0 || v > 1) {
            report(path, v + " is not a probability: it must be from 0 to 1");
        }
    }

    private void external(Topology t, Map<String, SegmentSpec> segments) {
        Set<String> names = new HashSet<>();
        Map<String, String> endpoints = new HashMap<>();
        for (int i = 0; i < t.external().size(); i++) {
            ExternalPortSpec x = t.external().get(i);
            String path = itemPath.apply("external", i);
            if (name(path + ".name", x.name(), Names.MAX_NAME)) {
                if (!names.add(x.name())) {
                    report(path + ".name", "external port name '" + x.name() + "' is used twice");
                } else if (t.nodes().containsKey(x.name())) {
                    report(path + ".name", "'" + x.name() + "' is already a node's name; external ports need "
                            + "their own names");
                }
            }
            segmentRef(path + ".segment", x.segment(), segments);
            if (x.remotePort() < 1 || x.remotePort() > 65535) {
                report(path + ".remote", "port " + x.remotePort() + " is not a UDP port 1..65535");
            }
            String why = TopologyBinder.hostProblem(x.remoteHost());
            if (why != null) {
                report(path + ".remote", why);
            } else {
                String key = x.segment() + "@" + x.remote();
                String other = endpoints.putIfAbsent(key, x.name());
                if (other != null) {
                    report(path + ".remote", "external port '" + other + "' already joins segment '" + x.segment()
                            + "' from " + x.remote());
                }
            }
        }
    }
}
