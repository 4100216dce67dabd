package dev.wirelab.netstack.program;

import dev.wirelab.netstack.ip.Route;
import dev.wirelab.netstack.socket.PollFd;
import dev.wirelab.netstack.socket.Process;
import dev.wirelab.netstack.socket.SockAddr;
import dev.wirelab.netstack.socket.Sys;
import dev.wirelab.netstack.socket.SyscallException;
import dev.wirelab.netstack.wire.Ipv4Address;
import dev.wirelab.netstack.wire.TcpSegment;

import java.util.Set;
import java.util.SplittableRandom;

/**
 * A packet crafter in the manner of hping3, for labs (SYN floods above all):
 * {@code hping -S -p 80 --flood -c 1000 --rand-source 10.0.2.10}. It builds IPv4 + TCP headers
 * itself (real checksums) and sends them on a raw socket with IP_HDRINCL, so the source address
 * may be spoofed ({@code -a ADDR}) or random per packet ({@code --rand-source}).
 *
 * <p>Options: -S -A -F -R -P -U (flags), -p dport, -s base sport (incremented per packet, as
 * hping3 does), -w window (64), -d data size, -c count (required with --flood: a lab flood is
 * bounded), -i uMICROS or SECONDS (1 s), --flood (no wait), -a source, --rand-source, -t ttl.
 * Replies (SYN-ACK, RST) are read on a raw TCP socket and shown as hping3 shows them, except in
 * flood mode, where they are only counted.
 * Random choices come from a generator seeded by host and pid, so runs repeat in virtual time.
 */
final class Hping extends SyscallProgram {

    @Override
    protected int main(Process p) throws Exception {
        NetArgs a;
        int flags = 0;
        int dport = 0;
        int count = -1;
        long intervalNanos = 1_000_000_000L;
        int window = 64;
        int dataSize = 0;
        int ttl = 64;
        Ipv4Address spoof = null;
        Ipv4Address dst;
        SplittableRandom rng = new SplittableRandom(((long) p.hostname().hashCode() << 32) ^ p.pid());
        int sport = 1024 + rng.nextInt(64511);
        boolean flood;
        boolean randSource;
        try {
            a = NetArgs.parse("hping", p.args(), "SAFRPUp:s:w:d:c:i:a:t:q", Set.of(), Set.of("flood", "rand-source", "faster", "fast"));
            GetOpt o = a.shorts;
            flags |= o.has('S') ? TcpSegment.SYN : 0;
            flags |= o.has('A') ? TcpSegment.ACK : 0;
            flags |= o.has('F') ? TcpSegment.FIN : 0;
            flags |= o.has('R') ? TcpSegment.RST : 0;
            flags |= o.has('P') ? TcpSegment.PSH : 0;
            flags |= o.has('U') ? TcpSegment.URG : 0;
            if (o.has('p')) {
                dport = GetOpt.intIn(o.get('p'), 0, 65535, "hping: invalid port: " + o.get('p'));
            }
            if (o.has('s')) {
                sport = GetOpt.intIn(o.get('s'), 0, 65535, "hping: invalid port: " + o.get('s'));
            }
            if (o.has('w')) {
                window = GetOpt.intIn(o.get('w'), 0, 65535, "hping: invalid window: " + o.get('w'));
            }
            if (o.has('d')) {
                dataSize = GetOpt.intIn(o.get('d'), 0, 65_495, "hping: invalid data size: " + o.get('d'));
            }
            if (o.has('t')) {
                ttl = GetOpt.intIn(o.get('t'), 1, 255, "hping: invalid ttl: " + o.get('t'));
            }
            if (o.has('c')) {
                count = GetOpt.intIn(o.get('c'), 1, 10_000_000, "hping: invalid count: " + o.get('c'));
            }
            if (o.has('i')) {
                String i = o.get('i');
                intervalNanos = i.startsWith("u") ? GetOpt.intIn(i.substring(1), 0, Integer.MAX_VALUE,
                        "hping: invalid interval: " + i) * 1000L : NetArgs.seconds("hping", i);
            }
            if (a.has("fast")) {
                intervalNanos = 100_000_000L;
            }
            if (a.has("faster")) {
                intervalNanos = 1_000L;
            }
            flood = a.has("flood");
            if (flood) {
                intervalNanos = 0;
            }
            if (o.has('a')) {
                spoof = NetArgs.address("hping", o.get('a'));
            }
            randSource = a.has("rand-source");
            if (a.operands().size() != 1) {
                throw new GetOpt.UsageException("hping: missing host argument");
            }
            dst = NetArgs.address("hping", a.operands().get(0));
            if (count < 0) {
                if (flood) {
                    throw new GetOpt.UsageException("hping: --flood needs -c COUNT here (a lab flood is bounded)");
                }
                count = 1_000_000;
            }
        } catch (GetOpt.UsageException e) {
            p.println(e.getMessage());
            return 1;
        }
        Route route = route(p, dst);
        if (route == null) {
            p.println("[main] no route to " + dst);
            return 1;
        }
        p.println("HPING " + dst + " (" + route.interfaceName() + " " + dst + "): " + flagNames(flags) + " set, 40 headers + "
                + dataSize + " data bytes");
        if (flood) {
            p.println("hping in flood mode, no replies will be shown");
        }
        int s = p.socket(Sys.AF_INET, Sys.SOCK_RAW, Sys.IPPROTO_RAW);
        // Replies come on a second raw socket, one for TCP (as hping3 reads them with libpcap).
        int rx = p.socket(Sys.AF_INET, Sys.SOCK_RAW | Sys.SOCK_NONBLOCK, Sys.IPPROTO_TCP);
        Ipv4Address src = spoof;
        if (src == null) {
            // The source the kernel would pick: connect a UDP socket and ask its name (no packet is sent).
            int probe = p.socket(Sys.AF_INET, Sys.SOCK_DGRAM, 0);
            p.connect(probe, new SockAddr(dst, 9));
            src = p.getsockname(probe).address();
            p.close(probe);
        }
        Replies replies = new Replies(p, rx, dst, dport, sport, count, flood);
        int sent = 0;
        byte[] data = new byte[dataSize];
        for (int i = 0; i < count; i++) {
            Ipv4Address from = randSource ? randomAddress(rng) : src;
            TcpSegment seg = TcpSegment.of((sport + i) & 0xFFFF, dport, rng.nextLong(1L << 32), 0, flags, window, data);
            byte[] tcp = seg.encode(from, dst);
            byte[] packet = ipHeader(from, dst, ttl, tcp);
            try {
                replies.sentAt[i] = p.now();
                p.sendto(s, packet, 0, packet.length, 0, new SockAddr(dst, 0));
                sent++;
            } catch (SyscallException e) {
                p.println("[send_ip] sendto: " + e.errno().message());
            }
            if (intervalNanos > 0 && i + 1 < count) {
                replies.collectUntil(p.now() + intervalNanos);
            }
        }
        // hping3 waits a second for late replies once the count is reached.
        replies.collectUntil(p.now() + 1_000_000_000L);
        p.println("");
        p.println("--- " + dst + " hping statistic ---");
        // hping3 really prints "tramitted".
        int got = replies.received;
        p.println(sent + " packets tramitted, " + got + " packets received, "
                + Math.round(sent == 0 ? 0 : 100.0 * (sent - got) / sent) + "% packet loss");
        p.println(String.format(java.util.Locale.ROOT, "round-trip min/avg/max = %.1f/%.1f/%.1f ms",
                got == 0 ? 0 : replies.rttMin / 1e6, got == 0 ? 0 : replies.rttSum / 1e6 / got, replies.rttMax / 1e6));
        return 0;
    }

    /** Replies to our probes: from the target's port to one of our source ports. */
    private static final class Replies {
        final Process p;
        final int rx;
        final Ipv4Address target;
        final int dport;
        final int sport;
        final boolean quiet;
        final long[] sentAt;
        int received;
        long rttMin = Long.MAX_VALUE;
        long rttMax;
        long rttSum;
        final byte[] buf = new byte[65536];

        Replies(Process p, int rx, Ipv4Address target, int dport, int sport, int count, boolean quiet) {
            this.p = p;
            this.rx = rx;
            this.target = target;
            this.dport = dport;
            this.sport = sport;
            this.quiet = quiet;
            this.sentAt = new long[count];
        }

        /** Shows replies until {@code deadline}, which it keeps to the nanosecond (poll waits whole ms). */
        void collectUntil(long deadline) throws SyscallException {
            PollFd[] pfd = {new PollFd(rx, Sys.POLLIN)};
            while (true) {
                long left = deadline - p.now();
                int ms = (int) Math.min(Integer.MAX_VALUE, left / 1_000_000);
                if (left <= 0 || ms == 0) {
                    if (left > 0) {
                        p.sleep(left);
                    }
                    drain();
                    return;
                }
                if (p.poll(pfd, ms) > 0) {
                    drain();
                }
            }
        }

        private void drain() throws SyscallException {
            while (true) {
                int n;
                try {
                    n = p.recv(rx, buf, 0, buf.length, 0);
                } catch (SyscallException e) {
                    return; // EAGAIN: nothing more
                }
                reply(n);
            }
        }

        private void reply(int n) {
            int ihl = (buf[0] & 0xF) * 4;
            if (n < ihl + 20 || !Ipv4Address.read(buf, 12).equals(target)) {
                return;
            }
            int from = ((buf[ihl] & 0xFF) << 8) | (buf[ihl + 1] & 0xFF);
            int to = ((buf[ihl + 2] & 0xFF) << 8) | (buf[ihl + 3] & 0xFF);
            int seq = (to - sport) & 0xFFFF;
            if (from != dport || seq >= sentAt.length) {
                return;
            }
            long rtt = p.now() - sentAt[seq];
            received++;
            rttMin = Math.min(rttMin, rtt);
            rttMax = Math.max(rttMax, rtt);
            rttSum += rtt;
            if (quiet) {
                return;
            }
            int ttl = buf[8] & 0xFF;
            boolean df = (buf[6] & 0x40) != 0;
            int id = ((buf[4] & 0xFF) << 8) | (buf[5] & 0xFF);
            int flags = buf[ihl + 13] & 0x3F;
            int win = ((buf[ihl + 14] & 0xFF) << 8) | (buf[ihl + 15] & 0xFF);
            // hping3 prints the length of what it captured: the IP datagram with Ethernet padding (46 at least).
            p.println(String.format(java.util.Locale.ROOT, "len=%d ip=%s ttl=%d %sid=%d sport=%d flags=%s seq=%d win=%d rtt=%.1f ms",
                    Math.max(n, 46), target, ttl, df ? "DF " : "", id, from, flagNames(flags), seq, win, rtt / 1e6));
        }
    }

    private static String flagNames(int flags) {
        StringBuilder b = new StringBuilder();
        String[] names = {"F", "S", "R", "P", "A", "U"};
        for (int i = 0; i < names.length; i++) {
            if ((flags & (1 << i)) != 0) {
                b.append(names[i]);
            }
        }
        return b.isEmpty() ? "NO FLAGS are" : b.toString();
    }

    /** The longest-prefix route to {@code dst}, from the node's table. */
    private static Route route(Process p, Ipv4Address dst) {
        Route best = null;
        for (Route r : p.routes()) {
            if (r.matches(dst) && (best == null || r.prefixLength() > best.prefixLength())) {
                best = r;
            }
        }
        return best;
    }

    /** A unicast address outside 0/8, 127/8 and 224/3 (multicast, reserved). */
    private static Ipv4Address randomAddress(SplittableRandom rng) {
        while (true) {
            int bits = rng.nextInt();
            int first = bits >>> 24;
            if (first != 0 && first != 127 && first < 224) {
                return new Ipv4Address(bits);
            }
        }
    }

    /** RFC 791 section 3.1 header; raw(7): with IP_HDRINCL the kernel fills in id and checksum. */
    private static byte[] ipHeader(Ipv4Address src, Ipv4Address dst, int ttl, byte[] payload) {
        byte[] b = new byte[20 + payload.length];
        b[0] = 0x45;
        int total = b.length;
        b[2] = (byte) (total >>> 8);
        b[3] = (byte) total;
        b[8] = (byte) ttl;
        b[9] = 6;
        src.write(b, 12);
        dst.write(b, 16);
        System.arraycopy(payload, 0, b, 20, payload.length);
        return b;
    }
}
