package dev.wirelab.netstack.dns;

import dev.wirelab.netstack.wire.DnsName;
import dev.wirelab.netstack.wire.DnsRdata;
import dev.wirelab.netstack.wire.DnsRecord;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One zone an authoritative server holds: its origin, SOA, NS and data, checked when made
 * (one SOA at the origin, NS at the origin, everything inside the origin, no CNAME beside other
 * data, nothing but glue below a delegation). {@link #lookup} is the authoritative part of the
 * algorithm of RFC 1034 section 4.3.2, with the negative answers of RFC 2308.
 */
public final class Zone {

    /** What the zone says about a question. */
    public sealed interface Result permits Answer, Referral, NxDomain, NoData {
    }

    /** Authoritative data (after any CNAMEs followed inside the zone), with additional records. */
    public record Answer(List<DnsRecord> answers, List<DnsRecord> additional) implements Result {
    }

    /** The name is below a zone cut: the child's NS records and the glue we have (AA clear). */
    public record Referral(DnsName cut, List<DnsRecord> ns, List<DnsRecord> glue) implements Result {
    }

    /** RFC 2308 section 2.1: the name does not exist (after {@code chain} CNAMEs); SOA for the negative TTL. */
    public record NxDomain(List<DnsRecord> chain, DnsRecord soa) implements Result {
    }

    /** RFC 2308 section 2.2: the name exists without data of the type. */
    public record NoData(List<DnsRecord> chain, DnsRecord soa) implements Result {
    }

    /** RFC 1034 section 3.6.2: chains are followed at most this far. */
    private static final int MAX_CNAME_CHAIN = 8;

    private final DnsName origin;
    private final DnsRecord soa;
    private final Map<DnsName, List<DnsRecord>> byName = new LinkedHashMap<>();

    private Zone(DnsName origin, List<DnsRecord> records) {
        this.origin = origin;
        DnsRecord s = null;
        for (DnsRecord r : records) {
            if (!r.name().isSubdomainOf(origin)) {
                throw new IllegalArgumentException("record " + r.name() + " " + DnsRecord.typeName(r.type())
                        + " is outside the zone " + origin);
            }
            if (r.type() == DnsRecord.SOA) {
                if (!r.name().equals(origin)) {
                    throw new IllegalArgumentException("SOA at " + r.name() + ": the SOA belongs at the origin " + origin);
                }
                if (s != null) {
                    throw new IllegalArgumentException("zone " + origin + " has more than one SOA");
                }
                s = r;
            }
            List<DnsRecord> list = byName.computeIfAbsent(r.name(), k -> new ArrayList<>());
            if (!list.contains(r)) {
                list.add(r);
            }
        }
        if (s == null) {
            throw new IllegalArgumentException("zone " + origin + " has no SOA record at its origin");
        }
        this.soa = s;
        if (rrset(origin, DnsRecord.NS).isEmpty()) {
            throw new IllegalArgumentException("zone " + origin + " has no NS records at its origin");
        }
        for (Map.Entry<DnsName, List<DnsRecord>> e : byName.entrySet()) {
            List<DnsRecord> l = e.getValue();
            boolean cname = l.stream().anyMatch(r -> r.type() == DnsRecord.CNAME);
            if (cname && l.size() > 1) {
                throw new IllegalArgumentException(e.getKey() + " has a CNAME and other records (RFC 1034 section 3.6.2)");
            }
            DnsName cut = cutAbove(e.getKey(), false);
            if (cut != null && !cut.equals(e.getKey())) {
                for (DnsRecord r : l) {
                    if (r.type() != DnsRecord.A && r.type() != DnsRecord.AAAA) {
                        throw new IllegalArgumentException(r.name() + " " + DnsRecord.typeName(r.type())
                                + " is below the delegation to " + cut + " (only glue A/AAAA records may be)");
                    }
                }
            }
        }
    }

    /** A zone from records; throws IllegalArgumentException saying what is wrong. */
    public static Zone of(DnsName origin, List<DnsRecord> records) {
        return new Zone(Objects.requireNonNull(origin), records);
    }

    /** A zone from master-file text (see {@link ZoneParser}). */
    public static Zone parse(DnsName origin, String text) {
        return of(origin, ZoneParser.parse(origin, text));
    }

    public DnsName origin() {
        return origin;
    }

    public DnsRecord soa() {
        return soa;
    }

    public List<DnsRecord> records() {
        List<DnsRecord> all = new ArrayList<>();
        byName.values().forEach(all::addAll);
        return all;
    }

    /** Records of {@code type} at {@code name}. */
    public List<DnsRecord> rrset(DnsName name, int type) {
        List<DnsRecord> out = new ArrayList<>();
        for (DnsRecord r : byName.getOrDefault(name, List.of())) {
            if (type == DnsRecord.ANY || r.type() == type) {
                out.add(r);
            }
        }
        return out;
    }

    /**
     * The highest zone cut (a name below the origin with NS records) at or above {@code name};
     * with {@code strictlyAbove} the name itself does not count.
     */
    private DnsName cutAbove(DnsName name, boolean strictlyAbove) {
        int originLabels = origin.labelCount();
        int limit = strictlyAbove ? name.labelCount() - 1 : name.labelCount();
        for (int n = originLabels + 1; n <= limit; n++) {
            DnsName candidate = name.suffix(n);
            if (!rrset(candidate, DnsRecord.NS).isEmpty()) {
                return candidate;
            }
        }
        return null;
    }

    /** RFC 2308 section 3: the SOA of a negative answer has TTL min(SOA TTL, SOA MINIMUM). */
    public DnsRecord negativeSoa() {
        long minimum = ((DnsRdata.Soa) soa.rdata()).minimum();
        return soa.withTtl(Math.min(soa.ttl(), minimum));
    }

    /** RFC 1034 section 4.3.2 step 3, for a question inside this zone. */
    public Result lookup(DnsName qname, int qtype) {
        List<DnsRecord> chain = new ArrayList<>();
        DnsName name = qname;
        for (int hop = 0; hop <= MAX_CNAME_CHAIN; hop++) {
            if (!name.isSubdomainOf(origin)) {
                // The chain left the zone: give what we have; the resolver goes on from there.
                return new Answer(chain, List.of());
            }
            // 3.b: a delegation on the way down; the parent is not authoritative for the child's NS either.
            DnsName cut = cutAbove(name, false);
            if (cut != null) {
                List<DnsRecord> ns = rrset(cut, DnsRecord.NS);
                if (!chain.isEmpty()) {
                    return new Answer(chain, List.of());
                }
                return new Referral(cut, ns, glueFor(ns));
            }
            List<DnsRecord> here = byName.get(name);
            if (here == null || here.isEmpty()) {
                // An empty non-terminal (a name with descendants but no records) exists: NODATA.
                DnsName here0 = name;
                boolean hasChildren = byName.keySet().stream().anyMatch(n -> !n.equals(here0) && n.isSubdomainOf(here0));
                return hasChildren ? new NoData(chain, negativeSoa()) : new NxDomain(chain, negativeSoa());
            }
            List<DnsRecord> match = rrset(name, qtype);
            if (!match.isEmpty()) {
                chain.addAll(match);
                return new Answer(chain, additionalFor(match));
            }
            List<DnsRecord> cname = rrset(name, DnsRecord.CNAME);
            if (!cname.isEmpty() && qtype != DnsRecord.CNAME) {
                // 3.a: "If the data at the node is a CNAME, and QTYPE doesn't match CNAME, copy the
                // CNAME RR into the answer section of the response, change QNAME to the canonical
                // name in the CNAME RR, and go back to step 1."
                chain.add(cname.get(0));
                name = ((DnsRdata.Cname) cname.get(0).rdata()).target();
                continue;
            }
            return new NoData(chain, negativeSoa());
        }
        return new Answer(chain, List.of()); // a CNAME loop: stop, as servers do
    }

    /** RFC 1034 section 4.3.2 step 6: addresses of names in NS and MX data, when we have them. */
    private List<DnsRecord> additionalFor(List<DnsRecord> records) {
        List<DnsRecord> out = new ArrayList<>();
        for (DnsRecord r : records) {
            DnsName target = switch (r.rdata()) {
                case DnsRdata.Ns ns -> ns.host();
                case DnsRdata.Mx mx -> mx.exchange();
                default -> null;
            };
            if (target != null) {
                for (DnsRecord a : rrset(target, DnsRecord.A)) {
                    if (!out.contains(a)) {
                        out.add(a);
                    }
                }
            }
        }
        return out;
    }

    /** Glue: addresses of the delegated name servers that this zone holds. */
    private List<DnsRecord> glueFor(List<DnsRecord> ns) {
        List<DnsRecord> out = new ArrayList<>();
        for (DnsRecord r : ns) {
            DnsName host = ((DnsRdata.Ns) r.rdata()).host();
            if (host.isSubdomainOf(origin)) {
                out.addAll(rrset(host, DnsRecord.A));
                out.addAll(rrset(host, DnsRecord.AAAA));
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return "zone " + origin + " (" + records().size() + " records)";
    }
}
