package dev.wirelab.netstack.lab.topology;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** An immutable registry of node kinds; {@link #standard()} has the kinds this version runs. */
public final class NodeKinds {

    /** An end system: does not forward; may have a {@code resolver}. */
    public static final NodeKind HOST = new HostKind();
    /** Forwards between its interfaces (RFC 1812); may have a {@code resolver} and a {@code dhcp_relay}. */
    public static final NodeKind ROUTER = new RouterKind();
    /** A DHCP server with its pools. */
    public static final NodeKind DHCP = new DhcpKind();
    /** A DNS server: authoritative with zones, or a recursive resolver. */
    public static final NodeKind DNS = new DnsKind();
    /** A host running httpd from boot, with its site's files. */
    public static final NodeKind WEB = new WebKind();

    private static final NodeKinds STANDARD = new NodeKinds(List.of(HOST, ROUTER, DHCP, DNS, WEB));

    private final Map<String, NodeKind> kinds;

    private NodeKinds(List<NodeKind> list) {
        Map<String, NodeKind> m = new LinkedHashMap<>();
        for (NodeKind k : list) {
            if (m.putIfAbsent(k.name(), k) != null) {
                throw new IllegalArgumentException("node kind registered twice: " + k.name());
            }
            for (String f : k.extraFields()) {
                if (NodeKind.COMMON_FIELDS.contains(f)) {
                    throw new IllegalArgumentException("kind " + k.name() + " redefines common field " + f);
                }
            }
        }
        this.kinds = Collections.unmodifiableMap(m);
    }

    public static NodeKinds standard() {
        return STANDARD;
    }

    public static NodeKinds of(NodeKind... kinds) {
        return new NodeKinds(List.of(kinds));
    }

    /** This registry plus {@code kind}. */
    public NodeKinds with(NodeKind kind) {
        List<NodeKind> l = new ArrayList<>(kinds.values());
        l.add(kind);
        return new NodeKinds(l);
    }

    /** The kind called {@code name}, or null. */
    public NodeKind get(String name) {
        return kinds.get(name);
    }

    public List<String> names() {
        return List.copyOf(kinds.keySet());
    }

    public List<NodeKind> all() {
        return List.copyOf(kinds.values());
    }

    /** Kinds that have {@code field} among their own fields. */
    public List<String> kindsWithField(String field) {
        List<String> l = new ArrayList<>();
        for (NodeKind k : kinds.values()) {
            if (k.extraFields().contains(field)) {
                l.add(k.name());
            }
        }
        return l;
    }
}
