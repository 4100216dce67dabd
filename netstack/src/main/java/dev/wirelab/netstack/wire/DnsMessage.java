package dev.wirelab.netstack.wire;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Objects;

/**
 * A DNS message (RFC 1035 section 4.1):
 * <pre>
 *  ID (16) | QR (1) Opcode (4) AA (1) TC (1) RD (1) RA (1) Z (1) AD (1) CD (1) RCODE (4)
 *  QDCOUNT (16) | ANCOUNT (16) | NSCOUNT (16) | ARCOUNT (16)
 *  question | answer | authority | additional
 * </pre>
 * Names are decompressed on parse and compressed on encode (RFC 1035 section 4.1.4). A decoder that
 * followed every pointer could be made to loop or read outside the message, so pointers must point
 * strictly backwards, each to an offset not already visited: anything else is a
 * {@link WireFormatException} that says where.
 *
 * @param flags the 16 bits after the ID, as on the wire
 */
public record DnsMessage(int id, int flags, List<DnsQuestion> questions, List<DnsRecord> answers,
                         List<DnsRecord> authority, List<DnsRecord> additional) {

    public static final String PROTOCOL = "dns";
    public static final int PORT = 53;
    public static final int HEADER_LENGTH = 12;
    /** RFC 1035 section 4.2.1: "Messages carried by UDP are restricted to 512 bytes". */
    public static final int UDP_LIMIT = 512;

    public static final int FLAG_QR = 0x8000;
    public static final int FLAG_AA = 0x0400;
    public static final int FLAG_TC = 0x0200;
    public static final int FLAG_RD = 0x0100;
    public static final int FLAG_RA = 0x0080;
    public static final int FLAG_AD = 0x0020;
    public static final int FLAG_CD = 0x0010;

    // RFC 1035 section 4.1.1: response codes.
    public static final int NOERROR = 0;
    public static final int FORMERR = 1;
    public static final int SERVFAIL = 2;
    public static final int NXDOMAIN = 3;
    public static final int NOTIMP = 4;
    public static final int REFUSED = 5;

    public DnsMessage {
        if ((id & ~0xFFFF) != 0 || (flags & ~0xFFFF) != 0) {
            throw new IllegalArgumentException("id and flags are 16 bits: " + id + ", " + flags);
        }
        questions = List.copyOf(questions);
        answers = List.copyOf(answers);
        authority = List.copyOf(authority);
        additional = List.copyOf(additional);
        if (questions.size() > 0xFFFF || answers.size() > 0xFFFF || authority.size() > 0xFFFF
                || additional.size() > 0xFFFF) {
            throw new IllegalArgumentException("a section holds at most 65535 entries");
        }
    }

    /** A standard query (opcode 0) for one question. */
    public static DnsMessage query(int id, DnsQuestion question, boolean recursionDesired) {
        return new DnsMessage(id, recursionDesired ? FLAG_RD : 0, List.of(question), List.of(), List.of(), List.of());
    }

    // ------------------------------------------------------------------ flags

    public boolean isResponse() {
        return (flags & FLAG_QR) != 0;
    }

    public int opcode() {
        return (flags >>> 11) & 0xF;
    }

    public boolean authoritative() {
        return (flags & FLAG_AA) != 0;
    }

    public boolean truncated() {
        return (flags & FLAG_TC) != 0;
    }

    public boolean recursionDesired() {
        return (flags & FLAG_RD) != 0;
    }

    public boolean recursionAvailable() {
        return (flags & FLAG_RA) != 0;
    }

    public int rcode() {
        return flags & 0xF;
    }

    public DnsQuestion question() {
        return questions.isEmpty() ? null : questions.get(0);
    }

    /**
     * A response to this query: QR set, opcode and RD copied (RFC 1035 section 4.1.1), the question
     * echoed, {@code extraFlags} (AA, RA...) and {@code rcode} added.
     */
    public DnsMessage response(int extraFlags, int rcode, List<DnsRecord> an, List<DnsRecord> ns, List<DnsRecord> ar) {
        int f = FLAG_QR | (flags & (0x7800 | FLAG_RD | FLAG_CD)) | extraFlags | (rcode & 0xF);
        return new DnsMessage(id, f, questions, an, ns, ar);
    }

    public DnsMessage withId(int newId) {
        return new DnsMessage(newId, flags, questions, answers, authority, additional);
    }

    public DnsMessage withFlags(int newFlags) {
        return new DnsMessage(id, newFlags, questions, answers, authority, additional);
    }

    public static String rcodeName(int rcode) {
        return switch (rcode) {
            case NOERROR -> "NOERROR";
            case FORMERR -> "FORMERR";
            case SERVFAIL -> "SERVFAIL";
            case NXDOMAIN -> "NXDOMAIN";
            case NOTIMP -> "NOTIMP";
            case REFUSED -> "REFUSED";
            default -> "RCODE" + rcode;
        };
    }

    /** dig's flag list: "qr aa rd ra". */
    public String flagText() {
        StringBuilder sb = new StringBuilder();
        if (isResponse()) sb.append(" qr");
        if (authoritative()) sb.append(" aa");
        if (truncated()) sb.append(" tc");
        if (recursionDesired()) sb.append(" rd");
        if (recursionAvailable()) sb.append(" ra");
        if ((flags & FLAG_AD) != 0) sb.append(" ad");
        if ((flags & FLAG_CD) != 0) sb.append(" cd");
        return sb.isEmpty() ? "" : sb.substring(1);
    }

    // ------------------------------------------------------------------ decoding

    /** A name read from a message and the offset just after it (after the first pointer, if any). */
    record NameRead(DnsName name, int next) {
    }

    /**
     * Reads a possibly compressed name at {@code off}; bytes at and past {@code limit} are outside.
     * RFC 1035 section 4.1.4: "a pointer to a prior occurance of the same name".
     */
    static NameRead readName(byte[] b, int limit, int off) {
        List<String> labels = new ArrayList<>();
        BitSet visited = new BitSet();
        int p = off;
        int next = -1;
        int wire = 1;
        while (true) {
            if (p >= limit) {
                throw new WireFormatException(PROTOCOL, "name at offset " + off + " runs past the end of the "
                    + limit + "-byte message");
            }
            int len = b[p] & 0xFF;
            int kind = len & 0xC0;
            if (kind == 0xC0) {
                if (p + 1 >= limit) {
                    throw new WireFormatException(PROTOCOL, "compression pointer at offset " + p
                        + " is cut off by the end of the message");
                }
                int target = ((len & 0x3F) << 8) | (b[p + 1] & 0xFF);
                if (next < 0) {
                    next = p + 2;
                }
                if (target == p || visited.get(target)) {
                    throw new WireFormatException(PROTOCOL, "name compression loop at offset " + p
                            + ": pointer to offset " + target + " was already followed");
                }
                if (target >= limit) {
                    throw new WireFormatException(PROTOCOL, "compression pointer at offset " + p
                        + " points to offset " + target + ", past the end of the " + limit + "-byte message");
                }
                if (target >= p) {
                    throw new WireFormatException(PROTOCOL, "compression pointer at offset " + p
                        + " points forward to offset " + target + " (pointers must point to a prior name)");
                }
                visited.set(p);
                p = target;
                continue;
            }
            // RFC 1035 section 4.1.4: 01 and 10 are reserved (RFC 6891 retired extended labels).
            if (kind != 0) {
                throw new WireFormatException(PROTOCOL, String.format("label type 0x%02x at offset %d is not "
                    + "supported (only plain labels and pointers)", kind, p));
            }
            visited.set(p);
            if (len == 0) {
                break;
            }
            if (p + 1 + len > limit) {
                throw new WireFormatException(PROTOCOL, "label of " + len + " bytes at offset " + p
                    + " runs past the end of the " + limit + "-byte message");
            }
            wire += 1 + len;
            if (wire > DnsName.MAX_NAME) {
                throw new WireFormatException(PROTOCOL, "name at offset " + off
                    + " is longer than 255 octets (RFC 1035 section 2.3.4)");
            }
            labels.add(new String(b, p + 1, len, StandardCharsets.ISO_8859_1));
            p += 1 + len;
        }
        return new NameRead(DnsName.of(labels), next >= 0 ? next : p + 1);
    }

    /** Parses the DNS message in {@code len} bytes at {@code off} (a UDP payload). */
    public static DnsMessage parse(byte[] bytes, int off, int len) {
        Bytes.checkBounds(PROTOCOL, bytes, off, len);
        byte[] b = off == 0 && len == bytes.length ? bytes : java.util.Arrays.copyOfRange(bytes, off, off + len);
        if (len < HEADER_LENGTH) {
            throw new WireFormatException(PROTOCOL, "message of " + len
                + " bytes is shorter than the 12-byte header");
        }
        int qd = Bytes.readU16(b, 4);
        int an = Bytes.readU16(b, 6);
        int ns = Bytes.readU16(b, 8);
        int ar = Bytes.readU16(b, 10);
        int p = HEADER_LENGTH;
        List<DnsQuestion> questions = new ArrayList<>(Math.min(qd, 16));
        for (int i = 0; i < qd; i++) {
            if (p >= len) {
                throw new WireFormatException(PROTOCOL, "question " + (i + 1) + " of " + qd
                    + " is missing: the message ends at offset " + p);
            }
            NameRead n = readName(b, len, p);
            p = n.next();
            if (p + 4 > len) {
                throw new WireFormatException(PROTOCOL, "question " + (i + 1) + " at offset " + p
                    + " is cut off before its type and class");
            }
            questions.add(new DnsQuestion(n.name(), Bytes.readU16(b, p), Bytes.readU16(b, p + 2)));
            p += 4;
        }
        int[] pos = {p};
        List<DnsRecord> answers = records(b, len, pos, an, "answer");
        List<DnsRecord> authority = records(b, len, pos, ns, "authority");
        List<DnsRecord> additional = records(b, len, pos, ar, "additional");
        // Bytes after the last record are ignored, as resolvers do (e.g. Ethernet padding never reaches here).
        return new DnsMessage(Bytes.readU16(b, 0), Bytes.readU16(b, 2), questions, answers, authority, additional);
    }

    /** Reads the ID of a message too broken to parse (for a FORMERR reply), or -1 without a header. */
    public static int peekId(byte[] b, int off, int len) {
        return b == null || len < 2 || off < 0 || off + len > b.length ? -1 : Bytes.readU16(b, off);
    }

    private static List<DnsRecord> records(byte[] b, int len, int[] pos, int count, String section) {
        List<DnsRecord> out = new ArrayList<>(Math.min(count, 16));
        int p = pos[0];
        for (int i = 0; i < count; i++) {
            if (p >= len) {
                throw new WireFormatException(PROTOCOL, section + " record " + (i + 1) + " of " + count
                    + " is missing: the message ends at offset " + p);
            }
            NameRead n = readName(b, len, p);
            p = n.next();
            if (p + 10 > len) {
                throw new WireFormatException(PROTOCOL, section + " record " + (i + 1) + " at offset " + p
                    + " is cut off before its RDLENGTH");
            }
            int type = Bytes.readU16(b, p);
            int rclass = Bytes.readU16(b, p + 2);
            long ttl = Bytes.readI32(b, p + 4) & 0xFFFFFFFFL;
            int rdlength = Bytes.readU16(b, p + 8);
            p += 10;
            if (p + rdlength > len) {
                throw new WireFormatException(PROTOCOL, section + " record " + (i + 1) + " ("
                    + DnsRecord.typeName(type) + ") claims " + rdlength + " bytes of rdata at offset " + p + ", only "
                    + (len - p) + " remain");
            }
            DnsRdata rdata = DnsRdata.read(b, len, p, rdlength, type);
            out.add(new DnsRecord(n.name(), type, rclass, ttl, rdata));
            p += rdlength;
        }
        pos[0] = p;
        return out;
    }

    // ------------------------------------------------------------------ encoding

    /** The message bytes with name compression, whatever their length (TCP, or tests). */
    public byte[] encode() {
        return encode(Integer.MAX_VALUE);
    }

    /**
     * The message bytes, at most {@code limit} long (512 for UDP without EDNS). What does not fit is
     * left out following RFC 2181 section 9: whole RRsets from the end; when a record of the answer
     * or authority section is dropped the TC bit is set; additional records that do not fit are
     * dropped without TC ("extra information").
     */
    public byte[] encode(int limit) {
        DnsWriter w = new DnsWriter(true);
        for (int i = 0; i < HEADER_LENGTH; i++) {
            w.u8(0);
        }
        for (DnsQuestion q : questions) {
            w.name(q.name(), true);
            w.u16(q.type());
            w.u16(q.qclass());
        }
        if (w.size() > limit) {
            throw new IllegalArgumentException("the question alone (" + w.size() + " bytes) exceeds " + limit);
        }
        int tc = 0;
        int[] counts = new int[3];
        List<List<DnsRecord>> sections = List.of(answers, authority, additional);
        outer:
        for (int s = 0; s < 3; s++) {
            List<DnsRecord> list = sections.get(s);
            int rrsetStart = w.mark();
            int rrsetCount = 0;
            for (int i = 0; i < list.size(); i++) {
                DnsRecord r = list.get(i);
                if (i > 0 && !sameRrset(list.get(i - 1), r)) {
                    rrsetStart = w.mark();
                    rrsetCount = counts[s];
                }
                writeRecord(w, r);
                if (w.size() > limit) {
                    w.reset(rrsetStart);
                    counts[s] = rrsetCount;
                    if (s < 2) {
                        tc = FLAG_TC;
                    }
                    break outer;
                }
                counts[s]++;
            }
        }
        byte[] out = w.toByteArray();
        Bytes.writeU16(out, 0, id);
        Bytes.writeU16(out, 2, flags | tc);
        Bytes.writeU16(out, 4, questions.size());
        Bytes.writeU16(out, 6, counts[0]);
        Bytes.writeU16(out, 8, counts[1]);
        Bytes.writeU16(out, 10, counts[2]);
        return out;
    }

    private static boolean sameRrset(DnsRecord a, DnsRecord b) {
        return a.name().equals(b.name()) && a.type() == b.type() && a.rclass() == b.rclass();
    }

    private static void writeRecord(DnsWriter w, DnsRecord r) {
        w.name(r.name(), true);
        w.u16(r.type());
        w.u16(r.rclass());
        w.u32(r.ttl());
        int lengthAt = w.mark();
        w.u16(0);
        r.rdata().write(w);
        int rdlength = w.size() - lengthAt - 2;
        if (rdlength > 0xFFFF) {
            throw new IllegalArgumentException("rdata of " + rdlength + " bytes exceeds RDLENGTH");
        }
        w.setU16(lengthAt, rdlength);
    }

    @Override
    public String toString() {
        return String.format("DNS id=0x%04x %s%s %s q=%s an=%d ns=%d ar=%d", id, isResponse() ? "response" : "query",
                flagText().isEmpty() ? "" : " [" + flagText() + "]", rcodeName(rcode()), questions, answers.size(),
                authority.size(), additional.size());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DnsMessage m && id == m.id && flags == m.flags && questions.equals(m.questions)
                && answers.equals(m.answers) && authority.equals(m.authority) && additional.equals(m.additional);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, flags, questions, answers, authority, additional);
    }
}
