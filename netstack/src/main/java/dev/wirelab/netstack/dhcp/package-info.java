/**
 * DHCP (RFC 2131, options RFC 2132): the server of node kind {@code dhcp} with pools, reservations
 * and a lease file, the client state machine that hosts run on interfaces with {@code dhcp: true},
 * and the relay agent (RFC 1542) that routers run so one server serves several segments. Every
 * message and state change is a trace event of layer "dhcp".
 */
package dev.wirelab.netstack.dhcp;
