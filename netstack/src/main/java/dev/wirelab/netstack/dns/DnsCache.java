package dev.wirelab.netstack.dns;

import dev.wirelab.netstack.wire.DnsName;
import dev.wirelab.netstack.wire.DnsRdata;
import dev.wirelab.netstack.wire.DnsRecord;
import dev.wirelab.netstack.wire.DnsMessage;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A resolver's cache: RRsets with their TTLs counting down (RFC 1035 section 7.4), and negative
 * answers (RFC 2308 section 5): NXDOMAIN for a whole name, NODATA for one type, each kept for the
 * SOA's negative TTL. Data is ranked as RFC 2181 section 5.4.1 asks: glue never replaces an answer.
 * Times are loop nanoseconds; not thread-safe (the node's loop owns it).
 */
public final class DnsCache {

    /** RFC 2181 section 5.4.1 trust, lowest first. */
    public enum Trust { GLUE, REFERRAL, ANSWER, AUTHORITATIVE_ANSWER, CONFIGURED }

    /** A negative entry: the rcode to give (NXDOMAIN, or NOERROR for NODATA) and the SOA that set the TTL. */
    public record Negative(int rcode, DnsRecord soa, long ttlLeft) {
    }

    private record Key(DnsName name, int type) {
    }

    private record Entry(List<DnsRecord> records, long expiresAt, Trust trust) {
    }

    private record NegEntry(int rcode, DnsRecord soa, long expiresAt) {
    }

    /** Entries kept at most; expired ones go first, then the oldest. */
    public static final int MAX_ENTRIES = 10_000;
    /** RFC 2308 section 5: negative answers are cached at most this long (three hours, as BIND). */
    public static final long MAX_NEGATIVE_TTL = 10_800;
    /** RFC 2181 section 8: TTLs above 2^31 - 1 are taken as zero; we also cap positive TTLs at one week. */
    public static final long MAX_TTL = 604_800;

    private static final long SECOND = 1_000_000_000L;

    private final Map<Key, Entry> positive = new LinkedHashMap<>();
    private final Map<Key, NegEntry> negative = new LinkedHashMap<>();

    /** Stores the RRsets in {@code records} (grouped by name and type), each with its smallest TTL. */
    public void put(List<DnsRecord> records, Trust trust, long now) {
        Map<Key, List<DnsRecord>> sets = new LinkedHashMap<>();
        for (DnsRecord r : records) {
            if (r.type() == DnsRecord.OPT || r.rclass() != DnsRecord.IN) {
                continue;
            }
            sets.computeIfAbsent(new Key(r.name(), r.type()), k -> new ArrayList<>()).add(r);
        }
        for (Map.Entry<Key, List<DnsRecord>> e : sets.entrySet()) {
            long ttl = MAX_TTL;
            for (DnsRecord r : e.getValue()) {
                ttl = Math.min(ttl, r.ttl() > 0x7FFFFFFFL ? 0 : r.ttl());
            }
            Entry old = positive.get(e.getKey());
            if (old != null && old.expiresAt > now && old.trust.compareTo(trust) > 0) {
                continue; // RFC 2181 section 5.4.1: less trusted data does not replace better data
            }
            if (ttl == 0) {
                continue; // RFC 1035 section 3.2.1: zero TTL "should not be cached"
            }
            positive.remove(e.getKey());
            positive.put(e.getKey(), new Entry(List.copyOf(e.getValue()), now + ttl * SECOND, trust));
            negative.remove(e.getKey());
            negative.remove(new Key(e.getKey().name(), DnsRecord.ANY));
        }
        evict(now);
    }

    /** The RRset with TTLs set to the time left, if cached and not expired. */
    public Optional<List<DnsRecord>> get(DnsName name, int type, long now) {
        Entry e = positive.get(new Key(name, type));
        if (e == null || e.expiresAt <= now) {
            return Optional.empty();
        }
        long left = Math.max(0, (e.expiresAt - now) / SECOND);
        List<DnsRecord> out = new ArrayList<>(e.records.size());
        for (DnsRecord r : e.records) {
            out.add(r.withTtl(Math.min(r.ttl(), left)));
        }
        return Optional.of(out);
    }

    /**
     * RFC 2308 section 5: caches a negative answer; NXDOMAIN covers every type of the name. The TTL is
     * min(SOA TTL, SOA MINIMUM) (section 3), capped at {@link #MAX_NEGATIVE_TTL}.
     */
    public void putNegative(DnsName name, int type, int rcode, DnsRecord soa, long now) {
        long ttl = MAX_NEGATIVE_TTL;
        if (soa != null && soa.rdata() instanceof DnsRdata.Soa s) {
            ttl = Math.min(ttl, Math.min(soa.ttl(), s.minimum()));
        } else {
            ttl = 0; // RFC 2308 section 5: without an SOA, negative answers are not cached
        }
        if (ttl <= 0) {
            return;
        }
        Key key = new Key(name, rcode == DnsMessage.NXDOMAIN ? DnsRecord.ANY : type);
        negative.remove(key);
        negative.put(key, new NegEntry(rcode, soa, now + ttl * SECOND));
        evict(now);
    }

    /** A cached NXDOMAIN for the name, or NODATA for the type. */
    public Optional<Negative> getNegative(DnsName name, int type, long now) {
        for (Key k : new Key[] {new Key(name, DnsRecord.ANY), new Key(name, type)}) {
            NegEntry e = negative.get(k);
            if (e != null && e.expiresAt > now) {
                long left = (e.expiresAt - now) / SECOND;
                return Optional.of(new Negative(e.rcode, e.soa == null ? null : e.soa.withTtl(Math.min(e.soa.ttl(), left)),
                        left));
            }
        }
        return Optional.empty();
    }

    public int size() {
        return positive.size() + negative.size();
    }

    /**
     * One cached RRset or negative answer as a node inspector shows it.
     *
     * @param records        the RRset in presentation format (empty for a negative entry)
     * @param negativeRcode  for a negative entry (RFC 2308): 3 for NXDOMAIN, 0 for NODATA; else null
     */
    public record Cached(String name, String type, long ttlLeft, String trust, List<String> records,
                         Integer negativeRcode) {
    }

    /** What the cache holds now and has not expired, positive entries first. */
    public List<Cached> entries(long now) {
        List<Cached> out = new ArrayList<>();
        positive.forEach((k, e) -> {
            if (e.expiresAt > now) {
                out.add(new Cached(k.name().toString(), DnsRecord.typeName(k.type()), (e.expiresAt - now) / SECOND,
                        e.trust.name().toLowerCase(), e.records.stream().map(DnsRecord::toString).toList(), null));
            }
        });
        negative.forEach((k, e) -> {
            if (e.expiresAt > now) {
                out.add(new Cached(k.name().toString(), DnsRecord.typeName(k.type()), (e.expiresAt - now) / SECOND,
                        "negative", List.of(), e.rcode));
            }
        });
        return out;
    }

    public void clear() {
        positive.clear();
        negative.clear();
    }

    private void evict(long now) {
        if (positive.size() + negative.size() <= MAX_ENTRIES) {
            return;
        }
        positive.values().removeIf(e -> e.expiresAt <= now);
        negative.values().removeIf(e -> e.expiresAt <= now);
        for (Iterator<Key> it = positive.keySet().iterator(); it.hasNext() && positive.size() + negative.size() > MAX_ENTRIES; ) {
            it.next();
            it.remove();
        }
        for (Iterator<Key> it = negative.keySet().iterator(); it.hasNext() && positive.size() + negative.size() > MAX_ENTRIES; ) {
            it.next();
            it.remove();
        }
    }
}
