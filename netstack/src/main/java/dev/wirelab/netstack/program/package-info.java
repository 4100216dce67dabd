/**
 * Programs run on nodes like processes: a shell-like command line, Linux-like output and exit
 * status ({@code ping}, {@code traceroute}, {@code ip addr|route|neigh}, {@code arp -n}), written
 * as state machines on the node's event loop so they work in virtual time.
 */
package dev.wirelab.netstack.program;
