package dev.wirelab.control.it;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Container;
import dev.wirelab.control.runtime.docker.DockerRuntime;
import dev.wirelab.netstack.testkit.Tshark;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The docker runtime over REST: each node in its own container, its NICs VXLAN ports of the bus in
 * the control API. The journey runs as it does embedded (same protocol steps, same event kinds,
 * captures tshark finds clean), a router container that dies is a node down until restarted, and
 * every node container runs with the restrictions the runtime promises.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "wirelab.db.embedded.data-dir=target/pg-docker-runtime",
        "wirelab.db.embedded.clean=true",
        "wirelab.examples=../examples",
        "wirelab.import-examples=false"})
@AutoConfigureWebTestClient(timeout = "120s")
class DockerRuntimeTest {

    static final Path CAPTURES = Path.of("target", "captures", "DockerRuntimeTest");
    /**
     * Event kinds whose occurrence depends on when timers fire relative to frames, or on when a
     * reading program runs relative to arriving segments (a window update is sent only when a read
     * finds the advertised window shrunk to half, RFC 1122 4.2.3.3; in real time the read may come
     * before the next segment or after it: seen once on CI).
     */
    static final Set<String> TIMER_DRIVEN = Set.of("tcp/delayed_ack", "tcp/retransmit", "dhcp/retransmit",
            "dns/retransmit", "arp/request_sent", "arp/request_received", "arp/reply_sent", "arp/reply_received",
            "arp/neighbor_state", "tcp/window_update");
    static DockerClient docker;

    @Autowired
    WebTestClient web;

    @BeforeAll
    static void dockerAndImages() {
        docker = DockerCheck.require();
    }

    JsonNode post(String uri, String body, int status) {
        WebTestClient.RequestBodySpec r = web.post().uri(uri);
        WebTestClient.RequestHeadersSpec<?> h = body == null ? r.contentType(MediaType.APPLICATION_JSON)
                : r.contentType(MediaType.APPLICATION_JSON).bodyValue(body);
        return h.exchange().expectStatus().isEqualTo(status).expectBody(JsonNode.class).returnResult().getResponseBody();
    }

    JsonNode get(String uri) {
        return web.get().uri(uri).exchange().expectStatus().isOk().expectBody(JsonNode.class).returnResult().getResponseBody();
    }

    JsonNode exec(long run, String node, String command) {
        return post("/api/runs/" + run + "/nodes/" + node + "/exec", "{\"command\":\"" + command + "\",\"timeout\":\"60s\"}",
                200);
    }

    List<Container> containersOf(long run) {
        return docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(DockerRuntime.LABEL_RUN, Long.toString(run))).exec();
    }

    /** The journey's protocol steps on a segment's capture, and its captures judged by tshark. */
    record Steps(List<String> dhcp, List<String> dns, List<String> tcpHttp, Set<String> arp) {
    }

    Steps journey(long run, String tag) throws Exception {
        Files.createDirectories(CAPTURES);
        List<String> dhcp = new ArrayList<>();
        List<String> dns = new ArrayList<>();
        List<String> tcp = new ArrayList<>();
        Set<String> arp = new TreeSet<>();
        for (String segment : List.of("home", "access", "isp", "core", "dc")) {
            byte[] pcap = web.get().uri("/api/runs/" + run + "/capture.pcapng?segment=" + segment).exchange()
                    .expectStatus().isOk().expectBody(byte[].class).returnResult().getResponseBody();
            Path file = CAPTURES.resolve(tag + "-" + segment + ".pcapng");
            Files.write(file, pcap);
            Tshark.Verdict v = Tshark.judge(file);
            assertThat(v.problems()).as("tshark on " + file).isEmpty();
            assertThat(v.frames()).as(file.toString()).isPositive();
            for (Map<String, String> f : Tshark.fields(file, true, "dhcp || dns || arp || tcp", "ip.src", "ip.dst",
                    "dhcp.option.dhcp", "dns.qry.name", "dns.qry.type", "dns.flags.response", "dns.flags.rcode",
                    "arp.opcode", "arp.src.proto_ipv4", "arp.dst.proto_ipv4", "tcp.flags.str", "tcp.len",
                    "http.request.method", "http.response.code")) {
                String where = segment + " " + f.get("ip.src") + ">" + f.get("ip.dst") + " ";
                if (!f.get("dhcp.option.dhcp").isEmpty()) {
                    dhcp.add(where + "dhcp " + f.get("dhcp.option.dhcp"));
                } else if (!f.get("dns.qry.name").isEmpty()) {
                    dns.add(where + "dns " + f.get("dns.qry.name") + " " + f.get("dns.qry.type") + " r="
                            + f.get("dns.flags.response") + " rcode=" + f.get("dns.flags.rcode"));
                } else if (!f.get("arp.opcode").isEmpty()) {
                    arp.add(segment + " arp " + f.get("arp.opcode") + " " + f.get("arp.src.proto_ipv4") + ">"
                            + f.get("arp.dst.proto_ipv4"));
                } else if (!f.get("tcp.flags.str").isEmpty()) {
                    tcp.add(where + "tcp " + f.get("tcp.flags.str") + (f.get("tcp.len").equals("0") ? "" : " data")
                            + (f.get("http.request.method").isEmpty() ? "" : " " + f.get("http.request.method"))
                            + (f.get("http.response.code").isEmpty() ? "" : " " + f.get("http.response.code")));
                }
            }
        }
        // Retransmissions (a container still starting, a JVM still warming up) repeat a step: steps are
        // compared in the order they first happen.
        return new Steps(distinct(dhcp), distinct(dns), distinct(tcp), arp);
    }

    static List<String> distinct(List<String> l) {
        return List.copyOf(new LinkedHashSet<>(l));
    }

    Set<String> eventKinds(long run) {
        Set<String> kinds = new TreeSet<>();
        String cursor = "";
        for (int page = 0; page < 200; page++) {
            JsonNode p = get("/api/runs/" + run + "/events?limit=1000" + cursor);
            for (JsonNode e : p.path("items")) {
                kinds.add(e.path("node").asString() + " " + e.path("layer").asString() + "/" + e.path("kind").asString());
            }
            if (p.path("nextCursor").isNull() || p.path("items").isEmpty()) {
                break;
            }
            cursor = "&after=" + p.path("nextCursor").asLong();
        }
        return kinds;
    }

    @Test
    void theJourneyOnContainersTakesTheStepsItTakesEmbedded() throws Exception {
        assumeTrue(Tshark.available(), "tshark not installed");
        long lab = post("/api/labs?example=journey", null, 201).path("id").asLong();

        // Embedded (virtual time): the reference.
        long embedded = post("/api/labs/" + lab + "/runs", "{\"timeMode\":\"virtual\",\"seed\":3}", 201).path("id").asLong();
        post("/api/runs/" + embedded + "/advance", "{\"duration\":\"20s\"}", 200);
        JsonNode page = exec(embedded, "pc1", "browse http://www.example.com/");
        assertThat(page.path("exitCode").asInt()).as(page.toString()).isZero();
        post("/api/runs/" + embedded + "/advance", "{\"duration\":\"2s\"}", 200);
        post("/api/runs/" + embedded + "/stop", null, 200);
        Steps reference = journey(embedded, "embedded");
        Set<String> referenceEvents = eventKinds(embedded);

        // Docker (real time), created over REST the same way.
        JsonNode started = post("/api/labs/" + lab + "/runs", "{\"runtime\":\"docker\",\"seed\":3}", 201);
        long run = started.path("id").asLong();
        assertThat(started.path("runtime").asString()).isEqualTo("docker");
        assertThat(started.path("timeMode").asString()).isEqualTo("real");
        assertThat(containersOf(run)).hasSize(started.path("nodes").size()).hasSize(10);
        awaitLease(run);
        // The embedded run's schedule, in real time: browse at lab time 20 s (timers such as ARP's
        // re-validation then fire as they did there).
        while (get("/api/runs/" + run).path("labTimeNanos").asLong() < 20_000_000_000L) {
            Thread.sleep(100);
        }
        page = exec(run, "pc1", "browse http://www.example.com/");
        assertThat(page.path("exitCode").asInt()).as(page.toString()).isZero();
        assertThat(page.path("output").toString()).contains("200 OK").contains("text/html").contains("Example Domain");
        Thread.sleep(2000); // the last ACKs and FINs cross the network
        JsonNode stopped = post("/api/runs/" + run + "/stop", null, 200);
        assertThat(stopped.path("frames").path("dropped").asLong()).isZero();
        assertThat(stopped.path("events").path("dropped").asLong()).isZero();
        assertThat(containersOf(run)).as("containers of a stopped run").isEmpty();
        assertThat(docker.listNetworksCmd().withFilter("label", List.of(DockerRuntime.LABEL_RUN + "=" + run)).exec())
                .as("the network of a stopped run").isEmpty();

        Steps onDocker = journey(run, "docker");
        assertThat(onDocker.dhcp()).as("DHCP steps").isEqualTo(reference.dhcp());
        assertThat(onDocker.dns()).as("DNS steps").isEqualTo(reference.dns());
        assertThat(onDocker.tcpHttp()).as("TCP and HTTP steps").isEqualTo(reference.tcpHttp());
        assertThat(onDocker.arp()).as("ARP exchanges").isEqualTo(reference.arp());
        assertThat(reference.dhcp()).anyMatch(s -> s.endsWith("dhcp 5")); // ACK
        assertThat(reference.tcpHttp()).anyMatch(s -> s.endsWith("GET")).anyMatch(s -> s.endsWith("200"));
        // The same event kinds on every node, except those timers decide (real time is not virtual time to the
        // microsecond: a JVM warming up retransmits, an ACK is delayed or not, a neighbour is re-validated or not).
        Set<String> dockerEvents = eventKinds(run);
        Set<String> differ = new TreeSet<>(dockerEvents);
        differ.addAll(referenceEvents);
        Set<String> common = new TreeSet<>(dockerEvents);
        common.retainAll(referenceEvents);
        differ.removeAll(common);
        assertThat(differ).as("event kinds on one runtime only").allMatch(k -> TIMER_DRIVEN.contains(k.substring(k.indexOf(' ') + 1)));
        assertThat(common.size()).as("event kinds on both").isGreaterThan(referenceEvents.size() * 9 / 10);
    }

    /** Events as stored (the ingest writes them a moment after they happen). */
    JsonNode awaitEvents(String query, int count) throws InterruptedException {
        long end = System.nanoTime() + 10_000_000_000L;
        JsonNode items = get(query).path("items");
        while (items.size() < count && System.nanoTime() < end) {
            Thread.sleep(100);
            items = get(query).path("items");
        }
        assertThat(items).as(query).hasSize(count);
        return items;
    }

    void awaitLease(long run) throws InterruptedException {
        long end = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < end) {
            if (get("/api/runs/" + run + "/nodes/pc1").path("interfaces").toString().contains("192.168.1.")) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("pc1 got no lease in 60 s: " + get("/api/runs/" + run + "/nodes/pc1"));
    }

    @Test
    void aRouterWhoseContainerDiesIsDownUntilRestartedAndContainersAreUnprivileged() throws Exception {
        long lab = post("/api/labs?example=three-segments", null, 201).path("id").asLong();
        long run = post("/api/labs/" + lab + "/runs", "{\"runtime\":\"docker\"}", 201).path("id").asLong();
        assertThat(post("/api/labs/" + lab + "/runs", "{\"runtime\":\"docker\",\"timeMode\":\"virtual\"}", 422)
                .path("detail").asString()).contains("real time only");
        try {
            assertThat(exec(run, "pc1", "ping -c 2 -i 0.2 10.0.2.10").path("exitCode").asInt()).isZero();

            for (Container c : containersOf(run)) {
                InspectContainerResponse i = docker.inspectContainerCmd(c.getId()).exec();
                var h = i.getHostConfig();
                assertThat(h.getPrivileged()).as(c.getNames()[0]).isFalse();
                assertThat(h.getCapDrop()).extracting(Object::toString).containsExactly("ALL");
                assertThat(h.getCapAdd()).isNullOrEmpty();
                assertThat(h.getReadonlyRootfs()).isTrue();
                assertThat(h.getTmpFs()).containsKey("/tmp");
                assertThat(h.getMemory()).isPositive();
                assertThat(h.getSecurityOpts()).contains("no-new-privileges");
                assertThat(h.getNetworkMode()).isNotIn("host", "default", "bridge");
                assertThat(i.getConfig().getUser()).isEqualTo("10001:10001");
                assertThat(i.getConfig().getLabels()).containsKeys(DockerRuntime.LABEL_LAB, DockerRuntime.LABEL_RUN,
                        DockerRuntime.LABEL_NODE, DockerRuntime.LABEL_KIND, DockerRuntime.LABEL_INSTALLATION);
            }

            Container r1 = containersOf(run).stream()
                    .filter(c -> "r1".equals(c.getLabels().get(DockerRuntime.LABEL_NODE))).findFirst().orElseThrow();
            docker.killContainerCmd(r1.getId()).exec();
            long end = System.nanoTime() + 20_000_000_000L;
            while (!get("/api/runs/" + run).path("nodesDown").toString().contains("r1")) {
                assertThat(System.nanoTime()).as("r1 shows as down").isLessThan(end);
                Thread.sleep(100);
            }
            JsonNode down = awaitEvents("/api/runs/" + run + "/events?node=r1&layer=node&kind=down", 1);
            assertThat(down.get(0).path("detail").path("exitCode").asInt()).isEqualTo(137);
            JsonNode nodes = get("/api/runs/" + run + "/nodes");
            assertThat(nodes.toString()).contains("{\"name\":\"r1\",\"kind\":\"router\",\"status\":\"down\",\"running\":false}");
            assertThat(exec(run, "pc1", "ping -c 2 -W 1 10.0.2.10").path("exitCode").asInt()).as("through a dead router")
                    .isEqualTo(1);
            post("/api/runs/" + run + "/nodes/r1/exec", "{\"command\":\"ip addr\"}", 409);

            JsonNode back = post("/api/runs/" + run + "/nodes/r1/restart", null, 200);
            assertThat(back.path("status").asString()).isEqualTo("up");
            assertThat(exec(run, "pc1", "ping -c 2 -i 0.2 10.0.2.10").path("exitCode").asInt()).as("after the restart")
                    .isZero();
            awaitEvents("/api/runs/" + run + "/events?node=r1&layer=node&kind=up", 1);
            assertThat(get("/api/runs/" + run).path("nodesDown")).isEmpty();
        } finally {
            post("/api/runs/" + run + "/stop", null, 200);
        }
        assertThat(containersOf(run)).isEmpty();
    }
}
