package dev.wirelab.nodeservice;

import dev.wirelab.netstack.node.Node;

import java.util.function.Function;

/**
 * A read-only endpoint a service adds for its kind, served at {@code GET /kind/<name>}: e.g. a DHCP
 * server's leases, a DNS server's zones. {@code read} runs on the node's loop, so it may read the
 * node's state directly.
 */
public record KindEndpoint(String name, String description, Function<Node, Object> read) {

    public KindEndpoint {
        if (!name.matches("[a-z][a-z0-9-]*")) {
            throw new IllegalArgumentException("endpoint name must be lower-case words: " + name);
        }
    }
}
