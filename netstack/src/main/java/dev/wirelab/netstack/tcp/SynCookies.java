package dev.wirelab.netstack.tcp;

import dev.wirelab.netstack.wire.Ipv4Address;

/**
 * SYN cookies as Linux makes them (RFC 4987 section 3.6): the server keeps no state for a SYN and
 * encodes what it must remember in its initial sequence number,
 * <pre>
 *  ISN = H1(4-tuple) + client ISN + (count << 24) + ((H2(4-tuple, count) + mss index) mod 2^24)
 * </pre>
 * where {@code count} is a minute counter; the final ACK (ack - 1 = ISN) is valid for two minutes.
 * The MSS is one of four values (Linux's msstab). When the SYN carried timestamps, the window
 * scale and SACK-permitted of the client ride in the low 6 bits of our TSval, which the client
 * echoes back in TSecr (Linux's cookie_init_timestamp).
 */
final class SynCookies {

    /** Linux msstab: the MSS values a cookie can express. */
    static final int[] MSS_TABLE = {536, 1300, 1440, 1460};
    /** Linux MAX_SYNCOOKIE_AGE: a cookie is good for the minute it was made in and the next. */
    static final int MAX_AGE = 2;
    static final long MINUTE_NANOS = 60_000_000_000L;
    /** Low TSval bits that carry options: 4 bits window scale (15 = none), 1 bit SACK, 1 bit ECN. */
    static final int TS_BITS = 6;
    static final int TS_MASK = (1 << TS_BITS) - 1;
    static final int NO_WSCALE = 0xF;

    private final Secrets secrets;

    SynCookies(Secrets secrets) {
        this.secrets = secrets;
    }

    /** The largest table MSS not above the client's. */
    static int mssIndex(int clientMss) {
        for (int i = MSS_TABLE.length - 1; i > 0; i--) {
            if (clientMss >= MSS_TABLE[i]) {
                return i;
            }
        }
        return 0;
    }

    static long count(long nowNanos) {
        return nowNanos / MINUTE_NANOS;
    }

    SeqNum make(Ipv4Address local, int localPort, Ipv4Address remote, int remotePort, SeqNum clientIsn,
                int mssIndex, long nowNanos) {
        int count = (int) count(nowNanos);
        int h1 = secrets.tupleHash(10, local, localPort, remote, remotePort);
        int h2 = secrets.hash(11, local.bits() ^ remote.bits(), (localPort << 16) | remotePort, remote.bits(), count);
        return new SeqNum(h1 + clientIsn.value() + (count << 24) + ((h2 + mssIndex) & 0xFFFFFF));
    }

    /**
     * Checks the cookie in an ACK: {@code cookie = SEG.ACK - 1}, {@code clientIsn = SEG.SEQ - 1}.
     *
     * @return the MSS index, or -1 when the cookie is not one of ours or too old
     */
    int check(Ipv4Address local, int localPort, Ipv4Address remote, int remotePort, SeqNum clientIsn, SeqNum cookie,
              long nowNanos) {
        int count = (int) count(nowNanos);
        int h1 = secrets.tupleHash(10, local, localPort, remote, remotePort);
        int c = cookie.value() - h1 - clientIsn.value();
        int diff = (count - (c >>> 24)) & 0xFF;
        if (diff >= MAX_AGE) {
            return -1;
        }
        int made = count - diff;
        int h2 = secrets.hash(11, local.bits() ^ remote.bits(), (localPort << 16) | remotePort, remote.bits(), made);
        int index = (c - h2) & 0xFFFFFF;
        return index < MSS_TABLE.length ? index : -1;
    }

    /**
     * Linux cookie_init_timestamp: our TSval with the options in its low bits, never ahead of the
     * clock ({@code nowTs}).
     */
    static long encodeTimestamp(long nowTs, int clientWscale, boolean sackOk) {
        int opts = (clientWscale < 0 ? NO_WSCALE : Math.min(clientWscale, 14)) | (sackOk ? 1 << 4 : 0);
        long ts = (nowTs & ~(long) TS_MASK) | opts;
        if (Long.compareUnsigned(ts & 0xFFFFFFFFL, nowTs & 0xFFFFFFFFL) > 0) {
            ts = ((((ts >>> TS_BITS) - 1) << TS_BITS) | opts);
        }
        return ts & 0xFFFFFFFFL;
    }

    /** The client's window scale from an echoed cookie timestamp, or -1 for none. */
    static int decodeWscale(long echoed) {
        int w = (int) (echoed & 0xF);
        return w == NO_WSCALE ? -1 : w;
    }
}
