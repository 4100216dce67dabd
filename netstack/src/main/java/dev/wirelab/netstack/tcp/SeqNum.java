package dev.wirelab.netstack.tcp;

/**
 * A TCP sequence number: 32 bits that wrap. RFC 9293 section 3.4: "the sequence number space
 * ranges from 0 to 2**32 - 1 ... all arithmetic dealing with sequence numbers must be performed
 * modulo 2**32", and comparisons are made on the signed difference (RFC 1982 serial number
 * arithmetic), so that 0x00000010 is after 0xFFFFFFF0. Immutable.
 */
public record SeqNum(int value) implements Comparable<SeqNum> {

    public static final SeqNum ZERO = new SeqNum(0);

    public static SeqNum of(long unsigned) {
        return new SeqNum((int) unsigned);
    }

    /** The value as the unsigned 32-bit number carried on the wire. */
    public long unsigned() {
        return value & 0xFFFFFFFFL;
    }

    public SeqNum plus(long n) {
        return new SeqNum(value + (int) n);
    }

    public SeqNum minus(long n) {
        return new SeqNum(value - (int) n);
    }

    /** {@code this - other} as a signed distance (valid while the two are less than 2**31 apart). */
    public int minus(SeqNum other) {
        return value - other.value;
    }

    public boolean lt(SeqNum o) {
        return value - o.value < 0;
    }

    public boolean le(SeqNum o) {
        return value - o.value <= 0;
    }

    public boolean gt(SeqNum o) {
        return value - o.value > 0;
    }

    public boolean ge(SeqNum o) {
        return value - o.value >= 0;
    }

    /** {@code low <= this < high}, modulo 2**32. */
    public boolean inWindow(SeqNum low, SeqNum high) {
        return ge(low) && lt(high);
    }

    public static SeqNum max(SeqNum a, SeqNum b) {
        return a.ge(b) ? a : b;
    }

    public static SeqNum min(SeqNum a, SeqNum b) {
        return a.le(b) ? a : b;
    }

    /** Wrap-around order: only meaningful for numbers less than 2**31 apart (not a total order). */
    @Override
    public int compareTo(SeqNum o) {
        return Integer.signum(value - o.value);
    }

    @Override
    public String toString() {
        return Long.toString(unsigned());
    }
}
