package dev.wirelab.netstack.program;

import dev.wirelab.netstack.dns.DnsClient;
import dev.wirelab.netstack.dns.DnsTcp;
import dev.wirelab.netstack.dns.StubResolver;
import dev.wirelab.netstack.wire.DnsMessage;
import dev.wirelab.netstack.wire.DnsName;
import dev.wirelab.netstack.wire.DnsQuestion;
import dev.wirelab.netstack.wire.DnsRdata;
import dev.wirelab.netstack.wire.DnsRecord;
import dev.wirelab.netstack.wire.Ipv4Address;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code dig} as BIND 9.18 prints it: {@code dig [@server] [-t TYPE] NAME [TYPE] [+short] [+trace]
 * [+norecurse] [+tcp] [+ignore] [+time=N] [+tries=N]}. A truncated UDP answer is asked again over TCP. The full output has the HEADER line, flags and counts, the
 * QUESTION, ANSWER, AUTHORITY and ADDITIONAL sections, Query time, SERVER, WHEN and MSG SIZE.
 * {@code +trace} walks from the root itself, printing each referral and the server it came from.
 * Exit status 0 when a response came (whatever its rcode), 9 when no server answered, 1 on usage errors.
 */
final class Dig implements Program {

    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("EEE MMM dd HH:mm:ss 'UTC' yyyy",
            Locale.ROOT).withZone(ZoneOffset.UTC);

    private ProgramContext ctx;
    private Ipv4Address server;
    private String serverText;
    private DnsName name;
    private int type = DnsRecord.A;
    private boolean shortOutput;
    private boolean trace;
    private boolean recurse = true;
    private long timeout = 5_000_000_000L; // dig +time=5
    private int tries = 3; // dig +tries=3
    private String commandLine;
    private boolean tcp; // +tcp / +vc
    private boolean ignoreTc; // +ignore
    private String transport = "UDP";

    @Override
    public void start(ProgramContext context) {
        this.ctx = context;
        try {
            parse();
        } catch (IllegalArgumentException e) {
            ctx.println(e.getMessage());
            ctx.exit(1);
            return;
        }
        if (server == null) {
            List<Ipv4Address> ns = StubResolver.of(ctx.node()).nameservers();
            if (ns.isEmpty()) {
                ctx.println(";; no servers could be reached (no nameserver in resolv.conf)");
                ctx.exit(9);
                return;
            }
            server = ns.get(0);
        }
        if (trace) {
            new Tracer().begin();
            return;
        }
        if (!shortOutput) {
            ctx.println("");
            ctx.println("; <<>> DiG 9.18-wirelab <<>> " + commandLine);
            if (serverText != null) {
                ctx.println("; (1 server found)");
            }
            ctx.println(";; global options: +cmd");
        }
        attempt(0);
    }

    private void parse() {
        List<String> words = new ArrayList<>(ctx.args());
        commandLine = String.join(" ", words);
        String typeText = null;
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            if (w.startsWith("@")) {
                serverText = w.substring(1);
                try {
                    server = Ipv4Address.parse(serverText);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("dig: couldn't get address for '" + serverText + "': not found");
                }
            } else if (w.equals("-t")) {
                if (i + 1 >= words.size()) {
                    throw new IllegalArgumentException("dig: option requires an argument -- 't'");
                }
                typeText = words.get(++i);
            } else if (w.startsWith("+")) {
                String opt = w.substring(1).toLowerCase(Locale.ROOT);
                if (opt.equals("short")) {
                    shortOutput = true;
                } else if (opt.equals("trace")) {
                    trace = true;
                } else if (opt.equals("tcp") || opt.equals("vc")) {
                    tcp = true;
                } else if (opt.equals("ignore")) {
                    ignoreTc = true;
                } else if (opt.equals("norecurse") || opt.equals("norec")) {
                    recurse = false;
                } else if (opt.equals("recurse") || opt.equals("rec")) {
                    recurse = true;
                } else if (opt.matches("time=[0-9]{1,3}")) {
                    timeout = Math.max(1, Long.parseLong(opt.substring(5))) * 1_000_000_000L;
                } else if (opt.matches("tries=[0-9]{1,2}")) {
                    tries = Math.max(1, Integer.parseInt(opt.substring(6)));
                } else {
                    throw new IllegalArgumentException("Invalid option: " + w);
                }
            } else if (w.startsWith("-")) {
                throw new IllegalArgumentException("Invalid option: " + w);
            } else if (name == null) {
                name = DnsName.parse(w);
            } else if (typeText == null && DnsRecord.typeCode(w) > 0) {
                typeText = w;
            } else {
                throw new IllegalArgumentException("dig: extra argument '" + w + "'");
            }
        }
        if (typeText != null) {
            int t = DnsRecord.typeCode(typeText);
            if (t <= 0) {
                throw new IllegalArgumentException("dig: invalid type " + typeText);
            }
            type = t;
        }
        if (name == null) {
            name = DnsName.ROOT; // dig with no name asks for the root's NS
            type = typeText == null ? DnsRecord.NS : type;
        }
    }

    private void attempt(int n) {
        DnsQuestion q = DnsQuestion.in(name, type);
        var sent = tcp ? DnsTcp.query(ctx.node(), server, q, recurse, timeout, "dig")
                : DnsClient.query(ctx.node(), server, q, recurse, timeout, "dig");
        transport = tcp ? "TCP" : "UDP";
        sent.whenComplete((resp, error) -> ctx.guarded(() -> {
            if (error != null) {
                if (!shortOutput) {
                    ctx.println(";; communications error to " + server + "#53: timed out");
                }
                if (n + 1 < tries) {
                    attempt(n + 1);
                } else {
                    if (!shortOutput) {
                        ctx.println("");
                        ctx.println("; <<>> DiG 9.18-wirelab <<>> " + commandLine);
                        ctx.println(";; global options: +cmd");
                    }
                    ctx.println(";; no servers could be reached");
                    ctx.exit(9);
                }
                return;
            }
            if (resp.message().truncated() && !tcp && !ignoreTc && DnsTcp.available(ctx.node())) {
                // dig: "TC flag set in the response: retry using TCP" (RFC 7766 section 5).
                if (!shortOutput) {
                    ctx.println(";; Truncated, retrying in TCP mode.");
                }
                tcp = true;
                attempt(n);
                return;
            }
            print(resp);
            ctx.exit(0);
        }));
    }

    private void print(DnsClient.Response resp) {
        DnsMessage m = resp.message();
        if (shortOutput) {
            for (DnsRecord r : m.answers()) {
                ctx.println(r.rdata().presentation());
            }
            return;
        }
        ctx.println(";; Got answer:");
        ctx.println(";; ->>HEADER<<- opcode: " + (m.opcode() == 0 ? "QUERY" : "OPCODE" + m.opcode()) + ", status: "
                + DnsMessage.rcodeName(m.rcode()) + ", id: " + m.id());
        ctx.println(";; flags: " + m.flagText() + "; QUERY: " + m.questions().size() + ", ANSWER: " + m.answers().size()
                + ", AUTHORITY: " + m.authority().size() + ", ADDITIONAL: " + m.additional().size());
        if (m.recursionDesired() && !m.recursionAvailable()) {
            ctx.println(";; WARNING: recursion requested but not available");
        }
        ctx.println("");
        ctx.println(";; QUESTION SECTION:");
        for (DnsQuestion q : m.questions()) {
            ctx.println(";" + pad(q.name().toString()) + "\t" + DnsRecord.className(q.qclass()) + "\t"
                    + DnsRecord.typeName(q.type()));
        }
        section("ANSWER", m.answers());
        section("AUTHORITY", m.authority());
        section("ADDITIONAL", m.additional());
        ctx.println("");
        ctx.println(";; Query time: " + resp.rttNanos() / 1_000_000 + " msec");
        ctx.println(";; SERVER: " + server + "#53(" + server + ") (" + transport + ")");
        ctx.println(";; WHEN: " + WHEN.format(Instant.ofEpochSecond(0, ctx.node().loop().epochUnixNanos()
                + ctx.node().loop().nanos())));
        ctx.println(";; MSG SIZE  rcvd: " + resp.size());
        ctx.println("");
    }

    private void section(String title, List<DnsRecord> records) {
        if (records.isEmpty()) {
            return;
        }
        ctx.println("");
        ctx.println(";; " + title + " SECTION:");
        for (DnsRecord r : records) {
            ctx.println(line(r));
        }
    }

    /** A record as dig prints it: the owner padded with tabs to column 24, then TTL, class, type, data. */
    static String line(DnsRecord r) {
        return pad(r.name().toString()) + r.ttl() + "\t" + DnsRecord.className(r.rclass()) + "\t"
                + DnsRecord.typeName(r.type()) + "\t" + r.rdata().presentation();
    }

    static String trimDot(String n) {
        return n.length() > 1 && n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }

    /** Tabs to column 24 (tab stops every 8), at least one. */
    static String pad(String s) {
        StringBuilder sb = new StringBuilder(s);
        int col = s.length();
        do {
            sb.append('\t');
            col = (col / 8 + 1) * 8;
        } while (col < 24);
        return sb.toString();
    }

    /**
     * {@code +trace}: the root's NS from the default server, then non-recursive queries from a root
     * server down through each referral, printing every step as dig does.
     */
    private final class Tracer {
        private int steps;

        void begin() {
            ctx.println("");
            ctx.println("; <<>> DiG 9.18-wirelab <<>> " + commandLine);
            ctx.println(";; global options: +cmd");
            DnsClient.query(ctx.node(), server, DnsQuestion.in(DnsName.ROOT, DnsRecord.NS), true, timeout, "dig +trace")
                    .whenComplete((resp, error) -> ctx.guarded(() -> {
                        if (error != null) {
                            ctx.println(";; no servers could be reached");
                            ctx.exit(9);
                            return;
                        }
                        List<DnsRecord> ns = new ArrayList<>();
                        for (DnsRecord r : resp.message().answers()) {
                            if (r.type() == DnsRecord.NS) {
                                ns.add(r);
                                ctx.println(line(r));
                            }
                        }
                        ctx.println(";; Received " + resp.size() + " bytes from " + server + "#53(" + server + ") in "
                                + resp.rttNanos() / 1_000_000 + " ms");
                        ctx.println("");
                        if (ns.isEmpty()) {
                            ctx.println(";; no root name servers from " + server);
                            ctx.exit(9);
                            return;
                        }
                        next(ns, resp.message().additional(), 0);
                    }));
        }

        /** Asks the servers of {@code ns} (addresses from {@code glue}, else via the stub resolver), one by one. */
        void next(List<DnsRecord> ns, List<DnsRecord> glue, int i) {
            if (i >= ns.size() || ++steps > 30) {
                ctx.println(";; no name server of the zone answered");
                ctx.exit(9);
                return;
            }
            DnsName host = ((DnsRdata.Ns) ns.get(i).rdata()).host();
            List<Ipv4Address> addresses = new ArrayList<>();
            for (DnsRecord g : glue) {
                if (g.name().equals(host) && g.rdata() instanceof DnsRdata.A a) {
                    addresses.add(a.address());
                }
            }
            if (!addresses.isEmpty()) {
                ask(ns, glue, i, host, addresses.get(0));
                return;
            }
            StubResolver.of(ctx.node()).getaddrinfo(host.toString()).whenComplete((list, error) -> ctx.guarded(() -> {
                if (error != null || list.isEmpty()) {
                    ctx.println(";; couldn't get address for '" + host + "': not found");
                    next(ns, glue, i + 1);
                } else {
                    ask(ns, glue, i, host, list.get(0));
                }
            }));
        }

        void ask(List<DnsRecord> ns, List<DnsRecord> glue, int i, DnsName host, Ipv4Address address) {
            DnsClient.query(ctx.node(), address, DnsQuestion.in(name, type), false, timeout, "dig +trace")
                    .whenComplete((resp, error) -> ctx.guarded(() -> {
                        if (error != null) {
                            ctx.println(";; communications error to " + address + "#53: timed out");
                            next(ns, glue, i + 1);
                            return;
                        }
                        DnsMessage m = resp.message();
                        for (DnsRecord r : m.answers()) {
                            ctx.println(line(r));
                        }
                        List<DnsRecord> referral = new ArrayList<>();
                        for (DnsRecord r : m.authority()) {
                            if (r.type() == DnsRecord.NS || m.answers().isEmpty()) {
                                ctx.println(line(r));
                            }
                            if (r.type() == DnsRecord.NS) {
                                referral.add(r);
                            }
                        }
                        ctx.println(";; Received " + resp.size() + " bytes from " + address + "#53(" + trimDot(host.toString()) + ") in "
                                + resp.rttNanos() / 1_000_000 + " ms");
                        ctx.println("");
                        if (!m.answers().isEmpty() || m.authoritative() || m.rcode() != DnsMessage.NOERROR
                                || referral.isEmpty()) {
                            ctx.exit(0);
                            return;
                        }
                        next(referral, m.additional(), 0);
                    }));
        }
    }
}
