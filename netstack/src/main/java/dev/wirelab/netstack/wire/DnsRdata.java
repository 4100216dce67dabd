package dev.wirelab.netstack.wire;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * The RDATA of a resource record (RFC 1035 section 3.3), one record type per variant; types this
 * stack does not know are kept as raw bytes ({@link Unknown}, RFC 3597). Names inside NS, CNAME,
 * PTR, MX and SOA may be compressed (RFC 3597 section 4 lists these as the well-known types).
 */
public sealed interface DnsRdata {

    /** Master-file presentation of the data, as dig prints it. */
    String presentation();

    /** Writes the data (without RDLENGTH). */
    void write(DnsWriter w);

    /** RFC 1035 section 3.4.1: a 32-bit Internet address. */
    record A(Ipv4Address address) implements DnsRdata {
        public A {
            Objects.requireNonNull(address);
        }

        @Override
        public String presentation() {
            return address.toString();
        }

        @Override
        public void write(DnsWriter w) {
            w.bytes(address.toBytes());
        }
    }

    /** RFC 3596 section 2.2: a 128-bit IPv6 address. */
    record Aaaa(byte[] address) implements DnsRdata {
        public Aaaa {
            if (address.length != 16) {
                throw new IllegalArgumentException("an AAAA address is 16 bytes: " + address.length);
            }
        }

        @Override
        public String presentation() {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 16; i += 2) {
                if (i > 0) {
                    sb.append(':');
                }
                sb.append(Integer.toHexString(Bytes.readU16(address, i)));
            }
            return sb.toString().replaceFirst("(^|:)(0(:|$)){2,}", "::").replaceFirst(":::", "::");
        }

        @Override
        public void write(DnsWriter w) {
            w.bytes(address);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Aaaa a && Arrays.equals(address, a.address);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(address);
        }
    }

    /** RFC 1035 section 3.3.11: an authoritative name server. */
    record Ns(DnsName host) implements DnsRdata {
        @Override
        public String presentation() {
            return host.toString();
        }

        @Override
        public void write(DnsWriter w) {
            w.name(host, true);
        }
    }

    /** RFC 1035 section 3.3.1: the canonical name of an alias. */
    record Cname(DnsName target) implements DnsRdata {
        @Override
        public String presentation() {
            return target.toString();
        }

        @Override
        public void write(DnsWriter w) {
            w.name(target, true);
        }
    }

    /** RFC 1035 section 3.3.12: a pointer to another part of the name space. */
    record Ptr(DnsName target) implements DnsRdata {
        @Override
        public String presentation() {
            return target.toString();
        }

        @Override
        public void write(DnsWriter w) {
            w.name(target, true);
        }
    }

    /** RFC 1035 section 3.3.9: a mail exchange with its preference. */
    record Mx(int preference, DnsName exchange) implements DnsRdata {
        public Mx {
            if ((preference & ~0xFFFF) != 0) {
                throw new IllegalArgumentException("MX preference is 16 bits: " + preference);
            }
        }

        @Override
        public String presentation() {
            return preference + " " + exchange;
        }

        @Override
        public void write(DnsWriter w) {
            w.u16(preference);
            w.name(exchange, true);
        }
    }

    /** RFC 1035 section 3.3.14: one or more character-strings (octets as ISO-8859-1 characters). */
    record Txt(List<String> strings) implements DnsRdata {
        public Txt {
            strings = List.copyOf(strings);
            for (String s : strings) {
                if (s.length() > 255) {
                    throw new IllegalArgumentException("a character-string is at most 255 octets: " + s.length());
                }
            }
        }

        @Override
        public String presentation() {
            StringBuilder sb = new StringBuilder();
            for (String s : strings) {
                if (!sb.isEmpty()) {
                    sb.append(' ');
                }
                sb.append('"');
                for (int i = 0; i < s.length(); i++) {
                    char c = s.charAt(i);
                    if (c == '"' || c == '\\') {
                        sb.append('\\').append(c);
                    } else if (c < 0x20 || c >= 0x7F) {
                        sb.append(String.format("\\%03d", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
                sb.append('"');
            }
            return sb.toString();
        }

        @Override
        public void write(DnsWriter w) {
            for (String s : strings) {
                byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
                w.u8(b.length);
                w.bytes(b);
            }
        }
    }

    /** RFC 1035 section 3.3.13: start of a zone of authority; {@code minimum} is the negative TTL (RFC 2308). */
    record Soa(DnsName mname, DnsName rname, long serial, long refresh, long retry, long expire, long minimum)
            implements DnsRdata {
        @Override
        public String presentation() {
            return mname + " " + rname + " " + serial + " " + refresh + " " + retry + " " + expire + " " + minimum;
        }

        @Override
        public void write(DnsWriter w) {
            w.name(mname, true);
            w.name(rname, true);
            w.u32(serial);
            w.u32(refresh);
            w.u32(retry);
            w.u32(expire);
            w.u32(minimum);
        }
    }

    /** Data of a type this stack does not interpret, kept as it came (RFC 3597). */
    record Unknown(byte[] data) implements DnsRdata {
        public Unknown {
            Objects.requireNonNull(data);
        }

        @Override
        public String presentation() {
            return "\\# " + data.length + (data.length == 0 ? "" : " " + HexFormat.of().formatHex(data));
        }

        @Override
        public void write(DnsWriter w) {
            w.bytes(data);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Unknown u && Arrays.equals(data, u.data);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(data);
        }
    }

    /** Reads RDATA of {@code type}, {@code length} bytes at {@code off} of the whole message {@code msg}. */
    static DnsRdata read(byte[] msg, int msgLen, int off, int length, int type) {
        int end = off + length;
        String what = DnsRecord.typeName(type) + " record at offset " + off;
        switch (type) {
            case DnsRecord.A -> {
                if (length != 4) {
                    throw new WireFormatException(DnsMessage.PROTOCOL, "rdata of the " + what
                        + " is " + length + " bytes; an A record has 4");
                }
                return new A(Ipv4Address.read(msg, off));
            }
            case DnsRecord.AAAA -> {
                if (length != 16) {
                    throw new WireFormatException(DnsMessage.PROTOCOL, "rdata of the " + what
                        + " is " + length + " bytes; an AAAA record has 16");
                }
                return new Aaaa(Arrays.copyOfRange(msg, off, end));
            }
            case DnsRecord.NS, DnsRecord.CNAME, DnsRecord.PTR -> {
                DnsMessage.NameRead n = DnsMessage.readName(msg, end, off);
                requireExact(n.next(), end, what);
                return type == DnsRecord.NS ? new Ns(n.name()) : type == DnsRecord.CNAME ? new Cname(n.name())
                        : new Ptr(n.name());
            }
            case DnsRecord.MX -> {
                if (length < 3) {
                    throw new WireFormatException(DnsMessage.PROTOCOL, "rdata of the " + what
                        + " is " + length + " bytes; an MX record needs a preference and a name");
                }
                DnsMessage.NameRead n = DnsMessage.readName(msg, end, off + 2);
                requireExact(n.next(), end, what);
                return new Mx(Bytes.readU16(msg, off), n.name());
            }
            case DnsRecord.SOA -> {
                DnsMessage.NameRead m = DnsMessage.readName(msg, end, off);
                DnsMessage.NameRead r = DnsMessage.readName(msg, end, m.next());
                int p = r.next();
                if (end - p != 20) {
                    throw new WireFormatException(DnsMessage.PROTOCOL, "rdata of the " + what
                        + " has " + (end - p) + " bytes after the names; an SOA record has 20");
                }
                return new Soa(m.name(), r.name(), u32(msg, p), u32(msg, p + 4), u32(msg, p + 8), u32(msg, p + 12),
                        u32(msg, p + 16));
            }
            case DnsRecord.TXT -> {
                if (length < 1) {
                    throw new WireFormatException(DnsMessage.PROTOCOL, "rdata of the " + what
                        + " is empty; a TXT record has at least one character-string");
                }
                List<String> strings = new ArrayList<>();
                int p = off;
                while (p < end) {
                    int n = msg[p] & 0xFF;
                    if (p + 1 + n > end) {
                        throw new WireFormatException(DnsMessage.PROTOCOL, "character-string at offset "
                            + p + " of the " + what + " claims " + n + " bytes, only " + (end - p - 1) + " remain");
                    }
                    strings.add(new String(msg, p + 1, n, StandardCharsets.ISO_8859_1));
                    p += 1 + n;
                }
                return new Txt(strings);
            }
            default -> {
                return new Unknown(Arrays.copyOfRange(msg, off, end));
            }
        }
    }

    private static void requireExact(int next, int end, String what) {
        if (next != end) {
            throw new WireFormatException(DnsMessage.PROTOCOL, "rdata of the " + what + " has "
                + (end - next) + " bytes after its name(s)");
        }
    }

    private static long u32(byte[] b, int off) {
        return Bytes.readI32(b, off) & 0xFFFFFFFFL;
    }
}
