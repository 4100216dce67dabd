package dev.wirelab.netstack.wire;

import java.util.Objects;

/** An entry of the question section (RFC 1035 section 4.1.2): QNAME, QTYPE, QCLASS. */
public record DnsQuestion(DnsName name, int type, int qclass) {

    public DnsQuestion {
        Objects.requireNonNull(name, "name");
        if ((type & ~0xFFFF) != 0 || (qclass & ~0xFFFF) != 0) {
            throw new IllegalArgumentException("type and class are 16 bits: " + type + ", " + qclass);
        }
    }

    public static DnsQuestion in(DnsName name, int type) {
        return new DnsQuestion(name, type, DnsRecord.IN);
    }

    public static DnsQuestion in(String name, int type) {
        return new DnsQuestion(DnsName.parse(name), type, DnsRecord.IN);
    }

    @Override
    public String toString() {
        return name + " " + DnsRecord.className(qclass) + " " + DnsRecord.typeName(type);
    }
}
