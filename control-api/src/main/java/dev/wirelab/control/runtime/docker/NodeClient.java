package dev.wirelab.control.runtime.docker;

import dev.wirelab.netstack.inspect.NodeState;
import dev.wirelab.nodeservice.protocol.EventWire;
import dev.wirelab.nodeservice.protocol.ExecLine;
import dev.wirelab.nodeservice.protocol.ExecRequest;
import dev.wirelab.nodeservice.protocol.Health;
import dev.wirelab.nodeservice.protocol.NodeApi;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/** The control API's side of one node container's management API ({@link NodeApi}). */
final class NodeClient {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpClient http;
    private final URI base;
    private final String auth;

    NodeClient(HttpClient http, String ip, String token) {
        this.http = http;
        this.base = URI.create("http://" + ip + ":" + NodeApi.MANAGEMENT_PORT);
        this.auth = "Bearer " + token;
    }

    URI base() {
        return base;
    }

    private HttpRequest.Builder request(String path, Duration timeout) {
        return HttpRequest.newBuilder(base.resolve(path)).timeout(timeout).header("Authorization", auth);
    }

    /** The body of a GET that answered 200; any other status is an IOException with the node's answer. */
    private byte[] getBytes(String path, Duration timeout) throws IOException, InterruptedException {
        HttpResponse<byte[]> r = http.send(request(path, timeout).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            throw new IOException("GET " + path + " on " + base + ": " + r.statusCode() + " "
                    + new String(r.body(), java.nio.charset.StandardCharsets.UTF_8));
        }
        return r.body();
    }

    private <T> T get(String path, Duration timeout, Class<T> type) throws IOException, InterruptedException {
        byte[] body = getBytes(path, timeout);
        try {
            return JSON.readValue(body, type);
        } catch (JacksonException e) {
            throw new IOException("GET " + path + " on " + base + ": not the expected JSON: " + e.getOriginalMessage(), e);
        }
    }

    Health health(Duration timeout) throws IOException, InterruptedException {
        return get("/health", timeout, Health.class);
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> state(Duration timeout) throws IOException, InterruptedException {
        return get("/state", timeout, Map.class);
    }

    /** Events after {@code after}, in the binary form (details as the node wrote them, not parsed here). */
    EventWire.Batch events(long after, int max, long waitMillis) throws IOException, InterruptedException {
        String path = "/events?format=binary&after=" + after + "&max=" + max + "&waitMillis=" + waitMillis
                + "&lingerMillis=" + NodeApi.EVENT_LINGER_MILLIS;
        byte[] body = getBytes(path, Duration.ofMillis(waitMillis + 10_000));
        try {
            return EventWire.decode(body);
        } catch (IOException e) {
            throw new IOException("GET " + path + " on " + base + ": " + e.getMessage(), e);
        }
    }

    /** Runs a command; each output line goes to {@code output} as it arrives; answers the exit line. */
    ExecLine.Exit exec(String command, long timeoutMillis, Consumer<String> output) throws IOException, InterruptedException {
        byte[] body = JSON.writeValueAsBytes(new ExecRequest(command, timeoutMillis));
        HttpRequest req = request("/exec", Duration.ofMillis(timeoutMillis + 15_000))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        HttpResponse<Stream<String>> r = http.send(req, HttpResponse.BodyHandlers.ofLines());
        try (Stream<String> lines = r.body()) {
            if (r.statusCode() != 200) {
                throw new IOException("exec on " + base + ": " + r.statusCode() + " " + String.join("\n", lines.toList()));
            }
            Iterator<String> it = lines.iterator();
            while (it.hasNext()) {
                String l = it.next();
                if (l.isBlank()) {
                    continue;
                }
                ExecLine line;
                try {
                    line = JSON.readValue(l, ExecLine.class);
                } catch (JacksonException e) {
                    throw new IOException("exec on " + base + ": a line that is not an exec line: " + l, e);
                }
                if (line.exit() != null) {
                    return line.exit();
                }
                output.accept(line.output());
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        throw new IOException("exec on " + base + ": the stream ended without an exit line (the node went down?)");
    }

    /** A node that is down, in brief. */
    static NodeState.Brief down(String name, String kind) {
        return new NodeState.Brief(name, kind, false, java.util.List.of(), 0, 0, 0, 0);
    }
}
