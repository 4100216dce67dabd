package dev.wirelab.netstack.program;

import dev.wirelab.netstack.http.HttpDecoder;
import dev.wirelab.netstack.http.HttpFields;
import dev.wirelab.netstack.http.HttpMessage;
import dev.wirelab.netstack.http.HttpRequest;
import dev.wirelab.netstack.http.HttpWriter;
import dev.wirelab.netstack.http.StaticSite;
import dev.wirelab.netstack.socket.EpollEvent;
import dev.wirelab.netstack.socket.Errno;
import dev.wirelab.netstack.socket.IoUring;
import dev.wirelab.netstack.socket.NodeFiles;
import dev.wirelab.netstack.socket.PollFd;
import dev.wirelab.netstack.socket.Process;
import dev.wirelab.netstack.socket.SockAddr;
import dev.wirelab.netstack.socket.Sys;
import dev.wirelab.netstack.socket.SyscallException;
import dev.wirelab.netstack.wire.WireFormatException;

import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.wirelab.netstack.socket.Sys.EPOLLERR;
import static dev.wirelab.netstack.socket.Sys.EPOLLET;
import static dev.wirelab.netstack.socket.Sys.EPOLLHUP;
import static dev.wirelab.netstack.socket.Sys.EPOLLIN;
import static dev.wirelab.netstack.socket.Sys.EPOLLOUT;
import static dev.wirelab.netstack.socket.Sys.EPOLLRDHUP;
import static dev.wirelab.netstack.socket.Sys.EPOLL_CTL_ADD;
import static dev.wirelab.netstack.socket.Sys.EPOLL_CTL_MOD;
import static dev.wirelab.netstack.socket.Sys.SOCK_NONBLOCK;

/**
 * {@code httpd}: an HTTP/1.1 static file server over the node's files ({@link StaticSite}), in the
 * server patterns echod has ({@link ServerPatterns}), with the same options ({@code --mode single|threads|reuseport|epoll|uring},
 * {@code --workers N}, {@code -p port}, {@code -b backlog}, {@code -n connections}), plus
 * {@code -r root} (default /var/www), {@code -k seconds} (keep-alive idle timeout, default 5),
 * {@code -q} (no access log) and {@code --autoindex} (list directories, off by default as in nginx).
 * GET and HEAD, Content-Type by extension, index.html for directories, 404/405/400 pages,
 * persistent connections with an idle timeout (408 when a request was left half-sent), pipelining,
 * and file bodies sent with sendfile(2) after a Content-Length (io_uring mode reads the file and
 * sends it, as io_uring has no sendfile; it also closes idle connections without a 408 and without
 * the lingering close).
 *
 * <p>With {@code --autoindex}, a directory without index.html is answered 200 with an HTML listing
 * (nginx's autoindex page: "Index of /path/", a link per entry, subdirectories first), read with
 * open(O_DIRECTORY) and getdents64 and generated per request, so its length is not known up front:
 * to an HTTP/1.1 client it goes as {@code Transfer-Encoding: chunked} (RFC 9112 section 7.1), a
 * chunk for the page's head, one per {@value StaticSite#ENTRIES_PER_PART} entries and one for its
 * tail, then the last-chunk {@code 0\r\n\r\n}; to an HTTP/1.0 client, which knows no chunked,
 * without any length, delimited by closing the connection (RFC 9112 section 6.3 item 8), as nginx
 * does. Without {@code --autoindex} such a directory is 404.
 *
 * <p>Each request is an access-log line in Common Log Format and trace events of layer "http":
 * request_received and response_sent, both with a {@code framing} detail (how the message body
 * is delimited, in {@link HttpMessage.Framing}'s words as the client's response_received: NONE,
 * LENGTH, CHUNKED, CLOSE).
 */
final class Httpd extends SyscallProgram {

    private static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter CLF =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.US).withZone(ZoneOffset.UTC);
    /** How long a closing connection is drained after our FIN before it is closed (RFC 9112 section 9.6). */
    private static final long LINGER_NANOS = 2_000_000_000L;
    /** Requests served on one connection before it is closed (like nginx's keepalive_requests). */
    private static final int MAX_REQUESTS = 1000;

    private String mode = "single";
    private int workers = 1;
    private int port = 80;
    private int backlog = 128;
    private int maxConnections;
    private boolean quiet;
    private long keepAliveNanos = 5_000_000_000L;
    private boolean autoindex;
    private StaticSite site;
    private final AtomicInteger served = new AtomicInteger();
    private final AtomicInteger requests = new AtomicInteger();

    @Override
    protected int main(Process p) throws Exception {
        String root = StaticSite.DEFAULT_ROOT;
        try {
            NetArgs a = NetArgs.parse("httpd", p.args(), "p:b:n:r:k:q", Set.of("mode", "workers"), Set.of("autoindex"));
            GetOpt o = a.shorts;
            if (o.has('p')) {
                port = NetArgs.port("httpd", o.get('p'));
            }
            if (o.has('b')) {
                backlog = GetOpt.intIn(o.get('b'), 0, 65535, "httpd: invalid backlog: " + o.get('b'));
            }
            if (o.has('n')) {
                maxConnections = GetOpt.intIn(o.get('n'), 1, Integer.MAX_VALUE, "httpd: invalid count: " + o.get('n'));
            }
            if (o.has('r')) {
                root = o.get('r');
                if (!root.startsWith("/")) {
                    throw new GetOpt.UsageException("httpd: root must be an absolute path: " + root);
                }
            }
            if (o.has('k')) {
                keepAliveNanos = NetArgs.seconds("httpd", o.get('k'));
            }
            quiet = o.has('q');
            autoindex = a.has("autoindex");
            if (a.has("mode")) {
                mode = a.get("mode");
                if (!ServerPatterns.MODES.contains(mode)) {
                    throw new GetOpt.UsageException("httpd: unknown mode '" + mode
                            + "' (single, threads, reuseport, epoll, uring)");
                }
            }
            if (a.has("workers")) {
                workers = GetOpt.intIn(a.get("workers"), 1, 256, "httpd: invalid worker count: " + a.get("workers"));
            } else if (mode.equals("threads") || mode.equals("reuseport")) {
                workers = 4;
            }
            if (!a.operands().isEmpty()) {
                throw new GetOpt.UsageException("httpd: unexpected argument '" + a.operands().get(0) + "'");
            }
        } catch (GetOpt.UsageException e) {
            p.println(e.getMessage());
            p.println("usage: httpd [-p port] [-r root] [-k keepalive-seconds] [-b backlog] [-n connections] [-q] [--autoindex]"
                    + " [--mode single|threads|reuseport|epoll|uring] [--workers N]");
            return 2;
        }
        site = new StaticSite(path -> exists(p, path), path -> isDirectory(p, path), root, autoindex);
        p.println("httpd: serving " + root + " on 0.0.0.0:" + port + " (" + mode
                + (mode.equals("single") ? "" : ", " + workers + " worker" + (workers == 1 ? "" : "s")) + ")");
        p.event("http", "server_start", "port", port, "root", root, "mode", mode, "workers", workers,
                "autoindex", autoindex);
        ServerPatterns.Handler serve = c -> {
            serve(p, c);
            finished(p);
        };
        switch (mode) {
            case "single" -> ServerPatterns.single(p, listener(p, false, false), serve);
            case "threads" -> ServerPatterns.threads(p, listener(p, false, false), workers, serve);
            case "reuseport" -> ServerPatterns.perWorker(p, mode, workers,
                    w -> ServerPatterns.single(p, listener(p, true, false), serve));
            case "epoll" -> ServerPatterns.perWorker(p, mode, workers, w -> epoll(p, listener(p, workers > 1, true)));
            default -> ServerPatterns.perWorker(p, mode, workers, w -> uring(p, listener(p, workers > 1, false)));
        }
        return 0;
    }

    /** stat(2) by open: whether a node file exists. */
    private static boolean exists(Process p, String path) {
        try {
            p.close(p.open(path, Sys.O_RDONLY));
            return true;
        } catch (SyscallException e) {
            return false;
        }
    }

    /** opendir(3) by open(O_DIRECTORY): whether a node directory exists. */
    private static boolean isDirectory(Process p, String path) {
        try {
            p.close(p.open(path, Sys.O_RDONLY | Sys.O_DIRECTORY));
            return true;
        } catch (SyscallException e) {
            return false;
        }
    }

    /**
     * The names in a node directory, as nginx's autoindex reads them (opendir, readdir to the end,
     * closedir): dot files skipped, "." and ".." with them; subdirectories with a trailing slash.
     * Null when it cannot be opened.
     */
    private static List<String> readDirectory(Process p, String dir) throws SyscallException {
        int fd;
        try {
            fd = p.open(dir, Sys.O_RDONLY | Sys.O_DIRECTORY);
        } catch (SyscallException e) {
            return null;
        }
        try {
            List<String> names = new ArrayList<>();
            List<NodeFiles.Entry> batch;
            while (!(batch = p.getdents64(fd, 64)).isEmpty()) {
                for (NodeFiles.Entry e : batch) {
                    if (!e.name().startsWith(".")) {
                        names.add(e.directory() ? e.name() + "/" : e.name());
                    }
                }
            }
            return names;
        } finally {
            p.close(fd);
        }
    }

    private int listener(Process p, boolean reusePort, boolean nonblocking) throws SyscallException {
        return ServerPatterns.listener(p, port, backlog, reusePort, nonblocking);
    }

    private void finished(Process p) throws SyscallException {
        if (served.incrementAndGet() == maxConnections) {
            p.println("httpd: served " + served.get() + " connections, " + requests.get() + " requests");
            p.exit(0);
        }
    }

    // ------------------------------------------------------------------ one connection's HTTP

    /**
     * A response ready to go: byte parts sent in order (the head, then the body as framed on the
     * wire: an inline body, or chunks and the last-chunk), then maybe a file's bytes. Every mode
     * sends the parts as they are; only the file goes its own way (sendfile, or read for io_uring).
     */
    private static final class Out {
        final List<byte[]> parts;
        int fileFd = -1;
        long fileSize;
        final boolean close;
        /** The part being sent and how much of it is out (the event-driven modes resume there). */
        int part;
        int partOff;
        long fileOff;

        Out(List<byte[]> parts, boolean close) {
            this.parts = parts;
            this.close = close;
        }
    }

    /** The HTTP side of one connection: decodes requests, answers each from the site. */
    private final class Session {
        final Process p;
        final SockAddr peer;
        /** A static site takes no uploads: bodies over 1 MiB get 413 before they are buffered. */
        final HttpDecoder decoder = HttpDecoder.requests(new HttpDecoder.Limits(8192, 8192, 65_536, 100, 1 << 20));
        int count;
        boolean closing;

        Session(Process p, int fd) throws SyscallException {
            this.p = p;
            this.peer = p.getpeername(fd);
            // The head and the sendfile'd body go out at once, not held by Nagle until the
            // client's delayed ACK (nginx's "tcp_nodelay on" for kept-alive connections).
            p.setsockopt(fd, Sys.IPPROTO_TCP, Sys.TCP_NODELAY, 1);
        }

        /** Responses to the requests these bytes complete; stops after one that closes the connection. */
        List<Out> onBytes(byte[] b, int n) throws SyscallException {
            List<Out> outs = new ArrayList<>();
            if (closing) {
                return outs; // RFC 9112 section 9.6: nothing after the request that closes the connection
            }
            List<HttpMessage> msgs;
            try {
                msgs = decoder.feed(b, 0, n);
            } catch (WireFormatException e) {
                outs.add(error(decoder.errorStatus(), e.getMessage()));
                return outs;
            }
            for (HttpMessage m : msgs) {
                Out o = answer((HttpRequest) m);
                outs.add(o);
                if (o.close) {
                    break;
                }
            }
            return outs;
        }

        /** A request left half-sent when the idle timer fired: 408 (RFC 9110 section 15.5.9), then close. */
        Out timeout() throws SyscallException {
            return error(408, "request not completed within the keep-alive timeout");
        }

        private Out error(int status, String why) throws SyscallException {
            closing = true;
            byte[] body = StaticSite.errorPage(status, why);
            HttpFields h = HttpFields.of("Content-Type", "text/html; charset=utf-8");
            p.event("http", "bad_request", "peer", peer.toString(), "status", status, "error", why);
            log(status + "", "-", status, body.length);
            return new Out(List.of(head(status, h, body.length, false, true, false), body), true);
        }

        private Out answer(HttpRequest r) throws SyscallException {
            count++;
            requests.incrementAndGet();
            p.event("http", "request_received", "peer", peer.toString(), "method", r.method(), "target", r.target(),
                    "version", r.version(), "host", r.headers().get("Host").orElse(""), "keep_alive", r.keepAlive(),
                    "framing", r.framing().name());
            StaticSite.Reply reply = site.answer(r);
            boolean close = !r.keepAlive() || count >= MAX_REQUESTS;
            boolean head = r.method().equals("HEAD");
            boolean http10 = r.minorVersion() == 0;
            HttpFields h = reply.headers();
            List<byte[]> body = new ArrayList<>();
            long length = -1; // the Content-Length sent, -1 for none
            boolean chunked = false;
            long bodyBytes = 0; // content octets (de-chunked)
            int fileFd = -1;
            if (reply.file() != null) {
                try {
                    fileFd = p.open(reply.file(), Sys.O_RDONLY);
                } catch (SyscallException e) {
                    return error(404, "gone: " + reply.file());
                }
                length = p.fileSize(fileFd);
                if (head) {
                    p.close(fileFd);
                    fileFd = -1;
                } else {
                    bodyBytes = length;
                }
            } else if (reply.index() != null) {
                List<String> names = readDirectory(p, reply.index().directory());
                if (names == null) {
                    return error(404, "gone: " + reply.index().directory());
                }
                List<byte[]> page = StaticSite.listing(reply.index().path(), names);
                if (!http10) {
                    // RFC 9112 section 7.1: the chunked coding carries content of unknown size as
                    // length-delimited chunks, keeping the connection: chunk = chunk-size (hex) CRLF
                    // chunk-data CRLF, then last-chunk "0" CRLF, a trailer section (none) and CRLF
                    // (section 7.1.2). HttpWriter writes both. A HEAD response says the Transfer-Encoding
                    // the GET would get (RFC 9112 section 6.1 allows it, RFC 9110 section 9.3.2 asks for
                    // the GET's fields) and has no body (RFC 9112 section 6.3 item 1); nginx leaves
                    // Transfer-Encoding out of HEAD responses.
                    chunked = true;
                    if (!head) {
                        for (byte[] part : page) {
                            body.add(HttpWriter.chunk(part, 0, part.length));
                            bodyBytes += part.length;
                        }
                        body.add(HttpWriter.lastChunk(new HttpFields()));
                    }
                } else if (!head) {
                    // RFC 9112 section 6.1: a server MUST NOT send Transfer-Encoding unless the request
                    // says HTTP/1.1 or later. Without a length the body ends where the connection does
                    // (section 6.3 item 8), so this response closes it, whatever the client asked. nginx
                    // does the same: for an HTTP/1.0 response of unknown length its chunked header filter
                    // sets keepalive = 0 (ngx_http_chunked_filter_module.c), so its autoindex pages to
                    // HTTP/1.0 clients are close-delimited.
                    close = true;
                    for (byte[] part : page) {
                        body.add(part);
                        bodyBytes += part.length;
                    }
                }
            } else {
                byte[] inline = reply.body();
                length = inline.length;
                if (!head && inline.length > 0) {
                    body.add(inline);
                    bodyBytes = inline.length;
                }
            }
            closing = close;
            HttpMessage.Framing framing = head ? HttpMessage.Framing.NONE : chunked ? HttpMessage.Framing.CHUNKED
                    : length >= 0 ? HttpMessage.Framing.LENGTH : HttpMessage.Framing.CLOSE;
            List<byte[]> parts = new ArrayList<>(body.size() + 1);
            parts.add(head(reply.status(), h, length, chunked, close, http10));
            parts.addAll(body);
            Out o = new Out(parts, close);
            o.fileFd = fileFd;
            o.fileSize = fileFd >= 0 ? length : 0;
            long wire = fileFd >= 0 ? length : body.stream().mapToLong(b -> b.length).sum();
            p.event("http", "response_sent", "peer", peer.toString(), "status", reply.status(), "content_type",
                    reply.headers().get("Content-Type").orElse(""), "content_length", length, "framing", framing.name(),
                    "chunks", chunked && !head ? body.size() - 1 : 0, "body_bytes", bodyBytes,
                    "file", reply.file() == null ? "" : reply.file(), "keep_alive", !close);
            log(r.method() + " " + r.target() + " " + r.version(), "", reply.status(), wire);
            return o;
        }

        /**
         * Status-line and header section: Date, Server, {@code extra}, then the framing (RFC 9112
         * section 6): {@code Transfer-Encoding: chunked}, or {@code Content-Length} when
         * {@code length} >= 0, or neither (the body ends with the connection); then Connection.
         */
        private byte[] head(int status, HttpFields extra, long length, boolean chunked, boolean close, boolean http10) {
            HttpFields h = new HttpFields();
            // RFC 9110 section 6.6.1: an origin server with a clock sends Date.
            h.add("Date", IMF_FIXDATE.format(Instant.ofEpochSecond(0, p.realtime())));
            h.add("Server", "wirelab-httpd");
            for (HttpFields.Field f : extra.asList()) {
                h.add(f.name(), f.value());
            }
            if (chunked) {
                h.add("Transfer-Encoding", "chunked"); // never with Content-Length (RFC 9112 section 6.2)
            } else if (length >= 0) {
                h.add("Content-Length", String.valueOf(length));
            }
            if (close) {
                h.add("Connection", "close"); // RFC 9112 section 9.6
            } else if (http10) {
                h.add("Connection", "keep-alive"); // an HTTP/1.0 client asked to keep the connection
            }
            return HttpWriter.responseHead("HTTP/1.1", status, HttpWriter.reason(status), h);
        }

        private void log(String requestLine, String raw, int status, long bytes) {
            if (!quiet) {
                String when = CLF.format(Instant.ofEpochSecond(0, p.realtime()));
                String line = raw.equals("-") ? "-" : requestLine;
                p.println(peer.address() + " - - [" + when + "] \"" + line + "\" " + status + " " + bytes);
            }
        }
    }

    // ------------------------------------------------------------------ blocking patterns

    /** Serves one connection with blocking calls: requests until close, error, or the idle timeout. */
    private void serve(Process p, int c) throws SyscallException {
        Session s = new Session(p, c);
        byte[] buf = new byte[16384];
        boolean peerClosed = false;
        try {
            while (!s.closing) {
                PollFd[] pfd = {new PollFd(c, Sys.POLLIN)};
                if (p.poll(pfd, timeoutMs(keepAliveNanos)) == 0) {
                    p.event("http", "idle_timeout", "peer", s.peer.toString(), "requests", s.count);
                    if (s.decoder.inMessage()) {
                        send(p, c, s.timeout());
                    }
                    break;
                }
                int n = p.recv(c, buf, 0, buf.length, 0);
                if (n == 0) {
                    peerClosed = true;
                    break;
                }
                for (Out o : s.onBytes(buf, n)) {
                    send(p, c, o);
                }
            }
            if (!peerClosed) {
                linger(p, c);
            }
        } catch (SyscallException e) {
            if (e.errno() != Errno.ECONNRESET && e.errno() != Errno.EPIPE) {
                throw e;
            }
        } finally {
            p.close(c);
        }
    }

    private static void send(Process p, int c, Out o) throws SyscallException {
        for (byte[] part : o.parts) {
            sendAll(p, c, part); // the head, then each chunk: one send(2) apiece
        }
        if (o.fileFd >= 0) {
            try {
                long off = 0;
                while (off < o.fileSize) {
                    off += p.sendfile(c, o.fileFd, off, o.fileSize - off);
                }
            } finally {
                p.close(o.fileFd);
            }
        }
    }

    private static void sendAll(Process p, int c, byte[] b) throws SyscallException {
        int off = 0;
        while (off < b.length) {
            off += p.send(c, b, off, b.length - off, Sys.MSG_NOSIGNAL);
        }
    }

    /** Lingering close (RFC 9112 section 9.6): our FIN first, then read until the client's FIN (or a timeout). */
    private static void linger(Process p, int c) throws SyscallException {
        p.shutdown(c, Sys.SHUT_WR);
        byte[] sink = new byte[4096];
        long end = p.now() + LINGER_NANOS;
        while (p.now() < end) {
            PollFd[] pfd = {new PollFd(c, Sys.POLLIN)};
            if (p.poll(pfd, timeoutMs(end - p.now())) == 0 || p.recv(c, sink, 0, sink.length, 0) == 0) {
                return;
            }
        }
    }

    private static int timeoutMs(long nanos) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, (nanos + 999_999) / 1_000_000));
    }

    // ------------------------------------------------------------------ epoll

    /** A connection of the event-driven patterns. */
    private final class Conn {
        final int fd;
        final Session session;
        final ArrayDeque<Out> pending = new ArrayDeque<>();
        long lastActive;
        boolean eof;
        boolean lingering;
        long lingerUntil;
        final byte[] buf = new byte[16384];

        Conn(Process p, int fd) throws SyscallException {
            this.fd = fd;
            this.session = new Session(p, fd);
            this.lastActive = p.now();
        }
    }

    private void epoll(Process p, int ls) throws Exception {
        int ep = p.epollCreate();
        p.epollCtl(ep, EPOLL_CTL_ADD, ls, EPOLLIN | EPOLLET, ls);
        Map<Integer, Conn> conns = new HashMap<>();
        EpollEvent[] events = new EpollEvent[64];
        while (true) {
            long next = Long.MAX_VALUE;
            for (Conn c : conns.values()) {
                next = Math.min(next, c.lingering ? c.lingerUntil : c.lastActive + keepAliveNanos);
            }
            int timeout = next == Long.MAX_VALUE ? -1 : timeoutMs(Math.max(0, next - p.now()));
            int n = p.epollWait(ep, events, events.length, timeout);
            for (int i = 0; i < n; i++) {
                int fd = (int) events[i].data();
                if (fd == ls) {
                    while (true) { // edge-triggered: accept until EAGAIN
                        int c;
                        try {
                            c = p.accept4(ls, SOCK_NONBLOCK);
                        } catch (SyscallException e) {
                            if (e.errno() == Errno.EAGAIN) {
                                break;
                            }
                            throw e;
                        }
                        conns.put(c, new Conn(p, c));
                        p.epollCtl(ep, EPOLL_CTL_ADD, c, EPOLLIN | EPOLLRDHUP | EPOLLET, c);
                    }
                    continue;
                }
                Conn c = conns.get(fd);
                if (c == null) {
                    continue;
                }
                boolean broken = (events[i].events() & EPOLLERR) != 0;
                if (!broken && (events[i].events() & (EPOLLIN | EPOLLHUP | EPOLLRDHUP)) != 0) {
                    broken = !drain(p, c);
                }
                step(p, ep, conns, c, broken);
            }
            // Idle connections and lingering closes whose time is up.
            for (Conn c : List.copyOf(conns.values())) {
                if (c.lingering && p.now() >= c.lingerUntil) {
                    closeConn(p, conns, c);
                } else if (!c.lingering && c.pending.isEmpty() && p.now() - c.lastActive >= keepAliveNanos) {
                    p.event("http", "idle_timeout", "peer", c.session.peer.toString(), "requests", c.session.count);
                    if (c.session.decoder.inMessage()) {
                        c.pending.add(c.session.timeout());
                        step(p, ep, conns, c, false);
                    } else {
                        c.session.closing = true;
                        step(p, ep, conns, c, false);
                    }
                }
            }
        }
    }

    /** After reading: sends what is pending, then closes, lingers, or waits for more. */
    private void step(Process p, int ep, Map<Integer, Conn> conns, Conn c, boolean broken) throws SyscallException {
        if (!broken && !c.pending.isEmpty()) {
            broken = !flush(p, c);
        }
        if (broken || (c.eof && c.pending.isEmpty()) || (c.lingering && c.eof)) {
            closeConn(p, conns, c);
            return;
        }
        if (c.session.closing && c.pending.isEmpty() && !c.lingering) {
            p.shutdown(c.fd, Sys.SHUT_WR); // lingering close, RFC 9112 section 9.6
            c.lingering = true;
            c.lingerUntil = p.now() + LINGER_NANOS;
        }
        int want = EPOLLIN | EPOLLRDHUP | EPOLLET | (c.pending.isEmpty() ? 0 : EPOLLOUT);
        p.epollCtl(ep, EPOLL_CTL_MOD, c.fd, want, c.fd);
    }

    private void closeConn(Process p, Map<Integer, Conn> conns, Conn c) throws SyscallException {
        conns.remove(c.fd);
        for (Out o : c.pending) {
            if (o.fileFd >= 0) {
                p.close(o.fileFd);
            }
        }
        p.close(c.fd); // also leaves the epoll set
        finished(p);
    }

    /** Reads until EAGAIN (the edge-triggered rule), queueing responses; false when the connection failed. */
    private boolean drain(Process p, Conn c) throws SyscallException {
        while (!c.eof) {
            int n;
            try {
                n = p.recv(c.fd, c.buf, 0, c.buf.length, 0);
            } catch (SyscallException e) {
                return e.errno() == Errno.EAGAIN;
            }
            if (n == 0) {
                c.eof = true;
                break;
            }
            c.lastActive = p.now();
            if (!c.lingering) {
                c.pending.addAll(c.session.onBytes(c.buf, n));
            }
        }
        return true;
    }

    /** Sends pending responses until EAGAIN; false when the connection failed. */
    private static boolean flush(Process p, Conn c) throws SyscallException {
        try {
            while (!c.pending.isEmpty()) {
                Out o = c.pending.peek();
                while (o.part < o.parts.size()) {
                    byte[] b = o.parts.get(o.part);
                    while (o.partOff < b.length) {
                        o.partOff += p.send(c.fd, b, o.partOff, b.length - o.partOff, Sys.MSG_NOSIGNAL);
                    }
                    o.part++;
                    o.partOff = 0;
                }
                while (o.fileFd >= 0 && o.fileOff < o.fileSize) {
                    o.fileOff += p.sendfile(c.fd, o.fileFd, o.fileOff, o.fileSize - o.fileOff);
                }
                if (o.fileFd >= 0) {
                    p.close(o.fileFd);
                    o.fileFd = -1;
                }
                c.pending.poll();
                c.lastActive = p.now();
            }
            return true;
        } catch (SyscallException e) {
            return e.errno() == Errno.EAGAIN;
        }
    }

    // ------------------------------------------------------------------ io_uring

    private static final long ACCEPT = 0;
    private static final int RECV = 1;
    private static final int SEND = 2;
    private static final int CLOSE = 3;

    private void uring(Process p, int ls) throws Exception {
        IoUring ring = p.ioUringSetup(256);
        Map<Integer, Conn> conns = new HashMap<>();
        Map<Integer, byte[]> sending = new HashMap<>();
        Map<Integer, Integer> sendOff = new HashMap<>();
        ring.prepAccept(ls, 0, ACCEPT);
        ring.submit();
        while (true) {
            long next = Long.MAX_VALUE;
            for (Conn c : conns.values()) {
                if (!sending.containsKey(c.fd) && !c.eof) {
                    next = Math.min(next, c.lastActive + keepAliveNanos);
                }
            }
            IoUring.Cqe cqe = next == Long.MAX_VALUE ? ring.waitCqe() : ring.waitCqe(Math.max(1, next - p.now()));
            if (cqe == null) {
                // Idle connections: shutting down the read side completes their pending recv with 0.
                for (Conn c : conns.values()) {
                    if (!sending.containsKey(c.fd) && !c.eof && p.now() - c.lastActive >= keepAliveNanos) {
                        p.event("http", "idle_timeout", "peer", c.session.peer.toString(), "requests", c.session.count);
                        c.eof = true;
                        p.shutdown(c.fd, Sys.SHUT_RD);
                    }
                }
                continue;
            }
            long ud = cqe.userData();
            if (ud == ACCEPT) {
                if (cqe.res() >= 0) {
                    Conn c = new Conn(p, cqe.res());
                    conns.put(c.fd, c);
                    ring.prepRecv(c.fd, c.buf, 0, c.buf.length, 0, tag(c.fd, RECV));
                }
                ring.prepAccept(ls, 0, ACCEPT);
            } else {
                int fd = (int) (ud >>> 8);
                Conn c = conns.get(fd);
                if (c == null) {
                    continue;
                }
                switch ((int) (ud & 0xFF)) {
                    case RECV -> {
                        if (cqe.res() <= 0) {
                            ring.prepClose(fd, tag(fd, CLOSE));
                        } else {
                            c.lastActive = p.now();
                            c.pending.addAll(c.session.onBytes(c.buf, cqe.res()));
                            nextUring(p, ring, c, sending, sendOff);
                        }
                    }
                    case SEND -> {
                        byte[] out = sending.get(fd);
                        int off = sendOff.get(fd) + Math.max(0, cqe.res());
                        if (cqe.res() < 0) {
                            ring.prepClose(fd, tag(fd, CLOSE));
                        } else if (off < out.length) {
                            sendOff.put(fd, off); // a short send: the rest goes next
                            ring.prepSend(fd, out, off, out.length - off, 0, tag(fd, SEND));
                        } else {
                            sending.remove(fd);
                            c.lastActive = p.now();
                            nextUring(p, ring, c, sending, sendOff);
                        }
                    }
                    default -> {
                        conns.remove(fd);
                        sending.remove(fd);
                        finished(p);
                    }
                }
            }
            ring.submit();
        }
    }

    /** Sends the next pending response (head and body, chunks and all, in one buffer), or closes, or reads more. */
    private void nextUring(Process p, IoUring ring, Conn c, Map<Integer, byte[]> sending, Map<Integer, Integer> sendOff)
            throws SyscallException {
        Out o = c.pending.poll();
        if (o != null) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            for (byte[] part : o.parts) {
                b.writeBytes(part);
            }
            if (o.fileFd >= 0) {
                byte[] chunk = new byte[65536];
                int r;
                while ((r = p.read(o.fileFd, chunk, 0, chunk.length)) > 0) {
                    b.write(chunk, 0, r);
                }
                p.close(o.fileFd);
            }
            byte[] out = b.toByteArray();
            sending.put(c.fd, out);
            sendOff.put(c.fd, 0);
            ring.prepSend(c.fd, out, 0, out.length, 0, tag(c.fd, SEND));
            if (o.close) {
                c.pending.clear();
                c.session.closing = true;
            }
            return;
        }
        if (c.session.closing) {
            ring.prepClose(c.fd, tag(c.fd, CLOSE));
        } else {
            ring.prepRecv(c.fd, c.buf, 0, c.buf.length, 0, tag(c.fd, RECV));
        }
    }

    private static long tag(int fd, int op) {
        return ((long) fd << 8) | op;
    }
}
