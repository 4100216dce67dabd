package dev.wirelab.netstack.program;

import dev.wirelab.netstack.dns.StubResolver;
import dev.wirelab.netstack.http.HttpDecoder;
import dev.wirelab.netstack.http.HttpMessage;
import dev.wirelab.netstack.http.HttpResponse;
import dev.wirelab.netstack.http.Url;
import dev.wirelab.netstack.socket.Errno;
import dev.wirelab.netstack.socket.PollFd;
import dev.wirelab.netstack.socket.Process;
import dev.wirelab.netstack.socket.SockAddr;
import dev.wirelab.netstack.socket.Sys;
import dev.wirelab.netstack.socket.SyscallException;
import dev.wirelab.netstack.wire.WireFormatException;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.wirelab.netstack.socket.Sys.AF_INET;
import static dev.wirelab.netstack.socket.Sys.SOCK_STREAM;

/**
 * {@code ab}, the load generator of Apache's ApacheBench 2.3, to put the same load on the server
 * patterns: {@code ab [-n requests] [-c concurrency] [-k] [-i] [-s timeout] [-q] http://host[:port]/path}.
 * It makes {@code -n} requests (HTTP/1.0, as ab does; {@code -k} asks for keep-alive, {@code -i}
 * sends HEAD), {@code -c} at a time, and prints ab's report: complete and failed requests, bytes,
 * requests per second, connection times and the percentiles. Times are the lab's clock, so in
 * virtual time the figures are those of the simulated network, reproducibly.
 *
 * <p>Unlike ab's single-threaded event loop, each of the {@code -c} clients is a thread of the
 * process with blocking calls (the trace shows them as {@code ab-N}); what reaches the server is
 * the same: {@code -c} connections open at once. As ab does, a response whose length differs from
 * the first one counts as failed (Length), a connection the server refused or reset as failed
 * (Connect, Receive), and the test is aborted after more than ten such failures.
 */
final class Ab extends SyscallProgram {

    private static final String USAGE = "Usage: ab [options] [http://]hostname[:port]/path\n"
            + "Options are:\n"
            + "    -n requests     Number of requests to perform\n"
            + "    -c concurrency  Number of multiple requests to make at a time\n"
            + "    -s timeout      Seconds to max. wait for each response (default 30)\n"
            + "    -i              Use HEAD instead of GET\n"
            + "    -k              Use HTTP KeepAlive feature\n"
            + "    -q              Do not show progress when doing more than 150 requests";
    private static final long MS = 1_000_000L;
    /** ab gives up after this many connect/receive failures ("Test aborted after 10 failures"). */
    private static final int MAX_FAILURES = 10;

    /** One request's times, in the lab's nanoseconds from the start of the test (ab's struct data). */
    private record Timing(long start, long connected, long firstByte, long done) {
    }

    private int requests = 1;
    private int concurrency = 1;
    private long timeoutNanos = 30_000 * MS;
    private boolean head;
    private boolean keepAlive;
    private boolean quiet;
    private Url url;
    private SockAddr to;
    private byte[] request;

    private final AtomicInteger next = new AtomicInteger();
    private final Object lock = new Object();
    private final List<Timing> timings = new ArrayList<>();
    private String serverSoftware = "";
    private long documentLength = -1;
    private long totalBytes;
    private long bodyBytes;
    private int failedLength;
    private int failedConnect;
    private int failedReceive;
    private int failedExceptions;
    private int non2xx;
    private int keepAliveRequests;
    private volatile Errno abortedWith;

    @Override
    protected int main(Process p) throws Exception {
        try {
            GetOpt o = GetOpt.parse("ab", p.args(), "n:c:s:ikqh");
            if (o.has('h')) {
                p.println(USAGE);
                return 0;
            }
            if (o.has('n')) {
                requests = GetOpt.intIn(o.get('n'), 1, 10_000_000, "ab: invalid number of requests: " + o.get('n'));
            }
            if (o.has('c')) {
                concurrency = GetOpt.intIn(o.get('c'), 1, 20_000, "ab: invalid concurrency: " + o.get('c'));
            }
            if (o.has('s')) {
                timeoutNanos = GetOpt.intIn(o.get('s'), 1, 86_400, "ab: invalid timeout: " + o.get('s')) * 1000 * MS;
            }
            head = o.has('i');
            keepAlive = o.has('k');
            quiet = o.has('q');
            if (o.operands.size() != 1) {
                throw new GetOpt.UsageException("ab: wrong number of arguments\n" + USAGE);
            }
            if (concurrency > requests) {
                throw new GetOpt.UsageException("ab: Cannot use concurrency level greater than total number of requests");
            }
            String text = o.operands.get(0);
            try {
                url = Url.parse(text.contains("://") ? text : "http://" + text);
            } catch (Url.UrlException e) {
                throw new GetOpt.UsageException("ab: invalid URL\n" + USAGE);
            }
            // ab requires a path: "ab http://host" is an invalid URL, "ab http://host/" is not.
            String afterHost = text.contains("://") ? text.substring(text.indexOf("://") + 3) : text;
            if (afterHost.indexOf('/') < 0) {
                throw new GetOpt.UsageException("ab: invalid URL\n" + USAGE);
            }
        } catch (GetOpt.UsageException e) {
            p.println(e.getMessage());
            return 22; // ab exits with EINVAL on bad usage
        }
        try {
            to = new SockAddr(p.getaddrinfo(url.host(), timeoutNanos).get(0), url.port());
        } catch (StubResolver.ResolveException | SyscallException e) {
            p.println("ab: could not resolve " + url.host());
            return 1;
        }
        request = ((head ? "HEAD " : "GET ") + url.target() + " HTTP/1.0\r\n"
                + (keepAlive ? "Connection: Keep-Alive\r\n" : "")
                + "Host: " + url.hostHeader() + "\r\n"
                + "User-Agent: ApacheBench/2.3\r\n"
                + "Accept: */*\r\n\r\n").getBytes(StandardCharsets.US_ASCII);

        boolean progress = requests > 150 && !quiet;
        if (progress) {
            p.println("Benchmarking " + url.host() + " (be patient)");
        }
        long start = p.now();
        int[] tids = new int[concurrency];
        for (int i = 0; i < concurrency; i++) {
            tids[i] = p.spawn("ab-" + i, () -> client(p, start));
        }
        for (int t : tids) {
            p.join(t);
        }
        long took = p.now() - start;
        if (abortedWith != null) {
            p.println("Benchmarking " + url.host() + " (be patient)...");
            p.println("Test aborted after " + MAX_FAILURES + " failures");
            p.println("");
            p.println("apr_socket_connect(): " + abortedWith.message() + " (" + abortedWith.number() + ")");
            return 1;
        }
        p.println(progress ? "Finished " + requests + " requests" : "Benchmarking " + url.host() + " (be patient).....done");
        report(p, took);
        return 0;
    }

    /** One of the -c clients: takes request numbers until all are taken; keeps its connection with -k. */
    private void client(Process p, long testStart) throws SyscallException {
        int fd = -1;
        byte[] buf = new byte[16384];
        while (abortedWith == null && next.getAndIncrement() < requests) {
            long t0 = p.now();
            long connected = t0;
            boolean reused = fd >= 0;
            if (fd < 0) {
                fd = p.socket(AF_INET, SOCK_STREAM, 0);
                try {
                    p.connect(fd, to);
                } catch (SyscallException e) {
                    p.close(fd);
                    fd = -1;
                    failure(e.errno(), true);
                    continue;
                }
                connected = p.now();
            }
            HttpDecoder decoder = HttpDecoder.responses();
            decoder.requestSent(head ? "HEAD" : "GET");
            HttpResponse response = null;
            long received = 0;
            long firstByte = -1;
            Errno error = null;
            try {
                sendAll(p, fd, request);
                while (response == null) {
                    PollFd[] pfd = {new PollFd(fd, Sys.POLLIN)};
                    if (p.poll(pfd, (int) (timeoutNanos / MS)) == 0) {
                        error = Errno.ETIMEDOUT;
                        break;
                    }
                    int n = p.recv(fd, buf, 0, buf.length, 0);
                    if (firstByte < 0) {
                        firstByte = p.now();
                    }
                    List<HttpMessage> got = n == 0 ? decoder.finish() : decoder.feed(buf, 0, n);
                    received += n;
                    for (HttpMessage m : got) {
                        if (m instanceof HttpResponse r && !r.interim()) {
                            response = r;
                        }
                    }
                    if (n == 0 && response == null) {
                        error = reused ? null : Errno.ECONNRESET;
                        break;
                    }
                }
            } catch (SyscallException e) {
                error = e.errno();
            } catch (WireFormatException e) {
                error = Errno.EPROTO;
            }
            if (response == null) {
                p.close(fd);
                fd = -1;
                if (error == null) {
                    // A kept-alive connection the server had closed meanwhile: ab reconnects and retries.
                    next.decrementAndGet();
                    continue;
                }
                failure(error, false);
                continue;
            }
            boolean keep = keepAlive && keepsAlive(response);
            record(p, testStart, new Timing(t0, connected, firstByte, p.now()), response, received, reused);
            if (!keep) {
                p.close(fd);
                fd = -1;
            }
        }
        if (fd >= 0) {
            p.close(fd);
        }
    }

    /** RFC 9112 section 9.3: HTTP/1.1 persists unless "close"; HTTP/1.0 only with "keep-alive". */
    private static boolean keepsAlive(HttpResponse r) {
        if (r.headers().hasToken("Connection", "close")) {
            return false;
        }
        return r.version().equals("HTTP/1.1") || r.headers().hasToken("Connection", "keep-alive");
    }

    private static void sendAll(Process p, int fd, byte[] b) throws SyscallException {
        int off = 0;
        while (off < b.length) {
            off += p.send(fd, b, off, b.length - off, Sys.MSG_NOSIGNAL);
        }
    }

    private void failure(Errno e, boolean connect) {
        int failures;
        synchronized (lock) {
            if (connect) {
                failedConnect++;
            } else if (e == Errno.ECONNRESET || e == Errno.ETIMEDOUT) {
                failedReceive++;
            } else {
                failedExceptions++;
            }
            failures = failedConnect + failedReceive + failedExceptions;
        }
        if (failures > MAX_FAILURES && abortedWith == null) {
            abortedWith = e;
        }
    }

    private void record(Process p, long testStart, Timing t, HttpResponse r, long received, boolean reused) {
        int done;
        synchronized (lock) {
            if (documentLength < 0) {
                documentLength = r.body().length;
                serverSoftware = r.headers().get("Server").orElse("");
            } else if (r.body().length != documentLength) {
                failedLength++; // ab: a length other than the first response's is a failure
            }
            if (r.status() < 200 || r.status() >= 300) {
                non2xx++;
            }
            if (reused) {
                keepAliveRequests++;
            }
            totalBytes += received;
            bodyBytes += r.body().length;
            timings.add(new Timing(t.start - testStart, t.connected - testStart, t.firstByte - testStart, t.done - testStart));
            done = timings.size();
        }
        if (!quiet && requests > 150 && done % (requests / 10) == 0) {
            p.println("Completed " + done + " requests");
        }
    }

    // ------------------------------------------------------------------ the report (ab.c output())

    private void report(Process p, long took) {
        int complete = timings.size();
        int failed = failedConnect + failedReceive + failedExceptions + failedLength;
        double seconds = took / 1e9;
        p.println("");
        p.println("");
        p.println(String.format(Locale.ROOT, "%-24s%s", "Server Software:", serverSoftware));
        p.println(String.format(Locale.ROOT, "%-24s%s", "Server Hostname:", url.host()));
        p.println(String.format(Locale.ROOT, "%-24s%d", "Server Port:", url.port()));
        p.println("");
        p.println(String.format(Locale.ROOT, "%-24s%s", "Document Path:", url.target()));
        p.println(String.format(Locale.ROOT, "%-24s%d bytes", "Document Length:", Math.max(0, documentLength)));
        p.println("");
        p.println(String.format(Locale.ROOT, "%-24s%d", "Concurrency Level:", concurrency));
        p.println(String.format(Locale.ROOT, "%-24s%.3f seconds", "Time taken for tests:", seconds));
        p.println(String.format(Locale.ROOT, "%-24s%d", "Complete requests:", complete));
        p.println(String.format(Locale.ROOT, "%-24s%d", "Failed requests:", failed));
        if (failed > 0) {
            p.println(String.format(Locale.ROOT, "   (Connect: %d, Receive: %d, Length: %d, Exceptions: %d)",
                    failedConnect, failedReceive, failedLength, failedExceptions));
        }
        if (non2xx > 0) {
            p.println(String.format(Locale.ROOT, "%-24s%d", "Non-2xx responses:", non2xx));
        }
        if (keepAlive) {
            p.println(String.format(Locale.ROOT, "%-24s%d", "Keep-Alive requests:", keepAliveRequests));
        }
        p.println(String.format(Locale.ROOT, "%-24s%d bytes", "Total transferred:", totalBytes));
        p.println(String.format(Locale.ROOT, "%-24s%d bytes", "HTML transferred:", bodyBytes));
        if (complete == 0 || took <= 0) {
            return;
        }
        p.println(String.format(Locale.ROOT, "%-24s%.2f [#/sec] (mean)", "Requests per second:", complete / seconds));
        p.println(String.format(Locale.ROOT, "%-24s%.3f [ms] (mean)", "Time per request:",
                concurrency * seconds * 1000 / complete));
        p.println(String.format(Locale.ROOT, "%-24s%.3f [ms] (mean, across all concurrent requests)",
                "Time per request:", seconds * 1000 / complete));
        p.println(String.format(Locale.ROOT, "%-24s%.2f [Kbytes/sec] received", "Transfer rate:",
                totalBytes / 1024.0 / seconds));
        long[] connect = new long[complete];
        long[] processing = new long[complete];
        long[] waiting = new long[complete];
        long[] total = new long[complete];
        for (int i = 0; i < complete; i++) {
            Timing t = timings.get(i);
            connect[i] = t.connected - t.start;
            processing[i] = t.done - t.connected;
            waiting[i] = t.firstByte - t.connected;
            total[i] = t.done - t.start;
        }
        p.println("");
        p.println("Connection Times (ms)");
        p.println("              min  mean[+/-sd] median   max");
        p.println(row("Connect:", connect));
        p.println(row("Processing:", processing));
        p.println(row("Waiting:", waiting));
        p.println(row("Total:", total));
        p.println("");
        p.println("Percentage of the requests served within a certain time (ms)");
        Arrays.sort(total);
        for (int pct : new int[] {50, 66, 75, 80, 90, 95, 98, 99, 100}) {
            long v = total[pct == 100 ? complete - 1 : (int) Math.min(complete - 1, (long) complete * pct / 100)];
            p.println(String.format(Locale.ROOT, " %3d%%  %5d%s", pct, Math.round(v / 1e6), pct == 100 ? " (longest request)" : ""));
        }
    }

    /** One line of "Connection Times": min, mean, standard deviation, median, max in ms. */
    private static String row(String name, long[] nanos) {
        long[] v = nanos.clone();
        Arrays.sort(v);
        double mean = 0;
        for (long x : v) {
            mean += x;
        }
        mean /= v.length;
        double var = 0;
        for (long x : v) {
            var += (x - mean) * (x - mean);
        }
        double sd = v.length > 1 ? Math.sqrt(var / (v.length - 1)) : 0;
        long median = v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
        return String.format(Locale.ROOT, "%-12s%5d %4d %5.1f %6d %7d", name, Math.round(v[0] / 1e6), Math.round(mean / 1e6),
                sd / 1e6, Math.round(median / 1e6), Math.round(v[v.length - 1] / 1e6));
    }
}
