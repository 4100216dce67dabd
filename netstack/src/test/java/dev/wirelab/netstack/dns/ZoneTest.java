package dev.wirelab.netstack.dns;

import dev.wirelab.netstack.wire.DnsName;
import dev.wirelab.netstack.wire.DnsRdata;
import dev.wirelab.netstack.wire.DnsRecord;
import dev.wirelab.netstack.wire.Ipv4Address;
import org.junit.jupiter.api.Test;

import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Master-file parsing (RFC 1035 section 5) and the authoritative lookup (RFC 1034 section 4.3.2, RFC 2308). */
class ZoneTest {

    static final DnsName EXAMPLE = DnsName.parse("example.com");

    static final String EXAMPLE_ZONE = """
            $TTL 1h
            ; the zone of the journey
            @       IN SOA ns1 hostmaster (
                            2026112101 ; serial
                            2h 15m 2w
                            300 )      ; negative TTL
                    NS   ns1
                    MX   10 mail
                    TXT  "v=spf1 -all" "second \\"quoted\\" string"
            ns1     A    10.0.0.30
            mail 60 IN A 10.0.0.25
            www     A    10.0.0.80
                    AAAA 2001:db8::80
            web     CNAME www
            alias   CNAME www.example.net.
            loop1   CNAME loop2
            loop2   CNAME loop1
            a.b.c   A    10.0.0.99
            sub     NS   ns.sub
            ns.sub  A    10.0.0.40
            $ORIGIN other.example.com.
            x       A    10.0.0.41
            """;

    static Zone zone() {
        return Zone.parse(EXAMPLE, EXAMPLE_ZONE);
    }

    static DnsName n(String s) {
        return DnsName.parse(s);
    }

    @Test
    void masterFileSyntax() {
        Zone z = zone();
        DnsRdata.Soa soa = (DnsRdata.Soa) z.soa().rdata();
        assertThat(soa).isEqualTo(new DnsRdata.Soa(n("ns1.example.com"), n("hostmaster.example.com"), 2026112101L,
                7200, 900, 1209600, 300));
        assertThat(z.soa().ttl()).isEqualTo(3600);
        assertThat(z.rrset(n("mail.example.com"), DnsRecord.A)).singleElement()
                .satisfies(r -> assertThat(r.ttl()).isEqualTo(60));
        // A blank owner is the previous one: the AAAA belongs to www.
        assertThat(z.rrset(n("www.example.com"), DnsRecord.AAAA)).singleElement().satisfies(r ->
                assertThat(((DnsRdata.Aaaa) r.rdata()).address()).isEqualTo(HexFormat.of().parseHex("20010db8000000000000000000000080")));
        assertThat(z.rrset(EXAMPLE, DnsRecord.TXT)).singleElement().satisfies(r ->
                assertThat(((DnsRdata.Txt) r.rdata()).strings()).containsExactly("v=spf1 -all", "second \"quoted\" string"));
        assertThat(z.rrset(n("x.other.example.com"), DnsRecord.A)).hasSize(1);
        assertThat(z.negativeSoa().ttl()).isEqualTo(300); // RFC 2308 section 3: min(SOA TTL, MINIMUM)
    }

    @Test
    void answersFollowCnamesInsideTheZoneAndAddAdditionalAddresses() {
        Zone z = zone();
        Zone.Answer www = (Zone.Answer) z.lookup(n("www.example.com"), DnsRecord.A);
        assertThat(www.answers()).extracting(r -> r.rdata().presentation()).containsExactly("10.0.0.80");
        Zone.Answer web = (Zone.Answer) z.lookup(n("web.example.com"), DnsRecord.A);
        assertThat(web.answers()).extracting(DnsRecord::toString).containsExactly(
                "web.example.com.\t3600\tIN\tCNAME\twww.example.com.", "www.example.com.\t3600\tIN\tA\t10.0.0.80");
        // A CNAME leaving the zone: the resolver goes on from there.
        Zone.Answer alias = (Zone.Answer) z.lookup(n("alias.example.com"), DnsRecord.A);
        assertThat(alias.answers()).singleElement().extracting(DnsRecord::type).isEqualTo(DnsRecord.CNAME);
        // Asking for the CNAME itself does not follow it.
        assertThat(((Zone.Answer) z.lookup(n("web.example.com"), DnsRecord.CNAME)).answers()).hasSize(1);
        // A CNAME loop stops rather than spinning.
        assertThat(z.lookup(n("loop1.example.com"), DnsRecord.A)).isInstanceOf(Zone.Answer.class);
        Zone.Answer mx = (Zone.Answer) z.lookup(EXAMPLE, DnsRecord.MX);
        assertThat(mx.additional()).extracting(r -> r.name().toString()).containsExactly("mail.example.com.");
    }

    @Test
    void negativeAnswersCarryTheSoa() {
        Zone z = zone();
        Zone.NxDomain nx = (Zone.NxDomain) z.lookup(n("nope.example.com"), DnsRecord.A);
        assertThat(nx.soa().type()).isEqualTo(DnsRecord.SOA);
        assertThat(nx.soa().ttl()).isEqualTo(300);
        Zone.NoData nodata = (Zone.NoData) z.lookup(n("mail.example.com"), DnsRecord.AAAA);
        assertThat(nodata.chain()).isEmpty();
        // An empty non-terminal exists (it has a descendant): NODATA, not NXDOMAIN (RFC 8020).
        assertThat(z.lookup(n("b.c.example.com"), DnsRecord.A)).isInstanceOf(Zone.NoData.class);
        // NXDOMAIN after a CNAME: the chain is kept.
        Zone withDangling = Zone.parse(EXAMPLE, "$TTL 60\n@ SOA ns1 h 1 2 3 4 5\n@ NS ns1\nns1 A 10.0.0.1\nd CNAME gone\n");
        Zone.NxDomain dangling = (Zone.NxDomain) withDangling.lookup(n("d.example.com"), DnsRecord.A);
        assertThat(dangling.chain()).hasSize(1);
    }

    @Test
    void aDelegationIsAReferralWithGlue() {
        Zone z = zone();
        Zone.Referral r = (Zone.Referral) z.lookup(n("www.sub.example.com"), DnsRecord.A);
        assertThat(r.cut()).isEqualTo(n("sub.example.com"));
        assertThat(r.ns()).extracting(x -> x.rdata().presentation()).containsExactly("ns.sub.example.com.");
        assertThat(r.glue()).extracting(x -> x.rdata().presentation()).containsExactly("10.0.0.40");
        // The parent is not authoritative for the child's apex either.
        assertThat(z.lookup(n("sub.example.com"), DnsRecord.NS)).isInstanceOf(Zone.Referral.class);
        Zone root = Zone.parse(DnsName.ROOT, """
                $TTL 86400
                @ SOA a.root-servers.net. nstld.verisign-grs.com. 1 1800 900 604800 86400
                @ NS a.root-servers.net.
                a.root-servers.net. A 10.0.0.10
                com. NS a.gtld-servers.net.
                a.gtld-servers.net. A 10.0.0.20
                """);
        Zone.Referral toCom = (Zone.Referral) root.lookup(n("www.example.com"), DnsRecord.A);
        assertThat(toCom.cut()).isEqualTo(n("com"));
        assertThat(toCom.glue()).extracting(x -> ((DnsRdata.A) x.rdata()).address())
                .containsExactly(Ipv4Address.parse("10.0.0.20"));
    }

    @Test
    void badZonesAreRejectedWithTheLine() {
        assertThatThrownBy(() -> Zone.parse(EXAMPLE, "$TTL 60\n@ SOA ns1 h 1 2 3 4 5\n@ NS ns1\nwww AAA 10.0.0.1\n"))
                .hasMessage("line 4: unknown record type 'AAA' (known: A, AAAA, CNAME, MX, NS, PTR, SOA, TXT)");
        assertThatThrownBy(() -> Zone.parse(EXAMPLE, "$TTL 60\n@ NS ns1\n"))
                .hasMessage("zone example.com. has no SOA record at its origin");
        assertThatThrownBy(() -> Zone.parse(EXAMPLE, "$TTL 60\n@ SOA ns1 h 1 2 3 4 5\n"))
                .hasMessage("zone example.com. has no NS records at its origin");
        assertThatThrownBy(() -> Zone.parse(EXAMPLE, "$TTL 60\n@ SOA ns1 h 1 2 3 4 5\n@ NS ns1\nwww.other.org. A 1.2.3.4\n"))
                .hasMessage("record www.other.org. A is outside the zone example.com.");
        assertThatThrownBy(() -> Zone.parse(EXAMPLE, "$TTL 60\n@ SOA ns1 h 1 2 3 4 5\n@ NS ns1\nw CNAME x\nw A 1.2.3.4\n"))
                .hasMessage("w.example.com. has a CNAME and other records (RFC 1034 section 3.6.2)");
        assertThatThrownBy(() -> Zone.parse(EXAMPLE, "$TTL 60\n@ SOA ns1 h 1 2 3 4 5\n@ NS ns1\nsub NS ns.sub\nwww.sub MX 1 m\n"))
                .hasMessage("www.sub.example.com. MX is below the delegation to sub.example.com. (only glue A/AAAA records may be)");
        assertThatThrownBy(() -> Zone.parse(EXAMPLE, "@ SOA ns1 h 1 2 3 4 5\n"))
                .hasMessage("line 1: no TTL on the record and no $TTL before it");
        assertThatThrownBy(() -> Zone.parse(EXAMPLE, "$TTL 60\n@ SOA ns1 h ( 1 2 3\n"))
                .hasMessage("line 2: '(' is never closed");
        assertThatThrownBy(() -> Zone.parse(EXAMPLE, "$TTL 60\nwww A 10.0.0.256\n"))
                .hasMessageStartingWith("line 2: A record: not an IPv4 address");
        assertThatThrownBy(() -> Zone.parse(EXAMPLE, "$TTL 60\nwww MX mail\n"))
                .hasMessage("line 2: MX record needs a preference and a mail exchange name, got 1 field");
        assertThatThrownBy(() -> Zone.parse(EXAMPLE, "$TTL 60\nwww AAAA 2001:db8::1::2\n"))
                .hasMessageContaining("more than one '::'");
        assertThatThrownBy(() -> Zone.parse(EXAMPLE, "$TTL 60\n" + "a".repeat(64) + " A 1.2.3.4\n"))
                .hasMessageContaining("line 2: bad name").hasMessageContaining("63");
        assertThatThrownBy(() -> Zone.parse(EXAMPLE, "$INCLUDE other\n"))
                .hasMessage("line 1: unsupported directive $INCLUDE (only $ORIGIN and $TTL)");
    }
}
