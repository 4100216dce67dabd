package dev.wirelab.netstack.lab.topology;

import tools.jackson.databind.node.ObjectNode;

import java.util.List;

/** Kind {@code host}: an end system; its one field of its own is {@code resolver} ({@link ResolverSpec}). */
public final class HostKind implements NodeKind {

    /** A host's settings: its resolver configuration, or null for none. */
    public record Settings(ResolverSpec resolver) implements KindSettings, ResolverSpec.Holder {
    }

    @Override
    public String name() {
        return "host";
    }

    @Override
    public boolean defaultForwarding() {
        return false;
    }

    @Override
    public List<String> extraFields() {
        return List.of(ResolverSpec.FIELD);
    }

    @Override
    public KindSettings readSettings(String nodeName, Fields fields) {
        ResolverSpec r = ResolverSpec.read(nodeName, fields);
        return r == null ? KindSettings.NONE : new Settings(r);
    }

    @Override
    public void writeSettings(KindSettings settings, ObjectNode node) {
        if (settings instanceof Settings s) {
            ResolverSpec.write(s.resolver(), node);
        }
    }

    @Override
    public String toString() {
        return "NodeKind[host]";
    }
}
