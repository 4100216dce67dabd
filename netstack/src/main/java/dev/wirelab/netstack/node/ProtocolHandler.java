package dev.wirelab.netstack.node;

import dev.wirelab.netstack.wire.IcmpMessage;
import dev.wirelab.netstack.wire.Ipv4Packet;

/** A transport plugged into a node's IP layer by protocol number (e.g. TCP, 6). Runs on the node's loop. */
public interface ProtocolHandler {

    /** A whole (reassembled) datagram addressed to this node. */
    void receive(Ipv4Packet packet, String interfaceName);

    /** An ICMP error quoting a datagram of this protocol that this node sent. */
    default void error(Ipv4Packet carrier, IcmpMessage error, Ipv4Packet quoted) {
    }
}
