package dev.wirelab.netstack.program;

import dev.wirelab.netstack.http.HttpFields;
import dev.wirelab.netstack.http.HttpResponse;
import dev.wirelab.netstack.http.Url;
import dev.wirelab.netstack.socket.Process;
import dev.wirelab.netstack.socket.Sys;
import dev.wirelab.netstack.socket.SyscallException;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code curl} for http URLs, on the node's system calls, with curl 7.88's output and exit codes:
 * URLs (several: one kept-alive connection per host and port), {@code -v} ("*   Trying ...",
 * "> GET / HTTP/1.1", "< HTTP/1.1 200 OK"), {@code -I} (HEAD), {@code -i}, {@code -o FILE} and
 * {@code -O} (node files), {@code -s}/{@code -S}, {@code -f}, {@code -L}, {@code -X}, {@code -H},
 * {@code -d}, {@code -A}, {@code -w} ({@code %{http_code}} and friends), {@code --connect-timeout}
 * and {@code -m}. Exit codes: 3 bad URL, 6 could not resolve host, 7 failed to connect, 28 timeout,
 * 22 with -f on an HTTP error, 52 empty reply, 56 receive failure, 18 partial body, 23 write error.
 */
final class Curl extends SyscallProgram {

    static final String USER_AGENT = "curl/7.88.1";
    private static final Set<String> FLAGS = Set.of("-v", "--verbose", "-I", "--head", "-i", "--include", "-s",
            "--silent", "-S", "--show-error", "-f", "--fail", "-L", "--location", "-O", "--remote-name");
    private static final Set<String> VALUED = Set.of("-o", "--output", "-X", "--request", "-H", "--header", "-d",
            "--data", "-A", "--user-agent", "-w", "--write-out", "-m", "--max-time", "--connect-timeout",
            "--max-redirs");

    private boolean verbose;
    private boolean head;
    private boolean include;
    private boolean silent;
    private boolean showError;
    private boolean fail;
    private boolean follow;
    private boolean remoteName;
    private String method;
    private final HttpFields headers = new HttpFields();
    private byte[] data;
    private String userAgent = USER_AGENT;
    private String writeOut;
    private long maxTime = -1;
    private long connectTimeout = -1;
    private int maxRedirs = 50;
    private final Deque<String> outputs = new ArrayDeque<>();
    /** Standard output after its last newline: the body's last line may go on with -w's text. */
    private final StringBuilder partial = new StringBuilder();
    private Process proc;
    private final List<String> urls = new ArrayList<>();

    @Override
    protected int main(Process p) throws Exception {
        proc = p;
        try {
            parse(p.args());
        } catch (GetOpt.UsageException e) {
            p.println("curl: " + e.getMessage());
            p.println("curl: try 'curl --help' or 'curl --manual' for more information");
            return 2;
        }
        if (urls.isEmpty()) {
            p.println("curl: no URL specified!");
            p.println("curl: try 'curl --help' or 'curl --manual' for more information");
            return 2;
        }
        int status = 0;
        try (HttpClient client = new HttpClient(p, verbose ? this::err : null)) {
            if (connectTimeout > 0) {
                client.connectTimeout(connectTimeout);
            }
            if (maxTime > 0) {
                client.maxTime(maxTime);
            }
            for (String u : urls) {
                String out = outputs.poll();
                int s = transfer(p, client, u, out);
                if (s != 0) {
                    status = s;
                }
            }
        }
        flush();
        return status;
    }

    private void parse(List<String> args) {
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.startsWith("--") && a.contains("=")) {
                String name = a.substring(0, a.indexOf('='));
                if (VALUED.contains(name)) {
                    option(name, a.substring(a.indexOf('=') + 1));
                    continue;
                }
            }
            if (FLAGS.contains(a)) {
                flag(a);
            } else if (VALUED.contains(a)) {
                if (i + 1 >= args.size()) {
                    throw new GetOpt.UsageException("option " + a + ": requires parameter");
                }
                option(a, args.get(++i));
            } else if (a.startsWith("--")) {
                throw new GetOpt.UsageException("option " + a + ": is unknown");
            } else if (a.startsWith("-") && a.length() > 1) {
                // grouped short flags (-sS, -sSf), or a short option with its value attached (-ofile)
                for (int j = 1; j < a.length(); j++) {
                    String f = "-" + a.charAt(j);
                    if (FLAGS.contains(f)) {
                        flag(f);
                    } else if (VALUED.contains(f)) {
                        String v = j + 1 < a.length() ? a.substring(j + 1) : i + 1 < args.size() ? args.get(++i) : null;
                        if (v == null) {
                            throw new GetOpt.UsageException("option " + f + ": requires parameter");
                        }
                        option(f, v);
                        break;
                    } else {
                        throw new GetOpt.UsageException("option " + a + ": is unknown");
                    }
                }
            } else {
                urls.add(a);
            }
        }
    }

    private void flag(String f) {
        switch (f) {
            case "-v", "--verbose" -> verbose = true;
            case "-I", "--head" -> head = true;
            case "-i", "--include" -> include = true;
            case "-s", "--silent" -> silent = true;
            case "-S", "--show-error" -> showError = true;
            case "-f", "--fail" -> fail = true;
            case "-L", "--location" -> follow = true;
            default -> remoteName = true;
        }
    }

    private void option(String o, String v) {
        switch (o) {
            case "-o", "--output" -> outputs.add(v);
            case "-X", "--request" -> method = v;
            case "-H", "--header" -> {
                int colon = v.indexOf(':');
                if (colon <= 0) {
                    throw new GetOpt.UsageException("option " + o + ": bad header '" + v + "'");
                }
                headers.add(v.substring(0, colon).strip(), v.substring(colon + 1).strip());
            }
            case "-d", "--data" -> data = v.getBytes(StandardCharsets.UTF_8);
            case "-A", "--user-agent" -> userAgent = v;
            case "-w", "--write-out" -> writeOut = v;
            case "-m", "--max-time" -> maxTime = NetArgs.seconds("curl", v);
            case "--connect-timeout" -> connectTimeout = NetArgs.seconds("curl", v);
            default -> maxRedirs = GetOpt.intIn(v, -1, 10_000, "option --max-redirs: expected a proper numerical parameter");
        }
    }

    private int transfer(Process p, HttpClient client, String text, String output) throws SyscallException {
        long t0 = p.now();
        Url url;
        try {
            url = Url.parse(text);
        } catch (Url.UrlException e) {
            return error(p, e.curlCode(), e.getMessage());
        }
        p.event("http", "url_parsed", "url", url.toString(), "scheme", url.scheme(), "host", url.host(),
                "port", url.port(), "path", url.target());
        String m = method != null ? method : head ? "HEAD" : data != null ? "POST" : "GET";
        HttpFields extra = headers.copy();
        if (data != null && !extra.contains("Content-Type")) {
            extra.add("Content-Type", "application/x-www-form-urlencoded");
        }
        byte[] body = data;
        HttpClient.Exchange x;
        int redirects = 0;
        while (true) {
            try {
                x = client.exchange(url, m, extra, body, userAgent);
            } catch (HttpClient.Failure f) {
                return error(p, f.code, f.getMessage());
            }
            HttpResponse r = x.response();
            String location = r.headers().get("Location").orElse(null);
            boolean redirect = r.status() == 301 || r.status() == 302 || r.status() == 303 || r.status() == 307
                    || r.status() == 308;
            if (!follow || !redirect || location == null) {
                break;
            }
            if (head || include) {
                printHead(p, r); // curl -L -i shows every response's head
            }
            if (maxRedirs >= 0 && redirects >= maxRedirs) {
                return error(p, 47, "Maximum (" + maxRedirs + ") redirects followed");
            }
            redirects++;
            try {
                url = url.resolve(location);
            } catch (Url.UrlException e) {
                return error(p, e.curlCode(), e.getMessage());
            }
            if (verbose) {
                err("* Issue another request to this URL: '" + url + "'");
            }
            // RFC 9110 section 15.4.4: 303 turns into GET; curl also does so for POST on 301 and 302.
            if (r.status() == 303 || ((r.status() == 301 || r.status() == 302) && "POST".equals(m))) {
                m = head ? "HEAD" : "GET";
                body = null;
            }
        }
        HttpResponse r = x.response();
        if (fail && r.status() >= 400) {
            return error(p, 22, "The requested URL returned error: " + r.status());
        }
        int status = 0;
        if (head || include) {
            printHead(p, r);
        }
        if (!head) {
            byte[] b = r.body();
            String file = output != null ? output : remoteName ? url.fileName() : null;
            if (file != null) {
                status = save(p, file.startsWith("/") ? file : "/" + file, b);
            } else if (b.length > 0) {
                status = print(p, b);
            }
        }
        client.done();
        if (writeOut != null) {
            out(writeOut(writeOut, url, x, client, p.now() - t0));
        }
        return status;
    }

    private void printHead(Process p, HttpResponse r) {
        StringBuilder b = new StringBuilder(r.statusLine()).append('\n');
        for (HttpFields.Field f : r.headers().asList()) {
            b.append(f.name()).append(": ").append(f.value()).append('\n');
        }
        out(b.append('\n').toString());
    }

    /** Text to standard output, as it would appear on a terminal: complete lines are printed. */
    private void out(String text) {
        partial.append(text);
        int nl;
        while ((nl = partial.indexOf("\n")) >= 0) {
            proc.println(partial.substring(0, nl));
            partial.delete(0, nl + 1);
        }
    }

    /** A line to standard error (-v, messages): whatever standard output has pending goes first. */
    private void err(String line) {
        flush();
        proc.println(line);
    }

    private void flush() {
        if (!partial.isEmpty()) {
            proc.println(partial.toString());
            partial.setLength(0);
        }
    }

    /** The body to the terminal as lines; binary output is refused as curl refuses it (exit 23). */
    private int print(Process p, byte[] b) {
        for (byte x : b) {
            if (x == 0) {
                err("Warning: Binary output can mess up your terminal. Use \"--output -\" to tell ");
                err("Warning: curl to output it to your terminal anyway, or consider \"--output ");
                err("Warning: <FILE>\" to save to a file.");
                return 23;
            }
        }
        out(new String(b, StandardCharsets.UTF_8).replace("\r\n", "\n"));
        return 0;
    }

    private int save(Process p, String path, byte[] b) throws SyscallException {
        int fd;
        try {
            fd = p.open(path, Sys.O_WRONLY | Sys.O_CREAT | Sys.O_TRUNC);
        } catch (SyscallException e) {
            return error(p, 23, "Failure writing output to destination (" + path + ": " + e.errno().message() + ")");
        }
        try {
            int off = 0;
            while (off < b.length) {
                off += p.write(fd, b, off, b.length - off);
            }
        } catch (SyscallException e) {
            return error(p, 23, "Failure writing output to destination");
        } finally {
            p.close(fd);
        }
        return 0;
    }

    private int error(Process p, int code, String message) {
        if (!silent || showError) {
            err("curl: (" + code + ") " + message);
        }
        return code;
    }

    /** -w: the variables labs use, and \n, \t escapes. */
    static String writeOut(String fmt, Url url, HttpClient.Exchange x, HttpClient client, long nanos) {
        HttpResponse r = x.response();
        String s = fmt.replace("\\n", "\n").replace("\\t", "\t");
        s = s.replace("%{http_code}", String.valueOf(r.status()))
                .replace("%{response_code}", String.valueOf(r.status()))
                .replace("%{size_download}", String.valueOf(r.body().length))
                .replace("%{content_type}", r.headers().get("Content-Type").orElse(""))
                .replace("%{remote_ip}", x.remote() == null ? "" : x.remote().address().toString())
                .replace("%{remote_port}", x.remote() == null ? "" : String.valueOf(x.remote().port()))
                .replace("%{num_connects}", String.valueOf(client.connections()))
                .replace("%{url_effective}", url.toString())
                .replace("%{time_total}", String.format(Locale.ROOT, "%.6f", nanos / 1e9));
        return s;
    }
}
