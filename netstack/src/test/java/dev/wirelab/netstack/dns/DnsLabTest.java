package dev.wirelab.netstack.dns;

import dev.wirelab.netstack.lab.ExecResult;
import dev.wirelab.netstack.lab.Lab;
import dev.wirelab.netstack.lab.topology.Topologies;
import dev.wirelab.netstack.node.Node;
import dev.wirelab.netstack.testkit.Captures;
import dev.wirelab.netstack.testkit.Tshark;
import dev.wirelab.netstack.trace.CapturedFrame;
import dev.wirelab.netstack.trace.TraceEvent;
import dev.wirelab.netstack.udp.UdpSocket;
import dev.wirelab.netstack.wire.DnsMessage;
import dev.wirelab.netstack.wire.DnsQuestion;
import dev.wirelab.netstack.wire.DnsRdata;
import dev.wirelab.netstack.wire.DnsRecord;
import dev.wirelab.netstack.wire.EthernetFrame;
import dev.wirelab.netstack.wire.Ipv4Address;
import dev.wirelab.netstack.wire.Ipv4Packet;
import dev.wirelab.netstack.wire.UdpDatagram;
import dev.wirelab.netstack.wire.WireFormatException;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * DNS end to end in virtual time: authoritative answers, referrals, NXDOMAIN and NODATA; the
 * recursive resolver's walk root -> com. -> example.com. in the trace, its cache and negative cache,
 * CNAMEs, a glue-less delegation, a dead server, response validation, FORMERR; dig, nslookup and
 * host output; tshark's decode compared with ours.
 * <pre>
 *   pc1 .10 --[lan 192.168.1.0/24]-- .1 r1 .1 --[dc 10.0.0.0/24]-- resolver .53, root .10, tld .20,
 *                                                                  example .30, liar .99
 * </pre>
 */
class DnsLabTest {

    static final String LAB = """
            name: dns-test
            segments: [lan, dc]
            nodes:
              pc1: { kind: host, interfaces: { eth0: { segment: lan, address: 192.168.1.10/24 } },
                     routes: [ { to: default, via: 192.168.1.1 } ], resolver: { nameservers: [10.0.0.53] } }
              r1: { kind: router, interfaces: { eth0: { segment: lan, address: 192.168.1.1/24 },
                                                eth1: { segment: dc, address: 10.0.0.1/24 } } }
              resolver:
                kind: dns
                role: recursive
                interfaces: { eth0: { segment: dc, address: 10.0.0.53/24 } }
                routes: [ { to: default, via: 10.0.0.1 } ]
                root_hints: [ { name: a.root-servers.net, address: 10.0.0.10 } ]
              root:
                kind: dns
                role: authoritative
                interfaces: { eth0: { segment: dc, address: 10.0.0.10/24 } }
                routes: [ { to: default, via: 10.0.0.1 } ]
                zones:
                  ".": |
                    $TTL 86400
                    @ SOA a.root-servers.net. nstld.verisign-grs.com. 2026112100 1800 900 604800 86400
                    @ NS a.root-servers.net.
                    a.root-servers.net. A 10.0.0.10
                    com. 172800 NS a.gtld-servers.net.
                    org. 172800 NS a.gtld-servers.net.
                    a.gtld-servers.net. 172800 A 10.0.0.20
              tld:
                kind: dns
                role: authoritative
                interfaces: { eth0: { segment: dc, address: 10.0.0.20/24 } }
                routes: [ { to: default, via: 10.0.0.1 } ]
                zones:
                  com: |
                    $TTL 172800
                    @ SOA a.gtld-servers.net. nstld.verisign-grs.com. 1 1800 900 604800 86400
                    @ NS a.gtld-servers.net.
                    example NS ns1.example.com.
                    ns1.example.com. A 10.0.0.30
                  org: |
                    $TTL 172800
                    @ SOA a.gtld-servers.net. nstld.verisign-grs.com. 1 1800 900 604800 86400
                    @ NS a.gtld-servers.net.
                    example NS ns1.example.com.
              example:
                kind: dns
                role: authoritative
                interfaces: { eth0: { segment: dc, address: 10.0.0.30/24 } }
                routes: [ { to: default, via: 10.0.0.1 } ]
                zones:
                  example.com: |
                    $TTL 3600
                    @     SOA  ns1 hostmaster 2026112101 7200 900 1209600 300
                    @     NS   ns1
                    @     MX   10 mail
                    ns1   A    10.0.0.30
                    mail  A    10.0.0.25
                    www   A    10.0.0.80
                    web   CNAME www
                    many  A 10.1.0.1
                          A 10.1.0.2
                          A 10.1.0.3
                          A 10.1.0.4
                          A 10.1.0.5
                          A 10.1.0.6
                          A 10.1.0.7
                          A 10.1.0.8
                          A 10.1.0.9
                          A 10.1.0.10
                          A 10.1.0.11
                          A 10.1.0.12
                          A 10.1.0.13
                          A 10.1.0.14
                          A 10.1.0.15
                          A 10.1.0.16
                          A 10.1.0.17
                          A 10.1.0.18
                          A 10.1.0.19
                          A 10.1.0.20
                          A 10.1.0.21
                          A 10.1.0.22
                          A 10.1.0.23
                          A 10.1.0.24
                          A 10.1.0.25
                          A 10.1.0.26
                          A 10.1.0.27
                          A 10.1.0.28
                          A 10.1.0.29
                          A 10.1.0.30
                  example.org: |
                    $TTL 3600
                    @     SOA  ns1.example.com. hostmaster.example.com. 1 7200 900 1209600 300
                    @     NS   ns1.example.com.
                    www   A    10.0.0.81
              liar: { kind: host, interfaces: { eth0: { segment: dc, address: 10.0.0.99/24 } },
                      routes: [ { to: default, via: 10.0.0.1 } ] }
            links: { lan: { delay: 1ms }, dc: { delay: 2ms } }
            seed: 5
            """;

    static Lab lab(String yaml) {
        Lab lab = Lab.build(Topologies.parseYaml(yaml), Lab.Options.virtual());
        lab.start();
        return lab;
    }

    static List<TraceEvent> dns(Lab lab, String node, String kind) {
        return lab.trace().events(e -> e.node().equals(node) && e.layer().equals("dns") && e.kind().equals(kind));
    }

    static ExecResult ok(Lab lab, String node, String command) {
        ExecResult r = lab.run(node, command, Duration.ofSeconds(30));
        assertThat(r.exitCode()).as(command + "\n" + r.text()).isZero();
        return r;
    }

    @Test
    void authoritativeAnswersReferralsNegativesAndTruncation() {
        try (Lab lab = lab(LAB)) {
            ExecResult a = ok(lab, "pc1", "dig @10.0.0.30 www.example.com");
            assertThat(a.output()).contains(";; flags: qr aa rd; QUERY: 1, ANSWER: 1, AUTHORITY: 0, ADDITIONAL: 0",
                    ";; WARNING: recursion requested but not available", ";www.example.com.\t\tIN\tA",
                    "www.example.com.\t3600\tIN\tA\t10.0.0.80", ";; SERVER: 10.0.0.30#53(10.0.0.30) (UDP)");
            assertThat(a.output()).anyMatch(l -> l.matches(";; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: \\d+"));

            // RFC 1034 section 4.3.2 step 3.b: a referral has AA clear, NS in authority and glue in additional.
            ExecResult referral = ok(lab, "pc1", "dig @10.0.0.10 +norecurse www.example.com");
            assertThat(referral.output()).contains(";; flags: qr; QUERY: 1, ANSWER: 0, AUTHORITY: 1, ADDITIONAL: 1",
                    "com.\t\t\t172800\tIN\tNS\ta.gtld-servers.net.", "a.gtld-servers.net.\t172800\tIN\tA\t10.0.0.20");

            // RFC 2308: NXDOMAIN and NODATA with the SOA, TTL min(SOA TTL, MINIMUM) = 300.
            ExecResult nx = lab.run("pc1", "dig @10.0.0.30 nope.example.com");
            assertThat(nx.output()).anyMatch(l -> l.contains("status: NXDOMAIN"));
            assertThat(nx.output()).contains(";; flags: qr aa rd; QUERY: 1, ANSWER: 0, AUTHORITY: 1, ADDITIONAL: 0",
                    "example.com.\t\t300\tIN\tSOA\tns1.example.com. hostmaster.example.com. 2026112101 7200 900 1209600 300");
            ExecResult nodata = lab.run("pc1", "dig @10.0.0.30 -t AAAA mail.example.com");
            assertThat(nodata.output()).anyMatch(l -> l.contains("status: NOERROR"));
            assertThat(nodata.output()).contains(";; flags: qr aa rd; QUERY: 1, ANSWER: 0, AUTHORITY: 1, ADDITIONAL: 0");

            assertThat(lab.run("pc1", "dig @10.0.0.30 www.example.net").output()).anyMatch(l -> l.contains("status: REFUSED"));
            // MX answers bring the exchange's address (RFC 1034 section 4.3.2 step 6).
            assertThat(lab.run("pc1", "dig @10.0.0.30 example.com MX").output())
                    .contains("mail.example.com.\t3600\tIN\tA\t10.0.0.25");

            // 30 A records do not fit in 512 bytes: TC, and the RRset is left out whole (RFC 2181 section 9).
            ExecResult big = lab.run("pc1", "dig +ignore @10.0.0.30 many.example.com");
            assertThat(big.output()).contains(";; flags: qr aa tc rd; QUERY: 1, ANSWER: 0, AUTHORITY: 0, ADDITIONAL: 0");
            assertThat(big.output()).anyMatch(l -> l.matches(";; MSG SIZE  rcvd: \\d+") && Integer.parseInt(l.substring(18).strip()) <= 512);
            // Without +ignore dig asks again over TCP (RFC 7766 section 5) and gets all 30.
            ExecResult overTcp = ok(lab, "pc1", "dig @10.0.0.30 many.example.com");
            assertThat(overTcp.output()).containsSubsequence(";; Truncated, retrying in TCP mode.",
                    ";; flags: qr aa rd; QUERY: 1, ANSWER: 30, AUTHORITY: 0, ADDITIONAL: 0",
                    ";; SERVER: 10.0.0.30#53(10.0.0.30) (TCP)");
            assertThat(dns(lab, "example", "tcp_accepted")).hasSize(1);
        }
    }

    @Test
    void theResolverFallsBackToTcpForATruncatedAnswer() throws Exception {
        Path capture;
        try (Lab lab = lab(LAB)) {
            ExecResult r = ok(lab, "pc1", "dig many.example.com");
            // The resolver got TC from example.com.'s server and asked again over TCP; its own answer to
            // dig is too big for UDP as well, so dig asked the resolver over TCP.
            assertThat(dns(lab, "resolver", "truncated")).singleElement()
                    .satisfies(e -> assertThat(e.detail().get("retry")).isEqualTo("tcp"));
            assertThat(lab.trace().events(e -> e.node().equals("resolver") && e.kind().equals("response_received")
                    && "tcp".equals(e.detail().get("transport")))).singleElement()
                    .satisfies(e -> assertThat(e.detail().get("answers")).isEqualTo(30));
            assertThat(r.output()).containsSubsequence(";; Truncated, retrying in TCP mode.",
                    ";; flags: qr rd ra; QUERY: 1, ANSWER: 30, AUTHORITY: 0, ADDITIONAL: 0",
                    ";; SERVER: 10.0.0.53#53(10.0.0.53) (TCP)");
            // getaddrinfo falls back to TCP too.
            Node pc1 = lab.node("pc1");
            CompletableFuture<List<Ipv4Address>>[] f = new CompletableFuture[1];
            pc1.loop().execute(() -> f[0] = StubResolver.of(pc1).getaddrinfo("many.example.com"));
            lab.advance(Duration.ofSeconds(1));
            assertThat(f[0].join()).hasSize(30).contains(Ipv4Address.parse("10.1.0.30"));
            capture = Captures.save(lab, "dns-tcp-fallback");
        }
        assumeTrue(Tshark.available(), "tshark not installed");
        assertThat(Tshark.judge(capture).problems()).isEmpty();
        List<Map<String, String>> rows = Tshark.fields(capture, false, "tcp && dns && dns.flags.response == 1",
                "ip.src", "dns.count.answers", "dns.flags.truncated");
        assertThat(rows).isNotEmpty().allSatisfy(row -> {
            assertThat(row.get("dns.count.answers")).isEqualTo("30");
            assertThat(row.get("dns.flags.truncated")).isIn("0", "False");
        });
        assertThat(rows).extracting(row -> row.get("ip.src")).contains("10.0.0.30", "10.0.0.53");
    }

    @Test
    void theResolverWalksRootComExampleInOrderAndAnswersTheSecondTimeFromItsCache() throws Exception {
        Path capture;
        List<String> ours = new ArrayList<>();
        try (Lab lab = lab(LAB)) {
            ExecResult first = ok(lab, "pc1", "dig www.example.com");
            assertThat(first.output()).contains(";; flags: qr rd ra; QUERY: 1, ANSWER: 1, AUTHORITY: 0, ADDITIONAL: 0",
                    "www.example.com.\t3600\tIN\tA\t10.0.0.80", ";; SERVER: 10.0.0.53#53(10.0.0.53) (UDP)");
            // The walk: root (referral to com.), com. (referral to example.com.), example.com. (the answer).
            List<TraceEvent> iterative = lab.trace().events(e -> e.node().equals("resolver") && e.kind().equals("query_sent")
                    && "iterative".equals(e.detail().get("purpose")));
            assertThat(iterative).extracting(e -> e.detail().get("server")).containsExactly("10.0.0.10", "10.0.0.20", "10.0.0.30");
            assertThat(iterative).allSatisfy(e -> assertThat(e.detail().get("rd")).isEqualTo(false));
            List<TraceEvent> referrals = dns(lab, "resolver", "referral");
            assertThat(referrals).extracting(e -> e.detail().get("from_zone") + " -> " + e.detail().get("to_zone"))
                    .containsExactly(". -> com.", "com. -> example.com.");
            List<String> order = new ArrayList<>();
            for (TraceEvent e : lab.trace().events(e -> e.node().equals("resolver") && e.layer().equals("dns"))) {
                order.add(e.kind());
            }
            assertThat(order).containsSubsequence("query_received", "cache_miss", "query_sent", "referral", "query_sent",
                    "referral", "query_sent", "response_received", "resolve_done", "response_sent");

            // The second time: a cache hit with the TTL counting down, and no query leaves the resolver.
            lab.advance(Duration.ofSeconds(10));
            int queriesBefore = dns(lab, "resolver", "query_sent").size();
            ExecResult second = ok(lab, "pc1", "dig www.example.com");
            assertThat(second.output()).anyMatch(l -> l.matches("www\\.example\\.com\\.\t35[89]\\d\tIN\tA\t10\\.0\\.0\\.80"));
            assertThat(dns(lab, "resolver", "query_sent")).hasSize(queriesBefore);
            assertThat(dns(lab, "resolver", "cache_hit")).last()
                    .satisfies(e -> assertThat(e.detail().get("name")).isEqualTo("www.example.com."));

            // The stub resolver (getaddrinfo) of pc1: a miss, then its own cache.
            Node pc1 = lab.node("pc1");
            CompletableFuture<List<Ipv4Address>>[] f = new CompletableFuture[1];
            pc1.loop().execute(() -> f[0] = StubResolver.of(pc1).getaddrinfo("web.example.com"));
            lab.advance(Duration.ofSeconds(1));
            assertThat(f[0].join()).containsExactly(Ipv4Address.parse("10.0.0.80"));
            pc1.loop().execute(() -> f[0] = StubResolver.of(pc1).getaddrinfo("web.example.com"));
            lab.advance(Duration.ofMillis(1));
            assertThat(f[0].join()).containsExactly(Ipv4Address.parse("10.0.0.80"));
            assertThat(lab.trace().events(e -> e.node().equals("pc1") && e.layer().equals("dns")
                    && e.kind().startsWith("cache_"))).extracting(TraceEvent::kind).containsExactly("cache_miss", "cache_hit");
            capture = Captures.save(lab, "dns-recursive");
            for (CapturedFrame fr : lab.trace().frames()) {
                DnsMessage m = dnsOf(fr.bytes());
                if (m != null) {
                    List<String> a = new ArrayList<>();
                    // tshark's dns.a lists the A records of every section (glue too); rcode only for responses.
                    List<DnsRecord> all = new ArrayList<>(m.answers());
                    all.addAll(m.authority());
                    all.addAll(m.additional());
                    for (DnsRecord r : all) {
                        if (r.rdata() instanceof DnsRdata.A x) {
                            a.add(x.address().toString());
                        }
                    }
                    String qname = m.question().name().toString();
                    ours.add(String.format("%04x", m.id()) + " "
                            + (qname.equals(".") ? "<Root>" : qname.substring(0, qname.length() - 1)) + " "
                            + String.join(",", a) + " " + (m.isResponse() ? m.rcode() : "") + " " + m.answers().size());
                }
            }
        }
        assumeTrue(Tshark.available(), "tshark not installed");
        assertThat(Tshark.judge(capture).problems()).as("tshark on " + capture).isEmpty();
        List<Map<String, String>> rows = Tshark.fields(capture, false, "dns", "dns.id", "dns.qry.name", "dns.a",
                "dns.flags.rcode", "dns.count.answers");
        assertThat(rows).anySatisfy(r -> {
            assertThat(r.get("dns.qry.name")).isEqualTo("www.example.com");
            assertThat(r.get("dns.a")).isEqualTo("10.0.0.80");
        });
        // Frame by frame, tshark's names and addresses are the ones our decoder reads.
        List<String> theirs = rows.stream().map(r -> r.get("dns.id").replaceFirst("^0x", "") + " " + r.get("dns.qry.name")
                + " " + r.get("dns.a") + " " + r.get("dns.flags.rcode") + " " + r.get("dns.count.answers")).toList();
        assertThat(ours).isNotEmpty();
        assertThat(theirs).containsExactlyElementsOf(ours);
    }

    /** The DNS message of an Ethernet frame carrying UDP port 53, or null. */
    static DnsMessage dnsOf(byte[] frame) {
        try {
            EthernetFrame e = EthernetFrame.parse(frame);
            if (e.etherType() != EthernetFrame.ETHERTYPE_IPV4) {
                return null;
            }
            byte[] p = e.payload();
            Ipv4Packet ip = Ipv4Packet.parse(p, 0, p.length);
            if (ip.protocol() != Ipv4Packet.PROTOCOL_UDP) {
                return null;
            }
            UdpDatagram u = UdpDatagram.parse(ip.payload(), 0, ip.payload().length, ip.source(), ip.destination());
            if (u.sourcePort() != 53 && u.destinationPort() != 53) {
                return null;
            }
            return DnsMessage.parse(u.payload(), 0, u.payload().length);
        } catch (WireFormatException e) {
            return null;
        }
    }

    @Test
    void negativeAnswersAreCachedForTheSoaMinimum() {
        try (Lab lab = lab(LAB)) {
            assertThat(lab.run("pc1", "dig nope.example.com").output()).anyMatch(l -> l.contains("status: NXDOMAIN"));
            int queries = dns(lab, "resolver", "query_sent").size();
            lab.advance(Duration.ofSeconds(100));
            ExecResult again = lab.run("pc1", "dig nope.example.com");
            assertThat(again.output()).anyMatch(l -> l.contains("status: NXDOMAIN"));
            // The SOA comes from the negative cache, its TTL counting down from 300.
            assertThat(again.output()).anyMatch(l -> l.matches("example\\.com\\.\t\t(19\\d|200)\tIN\tSOA\t.*"));
            assertThat(dns(lab, "resolver", "query_sent")).hasSize(queries);
            assertThat(dns(lab, "resolver", "cache_hit")).last()
                    .satisfies(e -> assertThat(e.detail().get("negative")).isEqualTo("NXDOMAIN"));
            // NODATA is cached per type.
            lab.run("pc1", "dig -t AAAA www.example.com");
            int q2 = dns(lab, "resolver", "query_sent").size();
            lab.run("pc1", "dig -t AAAA www.example.com");
            assertThat(dns(lab, "resolver", "query_sent")).hasSize(q2);
            assertThat(dns(lab, "resolver", "cache_hit")).last()
                    .satisfies(e -> assertThat(e.detail().get("negative")).isEqualTo("NOERROR (NODATA)"));
            // After the negative TTL the resolver asks again.
            lab.advance(Duration.ofSeconds(301));
            lab.run("pc1", "dig nope.example.com");
            assertThat(dns(lab, "resolver", "query_sent").size()).isGreaterThan(q2);
        }
    }

    @Test
    void cnamesAndAGluelessDelegationAreFollowed() {
        try (Lab lab = lab(LAB)) {
            // org.'s delegation of example.org names ns1.example.com. without glue: the resolver resolves
            // that name first (from the root again), then goes on.
            ExecResult org = ok(lab, "pc1", "dig +short www.example.org");
            assertThat(org.output()).containsExactly("10.0.0.81");
            assertThat(dns(lab, "resolver", "glueless_delegation")).singleElement().satisfies(e -> {
                assertThat(e.detail().get("name")).isEqualTo("www.example.org.");
                assertThat(e.detail().get("resolving")).isEqualTo("ns1.example.com.");
            });
            assertThat(dns(lab, "resolver", "resolve_done")).extracting(e -> e.detail().get("name") + " " + e.detail().get("depth"))
                    .containsExactly("ns1.example.com. 1", "www.example.org. 0");
            ExecResult web = ok(lab, "pc1", "host web.example.com");
            assertThat(web.output()).containsSubsequence("web.example.com is an alias for www.example.com.",
                    "www.example.com has address 10.0.0.80");
            ExecResult ns = ok(lab, "pc1", "nslookup www.example.com");
            assertThat(ns.output()).containsExactly("Server:\t\t10.0.0.53", "Address:\t10.0.0.53#53", "",
                    "Non-authoritative answer:", "Name:\twww.example.com", "Address: 10.0.0.80", "");
            ExecResult nsx = lab.run("pc1", "nslookup nope.example.com");
            assertThat(nsx.exitCode()).isEqualTo(1);
            assertThat(nsx.output()).contains("** server can't find nope.example.com: NXDOMAIN");
            ExecResult hostx = lab.run("pc1", "host nope.example.com");
            assertThat(hostx.output()).containsExactly("Host nope.example.com not found: 3(NXDOMAIN)");
            assertThat(ok(lab, "pc1", "host -t MX example.com").output())
                    .containsExactly("example.com mail is handled by 10 mail.example.com.");
        }
    }

    @Test
    void digTraceWalksTheTreeItself() {
        try (Lab lab = lab(LAB)) {
            ExecResult t = ok(lab, "pc1", "dig +trace www.example.com");
            List<String> lines = t.output().stream().filter(l -> !l.isEmpty() && !l.startsWith("; <<>>")
                    && !l.startsWith(";; global")).toList();
            assertThat(lines).hasSize(8);
            assertThat(lines.get(0)).isEqualTo(".\t\t\t86400\tIN\tNS\ta.root-servers.net.");
            assertThat(lines.get(1)).matches(";; Received \\d+ bytes from 10\\.0\\.0\\.53#53\\(10\\.0\\.0\\.53\\) in \\d+ ms");
            assertThat(lines.get(2)).isEqualTo("com.\t\t\t172800\tIN\tNS\ta.gtld-servers.net.");
            assertThat(lines.get(3)).matches(";; Received \\d+ bytes from 10\\.0\\.0\\.10#53\\(a\\.root-servers\\.net\\) in \\d+ ms");
            assertThat(lines.get(4)).isEqualTo("example.com.\t\t172800\tIN\tNS\tns1.example.com.");
            assertThat(lines.get(5)).matches(";; Received \\d+ bytes from 10\\.0\\.0\\.20#53\\(a\\.gtld-servers\\.net\\) in \\d+ ms");
            assertThat(lines.get(6)).isEqualTo("www.example.com.\t3600\tIN\tA\t10.0.0.80");
            assertThat(lines.get(7)).matches(";; Received \\d+ bytes from 10\\.0\\.0\\.30#53\\(ns1\\.example\\.com\\) in \\d+ ms");
            // dig itself sent the non-recursive queries, from pc1.
            assertThat(lab.trace().events(e -> e.node().equals("pc1") && e.kind().equals("query_sent")
                    && Boolean.FALSE.equals(e.detail().get("rd")))).extracting(e -> e.detail().get("server"))
                    .containsExactly("10.0.0.10", "10.0.0.20", "10.0.0.30");
        }
    }

    @Test
    void aDeadServerIsSkippedAfterItsTimeout() {
        String yaml = LAB.replace("root_hints: [ { name: a.root-servers.net, address: 10.0.0.10 } ]",
                "root_hints: [ { name: b.root-servers.net, address: 10.0.0.11 }, { name: a.root-servers.net, address: 10.0.0.10 } ]");
        try (Lab lab = lab(yaml)) {
            ExecResult r = ok(lab, "pc1", "dig www.example.com");
            assertThat(r.output()).contains("www.example.com.\t3600\tIN\tA\t10.0.0.80");
            assertThat(r.output()).anyMatch(l -> l.matches(";; Query time: 20\\d\\d msec"));
            assertThat(dns(lab, "resolver", "query_timeout")).singleElement()
                    .satisfies(e -> assertThat(e.detail().get("server")).isEqualTo("10.0.0.11"));
            assertThat(dns(lab, "resolver", "server_failed")).singleElement()
                    .satisfies(e -> assertThat(e.detail().get("next")).isEqualTo("10.0.0.10"));
        }
    }

    @Test
    void responsesFromTheWrongSourceWithTheWrongIdOrQuestionAreIgnored() {
        try (Lab lab = lab(LAB)) {
            Node liar = lab.node("liar");
            liar.loop().execute(() -> {
                UdpSocket s = liar.udp().open(Ipv4Address.ANY, 53);
                UdpSocket other = liar.udp().open(Ipv4Address.ANY, 5353);
                s.onReceive(u -> {
                    DnsMessage q = DnsMessage.parse(u.payload(), 0, u.payload().length);
                    DnsMessage good = q.response(DnsMessage.FLAG_AA, 0, List.of(DnsRecord.in(q.question().name(), 60,
                            new DnsRdata.A(Ipv4Address.parse("10.6.6.6")))), List.of(), List.of());
                    s.sendTo(u.source(), u.sourcePort(), good.withId((q.id() + 1) & 0xFFFF).encode());
                    s.sendTo(u.source(), u.sourcePort(), new DnsMessage(q.id(), good.flags(),
                            List.of(DnsQuestion.in("evil.example", DnsRecord.A)), good.answers(), List.of(), List.of()).encode());
                    other.sendTo(u.source(), u.sourcePort(), good.encode());
                    s.sendTo(u.source(), u.sourcePort(), good.encode());
                });
            });
            lab.advance(Duration.ofMillis(10));
            ExecResult r = ok(lab, "pc1", "dig +short @10.0.0.99 www.example.com");
            assertThat(r.output()).containsExactly("10.6.6.6");
            assertThat(dns(lab, "pc1", "response_rejected")).extracting(e -> e.detail().get("reason"))
                    .containsExactly("wrong_id", "question_mismatch", "wrong_source");
            // Query IDs and source ports come from the node's seeded RNG, not a counter.
            List<TraceEvent> sent = dns(lab, "pc1", "query_sent");
            assertThat(sent).extracting(e -> e.detail().get("source_port")).doesNotContain(32768);
        }
    }

    @Test
    void aCompressionLoopGetsFormerrAndACountedDrop() {
        try (Lab lab = lab(LAB)) {
            Node pc1 = lab.node("pc1");
            List<DnsMessage> replies = new ArrayList<>();
            // ID 0xbeef, RD, one question whose name is a pointer to itself at offset 12.
            byte[] loop = HexFormat.of().parseHex("beef01000001000000000000c00c00010001");
            pc1.loop().execute(() -> {
                UdpSocket s = pc1.udp().open(Ipv4Address.ANY, 0);
                s.onReceive(u -> replies.add(DnsMessage.parse(u.payload(), 0, u.payload().length)));
                s.sendTo(Ipv4Address.parse("10.0.0.30"), 53, loop);
                s.sendTo(Ipv4Address.parse("10.0.0.53"), 53, loop);
            });
            lab.advance(Duration.ofSeconds(1));
            assertThat(replies).hasSize(2).allSatisfy(m -> {
                assertThat(m.id()).isEqualTo(0xbeef);
                assertThat(m.rcode()).isEqualTo(DnsMessage.FORMERR);
                assertThat(m.isResponse()).isTrue();
                assertThat(m.recursionDesired()).isTrue();
            });
            for (String server : List.of("example", "resolver")) {
                assertThat(lab.node(server).counters()).containsEntry("dns.dropped.malformed", 1L);
                assertThat(dns(lab, server, "drop")).singleElement().satisfies(e ->
                        assertThat((String) e.detail().get("error")).startsWith("dns: name compression loop at offset 12"));
            }
        }
    }
}
