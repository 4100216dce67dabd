package dev.wirelab.netstack.dns;

import dev.wirelab.netstack.node.Node;
import dev.wirelab.netstack.wire.DnsMessage;
import dev.wirelab.netstack.wire.DnsName;
import dev.wirelab.netstack.wire.DnsQuestion;
import dev.wirelab.netstack.wire.DnsRdata;
import dev.wirelab.netstack.wire.DnsRecord;
import dev.wirelab.netstack.wire.Ipv4Address;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A recursive resolver (node kind {@code dns}, {@code role: recursive}), the algorithm of RFC 1034
 * section 5.3.3: answer from the cache when it can; else ask the servers of the closest enclosing
 * zone it knows (root hints at first) without recursion, follow referrals down (caching NS and
 * in-bailiwick glue), resolve name server names that came without glue, follow CNAMEs, cache
 * answers and negative answers (RFC 2308), and move on to another server when one times out or
 * answers badly, and asks again over TCP when an answer comes truncated. With forwarders it sends
 * recursive queries to them instead. Every cache hit and
 * miss, query and referral is a trace event of layer "dns".
 */
public final class RecursiveResolver extends DnsServer {

    /** A root server as root hints name it. */
    public record Hint(DnsName name, Ipv4Address address) {
    }

    /** The outcome of one resolution. */
    public record Result(int rcode, List<DnsRecord> answers, List<DnsRecord> authority, int queries) {
    }

    /** How long to wait for one server before trying the next (BIND starts near 800 ms; 2 s keeps labs calm). */
    public static final long QUERY_TIMEOUT = 2_000_000_000L;
    /** Queries one resolution may send, sub-resolutions of name server names included. */
    public static final int MAX_QUERIES = 40;
    /** Nested resolutions of name server addresses (glue-less delegations). */
    public static final int MAX_DEPTH = 4;
    /** CNAMEs followed in one resolution (RFC 1034 section 3.6.2 warns against chains). */
    public static final int MAX_CNAMES = 8;

    private final List<Hint> hints;
    private final List<Ipv4Address> forwarders;
    private final DnsCache cache = new DnsCache();
    private long timeout = QUERY_TIMEOUT;

    private RecursiveResolver(Node node, List<Hint> hints, List<Ipv4Address> forwarders) {
        super(node);
        this.hints = List.copyOf(hints);
        this.forwarders = List.copyOf(forwarders);
    }

    public static RecursiveResolver install(Node node, List<Hint> hints, List<Ipv4Address> forwarders) {
        if (hints.isEmpty() && forwarders.isEmpty()) {
            throw new IllegalArgumentException(node.name() + ": a recursive resolver needs root hints or forwarders");
        }
        RecursiveResolver r = node.service(RecursiveResolver.class, n -> new RecursiveResolver(n, hints, forwarders));
        r.register();
        return r;
    }

    public DnsCache cache() {
        return cache;
    }

    public List<Hint> hints() {
        return hints;
    }

    /** The per-server timeout (tests shorten it). */
    public void setQueryTimeout(long nanos) {
        this.timeout = nanos;
    }

    @Override
    protected String role() {
        return "recursive";
    }

    @Override
    protected CompletableFuture<DnsMessage> answer(DnsMessage query, Ipv4Address from) {
        DnsQuestion q = query.question();
        if (!query.recursionDesired()) {
            // Without RD we answer from the cache only (RFC 1034 section 4.3.1).
            var cached = cache.get(q.name(), q.type(), node.loop().nanos());
            if (cached.isPresent()) {
                return CompletableFuture.completedFuture(query.response(DnsMessage.FLAG_RA, DnsMessage.NOERROR,
                        cached.get(), List.of(), List.of()));
            }
            return CompletableFuture.completedFuture(query.response(DnsMessage.FLAG_RA, DnsMessage.REFUSED, List.of(),
                    List.of(), List.of()));
        }
        return resolve(q.name(), q.type()).thenApply(r -> query.response(DnsMessage.FLAG_RA, r.rcode(), r.answers(),
                r.authority(), List.of()));
    }

    /** Resolves {@code name}/{@code type} (on the loop); completes with the answer, NXDOMAIN, NODATA or SERVFAIL. */
    public CompletableFuture<Result> resolve(DnsName name, int type) {
        node.event(LAYER, "resolve_start", "name", name.toString(), "type", DnsRecord.typeName(type));
        Resolution r = new Resolution(name, type, 0, new int[] {MAX_QUERIES}, node.loop().nanos());
        r.step();
        return r.done;
    }

    private final class Resolution {
        final DnsName qname;
        final int qtype;
        final int depth;
        final int[] budget;
        final long startedAt;
        final List<DnsRecord> chain = new ArrayList<>();
        final CompletableFuture<Result> done = new CompletableFuture<>();
        DnsName sname;
        int queries;

        Resolution(DnsName qname, int qtype, int depth, int[] budget, long startedAt) {
            this.qname = qname;
            this.qtype = qtype;
            this.depth = depth;
            this.budget = budget;
            this.startedAt = startedAt;
            this.sname = qname;
        }

        void step() {
            long now = node.loop().nanos();
            // RFC 1034 section 5.3.3 step 1: "See if the answer is in local information".
            var hit = cache.get(sname, qtype, now);
            if (hit.isPresent()) {
                node.event(LAYER, "cache_hit", "name", sname.toString(), "type", DnsRecord.typeName(qtype),
                        "records", hit.get().size(), "ttl", hit.get().get(0).ttl());
                chain.addAll(hit.get());
                finish(DnsMessage.NOERROR, List.of());
                return;
            }
            var neg = cache.getNegative(sname, qtype, now);
            if (neg.isPresent()) {
                node.event(LAYER, "cache_hit", "name", sname.toString(), "type", DnsRecord.typeName(qtype),
                        "negative", DnsMessage.rcodeName(neg.get().rcode()) + (neg.get().rcode() == 0 ? " (NODATA)" : ""),
                        "ttl", neg.get().ttlLeft());
                finish(neg.get().rcode(), neg.get().soa() == null ? List.of() : List.of(neg.get().soa()));
                return;
            }
            if (qtype != DnsRecord.CNAME) {
                var cname = cache.get(sname, DnsRecord.CNAME, now);
                if (cname.isPresent()) {
                    node.event(LAYER, "cache_hit", "name", sname.toString(), "type", "CNAME", "records", 1,
                            "ttl", cname.get().get(0).ttl());
                    followCname(cname.get().get(0));
                    return;
                }
            }
            node.event(LAYER, "cache_miss", "name", sname.toString(), "type", DnsRecord.typeName(qtype));
            if (!forwarders.isEmpty()) {
                ask(null, forwarders, 0, true);
                return;
            }
            // Step 2: "Find the best servers to ask": the closest enclosing zone with known NS.
            List<DnsName> unresolved = new ArrayList<>();
            for (DnsName z = sname; ; z = z.parent()) {
                var ns = cache.get(z, DnsRecord.NS, now);
                if (ns.isPresent()) {
                    List<Ipv4Address> addresses = new ArrayList<>();
                    List<DnsName> missing = new ArrayList<>();
                    for (DnsRecord r : ns.get()) {
                        DnsName host = ((DnsRdata.Ns) r.rdata()).host();
                        var a = cache.get(host, DnsRecord.A, now);
                        if (a.isPresent()) {
                            a.get().forEach(x -> addresses.add(((DnsRdata.A) x.rdata()).address()));
                        } else if (!host.isSubdomainOf(z)) {
                            missing.add(host); // glue-less, and resolvable from elsewhere
                        }
                    }
                    if (!addresses.isEmpty()) {
                        ask(z, addresses, 0, false);
                        return;
                    }
                    if (!missing.isEmpty()) {
                        resolveNsAddress(missing, 0);
                        return;
                    }
                    unresolved.add(z);
                }
                if (z.isRoot()) {
                    break;
                }
            }
            List<Ipv4Address> roots = new ArrayList<>();
            hints.forEach(h -> roots.add(h.address()));
            ask(DnsName.ROOT, roots, 0, false);
        }

        /** RFC 1034 section 5.3.3 step 2: a delegation without glue: find a name server's address first. */
        void resolveNsAddress(List<DnsName> hosts, int i) {
            if (i >= hosts.size() || depth + 1 > MAX_DEPTH) {
                node.event(LAYER, "resolve_failed", "name", sname.toString(), "reason",
                        depth + 1 > MAX_DEPTH ? "name server resolution too deep" : "no name server address found");
                finish(DnsMessage.SERVFAIL, List.of());
                return;
            }
            DnsName host = hosts.get(i);
            node.event(LAYER, "glueless_delegation", "name", sname.toString(), "resolving", host.toString());
            Resolution sub = new Resolution(host, DnsRecord.A, depth + 1, budget, node.loop().nanos());
            sub.step();
            sub.done.whenComplete((r, e) -> {
                if (e == null && r.rcode() == DnsMessage.NOERROR
                        && r.answers().stream().anyMatch(x -> x.type() == DnsRecord.A)) {
                    step();
                } else {
                    resolveNsAddress(hosts, i + 1);
                }
            });
        }

        /** Queries {@code servers[i]}; on timeout or a useless answer, the next one (step 3 and 4.d). */
        void ask(DnsName zone, List<Ipv4Address> servers, int i, boolean recursive) {
            if (i >= servers.size()) {
                node.event(LAYER, "resolve_failed", "name", sname.toString(), "zone", String.valueOf(zone),
                        "reason", "no server of the zone answered");
                finish(DnsMessage.SERVFAIL, List.of());
                return;
            }
            if (budget[0]-- <= 0) {
                node.event(LAYER, "resolve_failed", "name", sname.toString(), "reason", "query budget exhausted");
                finish(DnsMessage.SERVFAIL, List.of());
                return;
            }
            queries++;
            Ipv4Address server = servers.get(i);
            DnsQuestion question = DnsQuestion.in(sname, qtype);
            String purpose = recursive ? "forward" : "iterative";
            DnsClient.query(node, server, question, recursive, timeout, purpose)
                    .whenComplete((resp, error) -> {
                        if (error != null) {
                            node.event(LAYER, "server_failed", "server", server.toString(), "zone", String.valueOf(zone),
                                    "reason", "timeout", "next", i + 1 < servers.size() ? servers.get(i + 1).toString() : "");
                            ask(zone, servers, i + 1, recursive);
                        } else if (resp.message().truncated() && DnsTcp.available(node)) {
                            // RFC 1035 section 4.2.1 / RFC 7766 section 5: a truncated answer is asked again over TCP.
                            node.event(LAYER, "truncated", "server", server.toString(), "name", sname.toString(),
                                    "retry", "tcp");
                            queries++;
                            DnsTcp.query(node, server, question, recursive, timeout, purpose).whenComplete((full, e2) ->
                                    handle(zone, servers, i, recursive, e2 == null ? full.message() : resp.message()));
                        } else {
                            handle(zone, servers, i, recursive, resp.message());
                        }
                    });
        }

        void handle(DnsName zone, List<Ipv4Address> servers, int i, boolean recursive, DnsMessage m) {
            long now = node.loop().nanos();
            Ipv4Address server = servers.get(i);
            int rcode = m.rcode();
            if (rcode != DnsMessage.NOERROR && rcode != DnsMessage.NXDOMAIN) {
                node.event(LAYER, "server_failed", "server", server.toString(), "reason", DnsMessage.rcodeName(rcode));
                ask(zone, servers, i + 1, recursive);
                return;
            }
            if (m.truncated()) {
                // TCP was not available or failed: use what the truncated answer holds.
                node.event(LAYER, "truncated", "server", server.toString(), "name", sname.toString(),
                        "note", "no TCP answer; using the partial UDP answer");
            }
            // Answers: the chain of CNAMEs and the data for sname, as far as this response goes.
            boolean followed = false;
            for (int guard = 0; guard <= MAX_CNAMES; guard++) {
                List<DnsRecord> data = new ArrayList<>();
                DnsRecord cname = null;
                for (DnsRecord r : m.answers()) {
                    if (r.name().equals(sname) && r.type() == qtype) {
                        data.add(r);
                    } else if (r.name().equals(sname) && r.type() == DnsRecord.CNAME && cname == null) {
                        cname = r;
                    }
                }
                if (!data.isEmpty()) {
                    cache.put(data, m.authoritative() ? DnsCache.Trust.AUTHORITATIVE_ANSWER : DnsCache.Trust.ANSWER, now);
                    chain.addAll(data);
                    finish(DnsMessage.NOERROR, List.of());
                    return;
                }
                if (cname == null || qtype == DnsRecord.CNAME) {
                    break;
                }
                cache.put(List.of(cname), m.authoritative() ? DnsCache.Trust.AUTHORITATIVE_ANSWER : DnsCache.Trust.ANSWER, now);
                if (!addCname(cname)) {
                    return;
                }
                followed = true;
            }
            DnsRecord soa = null;
            for (DnsRecord r : m.authority()) {
                if (r.type() == DnsRecord.SOA && soa == null) {
                    soa = r;
                }
            }
            if (rcode == DnsMessage.NXDOMAIN) {
                // RFC 2308 section 5: cache the NXDOMAIN for the name with the SOA's negative TTL.
                cache.putNegative(sname, qtype, DnsMessage.NXDOMAIN, soa, now);
                node.event(LAYER, "negative_answer", "name", sname.toString(), "rcode", "NXDOMAIN", "server", server.toString(),
                        "negative_ttl", soa == null ? 0 : Math.min(soa.ttl(), ((DnsRdata.Soa) soa.rdata()).minimum()));
                finish(DnsMessage.NXDOMAIN, soa == null ? List.of() : List.of(soa));
                return;
            }
            if (followed) {
                step(); // the canonical name's data was not in this response: start over for it
                return;
            }
            List<DnsRecord> ns = new ArrayList<>();
            DnsName cut = null;
            for (DnsRecord r : m.authority()) {
                if (r.type() == DnsRecord.NS && sname.isSubdomainOf(r.name())
                        && (cut == null || r.name().equals(cut))) {
                    cut = r.name();
                    ns.add(r);
                }
            }
            boolean downward = cut != null && zone != null && cut.isSubdomainOf(zone) && cut.labelCount() > zone.labelCount();
            if (!m.authoritative() && downward) {
                // A referral (RFC 1034 section 5.3.3 step 4.b): cache the delegation and the glue that
                // lies within the referring server's zone (its bailiwick), then go on from the child.
                cache.put(ns, DnsCache.Trust.REFERRAL, now);
                List<DnsRecord> glue = new ArrayList<>();
                List<String> nsNames = new ArrayList<>();
                for (DnsRecord r : ns) {
                    nsNames.add(((DnsRdata.Ns) r.rdata()).host().toString());
                }
                for (DnsRecord r : m.additional()) {
                    if ((r.type() == DnsRecord.A || r.type() == DnsRecord.AAAA) && r.name().isSubdomainOf(zone)
                            && nsNames.contains(r.name().toString())) {
                        glue.add(r);
                    }
                }
                cache.put(glue, DnsCache.Trust.GLUE, now);
                node.event(LAYER, "referral", "name", sname.toString(), "from_zone", zone.toString(),
                        "to_zone", cut.toString(), "server", server.toString(), "ns", String.join(" ", nsNames),
                        "glue", glue.size());
                step();
                return;
            }
            if (m.authoritative() || recursive) {
                // RFC 2308 section 2.2: NODATA, an authoritative answer with no data of the type.
                cache.putNegative(sname, qtype, DnsMessage.NOERROR, soa, now);
                node.event(LAYER, "negative_answer", "name", sname.toString(), "rcode", "NODATA", "server", server.toString(),
                        "negative_ttl", soa == null ? 0 : Math.min(soa.ttl(), ((DnsRdata.Soa) soa.rdata()).minimum()));
                finish(DnsMessage.NOERROR, soa == null ? List.of() : List.of(soa));
                return;
            }
            // A lame or upward referral: this server cannot help.
            node.event(LAYER, "server_failed", "server", server.toString(), "reason", "lame (no answer, no downward referral)");
            ask(zone, servers, i + 1, recursive);
        }

        /** Adds a CNAME to the chain and moves sname to its target; false when the chain is too long. */
        boolean addCname(DnsRecord cname) {
            chain.add(cname);
            DnsName target = ((DnsRdata.Cname) cname.rdata()).target();
            node.event(LAYER, "cname", "name", sname.toString(), "target", target.toString());
            sname = target;
            if (chain.size() > MAX_CNAMES) {
                node.event(LAYER, "resolve_failed", "name", qname.toString(), "reason", "CNAME chain too long");
                finish(DnsMessage.SERVFAIL, List.of());
                return false;
            }
            return true;
        }

        void followCname(DnsRecord cname) {
            if (addCname(cname)) {
                step();
            }
        }

        void finish(int rcode, List<DnsRecord> authority) {
            if (done.isDone()) {
                return;
            }
            node.event(LAYER, "resolve_done", "name", qname.toString(), "type", DnsRecord.typeName(qtype),
                    "rcode", DnsMessage.rcodeName(rcode), "answers", chain.size(), "queries", queries,
                    "depth", depth, "ms", (node.loop().nanos() - startedAt) / 1_000_000.0);
            done.complete(new Result(rcode, rcode == DnsMessage.SERVFAIL ? List.of() : List.copyOf(chain),
                    authority, queries));
        }
    }
}
