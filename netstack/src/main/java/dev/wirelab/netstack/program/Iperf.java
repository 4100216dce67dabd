package dev.wirelab.netstack.program;

import dev.wirelab.netstack.socket.PollFd;
import dev.wirelab.netstack.socket.Process;
import dev.wirelab.netstack.socket.SockAddr;
import dev.wirelab.netstack.socket.Sys;
import dev.wirelab.netstack.socket.SyscallException;
import dev.wirelab.netstack.tcp.TcpInfo;

import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.Set;

import static dev.wirelab.netstack.socket.Sys.AF_INET;
import static dev.wirelab.netstack.socket.Sys.SOCK_STREAM;

/**
 * A bulk TCP transfer tool with iperf3's report format. Server: {@code iperf -s [-p 5201] [-1]}.
 * Client: {@code iperf -c HOST [-p 5201] [-t secs | -n bytes] [-l length] [-i secs] [-N] [-w size] [-b rate]}
 * ({@code -b}: iperf3's target bitrate, e.g. {@code 64K} bits/s, the writes paced to it; 0 = unlimited).
 *
 * <p>Unlike iperf3 there is no control connection: the client sends on one connection and shuts it
 * down; the server counts the bytes until end of stream, answers with what it received and how
 * long it took (16 bytes), and closes. The client prints iperf3's interval lines (bytes handed to
 * the socket, retransmissions from TCP_INFO) and the sender and receiver summary lines.
 */
final class Iperf extends SyscallProgram {

    private static final String DASHES = "- - - - - - - - - - - - - - - - - - - - - - - - -";
    private static final String SEPARATOR = "-----------------------------------------------------------";

    @Override
    protected int main(Process p) throws Exception {
        NetArgs a;
        try {
            a = NetArgs.parse("iperf", p.args(), "sc:p:t:n:l:i:Nw:b:1", Set.of(), Set.of("one-off"));
            GetOpt o = a.shorts;
            int port = o.has('p') ? NetArgs.port("iperf", o.get('p')) : 5201;
            long interval = o.has('i') ? NetArgs.seconds("iperf", o.get('i')) : 1_000_000_000L;
            int window = o.has('w') ? (int) Math.min(Integer.MAX_VALUE, NetArgs.size("iperf", o.get('w'))) : 0;
            if (o.has('s')) {
                return server(p, port, o.has('1') || a.has("one-off"), interval, window);
            }
            if (!o.has('c')) {
                p.println("iperf3: parameter error - must either be a client (-c) or server (-s)");
                return 1;
            }
            SockAddr to = new SockAddr(NetArgs.address("iperf", o.get('c')), port);
            long bytes = o.has('n') ? NetArgs.size("iperf", o.get('n')) : 0;
            long duration = o.has('t') ? NetArgs.seconds("iperf", o.get('t')) : 10_000_000_000L;
            int length = o.has('l') ? (int) Math.min(1 << 24, NetArgs.size("iperf", o.get('l'))) : 128 * 1024;
            long bitrate = o.has('b') ? rate(o.get('b')) : 0;
            return client(p, to, bytes, duration, length, interval, o.has('N'), window, bitrate);
        } catch (GetOpt.UsageException e) {
            p.println(e.getMessage());
            return 1;
        }
    }

    // ------------------------------------------------------------------ formatting (iperf3 units.c)

    /** unit_snprintf: adaptive units, 3 significant digits ("1.12 MBytes", "94.0 Mbits/sec"). */
    static String unit(double value, boolean bytes) {
        String[] names = bytes ? new String[] {"Byte", "KByte", "MByte", "GByte", "TByte"}
                : new String[] {"bit", "Kbit", "Mbit", "Gbit", "Tbit"};
        double base = bytes ? 1024.0 : 1000.0;
        int i = 0;
        while (value >= base && i < names.length - 1) {
            value /= base;
            i++;
        }
        String num = value < 9.995 ? String.format(Locale.ROOT, "%4.2f", value)
                : value < 99.95 ? String.format(Locale.ROOT, "%4.1f", value) : String.format(Locale.ROOT, "%4.0f", value);
        return num + " " + names[i];
    }

    static String transfer(long bytes) {
        return unit(bytes, true) + "s";
    }

    static String bitrate(long bytes, long nanos) {
        double bits = nanos <= 0 ? 0 : bytes * 8.0 / (nanos / 1e9);
        return unit(bits, false) + "s/sec";
    }

    private static String interval(int id, long fromNanos, long toNanos) {
        return String.format(Locale.ROOT, "[%3d] %6.2f-%-6.2f sec", id, fromNanos / 1e9, toNanos / 1e9);
    }

    /** iperf3's report_bw_retrans_format / report_bw_format lines. */
    static String line(int id, long from, long to, long bytes, Long retransmits, String role) {
        String head = interval(id, from, to) + "  " + transfer(bytes) + "  " + bitrate(bytes, to - from);
        if (retransmits != null) {
            head += String.format(Locale.ROOT, "  %3d", retransmits);
            return role == null ? head : head + "             " + role;
        }
        return role == null ? head : head + "                  " + role;
    }

    // ------------------------------------------------------------------ client

    /** iperf3's rates: bits per second with decimal K, M, G (unit_atof_rate); 0 means unlimited. */
    static long rate(String text) {
        try {
            double mult = 1;
            String t = text;
            char last = Character.toUpperCase(t.charAt(t.length() - 1));
            if (last == 'K' || last == 'M' || last == 'G') {
                mult = last == 'K' ? 1e3 : last == 'M' ? 1e6 : 1e9;
                t = t.substring(0, t.length() - 1);
            }
            double v = Double.parseDouble(t) * mult;
            if (v < 0 || Double.isNaN(v) || v > 1e12) {
                throw new NumberFormatException();
            }
            return (long) v;
        } catch (RuntimeException e) {
            throw new GetOpt.UsageException("iperf3: parameter error - invalid bitrate: " + text);
        }
    }

    private int client(Process p, SockAddr to, long bytes, long duration, int length, long interval, boolean noDelay,
                       int window, long bitrate) throws Exception {
        p.println("Connecting to host " + to.address() + ", port " + to.port());
        int s = p.socket(AF_INET, SOCK_STREAM, 0);
        if (noDelay) {
            p.setsockopt(s, Sys.IPPROTO_TCP, Sys.TCP_NODELAY, 1);
        }
        if (window > 0) {
            p.setsockopt(s, Sys.SOL_SOCKET, Sys.SO_SNDBUF, window);
            p.setsockopt(s, Sys.SOL_SOCKET, Sys.SO_RCVBUF, window);
        }
        try {
            p.connect(s, to);
        } catch (SyscallException e) {
            p.println("iperf3: error - unable to connect to server: " + e.errno().message());
            return 1;
        }
        SockAddr local = p.getsockname(s);
        p.println(String.format(Locale.ROOT, "[%3d] local %s port %d connected to %s port %d", s, local.address(),
                local.port(), to.address(), to.port()));
        p.println("[ ID] Interval           Transfer     Bitrate         Retr");
        long start = p.now();
        java.util.concurrent.atomic.AtomicLong sent = new java.util.concurrent.atomic.AtomicLong();
        byte[] buf = new byte[length];
        for (int i = 0; i < buf.length; i++) {
            buf[i] = (byte) ('0' + i % 10); // iperf3 fills its buffer with a repeating pattern too
        }
        // The sender says it is done through a pipe, so the reporter waits in poll(), not a fixed sleep.
        int[] doneSignal = p.pipe();
        int sender = p.spawn("iperf-send", () -> {
            try {
                while (bytes > 0 ? sent.get() < bytes : p.now() - start < duration) {
                    if (bitrate > 0) {
                        // Paced like iperf3 -b: a write waits until the bytes sent so far are due at the target rate.
                        long due = start + (long) (sent.get() * 8e9 / bitrate);
                        if (due > p.now()) {
                            p.sleep(due - p.now());
                        }
                    }
                    int len = (int) (bytes > 0 ? Math.min(length, bytes - sent.get()) : length);
                    sent.addAndGet(p.send(s, buf, 0, len, 0));
                }
            } finally {
                p.write(doneSignal[1], new byte[1], 0, 1);
            }
        });
        long lastAt = start;
        long lastBytes = 0;
        long lastRetr = 0;
        PollFd[] wait = {new PollFd(doneSignal[0], Sys.POLLIN)};
        while (true) {
            long next = Math.max(p.now(), lastAt + interval);
            int ms = (int) Math.max(1, (next - p.now() + 999_999) / 1_000_000);
            if (p.poll(wait, ms) > 0) {
                break;
            }
            long retr = p.tcpInfo(s).retransmits();
            long now = p.now();
            long total = sent.get();
            p.println(line(s, lastAt - start, now - start, total - lastBytes, retr - lastRetr, null));
            lastAt = now;
            lastBytes = total;
            lastRetr = retr;
        }
        p.join(sender);
        long sendEnd = p.now();
        TcpInfo info = p.tcpInfo(s);
        p.shutdown(s, Sys.SHUT_WR);
        byte[] result = new byte[16];
        int got = 0;
        int n;
        while (got < 16 && (n = p.recv(s, result, got, 16 - got, 0)) > 0) {
            got += n;
        }
        p.close(s);
        p.println(DASHES);
        p.println("[ ID] Interval           Transfer     Bitrate         Retr");
        p.println(line(s, 0, sendEnd - start, sent.get(), info.retransmits(), "sender"));
        if (got == 16) {
            ByteBuffer r = ByteBuffer.wrap(result);
            long received = r.getLong();
            long nanos = r.getLong();
            p.println(line(s, 0, nanos, received, null, "receiver"));
        } else {
            p.println("iperf3: error - the server did not report its results");
            return 1;
        }
        p.println("");
        p.println("iperf Done.");
        return 0;
    }

    // ------------------------------------------------------------------ server

    private int server(Process p, int port, boolean oneOff, long interval, int window) throws Exception {
        int ls = p.socket(AF_INET, SOCK_STREAM, 0);
        p.setsockopt(ls, Sys.SOL_SOCKET, Sys.SO_REUSEADDR, 1);
        if (window > 0) {
            p.setsockopt(ls, Sys.SOL_SOCKET, Sys.SO_RCVBUF, window);
        }
        try {
            p.bind(ls, SockAddr.any(port));
        } catch (SyscallException e) {
            p.println("iperf3: error - unable to start listener for connections: " + e.errno().message());
            return 1;
        }
        p.listen(ls, 16);
        for (int test = 1; ; test++) {
            p.println(SEPARATOR);
            p.println("Server listening on " + port + " (test #" + test + ")");
            p.println(SEPARATOR);
            int c = p.accept(ls);
            SockAddr peer = p.getpeername(c);
            SockAddr local = p.getsockname(c);
            p.println("Accepted connection from " + peer.address() + ", port " + peer.port());
            p.println(String.format(Locale.ROOT, "[%3d] local %s port %d connected to %s port %d", c, local.address(),
                    local.port(), peer.address(), peer.port()));
            p.println("[ ID] Interval           Transfer     Bitrate");
            long start = p.now();
            long total = 0;
            long lastAt = start;
            long lastBytes = 0;
            byte[] buf = new byte[128 * 1024];
            int n;
            while ((n = p.recv(c, buf, 0, buf.length, 0)) > 0) {
                total += n;
                if (p.now() - lastAt >= interval) {
                    p.println(line(c, lastAt - start, p.now() - start, total - lastBytes, null, null));
                    lastAt = p.now();
                    lastBytes = total;
                }
            }
            long nanos = p.now() - start;
            p.send(c, ByteBuffer.allocate(16).putLong(total).putLong(nanos).array());
            p.close(c);
            p.println(DASHES);
            p.println("[ ID] Interval           Transfer     Bitrate");
            p.println(line(c, 0, nanos, total, null, "receiver"));
            if (oneOff) {
                return 0;
            }
        }
    }
}
