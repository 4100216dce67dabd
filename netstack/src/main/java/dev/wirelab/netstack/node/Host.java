package dev.wirelab.netstack.node;

import dev.wirelab.netstack.time.EventLoop;
import dev.wirelab.netstack.trace.TraceSink;

/** An end host: does not forward (RFC 1122 section 3.3.1: a host "MUST NOT" act as a gateway unless configured). */
public final class Host extends Node {
    public Host(String name, EventLoop loop, TraceSink trace) {
        super(name, loop, trace, Kind.HOST);
    }
}
