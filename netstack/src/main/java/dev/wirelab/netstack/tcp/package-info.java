/**
 * TCP (RFC 9293) for the lab's nodes: a protocol engine driven by (time, segment) and (time,
 * timer) on the node's event loop, in the manner of smoltcp's socket/tcp.rs and gVisor's tcp.
 *
 * <h2>Pieces</h2>
 * <ul>
 *   <li>{@link dev.wirelab.netstack.tcp.TcpLayer}: one per node (protocol 6), demultiplexing by
 *       4-tuple, listeners by (address, port) with SO_REUSEPORT groups chosen by a hash of the
 *       4-tuple, RST for segments to no socket (RFC 9293 section 3.10.7.1), ephemeral ports (RFC 6056
 *       algorithm 3), ISNs (RFC 6528), SYN cookies (Linux's encoding), ICMP errors (RFC 1122 section
 *       4.2.3.9, RFC 5461, RFC 5927, PMTU per RFC 1191).</li>
 *   <li>{@link dev.wirelab.netstack.tcp.TcpListener}: LISTEN with Linux's SYN queue (full at
 *       backlog entries) and accept queue (full above backlog entries; the final ACK is then dropped
 *       and the connection stays in SYN-RECEIVED while its SYN,ACK is retransmitted).</li>
 *   <li>{@link dev.wirelab.netstack.tcp.TcpConnection}: every state of RFC 9293 section 3.3.2;
 *       RFC 7323 window scaling, timestamps and PAWS; RFC 6298 retransmission timer; RFC 5681
 *       slow start, congestion avoidance, fast retransmit/recovery with RFC 6582 NewReno; RFC 5961
 *       RST/SYN/ACK checks with challenge ACKs; delayed ACK and keep-alive (RFC 1122); Nagle and SWS
 *       avoidance (RFC 9293 sections 3.7.4, 3.8.6); persist timer and zero-window probes.</li>
 *   <li>{@link dev.wirelab.netstack.tcp.SeqNum}: sequence numbers with wrap-around comparison.</li>
 * </ul>
 *
 * <h2>What it shows</h2>
 * Trace events of layer {@code tcp}: {@code state} (from, to, local, remote, cause), {@code queue}
 * (syn_queue, accept_queue, backlog of a listener; send_buffer, receive_buffer and capacities of a
 * connection), {@code cc} (cwnd, ssthresh, flight, recovery), {@code rto}, {@code retransmit}
 * (seq, len, reason timeout/fast/partial_ack/pmtu), {@code drop} (reason), {@code reset_sent},
 * {@code reset_received}, {@code challenge_ack}, {@code syncookie_sent}, {@code syncookie_validated},
 * {@code zero_window_probe}, {@code keepalive_probe}, {@code window_update}, {@code delayed_ack},
 * {@code out_of_order}, {@code recovery_enter}/{@code recovery_exit}. Counters {@code tcp.*} in
 * {@code Node.counters()}: received, sent, retransmitted(.reason), resets_sent, resets_received,
 * active_opens, passive_opens, established, attempt_fails, established_resets, fast_retransmits,
 * timeouts, challenge_acks, syncookies_sent/validated/failed, listen_overflows, listen_drops,
 * dropped.REASON.
 *
 * <h2>Choices and limits</h2>
 * <ul>
 *   <li>SACK (RFC 2018) is not implemented: SACK-permitted is never offered and a received one is
 *       ignored, so losses are repaired by NewReno and go-back-N after a timeout.</li>
 *   <li>Nagle is RFC 9293's (hold any small segment while data is unacknowledged), not Linux's
 *       Minshall variant; limited transmit (RFC 3042), ECN, TCP Fast Open, buffer autotuning and
 *       urgent data (delivered inline, pointer ignored) are not implemented.</li>
 *   <li>TIME-WAIT lasts 2*MSL with MSL 60 s by default (Linux holds TIME-WAIT a fixed 60 s: MSL 30 s
 *       reproduces it); {@link dev.wirelab.netstack.tcp.TcpConfig#withMsl} shortens it for labs.</li>
 *   <li>Zero-window probes and keep-alives carry an old sequence number and no data (Linux's
 *       form); an RTT sample whose echoed timestamp predates our last retransmission is skipped.</li>
 *   <li>RSTs carry no options; with timestamps negotiated a non-RST segment without them is
 *       dropped (RFC 7323 section 3.2).</li>
 * </ul>
 */
package dev.wirelab.netstack.tcp;
