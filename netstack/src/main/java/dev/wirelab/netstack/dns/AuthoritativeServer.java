package dev.wirelab.netstack.dns;

import dev.wirelab.netstack.node.Node;
import dev.wirelab.netstack.wire.DnsMessage;
import dev.wirelab.netstack.wire.DnsQuestion;
import dev.wirelab.netstack.wire.DnsRecord;
import dev.wirelab.netstack.wire.Ipv4Address;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * An authoritative-only name server (node kind {@code dns}, {@code role: authoritative}): answers
 * from its zones with AA set, refers to child zones with AA clear (NS in authority, glue in
 * additional), and answers NXDOMAIN and NODATA with the zone's SOA in authority (RFC 2308
 * section 3). It does not recurse (RA clear) and refuses names outside its zones.
 */
public final class AuthoritativeServer extends DnsServer {

    private final List<Zone> zones;

    private AuthoritativeServer(Node node, List<Zone> zones) {
        super(node);
        this.zones = List.copyOf(zones);
    }

    public static AuthoritativeServer install(Node node, List<Zone> zones) {
        AuthoritativeServer s = node.service(AuthoritativeServer.class, n -> new AuthoritativeServer(n, zones));
        s.register();
        return s;
    }

    public List<Zone> zones() {
        return zones;
    }

    @Override
    protected String role() {
        return "authoritative";
    }

    /** The zone that holds {@code q}: the one with the longest origin above the name. */
    public Zone zoneFor(DnsQuestion q) {
        Zone best = null;
        for (Zone z : zones) {
            if (q.name().isSubdomainOf(z.origin()) && (best == null || z.origin().labelCount() > best.origin().labelCount())) {
                best = z;
            }
        }
        return best;
    }

    @Override
    protected CompletableFuture<DnsMessage> answer(DnsMessage query, Ipv4Address from) {
        DnsQuestion q = query.question();
        Zone zone = zoneFor(q);
        if (zone == null) {
            node.event(LAYER, "refused", "name", q.name().toString(), "reason", "not in any zone of this server");
            return done(query.response(0, DnsMessage.REFUSED, List.of(), List.of(), List.of()));
        }
        Zone.Result r = zone.lookup(q.name(), q.type());
        DnsMessage out = switch (r) {
            case Zone.Answer a -> query.response(DnsMessage.FLAG_AA, DnsMessage.NOERROR, a.answers(), List.of(), a.additional());
            case Zone.Referral ref -> {
                node.event(LAYER, "referral_sent", "name", q.name().toString(), "zone", zone.origin().toString(),
                        "cut", ref.cut().toString(), "ns", ref.ns().size(), "glue", ref.glue().size());
                // RFC 1034 section 4.3.2 step 3.b: "copy the NS RRs for the subzone into the authority
                // section of the reply ... put whatever addresses are available into the additional section".
                yield query.response(0, DnsMessage.NOERROR, List.of(), ref.ns(), ref.glue());
            }
            case Zone.NxDomain nx -> query.response(DnsMessage.FLAG_AA, DnsMessage.NXDOMAIN, nx.chain(), List.of(nx.soa()), List.of());
            case Zone.NoData nd -> query.response(DnsMessage.FLAG_AA, DnsMessage.NOERROR, nd.chain(), List.of(nd.soa()), List.of());
        };
        return done(out);
    }

    private static CompletableFuture<DnsMessage> done(DnsMessage m) {
        return CompletableFuture.completedFuture(m);
    }

    /** Every record of every zone, for views. */
    public List<DnsRecord> records() {
        List<DnsRecord> l = new ArrayList<>();
        zones.forEach(z -> l.addAll(z.records()));
        return l;
    }
}
