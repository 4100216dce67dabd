package dev.wirelab.nodeservice;

import dev.wirelab.netstack.lab.Lab;
import dev.wirelab.netstack.lab.NodeAssembly;
import dev.wirelab.netstack.lab.topology.InterfaceSpec;
import dev.wirelab.netstack.lab.topology.NodeSpec;
import dev.wirelab.netstack.lab.topology.Topologies;
import dev.wirelab.netstack.lab.topology.Topology;
import dev.wirelab.nodeservice.protocol.NodeApi;
import dev.wirelab.nodeservice.protocol.NodeConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every node of three-segments as a node service of its own (as in a container, but on loopback):
 * NICs are VXLAN ports of a bus that holds no nodes, and the management API is the only way in.
 */
class NodeServiceOverBusTest {

    static final String TOKEN = ServicesOnBus.TOKEN;
    static final JsonMapper JSON = ServicesOnBus.JSON;
    static final ServiceSpec ANY = ServicesOnBus.ANY;
    static ServicesOnBus lab;
    static Lab bus;

    @BeforeAll
    static void startNodesOnTheBus() throws IOException {
        lab = ServicesOnBus.start(Path.of("../examples/three-segments.yaml"), Map.of());
        bus = lab.bus();
    }

    @AfterAll
    static void stop() {
        if (lab != null) {
            lab.close();
        }
    }

    static HttpResponse<String> call(String node, String method, String path, String body, String token)
            throws Exception {
        return lab.call(node, method, path, body, token);
    }

    static List<JsonNode> exec(String node, String command, long timeoutMillis) throws Exception {
        return lab.exec(node, command, timeoutMillis);
    }

    static String output(List<JsonNode> lines) {
        return ServicesOnBus.output(lines);
    }

    @Test
    void pingCrossesBothRoutersOverVxlan() throws Exception {
        List<JsonNode> lines = exec("pc1", "ping -c 3 -i 0.2 10.0.2.10", 20_000);
        JsonNode exit = lines.getLast().get("exit");
        assertThat(exit.get("exitCode").asInt()).as(output(lines)).isZero();
        assertThat(exit.get("timedOut").asBoolean()).isFalse();
        assertThat(output(lines)).contains("3 received").contains("from 10.0.2.10");

        JsonNode r1 = JSON.readTree(call("r1", "GET", "/state", null, TOKEN).body());
        assertThat(r1.get("kind").asString()).isEqualTo("router");
        assertThat(r1.get("service").asString()).isEqualTo("test-service");
        assertThat(r1.get("arp").toString()).contains("10.0.1.10").contains("10.0.0.2");
        assertThat(r1.get("links").get("eth0").get("framesReceived").asLong()).isPositive();
        assertThat(r1.get("links").get("eth1").get("badDatagrams").asLong()).isZero();
        assertThat(r1.get("routes").toString()).contains("10.0.2.0/24");

        // The bus saw the frames of every hop on its own ports.
        assertThat(bus.bus().counters().stream().filter(c -> c.port().startsWith("r2:")).count()).isEqualTo(2);
    }

    @Test
    void eventsComeInOrderWithSequenceNumbersAndLongPoll() throws Exception {
        exec("pc2", "ping -c 1 10.0.2.1", 10_000);
        JsonNode b = JSON.readTree(call("pc2", "GET", "/events?after=0&max=100", null, TOKEN).body());
        assertThat(b.get("bootId").asString()).isNotBlank();
        long prev = 0;
        Set<String> kinds = new java.util.HashSet<>();
        for (JsonNode e : b.get("events")) {
            assertThat(e.get("seq").asLong()).isGreaterThan(prev);
            assertThat(e.get("node").asString()).isEqualTo("pc2");
            prev = e.get("seq").asLong();
            kinds.add(e.get("layer").asString() + "/" + e.get("kind").asString());
        }
        assertThat(prev).isPositive();
        assertThat(kinds).isNotEmpty();
        // The binary form (what the control API fetches) carries the same events, details as JSON text.
        dev.wirelab.nodeservice.protocol.EventWire.Batch bin = dev.wirelab.nodeservice.protocol.EventWire.decode(
                lab.getBytes("pc2", "/events?format=binary&after=0&max=100"));
        assertThat(bin.bootId()).isEqualTo(b.get("bootId").asString());
        assertThat(bin.events()).hasSize(b.get("events").size());
        for (int i = 0; i < bin.events().size(); i++) {
            JsonNode j = b.get("events").get(i);
            var e = bin.events().get(i);
            assertThat(e.seq()).isEqualTo(j.get("seq").asLong());
            assertThat(e.layer() + "/" + e.kind()).isEqualTo(j.get("layer").asString() + "/" + j.get("kind").asString());
            assertThat(JSON.readTree(e.detailJson())).isEqualTo(j.get("detail"));
        }
        // After everything there is nothing yet: a long poll waits, then answers empty.
        long next = b.get("next").asLong();
        long t0 = System.nanoTime();
        JsonNode empty = JSON.readTree(call("pc2", "GET", "/events?after=" + (next - 1) + "&waitMillis=300", null,
                TOKEN).body());
        assertThat(empty.get("events").size()).isZero();
        assertThat((System.nanoTime() - t0) / 1_000_000).isGreaterThanOrEqualTo(250);
    }

    @Test
    void aProgramThatOutrunsItsTimeoutIsStoppedWith124() throws Exception {
        List<JsonNode> lines = exec("pc1", "ping -i 0.2 10.0.1.1", 700);
        JsonNode exit = lines.getLast().get("exit");
        assertThat(exit.get("exitCode").asInt()).isEqualTo(124);
        assertThat(exit.get("timedOut").asBoolean()).isTrue();
        assertThat(output(lines)).contains("from 10.0.1.1");
    }

    @Test
    void badRequestsGetClearErrors() throws Exception {
        assertThat(call("pc1", "GET", "/health", null, null).statusCode()).isEqualTo(401);
        assertThat(call("pc1", "GET", "/health", null, TOKEN + "x").statusCode()).isEqualTo(401);
        HttpResponse<String> health = call("pc1", "GET", "/health", null, TOKEN);
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(health.body()).get("brief").get("interfaces").get(0).get("name").asString())
                .isEqualTo("eth0");
        assertThat(call("pc1", "POST", "/exec", "{nope", TOKEN).statusCode()).isEqualTo(400);
        assertThat(call("pc1", "POST", "/exec", "{\"command\":\"\",\"timeoutMillis\":5}", TOKEN).statusCode())
                .isEqualTo(400);
        assertThat(call("pc1", "POST", "/exec", "x".repeat(ManagementServer.MAX_BODY + 10), TOKEN).statusCode())
                .isEqualTo(413);
        assertThat(call("pc1", "GET", "/exec", null, TOKEN).statusCode()).isEqualTo(405);
        assertThat(call("pc1", "GET", "/events?after=abc", null, TOKEN).statusCode()).isEqualTo(400);
        HttpResponse<String> unknown = call("pc1", "GET", "/kind/nothing", null, TOKEN);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("/kind/programs");
        assertThat(call("pc1", "GET", "/kind/programs", null, TOKEN).body()).contains("\"ping\"");
    }

    @Test
    void aConfigurationThatIsWrongSaysWhat() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> NodeService.parseConfig(null))
                .hasMessageContaining(NodeApi.CONFIG_ENV);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> NodeService.parseConfig("{\"node\":\"x\"}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Missing creator property 'runId'");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> NodeService.parseConfig("{\"bogus\":1}"))
                .isInstanceOf(IllegalArgumentException.class);
        Topology t = bus.topology();
        NodeConfig wrongNode = new NodeConfig(1, "nobody", Topologies.toJson(t), 1, "127.0.0.1", 4789, 4789, 0, 0,
                TOKEN);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> NodeService.start(ANY, wrongNode,
                new InetSocketAddress("127.0.0.1", 0))).hasMessageContaining("no node 'nobody'");
        ServiceSpec dnsOnly = new ServiceSpec("dns-service", Set.of("dns"), List.of());
        NodeConfig router = new NodeConfig(1, "r1", Topologies.toJson(t), 1, "127.0.0.1", 4789, 4789, 0, 0, TOKEN);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> NodeService.start(dnsOnly, router,
                new InetSocketAddress("127.0.0.1", 0))).hasMessageContaining("r1 is a router; dns-service runs dns");
    }
}
