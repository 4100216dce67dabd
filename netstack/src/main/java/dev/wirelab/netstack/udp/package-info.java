/** UDP sockets (RFC 768): port table, demultiplexing, ephemeral ports, broadcast, ICMP error delivery. */
package dev.wirelab.netstack.udp;
