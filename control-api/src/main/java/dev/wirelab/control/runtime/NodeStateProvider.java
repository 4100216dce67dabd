package dev.wirelab.control.runtime;

import dev.wirelab.netstack.node.Node;

/**
 * One section of a node's state as {@code GET /api/runs/{run}/nodes/{node}} shows it. Register an
 * implementation as a Spring bean to add a section: sockets with their states and queues, DHCP
 * leases, the DNS cache. Called on a thread where the node's stack does not run at the same time
 * (the node's loop in real time, the run's driver thread in virtual time), so it may read the
 * node's state directly.
 */
public interface NodeStateProvider {

    /** The section's key in the state document, e.g. {@code interfaces}, {@code sockets}. */
    String section();

    /** Whether this node has the section (e.g. only DHCP servers have leases). */
    default boolean appliesTo(Node node) {
        return true;
    }

    /** The section: records, lists and maps that serialize to JSON. */
    Object state(Node node);
}
