/**
 * ARP neighbour cache as a state machine (INCOMPLETE, REACHABLE, STALE, DELAY, PROBE, FAILED,
 * PERMANENT with Linux's timers): inputs are (now, event), outputs are actions for the node.
 */
package dev.wirelab.netstack.arp;
