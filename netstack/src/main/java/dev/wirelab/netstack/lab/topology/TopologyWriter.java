package dev.wirelab.netstack.lab.topology;

import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Writes a {@link Topology} in the file's shape (the inverse of reading): segments as
 * {name, vni, mtu}, addresses and durations as text. Reading the output gives an equal model.
 */
final class TopologyWriter {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private TopologyWriter() {
    }

    static JsonNode write(Topology t, NodeKinds kinds) {
        ObjectNode root = F.objectNode();
        root.put("name", t.name());
        ArrayNode segments = root.putArray("segments");
        for (SegmentSpec s : t.segments()) {
            segments.addObject().put("name", s.name()).put("vni", s.vni()).put("mtu", s.mtu());
        }
        ObjectNode nodes = root.putObject("nodes");
        for (Map.Entry<String, NodeSpec> e : t.nodes().entrySet()) {
            NodeSpec n = e.getValue();
            ObjectNode node = nodes.putObject(e.getKey());
            node.put("kind", n.kind());
            ObjectNode interfaces = node.putObject("interfaces");
            for (Map.Entry<String, InterfaceSpec> ie : n.interfaces().entrySet()) {
                InterfaceSpec i = ie.getValue();
                ObjectNode o = interfaces.putObject(ie.getKey());
                o.put("segment", i.segment());
                if (i.address() != null) {
                    o.put("address", i.address().toString());
                }
                if (i.dhcp()) {
                    o.put("dhcp", true);
                }
                if (i.mac() != null) {
                    o.put("mac", i.mac().toString());
                }
                if (i.mtu() != null) {
                    o.put("mtu", i.mtu());
                }
                if (i.tso()) {
                    o.put("tso", true);
                }
            }
            if (!n.routes().isEmpty()) {
                ArrayNode routes = node.putArray("routes");
                for (RouteSpec r : n.routes()) {
                    ObjectNode o = routes.addObject();
                    o.put("to", r.to().toString());
                    if (r.via() != null) {
                        o.put("via", r.via().toString());
                    }
                    if (r.dev() != null) {
                        o.put("dev", r.dev());
                    }
                }
            }
            node.put("forwarding", n.forwarding());
            NodeKind kind = kinds.get(n.kind());
            if (kind != null) {
                kind.writeSettings(n.settings(), node);
            }
        }
        if (!t.links().isEmpty()) {
            ObjectNode links = root.putObject("links");
            for (Map.Entry<String, LinkSpec> e : t.links().entrySet()) {
                LinkSpec l = e.getValue();
                ObjectNode o = links.putObject(e.getKey());
                if (l.delayNanos() != 0) {
                    o.put("delay", Units.formatDuration(l.delayNanos()));
                }
                if (l.jitterNanos() != 0) {
                    o.put("jitter", Units.formatDuration(l.jitterNanos()));
                }
                putProbability(o, "loss", l.loss());
                putProbability(o, "duplicate", l.duplicate());
                putProbability(o, "reorder", l.reorder());
                putProbability(o, "corrupt", l.corrupt());
                if (l.rateBitsPerSecond() != 0) {
                    o.put("rate", Units.formatRate(l.rateBitsPerSecond()));
                }
            }
        }
        if (!t.external().isEmpty()) {
            ArrayNode external = root.putArray("external");
            for (ExternalPortSpec x : t.external()) {
                external.addObject().put("name", x.name()).put("segment", x.segment()).put("remote", x.remote());
            }
        }
        if (t.bus() != null) {
            ObjectNode bus = root.putObject("bus");
            if (t.bus().bind() != null) {
                bus.put("bind", t.bus().bind().toString());
            }
            bus.put("port", t.bus().port());
        }
        if (t.seed() != null) {
            root.put("seed", t.seed());
        }
        return root;
    }

    private static void putProbability(ObjectNode o, String field, double v) {
        if (v != 0) {
            o.put(field, v);
        }
    }
}
