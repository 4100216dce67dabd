package dev.wirelab.netstack.node;

import dev.wirelab.netstack.time.EventLoop;
import dev.wirelab.netstack.trace.TraceSink;

/** A router: forwards between its interfaces (RFC 1812), and is otherwise a host with programs. */
public final class Router extends Node {
    public Router(String name, EventLoop loop, TraceSink trace) {
        super(name, loop, trace, Kind.ROUTER);
    }
}
