package dev.wirelab.netstack.program;

import dev.wirelab.netstack.socket.Errno;
import dev.wirelab.netstack.socket.PollFd;
import dev.wirelab.netstack.socket.Process;
import dev.wirelab.netstack.socket.SockAddr;
import dev.wirelab.netstack.socket.Sys;
import dev.wirelab.netstack.socket.SyscallException;
import dev.wirelab.netstack.wire.Ipv4Address;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static dev.wirelab.netstack.socket.Sys.AF_INET;
import static dev.wirelab.netstack.socket.Sys.SOCK_DGRAM;
import static dev.wirelab.netstack.socket.Sys.SOCK_STREAM;

/**
 * {@code nc} in the manner of OpenBSD netcat (Debian's netcat-openbsd), on the node's system
 * calls: client and server, TCP and UDP ({@code -u}), {@code -l [-p] port}, {@code -k}, port scans
 * ({@code -z} with ports like {@code 20-25} or {@code 22,80}), {@code -w} connect and idle timeout,
 * {@code -N} (shutdown after sending), {@code -q secs} (quit after sending), {@code -s} source
 * address, {@code -p} source port, {@code -v}.
 *
 * <p>Labs have no interactive terminal, so what nc would read from standard input comes from
 * {@code --send TEXT} (sent as {@code echo TEXT} would write it, with a newline) or
 * {@code --send-file PATH} (a node file, bytes as they are). Received data is printed as lines,
 * or stored in a node file with {@code --recv-file PATH}.
 */
final class Nc extends SyscallProgram {

    private static final String USAGE = "usage: nc [-46CDdFhklNnrStUuvZz] [-I length] [-i interval] [-M ttl]\n"
            + "\t  [-m minttl] [-O length] [-P proxy_username] [-p source_port]\n"
            + "\t  [-q seconds] [-s sourceaddr] [-T keyword] [-V rtable] [-W recvlimit]\n"
            + "\t  [-w timeout] [-X proxy_protocol] [-x proxy_address[:port]]\n"
            + "\t  [destination] [port]";

    private boolean udp;
    private boolean verbose;
    private boolean shutdownAfterSend;
    private long timeoutNanos = -1;
    private long quitNanos = -1;
    private String sendText;
    private String sendFile;
    private String recvFile;
    private Ipv4Address source;
    private int sourcePort;
    private int recvFd = -1;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    @Override
    protected int main(Process p) throws Exception {
        NetArgs a;
        try {
            a = NetArgs.parse("nc", p.args(), "lukzvNnw:p:s:q:4", Set.of("send", "send-file", "recv-file"), Set.of());
        } catch (GetOpt.UsageException e) {
            p.println(e.getMessage());
            USAGE.lines().forEach(p::println);
            return 1;
        }
        GetOpt o = a.shorts;
        udp = o.has('u');
        verbose = o.has('v');
        shutdownAfterSend = o.has('N');
        sendText = a.get("send");
        sendFile = a.get("send-file");
        recvFile = a.get("recv-file");
        List<String> ops = a.operands();
        try {
            if (o.has('w')) {
                timeoutNanos = NetArgs.seconds("nc", o.get('w'));
            }
            if (o.has('q')) {
                quitNanos = NetArgs.seconds("nc", o.get('q'));
            }
            if (o.has('s')) {
                source = NetArgs.address("nc", o.get('s'));
            }
            if (o.has('l')) {
                int port;
                if (o.has('p')) {
                    port = NetArgs.port("nc", o.get('p'));
                } else if (ops.size() == 1) {
                    port = NetArgs.port("nc", ops.get(0));
                } else if (ops.size() == 2) {
                    source = NetArgs.address("nc", ops.get(0));
                    port = NetArgs.port("nc", ops.get(1));
                } else {
                    p.println("nc: missing port number");
                    return 1;
                }
                byte[] payload = payload(p);
                return udp ? udpServer(p, port, payload) : tcpServer(p, port, o.has('k'), payload);
            }
            if (o.has('p')) {
                sourcePort = NetArgs.port("nc", o.get('p'));
            }
            if (ops.size() != 2) {
                USAGE.lines().forEach(p::println);
                return 1;
            }
            Ipv4Address host = NetArgs.address("nc", ops.get(0));
            List<Integer> ports = ports(ops.get(1));
            if (o.has('z')) {
                return scan(p, host, ports);
            }
            byte[] payload = payload(p);
            return udp ? udpClient(p, new SockAddr(host, ports.get(0)), payload)
                    : tcpClient(p, new SockAddr(host, ports.get(0)), payload);
        } catch (GetOpt.UsageException e) {
            p.println(e.getMessage());
            return 1;
        }
    }

    /** "80", "20-25", "22,80,443". */
    private static List<Integer> ports(String spec) {
        List<Integer> out = new ArrayList<>();
        for (String part : spec.split(",")) {
            int dash = part.indexOf('-');
            if (dash > 0) {
                int lo = NetArgs.port("nc", part.substring(0, dash));
                int hi = NetArgs.port("nc", part.substring(dash + 1));
                if (hi < lo || hi - lo > 65535) {
                    throw new GetOpt.UsageException("nc: port range not valid");
                }
                for (int port = lo; port <= hi; port++) {
                    out.add(port);
                }
            } else {
                out.add(NetArgs.port("nc", part));
            }
        }
        return out;
    }

    private byte[] payload(Process p) throws SyscallException {
        if (sendText != null) {
            return (sendText + "\n").getBytes(StandardCharsets.UTF_8);
        }
        if (sendFile == null) {
            return null;
        }
        int fd;
        try {
            fd = p.open(sendFile, Sys.O_RDONLY);
        } catch (SyscallException e) {
            throw new GetOpt.UsageException("nc: " + sendFile + ": " + e.errno().message());
        }
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        byte[] buf = new byte[65536];
        int n;
        while ((n = p.read(fd, buf, 0, buf.length)) > 0) {
            b.write(buf, 0, n);
        }
        p.close(fd);
        return b.toByteArray();
    }

    // ------------------------------------------------------------------ TCP

    /** connect() with the -w timeout (a non-blocking connect and poll, as netcat's timeout_connect). */
    private String connect(Process p, int s, SockAddr to) throws SyscallException {
        if (timeoutNanos < 0) {
            try {
                p.connect(s, to);
                return null;
            } catch (SyscallException e) {
                return "failed: " + e.errno().message();
            }
        }
        int flags = p.fcntl(s, Sys.F_GETFL, 0);
        p.fcntl(s, Sys.F_SETFL, flags | Sys.O_NONBLOCK);
        try {
            p.connect(s, to);
        } catch (SyscallException e) {
            if (e.errno() != Errno.EINPROGRESS) {
                return "failed: " + e.errno().message();
            }
            PollFd[] pfd = {new PollFd(s, Sys.POLLOUT)};
            if (p.poll(pfd, (int) Math.max(1, timeoutNanos / 1_000_000)) == 0) {
                return "timed out: " + Errno.EINPROGRESS.message();
            }
            int err = p.getsockopt(s, Sys.SOL_SOCKET, Sys.SO_ERROR);
            if (err != 0) {
                return "failed: " + Errno.of(err).message();
            }
        }
        p.fcntl(s, Sys.F_SETFL, flags);
        return null;
    }

    private int tcpSocket(Process p) throws SyscallException {
        int s = p.socket(AF_INET, SOCK_STREAM, 0);
        if (source != null || sourcePort != 0) {
            p.bind(s, new SockAddr(source == null ? Ipv4Address.ANY : source, sourcePort));
        }
        return s;
    }

    private int tcpClient(Process p, SockAddr to, byte[] payload) throws Exception {
        int s = tcpSocket(p);
        String failure = connect(p, s, to);
        if (failure != null) {
            p.println("nc: connect to " + to.address() + " port " + to.port() + " (tcp) " + failure);
            return 1;
        }
        if (verbose) {
            p.println("Connection to " + to.address() + " " + to.port() + " port [tcp/" + NetArgs.service(to.port(), false)
                    + "] succeeded!");
        }
        exchange(p, s, payload);
        return 0;
    }

    private int tcpServer(Process p, int port, boolean keep, byte[] payload) throws Exception {
        int ls = p.socket(AF_INET, SOCK_STREAM, 0);
        p.setsockopt(ls, Sys.SOL_SOCKET, Sys.SO_REUSEADDR, 1);
        Ipv4Address at = source == null ? Ipv4Address.ANY : source;
        try {
            p.bind(ls, new SockAddr(at, port));
        } catch (SyscallException e) {
            p.println("nc: " + e.getMessage());
            return 1;
        }
        p.listen(ls, 1);
        if (verbose) {
            p.println("Listening on " + at + " " + port);
        }
        do {
            int c = p.accept(ls);
            if (verbose) {
                SockAddr peer = p.getpeername(c);
                p.println("Connection received on " + peer.address() + " " + peer.port());
            }
            exchange(p, c, payload);
        } while (keep);
        p.close(ls);
        return 0;
    }

    /**
     * Sends the payload from a second thread (then shuts down with -N, or quits after -q) while
     * this thread prints what arrives, until end of stream or -w of silence.
     */
    private void exchange(Process p, int s, byte[] payload) throws Exception {
        int sender = -1;
        if (payload != null || quitNanos >= 0 || shutdownAfterSend) {
            sender = p.spawn("nc-send", () -> {
                if (payload != null && payload.length > 0) {
                    try {
                        p.send(s, payload, 0, payload.length, 0);
                    } catch (SyscallException e) {
                        return; // the reader reports the connection's fate
                    }
                }
                if (shutdownAfterSend) {
                    p.shutdown(s, Sys.SHUT_WR);
                }
                if (quitNanos >= 0) {
                    p.sleep(quitNanos);
                    flushLine(p);
                    p.exit(0);
                }
            });
        }
        receive(p, s, true);
        if (sender >= 0 && quitNanos < 0) {
            p.join(sender);
        }
        p.close(s);
    }

    private void receive(Process p, int s, boolean stream) throws SyscallException {
        if (recvFile != null && recvFd < 0) {
            recvFd = p.open(recvFile, Sys.O_WRONLY | Sys.O_CREAT | Sys.O_TRUNC);
        }
        byte[] buf = new byte[65536];
        PollFd[] pfd = {new PollFd(s, Sys.POLLIN)};
        while (true) {
            if (timeoutNanos >= 0 && p.poll(pfd, (int) Math.max(1, timeoutNanos / 1_000_000)) == 0) {
                break; // idle for -w seconds
            }
            int n;
            try {
                n = p.recv(s, buf, 0, buf.length, 0);
            } catch (SyscallException e) {
                if (stream || e.errno() != Errno.ECONNREFUSED) {
                    p.println("nc: read failed (" + e.errno().message() + ")");
                }
                break;
            }
            if (n == 0 && stream) {
                break;
            }
            output(p, buf, n);
        }
        flushLine(p);
    }

    private void output(Process p, byte[] b, int n) throws SyscallException {
        if (recvFd >= 0) {
            p.write(recvFd, b, 0, n);
            return;
        }
        for (int i = 0; i < n; i++) {
            if (b[i] == '\n') {
                p.println(line.toString(StandardCharsets.UTF_8));
                line.reset();
            } else {
                line.write(b[i]);
            }
        }
    }

    private void flushLine(Process p) {
        if (line.size() > 0) {
            p.println(line.toString(StandardCharsets.UTF_8));
            line.reset();
        }
    }

    // ------------------------------------------------------------------ UDP

    private int udpClient(Process p, SockAddr to, byte[] payload) throws Exception {
        int s = p.socket(AF_INET, SOCK_DGRAM, 0);
        if (source != null || sourcePort != 0) {
            p.bind(s, new SockAddr(source == null ? Ipv4Address.ANY : source, sourcePort));
        }
        p.connect(s, to);
        if (verbose) {
            p.println("Connection to " + to.address() + " " + to.port() + " port [udp/" + NetArgs.service(to.port(), true)
                    + "] succeeded!");
        }
        if (payload != null) {
            p.send(s, payload, 0, payload.length, 0);
        }
        if (quitNanos >= 0 && timeoutNanos < 0) {
            timeoutNanos = quitNanos;
        }
        receive(p, s, false);
        return 0;
    }

    private int udpServer(Process p, int port, byte[] payload) throws Exception {
        int s = p.socket(AF_INET, SOCK_DGRAM, 0);
        Ipv4Address at = source == null ? Ipv4Address.ANY : source;
        try {
            p.bind(s, new SockAddr(at, port));
        } catch (SyscallException e) {
            p.println("nc: " + e.getMessage());
            return 1;
        }
        if (verbose) {
            p.println("Bound on " + at + " " + port);
        }
        byte[] buf = new byte[65536];
        Process.Received first = p.recvfrom(s, buf, 0, buf.length, 0);
        // netcat connects a UDP "server" to its first client, then talks only to it.
        p.connect(s, first.from());
        if (verbose) {
            p.println("Connection received on " + first.from().address() + " " + first.from().port());
        }
        if (recvFile != null) {
            recvFd = p.open(recvFile, Sys.O_WRONLY | Sys.O_CREAT | Sys.O_TRUNC);
        }
        output(p, buf, first.length());
        if (payload != null) {
            p.send(s, payload, 0, payload.length, 0);
        }
        receive(p, s, false);
        return 0;
    }

    // ------------------------------------------------------------------ -z

    private int scan(Process p, Ipv4Address host, List<Integer> ports) throws Exception {
        int status = 1;
        for (int port : ports) {
            SockAddr to = new SockAddr(host, port);
            String failure;
            int s;
            if (udp) {
                s = p.socket(AF_INET, SOCK_DGRAM, 0);
                p.connect(s, to);
                failure = udpProbe(p, s);
            } else {
                s = tcpSocket(p);
                failure = connect(p, s, to);
            }
            p.close(s);
            String proto = udp ? "udp" : "tcp";
            if (failure == null) {
                status = 0;
                if (verbose) {
                    p.println("Connection to " + host + " " + port + " port [" + proto + "/"
                            + NetArgs.service(port, udp) + "] succeeded!");
                }
            } else if (verbose) {
                p.println("nc: connect to " + host + " port " + port + " (" + proto + ") " + failure);
            }
        }
        return status;
    }

    /** netcat's udptest: send a probe; an ICMP port unreachable (ECONNREFUSED) within the wait means closed. */
    private String udpProbe(Process p, int s) throws SyscallException {
        byte[] x = {'X'};
        p.send(s, x, 0, 1, 0);
        PollFd[] pfd = {new PollFd(s, Sys.POLLIN)};
        p.poll(pfd, (int) (timeoutNanos >= 0 ? Math.max(1, timeoutNanos / 1_000_000) : 1000));
        try {
            p.recv(s, new byte[1], 0, 1, Sys.MSG_DONTWAIT);
        } catch (SyscallException e) {
            if (e.errno() == Errno.ECONNREFUSED) {
                return "failed: " + e.errno().message();
            }
        }
        return null;
    }
}
