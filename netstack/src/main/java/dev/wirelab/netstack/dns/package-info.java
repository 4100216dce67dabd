/**
 * DNS (RFC 1034/1035, negative caching RFC 2308): authoritative servers with zones in master-file
 * form, a recursive resolver that iterates from root hints with a cache, the stub resolver every
 * node has ({@code getaddrinfo}), and the query client the programs (dig, nslookup, host) use.
 * Every query sent or received, cache hit or miss and referral followed is a trace event of layer
 * "dns".
 */
package dev.wirelab.netstack.dns;
