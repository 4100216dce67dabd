package dev.wirelab.netstack.program;

import dev.wirelab.netstack.dns.StubResolver;
import dev.wirelab.netstack.http.HttpDecoder;
import dev.wirelab.netstack.http.HttpFields;
import dev.wirelab.netstack.http.HttpMessage;
import dev.wirelab.netstack.http.HttpResponse;
import dev.wirelab.netstack.http.HttpWriter;
import dev.wirelab.netstack.http.Url;
import dev.wirelab.netstack.socket.Errno;
import dev.wirelab.netstack.socket.PollFd;
import dev.wirelab.netstack.socket.Process;
import dev.wirelab.netstack.socket.SockAddr;
import dev.wirelab.netstack.socket.Sys;
import dev.wirelab.netstack.socket.SyscallException;
import dev.wirelab.netstack.wire.Ipv4Address;
import dev.wirelab.netstack.wire.WireFormatException;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static dev.wirelab.netstack.socket.Sys.AF_INET;
import static dev.wirelab.netstack.socket.Sys.SOCK_STREAM;

/**
 * The HTTP/1.1 client curl and browse share, written against the node's system calls: resolve
 * with getaddrinfo, connect to each address in turn with a timeout, send a request, read the
 * response with the stream decoder, and keep the connection for the next request to the same host
 * and port when both sides allow it (RFC 9112 section 9.3). Every step is a trace event of layer
 * "http"; with a verbose sink it also prints curl's {@code -v} lines. Failures carry curl's exit
 * codes ({@link Failure}).
 */
final class HttpClient implements AutoCloseable {

    /** A failed transfer: curl's exit code and message ("Could not resolve host: x"). */
    static final class Failure extends Exception {
        final int code;

        Failure(int code, String message) {
            super(message, null, false, false);
            this.code = code;
        }
    }

    /** An exchange's result: the final response and what led to it. */
    record Exchange(HttpResponse response, List<HttpResponse> interim, SockAddr remote, int connection, long bytesSent,
                    Timing timing) {
    }

    /**
     * Where the time went: name lookup and TCP handshake (-1 on a reused connection), request sent
     * to response complete; the local address of the connection.
     */
    record Timing(List<Ipv4Address> addresses, long resolveNanos, long connectNanos, long responseNanos, SockAddr local) {
    }

    /** curl's own connect timeout when none is given (CURL_DEFAULT_CONNECT_TIMEOUT: 300 s). */
    static final long DEFAULT_CONNECT_TIMEOUT = 300_000_000_000L;
    private static final String LAYER = "http";

    private final Process p;
    private final Consumer<String> verbose;
    private long connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    /** When the whole operation must end (-m), or Long.MAX_VALUE. */
    private long deadline = Long.MAX_VALUE;
    private final long started;

    // The kept-alive connection, if any.
    private int fd = -1;
    private String host;
    private int port;
    private SockAddr remote;
    private int connectionId = -1;
    private int connections;
    private SockAddr local;
    private List<Ipv4Address> resolved = List.of();
    private long resolveNanos;
    private long connectNanos;
    private long bytesReceived;
    /** The line to print after the body of the last exchange. */
    private String note;

    HttpClient(Process p, Consumer<String> verbose) {
        this.p = p;
        this.verbose = verbose;
        this.started = p.now();
    }

    void connectTimeout(long nanos) {
        connectTimeout = nanos;
    }

    /** -m: the whole run, from now. */
    void maxTime(long nanos) {
        deadline = p.now() + nanos;
    }

    /** Connections opened so far (curl's %{num_connects}). */
    int connections() {
        return connections;
    }

    private void v(String line) {
        if (verbose != null) {
            verbose.accept(line);
        }
    }

    private long elapsedMs() {
        return (p.now() - started) / 1_000_000;
    }

    /** Time left until -m's deadline, at most {@code cap}; 0 when it has passed. */
    private long left(long cap) {
        if (deadline == Long.MAX_VALUE) {
            return cap;
        }
        return Math.max(0, Math.min(cap, deadline - p.now()));
    }

    /**
     * Sends one request and reads its response (following nothing: redirects are the caller's).
     * The default fields curl sends come first; {@code extra} may replace them (curl -H).
     */
    Exchange exchange(Url url, String method, HttpFields extra, byte[] body, String userAgent)
            throws Failure, SyscallException {
        done();
        boolean reused = reuse(url);
        if (!reused) {
            open(url);
        } else {
            resolved = List.of(remote.address());
            resolveNanos = -1;
            connectNanos = -1;
        }
        HttpFields h = new HttpFields();
        h.add("Host", url.hostHeader());
        if (userAgent != null) {
            h.add("User-Agent", userAgent);
        }
        h.add("Accept", "*/*");
        if (url.userinfo() != null) {
            String basic = java.util.Base64.getEncoder().encodeToString(
                    Url.decodeOrRaw(url.userinfo()).getBytes(StandardCharsets.UTF_8));
            h.add("Authorization", "Basic " + basic); // RFC 7617
        }
        for (HttpFields.Field f : extra.asList()) {
            h.remove(f.name());
        }
        for (HttpFields.Field f : extra.asList()) {
            if (!f.value().isEmpty()) {
                h.add(f.name(), f.value());
            }
        }
        if (body != null && !h.contains("Content-Length") && !h.contains("Transfer-Encoding")) {
            h.add("Content-Length", String.valueOf(body.length));
        }
        byte[] head;
        try {
            head = HttpWriter.requestHead(method, url.target(), "HTTP/1.1", h);
        } catch (IllegalArgumentException e) {
            throw new Failure(3, "URL rejected: " + e.getMessage());
        }
        String headText = new String(head, 0, head.length - 4, StandardCharsets.ISO_8859_1);
        for (String line : headText.split("\r\n")) {
            v("> " + line);
        }
        v("> ");
        ByteArrayOutputStream req = new ByteArrayOutputStream();
        req.writeBytes(head);
        if (body != null) {
            req.writeBytes(body);
        }
        byte[] bytes = req.toByteArray();
        HttpDecoder decoder = HttpDecoder.responses();
        decoder.requestSent(method);
        try {
            sendAll(bytes);
        } catch (SyscallException e) {
            if (reused) {
                // The server closed the kept connection meanwhile: curl retries once on a new one.
                drop();
                return exchange(url, method, extra, body, userAgent);
            }
            throw new Failure(55, "Send failure: " + e.errno().message());
        }
        p.event(LAYER, "request_sent", "method", method, "url", url.toString(), "target", url.target(),
                "host", url.hostHeader(), "bytes", bytes.length, "connection", connectionId, "reused", reused);
        List<HttpResponse> interim = new ArrayList<>();
        long sentAt = p.now();
        HttpResponse r = receive(decoder, interim, reused, bytes.length);
        if (r == null) {
            if (!reused) {
                throw new Failure(52, "Empty reply from server");
            }
            // A reused connection closed before any byte of the answer: retry once on a new one (as curl does).
            drop();
            return exchange(url, method, extra, body, userAgent);
        }
        p.event(LAYER, "response_received", "status", r.status(), "reason", r.reason(),
                "content_type", r.headers().get("Content-Type").orElse(""),
                "content_length", r.headers().get("Content-Length").orElse(""), "framing", r.framing().name(),
                "body_bytes", r.body().length, "keep_alive", r.keepAlive(), "connection", connectionId);
        Exchange x = new Exchange(r, interim, remote, connectionId, bytes.length,
                new Timing(resolved, resolveNanos, connectNanos, p.now() - sentAt, local));
        if (r.keepAlive() && !h.hasToken("Connection", "close")) {
            note = "* Connection #" + connectionId + " to host " + host + " left intact";
        } else {
            note = "* Closing connection " + connectionId;
            drop();
        }
        return x;
    }

    /** Whether the kept connection can carry a request to {@code url} (same host and port, still open). */
    private boolean reuse(Url url) throws SyscallException {
        if (fd < 0) {
            return false;
        }
        if (!url.host().equals(host) || url.port() != port) {
            v("* Closing connection " + connectionId);
            drop();
            return false;
        }
        // A kept connection the server has closed meanwhile reads as readable (EOF): not reusable.
        PollFd[] pfd = {new PollFd(fd, Sys.POLLIN | Sys.POLLRDHUP)};
        if (p.poll(pfd, 0) > 0) {
            v("* Connection " + connectionId + " seems to be dead");
            drop();
            return false;
        }
        v("* Re-using existing connection #" + connectionId + " with host " + host);
        p.event(LAYER, "connection_reused", "host", host, "port", port, "connection", connectionId);
        return true;
    }

    /** Resolves and connects, trying each address in turn. */
    private void open(Url url) throws Failure, SyscallException {
        p.event(LAYER, "resolve_start", "host", url.host());
        long t0 = p.now();
        List<Ipv4Address> addresses;
        long budget = left(connectTimeout);
        try {
            addresses = p.getaddrinfo(url.host(), budget == 0 ? 1 : budget);
        } catch (StubResolver.ResolveException e) {
            p.event(LAYER, "resolve_done", "host", url.host(), "error", "EAI_" + e.code());
            throw new Failure(6, "Could not resolve host: " + url.host());
        } catch (SyscallException e) {
            if (e.errno() == Errno.ETIMEDOUT) {
                p.event(LAYER, "resolve_done", "host", url.host(), "error", "timeout");
                throw new Failure(28, "Resolving timed out after " + elapsedMs() + " milliseconds");
            }
            throw e;
        }
        p.event(LAYER, "resolve_done", "host", url.host(), "addresses", addresses.toString());
        resolved = addresses;
        resolveNanos = p.now() - t0;
        Errno last = Errno.ECONNREFUSED;
        for (Ipv4Address a : addresses) {
            SockAddr to = new SockAddr(a, url.port());
            v("*   Trying " + to + "...");
            p.event(LAYER, "connect", "host", url.host(), "address", a.toString(), "port", url.port());
            int s = p.socket(AF_INET, SOCK_STREAM, 0);
            long wait = left(connectTimeout);
            long c0 = p.now();
            Errno e = connect(s, to, wait);
            if (e == null) {
                fd = s;
                host = url.host();
                port = url.port();
                remote = to;
                connectionId = connections++;
                connectNanos = p.now() - c0;
                local = p.getsockname(s);
                v("* Connected to " + host + " (" + a + ") port " + port + " (#" + connectionId + ")");
                p.event(LAYER, "connected", "host", host, "remote", to.toString(), "local", local.toString(),
                        "connection", connectionId);
                return;
            }
            p.close(s);
            p.event(LAYER, "connect_failed", "address", a.toString(), "port", url.port(),
                    "error", e == Errno.EINPROGRESS ? "timeout" : e.name());
            if (e == Errno.EINPROGRESS) {
                // curl's own timer (--connect-timeout or -m) fired before the handshake completed.
                throw new Failure(28, "Connection timed out after " + elapsedMs() + " milliseconds");
            }
            last = e;
        }
        // The kernel's verdict (RST, ICMP unreachable, SYN retries exhausted): curl 7.8x prints strerror.
        throw new Failure(7, "Failed to connect to " + url.host() + " port " + url.port() + " after " + elapsedMs()
                + " ms: " + last.message());
    }

    /** A non-blocking connect and poll (curl's way): null, why it failed, or EINPROGRESS when {@code timeout} passed. */
    private Errno connect(int s, SockAddr to, long timeout) throws SyscallException {
        int flags = p.fcntl(s, Sys.F_GETFL, 0);
        p.fcntl(s, Sys.F_SETFL, flags | Sys.O_NONBLOCK);
        try {
            p.connect(s, to);
        } catch (SyscallException e) {
            if (e.errno() != Errno.EINPROGRESS) {
                return e.errno();
            }
            PollFd[] pfd = {new PollFd(s, Sys.POLLOUT)};
            if (p.poll(pfd, (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout / 1_000_000))) == 0) {
                return Errno.EINPROGRESS;
            }
            int err = p.getsockopt(s, Sys.SOL_SOCKET, Sys.SO_ERROR);
            if (err != 0) {
                return Errno.of(err);
            }
        }
        p.fcntl(s, Sys.F_SETFL, flags);
        return null;
    }

    private void sendAll(byte[] b) throws SyscallException {
        int off = 0;
        while (off < b.length) {
            off += p.send(fd, b, off, b.length - off, Sys.MSG_NOSIGNAL);
        }
    }

    /** Reads until the decoder gives a final response; null when a reused connection closed before any byte. */
    private HttpResponse receive(HttpDecoder decoder, List<HttpResponse> interim, boolean reused, long sent)
            throws Failure, SyscallException {
        byte[] buf = new byte[16384];
        long got = 0;
        while (true) {
            long wait = left(Long.MAX_VALUE);
            if (deadline != Long.MAX_VALUE) {
                if (wait == 0) {
                    throw timeout(got);
                }
                PollFd[] pfd = {new PollFd(fd, Sys.POLLIN)};
                if (p.poll(pfd, (int) Math.max(1, Math.min(Integer.MAX_VALUE, wait / 1_000_000))) == 0) {
                    throw timeout(got);
                }
            }
            int n;
            try {
                n = p.recv(fd, buf, 0, buf.length, 0);
            } catch (SyscallException e) {
                if (reused && got == 0 && e.errno() == Errno.ECONNRESET) {
                    return null;
                }
                drop();
                if (e.errno() == Errno.ECONNRESET) {
                    throw new Failure(56, "Recv failure: Connection reset by peer");
                }
                throw new Failure(56, "Recv failure: " + e.errno().message());
            }
            List<HttpMessage> msgs;
            try {
                if (n == 0) {
                    if (got == 0) {
                        drop();
                        if (reused) {
                            return null;
                        }
                        throw new Failure(52, "Empty reply from server");
                    }
                    long remaining = decoder.remaining();
                    msgs = decoder.finish();
                    if (msgs.isEmpty()) {
                        drop();
                        throw new Failure(18, remaining >= 0 ? "transfer closed with " + remaining
                                + " bytes remaining to read" : "transfer closed with outstanding read data remaining");
                    }
                } else {
                    got += n;
                    bytesReceived += n;
                    msgs = decoder.feed(buf, 0, n);
                }
            } catch (WireFormatException e) {
                drop();
                long remaining = decoder.remaining();
                if (n == 0) {
                    throw new Failure(18, remaining >= 0 ? "transfer closed with " + remaining
                            + " bytes remaining to read" : "transfer closed with outstanding read data remaining");
                }
                throw new Failure(8, "Weird server reply (" + e.getMessage() + ")");
            }
            for (HttpMessage m : msgs) {
                HttpResponse r = (HttpResponse) m;
                printHead(r);
                if (r.interim()) {
                    interim.add(r);
                    continue;
                }
                if (n == 0) {
                    drop(); // framed by the close
                }
                return r;
            }
            if (n == 0) {
                return null;
            }
        }
    }

    private Failure timeout(long got) {
        drop();
        return new Failure(28, "Operation timed out after " + elapsedMs() + " milliseconds with " + got
                + " bytes received");
    }

    private void printHead(HttpResponse r) {
        if (verbose == null) {
            return;
        }
        v("< " + r.statusLine());
        for (HttpFields.Field f : r.headers().asList()) {
            v("< " + f.name() + ": " + f.value());
        }
        v("< ");
    }

    /** Closes the kept connection (an active close: this side's FIN goes first, TIME-WAIT stays here). */
    void drop() {
        if (fd >= 0) {
            int s = fd;
            fd = -1;
            try {
                p.close(s);
                p.event(LAYER, "close", "host", host, "port", port, "connection", connectionId);
            } catch (SyscallException ignored) {
                // already closed
            }
        }
    }

    /**
     * Prints what became of the last exchange's connection ("left intact", "Closing connection"):
     * curl says it after the body, so callers call this once they have shown it.
     */
    void done() {
        if (note != null) {
            v(note);
            note = null;
        }
    }

    long bytesReceived() {
        return bytesReceived;
    }

    @Override
    public void close() {
        done();
        drop();
    }
}
