package dev.wirelab.netstack.tcp;

/**
 * A snapshot of one connection for {@code ss -tani}: queues, windows, congestion control and
 * timers (Linux struct tcp_info, in our units).
 *
 * @param sendQueue     bytes in the send buffer, sent but unacknowledged or not sent yet (ss Send-Q)
 * @param receiveQueue  bytes received and not read yet (ss Recv-Q)
 * @param mss           segment data size we send (effective MSS, options excluded)
 * @param peerMss       MSS the peer announced
 * @param cwnd          congestion window in bytes
 * @param ssthresh      slow-start threshold in bytes (Integer.MAX_VALUE until the first loss)
 * @param rtoNanos      current retransmission timeout, backoff included
 * @param srttNanos     smoothed RTT (0 before the first sample)
 * @param rttvarNanos   RTT variation
 * @param sendWindow    peer's advertised window (scaled), bytes
 * @param receiveWindow window we advertised last, bytes
 * @param sendWindowScale shift the peer applies (ours to its windows), -1 when not negotiated
 * @param receiveWindowScale shift we apply, -1 when not negotiated
 * @param timestamps    RFC 7323 timestamps in use
 * @param retransmits   segments retransmitted over the connection's life
 * @param backoff       current exponential backoff count
 * @param bytesSent     data bytes the application handed over and TCP sent at least once
 * @param bytesAcked    data bytes acknowledged by the peer
 * @param bytesReceived data bytes received in order
 */
public record TcpInfo(TcpState state, int sendQueue, int receiveQueue, int mss, int peerMss, long cwnd,
                      long ssthresh, long rtoNanos, long srttNanos, long rttvarNanos, long sendWindow,
                      long receiveWindow, int sendWindowScale, int receiveWindowScale, boolean timestamps,
                      long retransmits, int backoff, long bytesSent, long bytesAcked, long bytesReceived) {
}
