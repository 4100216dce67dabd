/**
 * Nodes (hosts and routers): NICs on links, the IPv4 input/forward/output paths, ARP, ICMP and
 * UDP glued together on one event loop, with trace events and drop counters for every decision.
 */
package dev.wirelab.netstack.node;
