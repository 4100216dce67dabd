package dev.wirelab.netstack.wire;

import java.util.Locale;
import java.util.Objects;

/**
 * A resource record (RFC 1035 section 4.1.3): owner name, type, class, TTL and data. For the EDNS
 * OPT pseudo-record (RFC 6891) class and TTL carry the UDP size and flags and are kept as they came.
 *
 * @param ttl seconds, an unsigned 32-bit value
 */
public record DnsRecord(DnsName name, int type, int rclass, long ttl, DnsRdata rdata) {

    // RFC 1035 section 3.2.2 and later RFCs: record types.
    public static final int A = 1;
    public static final int NS = 2;
    public static final int CNAME = 5;
    public static final int SOA = 6;
    public static final int PTR = 12;
    public static final int MX = 15;
    public static final int TXT = 16;
    public static final int AAAA = 28;
    public static final int OPT = 41;
    public static final int ANY = 255;
    /** RFC 1035 section 3.2.4: the Internet class. */
    public static final int IN = 1;

    public DnsRecord {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(rdata, "rdata");
        if ((type & ~0xFFFF) != 0 || (rclass & ~0xFFFF) != 0) {
            throw new IllegalArgumentException("type and class are 16 bits: " + type + ", " + rclass);
        }
        if (ttl < 0 || ttl > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("TTL is an unsigned 32-bit value: " + ttl);
        }
        boolean ok = switch (type) {
            case A -> rdata instanceof DnsRdata.A;
            case AAAA -> rdata instanceof DnsRdata.Aaaa;
            case NS -> rdata instanceof DnsRdata.Ns;
            case CNAME -> rdata instanceof DnsRdata.Cname;
            case PTR -> rdata instanceof DnsRdata.Ptr;
            case MX -> rdata instanceof DnsRdata.Mx;
            case TXT -> rdata instanceof DnsRdata.Txt;
            case SOA -> rdata instanceof DnsRdata.Soa;
            default -> rdata instanceof DnsRdata.Unknown;
        };
        if (!ok) {
            throw new IllegalArgumentException("a " + typeName(type) + " record cannot hold " + rdata.getClass().getSimpleName());
        }
    }

    /** An IN-class record. */
    public static DnsRecord in(DnsName name, long ttl, DnsRdata rdata) {
        return new DnsRecord(name, typeOf(rdata), IN, ttl, rdata);
    }

    /** The type of known rdata (not for {@link DnsRdata.Unknown}). */
    public static int typeOf(DnsRdata rdata) {
        return switch (rdata) {
            case DnsRdata.A a -> A;
            case DnsRdata.Aaaa a -> AAAA;
            case DnsRdata.Ns n -> NS;
            case DnsRdata.Cname c -> CNAME;
            case DnsRdata.Ptr p -> PTR;
            case DnsRdata.Mx m -> MX;
            case DnsRdata.Txt t -> TXT;
            case DnsRdata.Soa s -> SOA;
            case DnsRdata.Unknown u -> throw new IllegalArgumentException("unknown rdata has no type of its own");
        };
    }

    /** This record with another TTL (cache aging). */
    public DnsRecord withTtl(long newTtl) {
        return new DnsRecord(name, type, rclass, newTtl, rdata);
    }

    /** Mnemonic of a type ("A", "MX"), or "TYPE123" (RFC 3597 section 5). */
    public static String typeName(int type) {
        return switch (type) {
            case A -> "A";
            case NS -> "NS";
            case CNAME -> "CNAME";
            case SOA -> "SOA";
            case PTR -> "PTR";
            case MX -> "MX";
            case TXT -> "TXT";
            case AAAA -> "AAAA";
            case OPT -> "OPT";
            case ANY -> "ANY";
            default -> "TYPE" + type;
        };
    }

    /** The code of a type mnemonic or "TYPEnnn", or -1. */
    public static int typeCode(String name) {
        String n = name.toUpperCase(Locale.ROOT);
        for (int t : new int[] {A, NS, CNAME, SOA, PTR, MX, TXT, AAAA, OPT, ANY}) {
            if (typeName(t).equals(n)) {
                return t;
            }
        }
        if (n.matches("TYPE[0-9]{1,5}") && Integer.parseInt(n.substring(4)) <= 0xFFFF) {
            return Integer.parseInt(n.substring(4));
        }
        return -1;
    }

    public static String className(int c) {
        return switch (c) {
            case IN -> "IN";
            case 3 -> "CH";
            case 4 -> "HS";
            case 255 -> "ANY";
            default -> "CLASS" + c;
        };
    }

    /** One master-file line, as dig prints it: {@code www.example.com. 300 IN A 192.0.2.1}. */
    @Override
    public String toString() {
        return name + "\t" + ttl + "\t" + className(rclass) + "\t" + typeName(type) + "\t" + rdata.presentation();
    }
}
