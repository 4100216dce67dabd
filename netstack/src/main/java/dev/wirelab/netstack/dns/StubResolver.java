package dev.wirelab.netstack.dns;

import dev.wirelab.netstack.node.Node;
import dev.wirelab.netstack.wire.DnsMessage;
import dev.wirelab.netstack.wire.DnsName;
import dev.wirelab.netstack.wire.DnsQuestion;
import dev.wirelab.netstack.wire.DnsRdata;
import dev.wirelab.netstack.wire.DnsRecord;
import dev.wirelab.netstack.wire.Ipv4Address;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The resolver library of a node, what glibc's getaddrinfo does for programs: literal addresses,
 * then the hosts file, then a small cache, then the name servers of resolv.conf (from the topology,
 * or learned by DHCP), each tried in turn with a timeout and a number of attempts ({@code options
 * timeout:5 attempts:2}). Runs on the node's loop. Cache hits and misses, hosts-file hits and
 * queries are trace events of layer "dns".
 */
public final class StubResolver {

    /** resolv.conf's defaults: "timeout:5", "attempts:2". */
    public static final long DEFAULT_TIMEOUT = 5_000_000_000L;
    public static final int DEFAULT_ATTEMPTS = 2;

    /** getaddrinfo's failures: EAI_NONAME ("Name or service not known"), EAI_AGAIN, EAI_FAIL. */
    public static final class ResolveException extends RuntimeException {
        private final String code;

        public ResolveException(String code, String message) {
            super(message);
            this.code = code;
        }

        /** "NONAME" (NXDOMAIN or no address), "AGAIN" (no server answered), "FAIL" (SERVFAIL, REFUSED...). */
        public String code() {
            return code;
        }
    }

    private record CacheEntry(List<Ipv4Address> addresses, long expiresAt, boolean negative) {
    }

    private static final String LAYER = "dns";
    private static final long SECOND = 1_000_000_000L;

    private final Node node;
    private final List<Ipv4Address> configured = new ArrayList<>();
    private final Map<String, List<Ipv4Address>> fromDhcp = new LinkedHashMap<>();
    private final Map<String, String> dhcpDomains = new LinkedHashMap<>();
    private final Map<DnsName, List<Ipv4Address>> hosts = new LinkedHashMap<>();
    private final Map<DnsName, CacheEntry> cache = new LinkedHashMap<>();
    private String searchDomain;
    private long timeout = DEFAULT_TIMEOUT;
    private int attempts = DEFAULT_ATTEMPTS;

    private StubResolver(Node node) {
        this.node = node;
        hosts.put(DnsName.parse("localhost"), List.of(Ipv4Address.parse("127.0.0.1")));
    }

    /** The node's stub resolver (made on first use). */
    public static StubResolver of(Node node) {
        return node.service(StubResolver.class, StubResolver::new);
    }

    // ------------------------------------------------------------------ configuration

    /** resolv.conf "nameserver" lines from the topology (they come before DHCP's). */
    public synchronized void setNameservers(List<Ipv4Address> servers) {
        configured.clear();
        configured.addAll(servers);
        node.event(LAYER, "resolver_config", "source", "static", "nameservers", servers.toString());
    }

    /** What a DHCP lease on {@code ifName} says (empty to forget it). */
    public synchronized void setFromDhcp(String ifName, List<Ipv4Address> servers, String domain) {
        if (servers.isEmpty()) {
            fromDhcp.remove(ifName);
        } else {
            fromDhcp.put(ifName, List.copyOf(servers));
        }
        if (domain == null) {
            dhcpDomains.remove(ifName);
        } else {
            dhcpDomains.put(ifName, domain);
        }
        node.event(LAYER, "resolver_config", "source", "dhcp " + ifName, "nameservers", servers.toString(),
                "domain", domain == null ? "" : domain);
    }

    /** An /etc/hosts line. */
    public synchronized void addHost(String name, Ipv4Address address) {
        hosts.computeIfAbsent(DnsName.parse(name), k -> new ArrayList<>()).add(address);
    }

    public synchronized void setSearchDomain(String domain) {
        this.searchDomain = domain;
    }

    public synchronized void setTimeout(long nanos, int attempts) {
        this.timeout = nanos;
        this.attempts = Math.max(1, attempts);
    }

    /** The name servers in use: static ones first, then DHCP's. */
    public synchronized List<Ipv4Address> nameservers() {
        List<Ipv4Address> all = new ArrayList<>(configured);
        for (List<Ipv4Address> l : fromDhcp.values()) {
            for (Ipv4Address a : l) {
                if (!all.contains(a)) {
                    all.add(a);
                }
            }
        }
        return all;
    }

    /** The search domain: the configured one, else the first DHCP domain name. */
    public synchronized Optional<String> searchDomain() {
        if (searchDomain != null) {
            return Optional.of(searchDomain);
        }
        return dhcpDomains.values().stream().findFirst();
    }

    public synchronized Map<DnsName, List<Ipv4Address>> hosts() {
        return Map.copyOf(hosts);
    }

    /** resolv.conf as text, for {@code cat /etc/resolv.conf}-like views. */
    public String resolvConf() {
        StringBuilder sb = new StringBuilder();
        searchDomain().ifPresent(d -> sb.append("search ").append(d).append('\n'));
        for (Ipv4Address a : nameservers()) {
            sb.append("nameserver ").append(a).append('\n');
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------ lookups (on the loop)

    /**
     * getaddrinfo(name) for IPv4: completes on the loop with the addresses, or exceptionally with a
     * {@link ResolveException}.
     */
    public CompletableFuture<List<Ipv4Address>> getaddrinfo(String name) {
        String n = name.strip();
        node.event(LAYER, "getaddrinfo", "name", n);
        try {
            Ipv4Address literal = Ipv4Address.parse(n);
            return CompletableFuture.completedFuture(List.of(literal));
        } catch (IllegalArgumentException notLiteral) {
            // a name
        }
        DnsName dn;
        try {
            dn = DnsName.parse(n);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(new ResolveException("NONAME", n + ": " + e.getMessage()));
        }
        List<Ipv4Address> fromHosts;
        synchronized (this) {
            fromHosts = hosts.get(dn);
        }
        if (fromHosts == null && dn.equals(DnsName.parse(node.name()))) {
            // /etc/hosts names the machine itself (Debian: "127.0.1.1 hostname"); here its first address.
            fromHosts = node.interfaces().stream().map(i -> i.primaryAddress()).filter(a -> a != null).limit(1).toList();
            if (fromHosts.isEmpty()) {
                fromHosts = List.of(Ipv4Address.parse("127.0.1.1"));
            }
        }
        if (fromHosts != null) {
            node.event(LAYER, "hosts_hit", "name", dn.toString(), "addresses", fromHosts.toString());
            return CompletableFuture.completedFuture(List.copyOf(fromHosts));
        }
        // A single-label name is tried with the search domain (resolv.conf "ndots:1").
        if (dn.labelCount() == 1 && searchDomain().isPresent() && !n.endsWith(".")) {
            DnsName qualified = DnsName.parse(n + "." + searchDomain().get());
            return lookup(qualified).exceptionallyCompose(e -> lookup(dn));
        }
        return lookup(dn);
    }

    private CompletableFuture<List<Ipv4Address>> lookup(DnsName dn) {
        long now = node.loop().nanos();
        CacheEntry c;
        synchronized (this) {
            c = cache.get(dn);
        }
        if (c != null && c.expiresAt > now) {
            node.event(LAYER, "cache_hit", "resolver", "stub", "name", dn.toString(),
                    "addresses", c.addresses.toString(), "negative", c.negative, "ttl", (c.expiresAt - now) / SECOND);
            return c.negative ? CompletableFuture.failedFuture(new ResolveException("NONAME",
                    dn + ": Name or service not known")) : CompletableFuture.completedFuture(c.addresses);
        }
        node.event(LAYER, "cache_miss", "resolver", "stub", "name", dn.toString());
        List<Ipv4Address> servers = nameservers();
        if (servers.isEmpty()) {
            return CompletableFuture.failedFuture(new ResolveException("AGAIN", dn + ": no name servers configured"));
        }
        return query(dn, DnsRecord.A).thenApply(m -> addressesOf(dn, m));
    }

    /**
     * Sends a recursive query for {@code name}/{@code type} to the name servers in turn, each try
     * waiting {@code timeout}, all of them {@code attempts} times (glibc's order).
     */
    public CompletableFuture<DnsMessage> query(DnsName name, int type) {
        List<Ipv4Address> servers = nameservers();
        if (servers.isEmpty()) {
            return CompletableFuture.failedFuture(new ResolveException("AGAIN", name + ": no name servers configured"));
        }
        CompletableFuture<DnsMessage> result = new CompletableFuture<>();
        tryServer(DnsQuestion.in(name, type), servers, 0, result);
        return result;
    }

    private void tryServer(DnsQuestion q, List<Ipv4Address> servers, int attempt, CompletableFuture<DnsMessage> result) {
        if (attempt >= servers.size() * attempts) {
            result.completeExceptionally(new ResolveException("AGAIN", q.name() + ": no response from "
                    + servers + " (Temporary failure in name resolution)"));
            return;
        }
        Ipv4Address server = servers.get(attempt % servers.size());
        DnsClient.query(node, server, q, true, timeout, "stub").whenComplete((resp, error) -> {
            if (error != null) {
                tryServer(q, servers, attempt + 1, result);
            } else if (resp.message().truncated() && DnsTcp.available(node)) {
                // glibc retries a truncated answer over TCP (RFC 7766 section 5).
                DnsTcp.query(node, server, q, true, timeout, "stub").whenComplete((full, e2) ->
                        result.complete(e2 == null ? full.message() : resp.message()));
            } else if (resp.message().rcode() == DnsMessage.SERVFAIL || resp.message().rcode() == DnsMessage.REFUSED) {
                // glibc moves on to the next server on SERVFAIL/REFUSED.
                if (attempt + 1 < servers.size() * attempts) {
                    tryServer(q, servers, attempt + 1, result);
                } else {
                    result.complete(resp.message());
                }
            } else {
                result.complete(resp.message());
            }
        });
    }

    private List<Ipv4Address> addressesOf(DnsName dn, DnsMessage m) {
        long now = node.loop().nanos();
        if (m.rcode() == DnsMessage.NXDOMAIN || (m.rcode() == DnsMessage.NOERROR && aRecords(dn, m).isEmpty())) {
            long ttl = 0;
            for (DnsRecord r : m.authority()) {
                if (r.rdata() instanceof DnsRdata.Soa s) {
                    ttl = Math.min(r.ttl(), s.minimum()); // RFC 2308 section 5
                }
            }
            if (ttl > 0) {
                synchronized (this) {
                    cache.put(dn, new CacheEntry(List.of(), now + ttl * SECOND, true));
                }
            }
            throw new CompletionException(new ResolveException("NONAME", dn + ": Name or service not known"));
        }
        if (m.rcode() != DnsMessage.NOERROR) {
            throw new CompletionException(new ResolveException("FAIL", dn + ": " + DnsMessage.rcodeName(m.rcode())));
        }
        List<DnsRecord> a = aRecords(dn, m);
        long ttl = Long.MAX_VALUE;
        List<Ipv4Address> out = new ArrayList<>();
        for (DnsRecord r : a) {
            out.add(((DnsRdata.A) r.rdata()).address());
            ttl = Math.min(ttl, r.ttl());
        }
        if (ttl > 0) {
            synchronized (this) {
                cache.put(dn, new CacheEntry(List.copyOf(out), now + ttl * SECOND, false));
            }
        }
        node.event(LAYER, "resolved", "resolver", "stub", "name", dn.toString(), "addresses", out.toString(), "ttl", ttl);
        return out;
    }

    /** The A records for {@code dn}, following CNAMEs inside the answer section. */
    static List<DnsRecord> aRecords(DnsName dn, DnsMessage m) {
        DnsName name = dn;
        for (int guard = 0; guard < 10; guard++) {
            List<DnsRecord> a = new ArrayList<>();
            DnsName next = null;
            for (DnsRecord r : m.answers()) {
                if (r.name().equals(name) && r.type() == DnsRecord.A) {
                    a.add(r);
                } else if (r.name().equals(name) && r.rdata() instanceof DnsRdata.Cname c) {
                    next = c.target();
                }
            }
            if (!a.isEmpty()) {
                return a;
            }
            if (next == null) {
                return List.of();
            }
            name = next;
        }
        return List.of();
    }

    /** A cached lookup: its addresses (empty for a cached failure) and the seconds it has left. */
    public record CachedLookup(String name, List<String> addresses, long ttlLeft, boolean negative) {
    }

    /** The lookups cached now and not yet expired. */
    public synchronized List<CachedLookup> cached(long now) {
        List<CachedLookup> out = new ArrayList<>();
        cache.forEach((name, e) -> {
            if (e.expiresAt() > now) {
                out.add(new CachedLookup(name.toString(), e.addresses().stream().map(Ipv4Address::toString).toList(),
                        (e.expiresAt() - now) / SECOND, e.negative()));
            }
        });
        return out;
    }

    /** Forgets cached lookups ({@code resolvectl flush-caches}). */
    public synchronized void flush() {
        cache.clear();
    }

    @Override
    public String toString() {
        return "stub resolver of " + node.name() + " " + nameservers().toString().toLowerCase(Locale.ROOT);
    }
}
