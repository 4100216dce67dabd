package dev.wirelab.nodeservice;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.wirelab.nodeservice.protocol.EventBatch;
import dev.wirelab.nodeservice.protocol.EventWire;
import dev.wirelab.nodeservice.protocol.ExecLine;
import dev.wirelab.nodeservice.protocol.ExecRequest;
import dev.wirelab.nodeservice.protocol.Health;
import dev.wirelab.nodeservice.protocol.NodeApi;
import dev.wirelab.nodeservice.protocol.NulSafeJson;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The node's management API ({@link NodeApi}) on the JDK's HTTP server: a node container must stay
 * small (the target is 80 MB resident), and this API is a handful of JSON endpoints, so a web
 * framework would cost more memory than it saves code. Requests run on virtual threads, so long
 * polls for events and streamed programs do not hold platform threads.
 */
public final class ManagementServer implements AutoCloseable {

    static final int MAX_BODY = 64 * 1024;
    private static final long MAX_DRAIN = 16L * 1024 * 1024;
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** Event details as the ingest stores them (NUL-safe). */
    private static final JsonMapper DETAIL_JSON = NulSafeJson.mapper();

    private final RunningNode node;
    private final ServiceSpec service;
    private final String bootId;
    private final byte[] expectedAuth;
    private final HttpServer http;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

    public ManagementServer(RunningNode node, ServiceSpec service, String bootId, InetSocketAddress bind)
            throws IOException {
        this.node = node;
        this.service = service;
        this.bootId = bootId;
        this.expectedAuth = ("Bearer " + node.config().token()).getBytes(StandardCharsets.UTF_8);
        this.http = HttpServer.create(bind, 64);
        http.setExecutor(executor);
        http.createContext("/", this::handle);
        http.start();
    }

    public InetSocketAddress address() {
        return http.getAddress();
    }

    private void handle(HttpExchange ex) throws IOException {
        // The exchange closes after the error answers below (a try-with-resources would close it first).
        try (ex) {
            route(ex);
        }
    }

    private void route(HttpExchange ex) throws IOException {
        try {
            if (!authorized(ex)) {
                send(ex, 401, Map.of("error", "missing or wrong bearer token"));
                return;
            }
            URI uri = ex.getRequestURI();
            String path = uri.getPath();
            String method = ex.getRequestMethod();
            switch (path) {
                case "/health" -> requireGet(ex, () -> send(ex, 200, new Health("up", node.config().runId(), node.name(),
                        node.kind(), service.name(), bootId, node.brief().get(5, TimeUnit.SECONDS))));
                case "/state" -> requireGet(ex, () -> {
                    Map<String, Object> state = new LinkedHashMap<>(node.state().get(10, TimeUnit.SECONDS));
                    state.put("links", node.links());
                    state.put("service", service.name());
                    state.put("eventsDropped", node.events().dropped());
                    send(ex, 200, state);
                });
                case "/events" -> requireGet(ex, () -> events(ex, query(uri)));
                case "/exec" -> {
                    if (!"POST".equals(method)) {
                        send(ex, 405, Map.of("error", "POST only"));
                    } else {
                        exec(ex);
                    }
                }
                default -> {
                    KindEndpoint k = path.startsWith("/kind/") ? endpoint(path.substring(6)) : null;
                    if (k == null) {
                        Map<String, Object> known = new LinkedHashMap<>();
                        service.endpoints().forEach(e -> known.put("/kind/" + e.name(), e.description()));
                        send(ex, 404, Map.of("error", "no endpoint " + path, "kindEndpoints", known));
                    } else {
                        requireGet(ex, () -> send(ex, 200, node.onLoop(k.read()).get(10, TimeUnit.SECONDS)));
                    }
                }
            }
        } catch (IllegalArgumentException e) {
            send(ex, 400, Map.of("error", String.valueOf(e.getMessage())));
        } catch (Exception e) {
            // A failure of one request must not end the server: answer it and go on.
            try {
                send(ex, 500, Map.of("error", String.valueOf(e)));
            } catch (IOException | RuntimeException ignored) {
                // The response had started; the client sees a cut stream.
            }
        }
    }

    private interface Action {
        void run() throws Exception;
    }

    private static void requireGet(HttpExchange ex, Action a) throws Exception {
        if (!"GET".equals(ex.getRequestMethod())) {
            send(ex, 405, Map.of("error", "GET only"));
            return;
        }
        a.run();
    }

    private KindEndpoint endpoint(String name) {
        return service.endpoints().stream().filter(e -> e.name().equals(name)).findFirst().orElse(null);
    }

    private boolean authorized(HttpExchange ex) {
        String h = ex.getRequestHeaders().getFirst("Authorization");
        return h != null && MessageDigest.isEqual(h.getBytes(StandardCharsets.UTF_8), expectedAuth);
    }

    private void events(HttpExchange ex, Map<String, String> q) throws Exception {
        long after = longParam(q, "after", 0);
        int max = (int) Math.clamp(longParam(q, "max", NodeApi.MAX_BATCH), 1, NodeApi.MAX_BATCH);
        long wait = Math.clamp(longParam(q, "waitMillis", 0), 0, 30_000);
        long linger = Math.clamp(longParam(q, "lingerMillis", 0), 0, 1_000);
        EventBatch b = node.events().fetch(bootId, after, max, wait, linger);
        if ("binary".equals(q.get("format"))) {
            byte[] bytes = EventWire.encode(b, DETAIL_JSON);
            ex.getResponseHeaders().set("Content-Type", EventWire.MEDIA_TYPE);
            ex.sendResponseHeaders(200, bytes.length);
            ex.getResponseBody().write(bytes);
            return;
        }
        List<EventBatch.Event> safe = new ArrayList<>(b.events().size());
        for (EventBatch.Event e : b.events()) {
            safe.add(new EventBatch.Event(e.seq(), e.timeNanos(), e.node(), e.layer(), e.kind(), jsonSafe(e.detail())));
        }
        send(ex, 200, new EventBatch(b.bootId(), b.next(), b.dropped(), safe));
    }

    /** A detail value JSON cannot carry must not cost the batch: it travels as text (as the ingest keeps it). */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> jsonSafe(Map<String, Object> detail) {
        try {
            return JSON.convertValue(detail, LinkedHashMap.class);
        } catch (JacksonException | IllegalArgumentException e) {
            return Map.of("unserializable", String.valueOf(detail));
        }
    }

    private void exec(HttpExchange ex) throws Exception {
        ExecRequest req;
        try (InputStream in = ex.getRequestBody()) {
            byte[] body = in.readNBytes(MAX_BODY + 1);
            if (body.length > MAX_BODY) {
                // Read the rest (bounded) so the connection can carry the client's next request.
                long left = MAX_DRAIN;
                for (long n; left > 0 && (n = in.skip(left)) > 0; ) {
                    left -= n;
                }
                send(ex, 413, Map.of("error", "body over " + MAX_BODY + " bytes"));
                return;
            }
            req = JSON.readValue(body, ExecRequest.class);
        } catch (JacksonException e) {
            send(ex, 400, Map.of("error", "body must be {\"command\": \"...\", \"timeoutMillis\": N}: "
                    + e.getOriginalMessage()));
            return;
        }
        if (req.command() == null || req.command().isBlank() || req.timeoutMillis() <= 0) {
            send(ex, 400, Map.of("error", "command and a positive timeoutMillis are required"));
            return;
        }
        ex.getResponseHeaders().set("Content-Type", "application/x-ndjson");
        ex.sendResponseHeaders(200, 0); // chunked: lines go out as the program prints them
        OutputStream out = ex.getResponseBody();
        Object writeLock = new Object();
        ExecLine.Exit exit = node.exec(req.command(), req.timeoutMillis(), line -> {
            synchronized (writeLock) {
                writeLine(out, ExecLine.output(line));
            }
        }).get(req.timeoutMillis() + 10_000, TimeUnit.MILLISECONDS);
        synchronized (writeLock) {
            writeLine(out, ExecLine.exit(exit));
        }
    }

    private static void writeLine(OutputStream out, ExecLine line) {
        try {
            out.write(JSON.writeValueAsBytes(line));
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            // The caller went away; the program runs to its end or its timeout regardless.
        }
    }

    private static void send(HttpExchange ex, int status, Object body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    static Map<String, String> query(URI uri) {
        Map<String, String> m = new LinkedHashMap<>();
        String q = uri.getRawQuery();
        if (q == null) {
            return m;
        }
        for (String kv : q.split("&")) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                m.put(java.net.URLDecoder.decode(kv.substring(0, eq), StandardCharsets.UTF_8),
                        java.net.URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return m;
    }

    private static long longParam(Map<String, String> q, String name, long dflt) {
        String v = q.get(name);
        if (v == null) {
            return dflt;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number, got '" + v + "'");
        }
    }

    @Override
    public void close() {
        http.stop(0);
        executor.shutdownNow();
    }
}
