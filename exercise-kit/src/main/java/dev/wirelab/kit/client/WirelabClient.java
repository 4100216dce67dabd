package dev.wirelab.kit.client;

import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A typed client of the Wirelab control API (labs, runs, exec, advance, frames, events,
 * conversations): exercises never build JSON by hand. Thread-safe.
 */
public final class WirelabClient {

    /** The largest page the API serves. */
    static final int PAGE = 1000;

    private final String base;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final JsonMapper json = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    private WirelabClient(String baseUrl, String token) {
        this.base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.token = token;
    }

    /** A client of the server at {@code baseUrl} (e.g. {@code http://127.0.0.1:8080}), without a token. */
    public static WirelabClient connect(String baseUrl) {
        return new WirelabClient(baseUrl, null);
    }

    /** A client that sends {@code Authorization: Bearer token} (a server that listens beyond loopback asks for it). */
    public static WirelabClient connect(String baseUrl, String token) {
        return new WirelabClient(baseUrl, token);
    }

    public String baseUrl() {
        return base;
    }

    // ---- labs

    /** Creates a lab from a topology (YAML or JSON text). A bad topology is a 400 naming every problem. */
    public Lab createLab(String topology) {
        return send("POST", "/api/labs", "application/yaml", topology, 201, Lab.class);
    }

    private static final java.util.concurrent.atomic.AtomicInteger UNIQUE = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * Creates a lab from a topology under a name of its own ({@code journey-1733...-1}): labs are known
     * by their names, so an exercise that runs a topology more than once (per runtime, per student
     * attempt) needs a new one each time.
     */
    public Lab createUniqueLab(String topology) {
        String suffix = "-" + Long.toString(System.currentTimeMillis(), 36) + "-" + UNIQUE.incrementAndGet();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^name:[ \\t]*([^\\s#]+)").matcher(topology);
        String named = m.find() ? m.replaceFirst("name: " + java.util.regex.Matcher.quoteReplacement(m.group(1) + suffix))
                : "name: lab" + suffix + "\n" + topology;
        return createLab(named);
    }

    public Lab createLab(Path topologyFile) {
        try {
            return createLab(Files.readString(topologyFile));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Creates a lab from one of the server's examples ({@code journey}, {@code three-segments}...). */
    public Lab createLabFromExample(String example) {
        return send("POST", "/api/labs?example=" + enc(example), "application/json", null, 201, Lab.class);
    }

    public void deleteLab(long labId) {
        send("DELETE", "/api/labs/" + labId, null, null, 204, JsonNode.class);
    }

    // ---- runs

    public Run startRun(long labId, RunOptions options) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("timeMode", options.timeMode());
        body.put("runtime", options.runtime().apiName());
        if (options.seed() != null) {
            body.put("seed", options.seed());
        }
        return send("POST", "/api/labs/" + labId + "/runs", "application/json", json.writeValueAsString(body), 201, Run.class);
    }

    public Run run(long runId) {
        return send("GET", "/api/runs/" + runId, null, null, 200, Run.class);
    }

    public Run stop(long runId) {
        return send("POST", "/api/runs/" + runId + "/stop", "application/json", null, 200, Run.class);
    }

    /** Lets lab time pass in a virtual-time run; answers the lab time after it (ns). */
    public long advance(long runId, Duration d) {
        String text = d.toNanos() % 1_000_000 == 0 ? d.toMillis() + "ms" : (d.toNanos() / 1000) + "us";
        return send("POST", "/api/runs/" + runId + "/advance", "application/json",
                json.writeValueAsString(Map.of("duration", text)), 200, JsonNode.class).path("labTimeNanos").asLong();
    }

    /** Runs a program on a node (as at its shell: {@code ping -c 1 10.0.2.10}) and waits for it (2 minutes at most). */
    public ExecResult exec(long runId, String node, String command) {
        return exec(runId, node, command, Duration.ofMinutes(2));
    }

    /** Runs a program on a node; after {@code timeout} of lab time it is given up (exit code 124). */
    public ExecResult exec(long runId, String node, String command, Duration timeout) {
        String body = json.writeValueAsString(Map.of("command", command, "timeout", timeout.toMillis() + "ms"));
        return send("POST", "/api/runs/" + runId + "/nodes/" + enc(node) + "/exec", "application/json", body, 200,
                ExecResult.class, timeout.plusSeconds(60));
    }

    /** A node's state in sections (interfaces, routes, arp, sockets, counters; leases, caches by kind). */
    public JsonNode nodeState(long runId, String node) {
        return send("GET", "/api/runs/" + runId + "/nodes/" + enc(node), null, null, 200, JsonNode.class);
    }

    /** Waits until the run has ended and everything it captured is stored (or counted as dropped). */
    public Run awaitStored(long runId, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        Run r = run(runId);
        while (!r.allStored()) {
            if (System.nanoTime() > end) {
                throw new IllegalStateException("run " + runId + " not all stored after " + timeout + ": " + r);
            }
            sleep(100);
            r = run(runId);
        }
        return r;
    }

    // ---- the stored trace

    /** Every stored frame of the run, oldest first. */
    public List<Frame> frames(long runId) {
        return all("/api/runs/" + runId + "/frames?limit=" + PAGE, Frame.class, Frame::seq);
    }

    /** Stored frames that match the API's filters, e.g. {@code Map.of("protocol", "icmp", "segment", "core")}. */
    public List<Frame> frames(long runId, Map<String, String> filters) {
        return all("/api/runs/" + runId + "/frames?limit=" + PAGE + query(filters), Frame.class, Frame::seq);
    }

    /** Every stored frame's bytes, by sequence number. */
    public Map<Long, byte[]> frameBytes(long runId) {
        Map<Long, byte[]> out = new LinkedHashMap<>();
        for (FrameBytes b : all("/api/runs/" + runId + "/frames/bytes?limit=" + PAGE, FrameBytes.class, FrameBytes::seq)) {
            out.put(b.seq(), b.bytes());
        }
        return out;
    }

    record FrameBytes(long seq, byte[] bytes) {
    }

    /** Every stored stack event of the run, oldest first. */
    public List<Event> events(long runId) {
        return all("/api/runs/" + runId + "/events?limit=" + PAGE, Event.class, Event::seq);
    }

    /** Stored events that match the API's filters, e.g. {@code Map.of("node", "pc1", "layer", "tcp")}. */
    public List<Event> events(long runId, Map<String, String> filters) {
        return all("/api/runs/" + runId + "/events?limit=" + PAGE + query(filters), Event.class, Event::seq);
    }

    /** The run's conversations, oldest first (up to 1000). */
    public List<Conversation> conversations(long runId) {
        JavaType t = json.getTypeFactory().constructCollectionType(List.class, Conversation.class);
        return json.readValue(send("GET", "/api/runs/" + runId + "/conversations?limit=" + PAGE, null, null, 200, String.class), t);
    }

    // ---- plumbing

    private <T> List<T> all(String path, Class<T> item, Function<T, Long> seq) {
        List<T> out = new ArrayList<>();
        JavaType t = json.getTypeFactory().constructCollectionType(List.class, item);
        Long after = null;
        do {
            JsonNode page = send("GET", path + (after == null ? "" : "&after=" + after), null, null, 200, JsonNode.class);
            List<T> items = json.treeToValue(page.path("items"), t);
            out.addAll(items);
            JsonNode next = page.get("nextCursor");
            after = next == null || next.isNull() ? null : next.asLong();
        } while (after != null);
        return out;
    }

    private static String query(Map<String, String> filters) {
        StringBuilder sb = new StringBuilder();
        filters.forEach((k, v) -> sb.append('&').append(enc(k)).append('=').append(enc(v)));
        return sb.toString();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private <T> T send(String method, String path, String contentType, String body, int expect, Class<T> type) {
        return send(method, path, contentType, body, expect, type, Duration.ofSeconds(120));
    }

    private <T> T send(String method, String path, String contentType, String body, int expect, Class<T> type,
                       Duration timeout) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> r;
        try {
            r = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + base + path + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + method + " " + path, e);
        }
        if (r.statusCode() != expect) {
            throw new WirelabApiException(method + " " + path, r.statusCode(), r.body());
        }
        if (type == String.class) {
            return type.cast(r.body());
        }
        return r.body().isEmpty() ? null : json.readValue(r.body(), type);
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
