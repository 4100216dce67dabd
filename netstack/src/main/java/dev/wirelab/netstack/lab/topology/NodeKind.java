package dev.wirelab.netstack.lab.topology;

import java.util.List;
import tools.jackson.databind.node.ObjectNode;

/**
 * A kind of node (host, router; later dhcp and dns) as the topology file sees it: which fields a
 * node of this kind may have beyond the common ones, how to read and check them, and its defaults.
 * Register kinds in {@link NodeKinds}. The common fields ({@link #COMMON_FIELDS}) are read for every
 * kind by the loader.
 */
public interface NodeKind {

    /** Fields every node has, whatever its kind. */
    List<String> COMMON_FIELDS = List.of("kind", "interfaces", "routes", "forwarding");

    /** The name written in {@code kind:}. */
    String name();

    /** Whether nodes of this kind forward IP packets unless {@code forwarding} says otherwise. */
    boolean defaultForwarding();

    /** Fields only this kind has, e.g. {@code pool} for dhcp. */
    default List<String> extraFields() {
        return List.of();
    }

    /**
     * Reads this kind's {@link #extraFields()} from a node's mapping, reporting problems to
     * {@code fields.problems()}; return {@link KindSettings#NONE} when the kind has none.
     */
    default KindSettings readSettings(String nodeName, Fields fields) {
        return KindSettings.NONE;
    }

    /** Checks that need the whole topology (e.g. a pool inside the server's subnet). */
    default void validate(String nodeName, NodeSpec node, Topology topology, Problems problems) {
    }

    /** Writes this kind's settings into a node's JSON object (the inverse of readSettings). */
    default void writeSettings(KindSettings settings, ObjectNode node) {
    }

    /** A kind with no fields of its own. */
    static NodeKind simple(String name, boolean defaultForwarding) {
        return new NodeKind() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public boolean defaultForwarding() {
                return defaultForwarding;
            }

            @Override
            public String toString() {
                return "NodeKind[" + name + "]";
            }
        };
    }
}
