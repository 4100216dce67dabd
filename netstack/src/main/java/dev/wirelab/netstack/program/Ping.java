package dev.wirelab.netstack.program;

import dev.wirelab.netstack.icmp.EchoSocket;
import dev.wirelab.netstack.icmp.IcmpErrorPolicy;
import dev.wirelab.netstack.ip.OutboundDatagram;
import dev.wirelab.netstack.ip.PmtuDiscovery;
import dev.wirelab.netstack.ip.SendResult;
import dev.wirelab.netstack.wire.IcmpMessage;
import dev.wirelab.netstack.wire.Ipv4Address;
import dev.wirelab.netstack.wire.Ipv4Packet;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * {@code ping} as iputils prints it: ICMP echo requests on a timer, replies and ICMP errors as they
 * come, statistics at the end. Options: -c count, -i interval, -s size, -t ttl, -M do|want|dont,
 * -W timeout, -w deadline, -I interface, -q, -n. Exit status 0 with any reply, 1 with none,
 * 2 on usage or setup errors.
 */
final class Ping implements Program {

    private ProgramContext ctx;
    private EchoSocket socket;
    private Ipv4Address destination;
    private int count; // 0 = until the deadline or cancellation
    private long intervalNanos = 1_000_000_000L;
    private long timeoutNanos = 10_000_000_000L; // iputils' MAXWAIT linger after the last request
    private long deadlineNanos; // -w, 0 = none
    private int size = 56;
    private int ttl = OutboundDatagram.DEFAULT_TTL;
    private PmtuDiscovery pmtu = PmtuDiscovery.WANT;
    private String device;
    private boolean quiet;

    private int transmitted;
    private int received;
    private int errors;
    private int duplicates;
    private long firstSendAt = -1;
    private long lastSendAt;
    private final Map<Integer, Long> sentAt = new HashMap<>();
    private final Set<Integer> answered = new HashSet<>();
    private long rttMin = Long.MAX_VALUE;
    private long rttMax;
    private long rttSum;
    private long rttSumSquares;

    @Override
    public void start(ProgramContext context) {
        this.ctx = context;
        try {
            parse();
        } catch (GetOpt.UsageException | IllegalArgumentException e) {
            ctx.println(e.getMessage());
            ctx.exit(2);
            return;
        }
        // iputils connects a probe socket first; without a route that already fails.
        if (ctx.node().ip().sourceFor(destination, device).isEmpty() && !ctx.node().isLocalAddress(destination)) {
            ctx.println("ping: connect: Network is unreachable");
            ctx.exit(2);
            return;
        }
        socket = ctx.node().icmp().openEchoSocket();
        ctx.onExit(socket::close);
        socket.onMessage(new EchoSocket.Handler() {
            @Override
            public void onReply(Ipv4Packet ip, IcmpMessage reply, long at) {
                ctx.guarded(() -> reply(ip, reply, at));
            }

            @Override
            public void onError(Ipv4Packet ip, IcmpMessage error, int seq, long at) {
                ctx.guarded(() -> error(ip, error, seq));
            }
        });
        ctx.println("PING " + destination + " (" + destination + ") " + size + "(" + (size + 28) + ") bytes of data.");
        if (deadlineNanos > 0) {
            ctx.schedule(deadlineNanos, this::finish);
        }
        sendNext();
    }

    private void parse() {
        GetOpt o = GetOpt.parse("ping", ctx.args(), "c:i:s:t:M:W:w:I:qn");
        if (o.operands.size() != 1) {
            throw new GetOpt.UsageException("ping: usage error: Destination address required");
        }
        try {
            destination = Ipv4Address.parse(o.operands.get(0));
        } catch (IllegalArgumentException e) {
            throw new GetOpt.UsageException("ping: " + o.operands.get(0) + ": Name or service not known");
        }
        if (o.has('c')) {
            count = GetOpt.intIn(o.get('c'), 1, Integer.MAX_VALUE, "ping: invalid argument: '" + o.get('c') + "'");
        }
        if (o.has('i')) {
            intervalNanos = seconds(o.get('i'), "ping: bad timing interval: " + o.get('i'));
        }
        if (o.has('W')) {
            timeoutNanos = seconds(o.get('W'), "ping: bad linger time: " + o.get('W'));
        }
        if (o.has('w')) {
            deadlineNanos = seconds(o.get('w'), "ping: bad wait time: " + o.get('w'));
        }
        if (o.has('s')) {
            size = GetOpt.intIn(o.get('s'), 0, 65_507, "ping: invalid argument: '" + o.get('s') + "': out of range: 0 <= value <= 65507");
        }
        if (o.has('t')) {
            ttl = GetOpt.intIn(o.get('t'), 1, 255, "ping: invalid argument: '" + o.get('t') + "': out of range: 1 <= value <= 255");
        }
        if (o.has('M')) {
            try {
                pmtu = PmtuDiscovery.parse(o.get('M'));
            } catch (IllegalArgumentException e) {
                throw new GetOpt.UsageException("ping: invalid -M argument: " + o.get('M'));
            }
        }
        device = o.get('I');
        if (device != null && ctx.node().networkInterface(device).isEmpty()) {
            throw new GetOpt.UsageException("ping: SO_BINDTODEVICE " + device + ": No such device");
        }
        quiet = o.has('q');
    }

    private void sendNext() {
        if (count > 0 && transmitted >= count) {
            return;
        }
        int seq = transmitted + 1;
        long now = ctx.now();
        if (firstSendAt < 0) {
            firstSendAt = now;
        }
        lastSendAt = now;
        transmitted++;
        sentAt.put(seq & 0xFFFF, now);
        SendResult r = socket.sendEcho(null, destination, seq, payload(now), ttl, pmtu, device);
        if (!r.ok()) {
            errors++;
            answered.add(seq & 0xFFFF);
            if (r.status() == SendResult.Status.MESSAGE_TOO_LONG) {
                ctx.println("ping: local error: message too long, mtu=" + r.mtu());
            } else {
                ctx.println("ping: sendmsg: " + r.status().message());
            }
        }
        if (count == 0 || transmitted < count) {
            ctx.schedule(intervalNanos, this::sendNext);
        } else {
            checkDone();
            if (!ctx.exited()) {
                ctx.schedule(timeoutNanos, this::finish);
            }
        }
    }

    /** iputils' payload: a struct timeval of the send time, then bytes counting up from 0x10. */
    private byte[] payload(long now) {
        byte[] data = new byte[size];
        for (int i = 0; i < size; i++) {
            data[i] = (byte) i;
        }
        if (size >= 16) {
            long unixNanos = ctx.node().loop().epochUnixNanos() + now;
            long sec = unixNanos / 1_000_000_000L;
            long usec = (unixNanos % 1_000_000_000L) / 1000;
            // little-endian, as an x86-64 Linux host writes its struct timeval
            for (int i = 0; i < 8; i++) {
                data[i] = (byte) (sec >>> (8 * i));
                data[8 + i] = (byte) (usec >>> (8 * i));
            }
        }
        return data;
    }

    private void reply(Ipv4Packet ip, IcmpMessage reply, long at) {
        int seq = reply.sequence();
        Long sent = sentAt.get(seq);
        if (sent == null) {
            return; // not one of ours (another ping with a recycled identifier)
        }
        boolean duplicate = answered.contains(seq) && !isErrorOnly(seq);
        long rttMicros = (at - sent) / 1000;
        if (duplicate) {
            duplicates++;
        } else {
            answered.add(seq);
            received++;
            rttMin = Math.min(rttMin, rttMicros);
            rttMax = Math.max(rttMax, rttMicros);
            rttSum += rttMicros;
            rttSumSquares += rttMicros * rttMicros;
        }
        if (!quiet) {
            ctx.println((IcmpMessage.HEADER_LENGTH + reply.body().length) + " bytes from " + ip.source() + ": icmp_seq=" + seq
                    + " ttl=" + ip.ttl() + " time=" + formatTrip(rttMicros) + " ms" + (duplicate ? " (DUP!)" : ""));
        }
        checkDone();
    }

    private final Set<Integer> errored = new HashSet<>();

    private boolean isErrorOnly(int seq) {
        return errored.contains(seq);
    }

    private void error(Ipv4Packet ip, IcmpMessage error, int seq) {
        if (!sentAt.containsKey(seq)) {
            return;
        }
        errors++;
        errored.add(seq);
        answered.add(seq);
        if (!quiet) {
            ctx.println("From " + ip.source() + " icmp_seq=" + seq + " " + IcmpErrorPolicy.describe(error));
        }
        checkDone();
    }

    private void checkDone() {
        if (count > 0 && transmitted >= count && answered.size() >= count) {
            finish();
        }
    }

    private void finish() {
        if (ctx.exited()) {
            return;
        }
        long elapsedMs = firstSendAt < 0 ? 0 : (ctx.now() - firstSendAt + 500_000) / 1_000_000;
        ctx.println("");
        ctx.println("--- " + destination + " ping statistics ---");
        StringBuilder sb = new StringBuilder();
        sb.append(transmitted).append(" packets transmitted, ").append(received).append(" received");
        if (duplicates > 0) {
            sb.append(", +").append(duplicates).append(" duplicates");
        }
        if (errors > 0) {
            sb.append(", +").append(errors).append(" errors");
        }
        if (transmitted > 0) {
            sb.append(", ").append(formatG((transmitted - received) * 100.0 / transmitted)).append("% packet loss");
        }
        sb.append(", time ").append(elapsedMs).append("ms");
        ctx.println(sb.toString());
        if (received > 0) {
            long avg = rttSum / received;
            long mdev = (long) Math.sqrt(Math.max(0.0, (double) rttSumSquares / received - (double) avg * avg));
            ctx.println("rtt min/avg/max/mdev = " + ms3(rttMin) + "/" + ms3(avg) + "/" + ms3(rttMax) + "/" + ms3(mdev) + " ms");
        }
        boolean fail = received == 0 || (deadlineNanos > 0 && count > 0 && received < count);
        ctx.exit(fail ? 1 : 0);
    }

    /** iputils' precision rules for the per-reply time. */
    static String formatTrip(long us) {
        if (us >= 100_000 - 50) {
            return Long.toString((us + 500) / 1000);
        }
        if (us >= 10_000 - 5) {
            return (us + 50) / 1000 + "." + ((us + 50) % 1000) / 100;
        }
        if (us >= 1000) {
            return (us + 5) / 1000 + "." + String.format("%02d", ((us + 5) % 1000) / 10);
        }
        return us / 1000 + "." + String.format("%03d", us % 1000);
    }

    private static String ms3(long us) {
        return us / 1000 + "." + String.format("%03d", us % 1000);
    }

    /** C's %g: at most 6 significant digits, no trailing zeros. */
    static String formatG(double v) {
        if (v == Math.rint(v)) {
            return Long.toString((long) v);
        }
        String s = new java.math.BigDecimal(v).round(new java.math.MathContext(6)).stripTrailingZeros().toPlainString();
        return s;
    }

    static long seconds(String s, String error) {
        try {
            double d = Double.parseDouble(s);
            if (!(d >= 0) || d > 1e6 || Double.isInfinite(d)) {
                throw new GetOpt.UsageException(error);
            }
            return Math.round(d * 1e9);
        } catch (NumberFormatException e) {
            throw new GetOpt.UsageException(error);
        }
    }
}
