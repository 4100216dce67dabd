package dev.wirelab.netstack.lab;

import dev.wirelab.netstack.http.HttpDecoder;
import dev.wirelab.netstack.http.HttpMessage;
import dev.wirelab.netstack.http.HttpRequest;
import dev.wirelab.netstack.http.HttpResponse;
import dev.wirelab.netstack.testkit.Captures;
import dev.wirelab.netstack.testkit.Tshark;
import dev.wirelab.netstack.trace.CapturedFrame;
import dev.wirelab.netstack.trace.TraceEvent;
import dev.wirelab.netstack.wire.ArpPacket;
import dev.wirelab.netstack.wire.DhcpMessage;
import dev.wirelab.netstack.wire.DnsMessage;
import dev.wirelab.netstack.wire.DnsRdata;
import dev.wirelab.netstack.wire.DnsRecord;
import dev.wirelab.netstack.wire.EthernetFrame;
import dev.wirelab.netstack.wire.Ipv4Address;
import dev.wirelab.netstack.wire.Ipv4Packet;
import dev.wirelab.netstack.wire.TcpSegment;
import dev.wirelab.netstack.wire.UdpDatagram;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The journey of examples/journey.yaml, run with its script exactly as the README says, judged on
 * the stored trace: every frame decoded with our wire codecs, and the events. In this order: DHCP
 * DISCOVER, OFFER, REQUEST, ACK (through the home router's relay); the stub's cache miss; ARP for the gateway (the stub's query goes
 * through it); the resolver's iterative queries to the root, com. and example.com. servers; the
 * routers forwarding the SYN hop by hop; SYN, SYN-ACK, ACK; the HTTP request; the response; FIN
 * and ACK both ways; TIME-WAIT on the client. Then tshark reads the capture and must agree.
 */
@Timeout(120)
class JourneyTest {

    static final Ipv4Address GATEWAY = Ipv4Address.parse("192.168.1.1");
    static final Ipv4Address RESOLVER = Ipv4Address.parse("198.51.100.53");
    static final Ipv4Address ROOT = Ipv4Address.parse("198.18.0.11");
    static final Ipv4Address COM = Ipv4Address.parse("198.18.0.12");
    static final Ipv4Address EXAMPLE_NS = Ipv4Address.parse("93.184.216.53");
    static final Ipv4Address WEB = Ipv4Address.parse("93.184.216.34");

    /** A frame of the trace, decoded. */
    record Seen(CapturedFrame frame, EthernetFrame eth, ArpPacket arp, Ipv4Packet ip, DhcpMessage dhcp, DnsMessage dns,
                TcpSegment tcp) {
        long seq() {
            return frame.seq();
        }

        long time() {
            return frame.timeNanos();
        }

        String segment() {
            return frame.segment();
        }
    }

    static Lab lab;
    static List<Seen> frames;
    static List<TraceEvent> events;
    static List<ExecResult> results = new ArrayList<>();
    static long wallNanos;
    static Path capture;
    static List<CapturedFrame> firstRun;

    @BeforeAll
    static void runTheJourney() throws Exception {
        LabScript script = LabScript.parse(Files.readString(Examples.path("journey.script")));
        // The first run in this JVM pays for class loading and the JIT; the second is the figure.
        long cold = System.nanoTime();
        try (Lab warmUp = journey(script, new ArrayList<>())) {
            cold = System.nanoTime() - cold;
            firstRun = warmUp.trace().frames();
        }
        long t0 = System.nanoTime();
        lab = journey(script, results);
        wallNanos = System.nanoTime() - t0;
        System.out.printf(Locale.ROOT, "journey: %.3f s of lab time in %.0f ms of wall time (%d frames, %d events;"
                        + " %.0f ms in a cold JVM)%n", lab.nanos() / 1e9, wallNanos / 1e6, lab.trace().frames().size(),
                lab.trace().events().size(), cold / 1e6);
        frames = lab.trace().frames().stream().map(JourneyTest::decode).toList();
        events = lab.trace().events();
        capture = Captures.save(lab, "journey");
    }

    /** Builds the lab and runs the script, as {@code ./wirelab run examples/journey.yaml --script ...} does. */
    static Lab journey(LabScript script, List<ExecResult> out) {
        Lab l = Lab.build(Examples.load("journey.yaml"), Lab.Options.virtual());
        l.start();
        for (LabScript.Step s : script.steps()) {
            if (s instanceof LabScript.Command c) {
                out.add(l.run(c.node(), c.command(), Duration.ofMinutes(2)));
            } else if (s instanceof LabScript.Sleep sl) {
                l.advance(sl.duration());
            }
        }
        return l;
    }

    @AfterAll
    static void close() {
        if (lab != null) {
            lab.close();
        }
    }

    static Seen decode(CapturedFrame f) {
        EthernetFrame eth = EthernetFrame.parse(f.bytes());
        if (eth.etherType() == EthernetFrame.ETHERTYPE_ARP) {
            return new Seen(f, eth, ArpPacket.parse(eth.payload(), 0, eth.payload().length), null, null, null, null);
        }
        Ipv4Packet ip = Ipv4Packet.parse(eth.payload(), 0, eth.payload().length);
        byte[] p = ip.payload();
        if (ip.protocol() == Ipv4Packet.PROTOCOL_UDP) {
            UdpDatagram u = UdpDatagram.parse(p, 0, p.length, ip.source(), ip.destination());
            byte[] up = u.payload();
            if (u.destinationPort() == 67 || u.destinationPort() == 68) {
                return new Seen(f, eth, null, ip, DhcpMessage.parse(up, 0, up.length), null, null);
            }
            if (u.destinationPort() == 53 || u.sourcePort() == 53) {
                return new Seen(f, eth, null, ip, null, DnsMessage.parse(up, 0, up.length), null);
            }
        }
        if (ip.protocol() == Ipv4Packet.PROTOCOL_TCP) {
            return new Seen(f, eth, null, ip, null, null, TcpSegment.parse(p, 0, p.length, ip.source(), ip.destination()));
        }
        return new Seen(f, eth, null, ip, null, null, null);
    }

    static Seen first(String what, Predicate<Seen> p) {
        return frames.stream().filter(p).findFirst().orElseThrow(() -> new AssertionError("no frame: " + what));
    }

    static TraceEvent firstEvent(String node, String layer, String kind, Predicate<TraceEvent> p) {
        return events.stream().filter(e -> e.node().equals(node) && e.layer().equals(layer) && e.kind().equals(kind))
                .filter(p).findFirst().orElseThrow(() -> new AssertionError("no event " + node + " " + layer + "." + kind));
    }

    static Seen dhcp(int type) {
        return first("DHCP type " + type, s -> s.dhcp() != null && s.dhcp().messageType() == type);
    }

    static Ipv4Address lease() {
        return dhcp(DhcpMessage.ACK).dhcp().yiaddr();
    }

    static Predicate<Seen> clientToWeb() {
        return s -> s.tcp() != null && s.ip().source().equals(lease()) && s.ip().destination().equals(WEB)
                && s.segment().equals("home");
    }

    static Predicate<Seen> webToClient() {
        return s -> s.tcp() != null && s.ip().source().equals(WEB) && s.ip().destination().equals(lease())
                && s.segment().equals("home");
    }

    @Test
    void theScriptRunsAndTheBrowserShowsThePage() {
        assertThat(results).allSatisfy(r -> assertThat(r.exitCode()).as(r.text()).isZero());
        ExecResult browse = results.stream().filter(r -> r.command().startsWith("browse")).findFirst().orElseThrow();
        assertThat(browse.output()).contains("page title: Example Domain")
                .anyMatch(l -> l.startsWith("browse: www.example.com is 93.184.216.34 (name lookup "))
                .anyMatch(l -> l.startsWith("browse: HTTP/1.1 200 OK (response "))
                .anyMatch(l -> l.startsWith("browse: Content-Type: text/html; charset=utf-8, "));
        List<ExecResult> ss = results.stream().filter(r -> r.node().equals("pc1") && r.command().startsWith("ss")).toList();
        assertThat(ss.get(0).output()).anyMatch(l -> l.startsWith("TIME-WAIT") && l.contains(":80"));
        assertThat(ss.get(1).output()).noneMatch(l -> l.startsWith("TIME-WAIT")); // 2*MSL later
    }

    @Test
    void theSameScriptGivesTheSameFramesAgain() {
        List<CapturedFrame> again = lab.trace().frames();
        assertThat(again).hasSameSizeAs(firstRun);
        for (int i = 0; i < again.size(); i++) {
            assertThat(again.get(i).timeNanos()).isEqualTo(firstRun.get(i).timeNanos());
            assertThat(again.get(i).segment()).isEqualTo(firstRun.get(i).segment());
            assertThat(again.get(i).bytes()).as("frame %d", i).isEqualTo(firstRun.get(i).bytes());
        }
    }

    @Test
    void virtualTimeMakesItFast() {
        assertThat(lab.nanos()).isGreaterThan(140_000_000_000L); // 20 s boot + 120 s of TIME-WAIT, and the rest
        assertThat(wallNanos).as("wall time of the whole journey").isLessThan(5_000_000_000L);
    }

    @Test
    void everyStepHappensInOrder() {
        // 1. DORA on the home segment.
        Seen discover = dhcp(DhcpMessage.DISCOVER);
        Seen offer = dhcp(DhcpMessage.OFFER);
        Seen request = dhcp(DhcpMessage.REQUEST);
        Seen ack = dhcp(DhcpMessage.ACK);
        assertThat(List.of(discover.seq(), offer.seq(), request.seq(), ack.seq())).isSorted();
        assertThat(ack.dhcp().yiaddr().toString()).startsWith("192.168.1.");
        // The home router relays: the DISCOVER crosses the ISP's segment unicast, with giaddr set (RFC 2131 4.1).
        Seen relayed = first("relayed DISCOVER", s -> s.dhcp() != null && s.segment().equals("isp")
                && s.dhcp().messageType() == DhcpMessage.DISCOVER);
        assertThat(relayed.dhcp().giaddr()).isEqualTo(GATEWAY);
        assertThat(relayed.ip().destination()).isEqualTo(Ipv4Address.parse("198.51.100.67"));
        assertThat(relayed.seq()).isBetween(discover.seq(), offer.seq());
        TraceEvent configured = firstEvent("pc1", "dhcp", "configured", e -> true);
        assertThat(configured.detail().get("address")).isEqualTo(lease() + "/24");

        // 2. getaddrinfo: the stub's cache misses, after the lease.
        TraceEvent miss = firstEvent("pc1", "dns", "cache_miss",
                e -> String.valueOf(e.detail().get("name")).startsWith("www.example.com"));
        assertThat(miss.timeNanos()).isGreaterThan(configured.timeNanos());

        // 3. ARP for the gateway: the stub's query to the resolver is the first packet that needs it.
        Seen arp = first("ARP for the gateway", s -> s.arp() != null && s.arp().isRequest()
                && s.arp().senderIp().equals(lease()) && s.arp().targetIp().equals(GATEWAY));
        assertThat(arp.time()).isGreaterThanOrEqualTo(miss.timeNanos());
        Seen stubQuery = first("stub query", s -> s.dns() != null && !s.dns().isResponse()
                && s.ip().source().equals(lease()) && s.ip().destination().equals(RESOLVER));
        assertThat(stubQuery.seq()).isGreaterThan(arp.seq());
        assertThat(stubQuery.dns().question().name().toString()).isIn("www.example.com", "www.example.com.");

        // 4. The resolver walks root -> com. -> example.com. (frames to each server, in this order).
        Seen toRoot = first("query to the root", s -> isQuery(s, ROOT));
        Seen toCom = first("query to com.", s -> isQuery(s, COM));
        Seen toExample = first("query to example.com.", s -> isQuery(s, EXAMPLE_NS));
        assertThat(List.of(stubQuery.seq(), toRoot.seq(), toCom.seq(), toExample.seq())).isSorted();
        Seen answer = first("the answer to the stub", s -> s.dns() != null && s.dns().isResponse()
                && s.ip().source().equals(RESOLVER) && s.ip().destination().equals(lease()));
        assertThat(answer.seq()).isGreaterThan(toExample.seq());
        assertThat(answer.dns().answers()).anyMatch(r -> r.type() == DnsRecord.A
                && ((DnsRdata.A) r.rdata()).address().equals(WEB));

        // 5. The SYN, forwarded by each router on the way: home, isp, dc.
        Seen syn = first("SYN", clientToWeb().and(s -> s.tcp().syn() && !s.tcp().ack()));
        assertThat(syn.seq()).isGreaterThan(answer.seq());
        int port = syn.tcp().sourcePort();
        long previous = syn.time();
        for (String router : List.of("home", "isp", "dc")) {
            TraceEvent fwd = firstEvent(router, "ipv4", "forward", e -> WEB.toString().equals(e.detail().get("destination"))
                    && lease().toString().equals(e.detail().get("source")));
            assertThat(fwd.timeNanos()).as(router + " forwards after the previous hop").isGreaterThanOrEqualTo(previous);
            previous = fwd.timeNanos();
        }
        Seen synAtServer = first("SYN on the server LAN", s -> s.tcp() != null && s.segment().equals("dc")
                && s.tcp().syn() && !s.tcp().ack() && s.ip().destination().equals(WEB));
        assertThat(synAtServer.time()).isGreaterThanOrEqualTo(previous);
        assertThat(synAtServer.ip().ttl()).isEqualTo(64 - 3); // three routers

        // 6. The handshake.
        Seen synAck = first("SYN-ACK", webToClient().and(s -> s.tcp().syn() && s.tcp().ack()));
        Seen handshakeAck = first("ACK of the SYN-ACK", clientToWeb().and(s -> !s.tcp().syn() && s.tcp().ack()
                && s.tcp().acknowledgment() == ((synAck.tcp().sequence() + 1) & 0xFFFF_FFFFL)));
        assertThat(List.of(syn.seq(), synAck.seq(), handshakeAck.seq())).isSorted();

        // 7. The HTTP request and the response, decoded from the TCP payloads.
        Seen requestFrame = first("HTTP request", clientToWeb().and(s -> s.tcp().payload().length > 0));
        assertThat(requestFrame.seq()).isGreaterThanOrEqualTo(handshakeAck.seq());
        List<HttpMessage> requests = HttpDecoder.requests().feed(requestFrame.tcp().payload());
        assertThat(requests).hasSize(1);
        HttpRequest req = (HttpRequest) requests.get(0);
        assertThat(req.method()).isEqualTo("GET");
        assertThat(req.target()).isEqualTo("/");
        assertThat(req.headers().get("Host")).contains("www.example.com");
        HttpResponse resp = response();
        Seen firstResponseFrame = first("HTTP response", webToClient().and(s -> s.tcp().payload().length > 0));
        assertThat(firstResponseFrame.seq()).isGreaterThan(requestFrame.seq());
        assertThat(resp.status()).isEqualTo(200);
        assertThat(resp.headers().get("Content-Length")).contains(String.valueOf(resp.body().length));
        TraceEvent received = firstEvent("pc1", "http", "response_received", e -> true);
        assertThat(received.detail()).containsEntry("status", 200)
                .containsEntry("content_length", String.valueOf(resp.body().length));

        // 8. The close: the client's FIN first (browse closes), the server's ACK and FIN, the last ACK.
        Seen clientFin = first("client FIN", clientToWeb().and(s -> s.tcp().fin()));
        Seen serverFin = first("server FIN", webToClient().and(s -> s.tcp().fin()));
        assertThat(clientFin.seq()).isGreaterThan(firstResponseFrame.seq());
        assertThat(serverFin.seq()).isGreaterThan(clientFin.seq());
        assertThat(serverFin.tcp().acknowledgment()).isEqualTo((clientFin.tcp().sequence()
                + clientFin.tcp().payload().length + 1) & 0xFFFF_FFFFL);
        Seen lastAck = first("last ACK", clientToWeb().and(s -> s.seq() > serverFin.seq() && s.tcp().ack()
                && s.tcp().acknowledgment() == ((serverFin.tcp().sequence() + 1) & 0xFFFF_FFFFL)));
        assertThat(lastAck.tcp().fin()).isFalse();

        // 9. TIME-WAIT on the client, for that connection, after the server's FIN.
        TraceEvent timeWait = firstEvent("pc1", "tcp", "state", e -> "TIME_WAIT".equals(e.detail().get("to"))
                && String.valueOf(e.detail().get("local")).endsWith(":" + port));
        assertThat(timeWait.timeNanos()).isGreaterThanOrEqualTo(serverFin.time());
        assertThat(events).noneMatch(e -> e.node().equals("web") && e.layer().equals("tcp") && e.kind().equals("state")
                && "TIME_WAIT".equals(e.detail().get("to")));
        // Each HTTP step was an event too.
        for (String kind : List.of("url_parsed", "resolve_start", "resolve_done", "connect", "request_sent",
                "response_received")) {
            firstEvent("pc1", "http", kind, e -> true);
        }
        TraceEvent rendered = firstEvent("pc1", "app", "rendered", e -> true);
        assertThat(rendered.detail()).containsEntry("title", "Example Domain").containsEntry("content_type", "text/html");
    }

    static boolean isQuery(Seen s, Ipv4Address server) {
        return s.dns() != null && !s.dns().isResponse() && s.ip().source().equals(RESOLVER)
                && s.ip().destination().equals(server);
    }

    /** The server's bytes to the client, in sequence order once each, through the response decoder. */
    static HttpResponse response() {
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        long next = -1;
        for (Seen s : frames.stream().filter(webToClient()).toList()) {
            TcpSegment t = s.tcp();
            if (t.syn()) {
                next = (t.sequence() + 1) & 0xFFFF_FFFFL;
                continue;
            }
            if (t.payload().length > 0 && t.sequence() == next) {
                stream.writeBytes(t.payload());
                next = (next + t.payload().length) & 0xFFFF_FFFFL;
            }
        }
        HttpDecoder d = HttpDecoder.responses();
        d.requestSent("GET");
        List<HttpMessage> m = d.feed(stream.toByteArray());
        assertThat(m).hasSize(1);
        return (HttpResponse) m.get(0);
    }

    @Test
    void tsharkFindsNothingMalformedAndDecodesTheSameFields() throws Exception {
        assumeTrue(Tshark.available(), "tshark is not installed");
        Tshark.Verdict v = Tshark.judge(capture);
        assertThat(v.problems()).as("tshark on " + capture).isEmpty();
        assertThat(v.frames()).isEqualTo(frames.size());

        // DHCP: the lease address of the ACK.
        List<Map<String, String>> acks = Tshark.fields(capture, false, "dhcp.option.dhcp == 5", "dhcp.ip.your");
        assertThat(acks).isNotEmpty().allSatisfy(r -> assertThat(r.get("dhcp.ip.your")).isEqualTo(lease().toString()));
        List<Map<String, String>> types = Tshark.fields(capture, false, "dhcp", "dhcp.option.dhcp");
        assertThat(types.stream().map(r -> r.get("dhcp.option.dhcp")).distinct().toList())
                .containsSubsequence("1", "2", "3", "5");

        // DNS: the same query names, in the same order, and the answer.
        List<String> ours = frames.stream().filter(s -> s.dns() != null && !s.dns().isResponse())
                .map(s -> s.dns().question().name().toString().replaceAll("\\.$", "")).toList();
        List<String> theirs = Tshark.fields(capture, false, "dns.flags.response == 0", "dns.qry.name").stream()
                .map(r -> r.get("dns.qry.name")).toList();
        assertThat(theirs).isEqualTo(ours);
        List<Map<String, String>> answers = Tshark.fields(capture, false,
                "dns.flags.response == 1 && ip.dst == " + lease(), "dns.qry.name", "dns.a");
        assertThat(answers).isNotEmpty().allSatisfy(r -> {
            assertThat(r.get("dns.qry.name")).isEqualTo("www.example.com");
            assertThat(r.get("dns.a")).isEqualTo(WEB.toString());
        });

        // HTTP: the request, and the status and Content-Length of the response, as we recorded them.
        List<Map<String, String>> reqs = Tshark.fields(capture, false, "http.request", "http.request.method",
                "http.request.uri", "http.host");
        assertThat(reqs).isNotEmpty().allSatisfy(r -> {
            assertThat(r.get("http.request.method")).isEqualTo("GET");
            assertThat(r.get("http.request.uri")).isEqualTo("/");
            assertThat(r.get("http.host")).isEqualTo("www.example.com");
        });
        TraceEvent received = firstEvent("pc1", "http", "response_received", e -> true);
        List<Map<String, String>> resps = Tshark.fields(capture, false, "http.response", "http.response.code",
                "http.content_length_header", "http.content_type");
        assertThat(resps).isNotEmpty().allSatisfy(r -> {
            assertThat(r.get("http.response.code")).isEqualTo(String.valueOf(received.detail().get("status")));
            assertThat(r.get("http.content_length_header")).isEqualTo(received.detail().get("content_length"));
            assertThat(r.get("http.content_type")).isEqualTo(received.detail().get("content_type"));
        });
        assertThat(new String(response().body(), StandardCharsets.UTF_8)).contains("<title>Example Domain</title>");
    }
}
