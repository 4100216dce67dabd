/**
 * ICMP endpoints (ping sockets by echo identifier) and the rules for when an error may be sent
 * (RFC 1122 section 3.2.2), plus iputils' wording of each error.
 */
package dev.wirelab.netstack.icmp;
