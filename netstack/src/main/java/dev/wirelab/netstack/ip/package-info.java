/**
 * IPv4 logic without I/O: the routing table (longest-prefix match), fragmentation (RFC 791
 * section 3.2), reassembly with hole descriptors (RFC 815), path MTU cache (RFC 1191), the
 * datagram a transport hands to IP and the result it gets back, and per-protocol counters.
 */
package dev.wirelab.netstack.ip;
