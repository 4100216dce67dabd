package dev.wirelab.nodeservice;

import dev.wirelab.netstack.lab.Lab;
import dev.wirelab.netstack.lab.NodeAssembly;
import dev.wirelab.netstack.lab.topology.InterfaceSpec;
import dev.wirelab.netstack.lab.topology.NodeSpec;
import dev.wirelab.netstack.lab.topology.Topologies;
import dev.wirelab.netstack.lab.topology.Topology;
import dev.wirelab.nodeservice.protocol.NodeConfig;
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

/**
 * Every node of a topology as a node service of its own, on loopback, as the docker runtime places
 * them in containers: a bus that holds no nodes, each NIC a VXLAN port of it, and the management API
 * the only way in. Services' tests give the spec of their kind; other nodes run under {@link #ANY}.
 */
public final class ServicesOnBus implements AutoCloseable {

    public static final ServiceSpec ANY = new ServiceSpec("test-service", Set.of("host", "web", "router", "dhcp",
            "dns"), List.of(new KindEndpoint("programs", "programs", n -> n.programNames())));
    public static final String TOKEN = "test-token-0123456789";
    public static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final Lab bus;
    private final Map<String, NodeService> services = new LinkedHashMap<>();

    private ServicesOnBus(Lab bus) {
        this.bus = bus;
    }

    /** Starts the topology of {@code yamlFile}; a node of a kind in {@code specs} runs that service. */
    public static ServicesOnBus start(Path yamlFile, Map<String, ServiceSpec> specs) throws IOException {
        Topology t = Topologies.parseYaml(yamlFile);
        ServicesOnBus s = new ServicesOnBus(Lab.build(t, Lab.Options.real().withSeed(1).withNodesElsewhere()));
        try {
            int busPort = s.bus.bus().listenVxlan(new InetSocketAddress("127.0.0.1", 0)).localAddress().getPort();
            s.bus.start();
            for (Map.Entry<String, NodeSpec> e : t.nodes().entrySet()) {
                int base = freeUdpPortRun(e.getValue().interfaces().size());
                NodeConfig c = new NodeConfig(7, e.getKey(), Topologies.toJson(t), 1, "127.0.0.1", busPort, base,
                        s.bus.originNanoTime(), s.bus.epochUnixNanos(), TOKEN);
                NodeConfig.nicPorts(e.getValue(), base).forEach((ifName, port) -> {
                    InterfaceSpec is = e.getValue().interfaces().get(ifName);
                    s.bus.bus().addExternalPort(is.segment(), NodeAssembly.portName(e.getKey(), ifName),
                            new InetSocketAddress("127.0.0.1", port));
                });
                ServiceSpec spec = specs.getOrDefault(e.getValue().kind(), ANY);
                s.services.put(e.getKey(), NodeService.start(spec, NodeService.parseConfig(JSON.writeValueAsString(c)),
                        new InetSocketAddress("127.0.0.1", 0)));
            }
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    public Lab bus() {
        return bus;
    }

    public NodeService service(String node) {
        return services.get(node);
    }

    /** A run of n consecutive free UDP ports (NIC i listens on base + i). */
    static int freeUdpPortRun(int n) throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int base;
            try (DatagramSocket s = new DatagramSocket(0)) {
                base = s.getLocalPort();
            }
            if (base + n > 65535) {
                continue;
            }
            List<DatagramSocket> held = new ArrayList<>();
            try {
                for (int i = 0; i < n; i++) {
                    held.add(new DatagramSocket(base + i));
                }
                return base;
            } catch (IOException taken) {
                // try another base
            } finally {
                held.forEach(DatagramSocket::close);
            }
        }
        throw new IOException("no run of " + n + " free UDP ports");
    }

    public HttpResponse<String> call(String node, String method, String path, String body, String token)
            throws IOException, InterruptedException {
        InetSocketAddress a = services.get(node).managementAddress();
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a.getPort() + path));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** GET with the right token; the body as bytes (200 only). */
    public byte[] getBytes(String node, String path) throws IOException, InterruptedException {
        InetSocketAddress a = services.get(node).managementAddress();
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a.getPort() + path))
                .header("Authorization", "Bearer " + TOKEN).GET().build();
        HttpResponse<byte[]> r = HTTP.send(req, HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            throw new IOException("GET " + path + " on " + node + ": " + r.statusCode());
        }
        return r.body();
    }

    /** GET with the right token; the body as JSON, or an error naming the status. */
    public JsonNode get(String node, String path) throws IOException, InterruptedException {
        HttpResponse<String> r = call(node, "GET", path, null, TOKEN);
        if (r.statusCode() != 200) {
            throw new IOException("GET " + path + " on " + node + ": " + r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body());
    }

    /** Runs a command on a node; the NDJSON lines (output lines, then the exit line). */
    public List<JsonNode> exec(String node, String command, long timeoutMillis) throws IOException, InterruptedException {
        HttpResponse<String> r = call(node, "POST", "/exec",
                JSON.writeValueAsString(Map.of("command", command, "timeoutMillis", timeoutMillis)), TOKEN);
        if (r.statusCode() != 200) {
            throw new IOException("exec on " + node + ": " + r.statusCode() + " " + r.body());
        }
        List<JsonNode> lines = new ArrayList<>();
        for (String l : r.body().split("\n")) {
            lines.add(JSON.readTree(l));
        }
        return lines;
    }

    public static String output(List<JsonNode> lines) {
        StringBuilder sb = new StringBuilder();
        lines.stream().filter(l -> l.has("output") && !l.get("output").isNull())
                .forEach(l -> sb.append(l.get("output").asString()).append('\n'));
        return sb.toString();
    }

    public static int exitCode(List<JsonNode> lines) {
        return lines.getLast().get("exit").get("exitCode").asInt();
    }

    @Override
    public void close() {
        services.values().forEach(NodeService::close);
        bus.close();
    }
}
