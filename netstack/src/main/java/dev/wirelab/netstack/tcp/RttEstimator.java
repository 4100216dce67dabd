package dev.wirelab.netstack.tcp;

/**
 * The retransmission timeout of RFC 6298: SRTT and RTTVAR from RTT samples, RTO with exponential
 * backoff, clamped to [min, max]. Pure arithmetic on nanoseconds.
 */
final class RttEstimator {

    /** RFC 6298 section 2: clock granularity G (our timestamps tick in milliseconds). */
    static final long GRANULARITY_NANOS = 1_000_000L;

    private final long minRto;
    private final long maxRto;
    private long srtt = -1;
    private long rttvar;
    private long rto;
    private int backoff;

    RttEstimator(long initialRto, long minRto, long maxRto) {
        this.minRto = minRto;
        this.maxRto = maxRto;
        // RFC 6298 section 2.1: "Until a round-trip time (RTT) measurement has been made ... the
        // sender SHOULD set RTO <- 1 second".
        this.rto = initialRto;
    }

    boolean hasSample() {
        return srtt >= 0;
    }

    void sample(long r) {
        if (r < 0) {
            return;
        }
        if (srtt < 0) {
            // RFC 6298 section 2.2: SRTT <- R, RTTVAR <- R/2.
            srtt = r;
            rttvar = r / 2;
        } else {
            // RFC 6298 section 2.3: RTTVAR <- (1 - beta) * RTTVAR + beta * |SRTT - R'| (beta = 1/4),
            // then SRTT <- (1 - alpha) * SRTT + alpha * R' (alpha = 1/8).
            rttvar = (3 * rttvar + Math.abs(srtt - r)) / 4;
            srtt = (7 * srtt + r) / 8;
        }
        // RFC 6298 section 2.3: RTO <- SRTT + max (G, K*RTTVAR), K = 4; section 2.4: a lower bound
        // (Linux TCP_RTO_MIN 200 ms instead of the RFC's conservative 1 s); section 2.5: an upper bound.
        rto = clamp(srtt + Math.max(GRANULARITY_NANOS, 4 * rttvar));
        backoff = 0;
    }

    /** RFC 6298 section 5.5: "set RTO <- RTO * 2 ("back off the timer")", up to the maximum. */
    void backOff() {
        backoff++;
        rto = Math.min(maxRto, rto * 2);
    }

    /** A new ACK after backoff: RFC 6298 section 5.7 lets the RTO be recomputed from SRTT. */
    void resetBackoff() {
        if (backoff > 0 && srtt >= 0) {
            rto = clamp(srtt + Math.max(GRANULARITY_NANOS, 4 * rttvar));
        }
        backoff = 0;
    }

    /** RFC 6298 section 5.7: after a SYN timeout, 3 s once data transmission begins (unless an RTT was measured). */
    void setRto(long nanos) {
        rto = clamp(nanos);
    }

    private long clamp(long v) {
        return Math.max(minRto, Math.min(maxRto, v));
    }

    long rto() {
        return rto;
    }

    long srtt() {
        return Math.max(srtt, 0);
    }

    long rttvar() {
        return rttvar;
    }

    int backoff() {
        return backoff;
    }
}
