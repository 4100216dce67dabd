package dev.wirelab.netstack.program;

import dev.wirelab.netstack.dns.DnsClient;
import dev.wirelab.netstack.dns.StubResolver;
import dev.wirelab.netstack.wire.DnsMessage;
import dev.wirelab.netstack.wire.DnsName;
import dev.wirelab.netstack.wire.DnsQuestion;
import dev.wirelab.netstack.wire.DnsRdata;
import dev.wirelab.netstack.wire.DnsRecord;
import dev.wirelab.netstack.wire.Ipv4Address;

import java.util.List;

/**
 * {@code nslookup NAME [SERVER]} (and {@code -type=T}) as BIND's nslookup prints it: the server,
 * "Non-authoritative answer:" when AA is clear, aliases as "canonical name =", then Name/Address
 * pairs; "** server can't find NAME: NXDOMAIN" otherwise. Exit status 0 on an answer, 1 otherwise.
 */
final class Nslookup implements Program {

    @Override
    public void start(ProgramContext ctx) {
        int type = DnsRecord.A;
        String nameText = null;
        Ipv4Address server = null;
        for (String a : ctx.args()) {
            if (a.startsWith("-type=") || a.startsWith("-query=") || a.startsWith("-q=")) {
                type = DnsRecord.typeCode(a.substring(a.indexOf('=') + 1));
                if (type <= 0) {
                    ctx.println("*** invalid type: " + a.substring(a.indexOf('=') + 1));
                    ctx.exit(1);
                    return;
                }
            } else if (nameText == null) {
                nameText = a;
            } else if (server == null) {
                try {
                    server = Ipv4Address.parse(a);
                } catch (IllegalArgumentException e) {
                    ctx.println(";; Got bad server address: " + a);
                    ctx.exit(1);
                    return;
                }
            }
        }
        if (nameText == null) {
            ctx.println("Usage: nslookup [-type=TYPE] NAME [SERVER]");
            ctx.exit(1);
            return;
        }
        if (server == null) {
            List<Ipv4Address> ns = StubResolver.of(ctx.node()).nameservers();
            if (ns.isEmpty()) {
                ctx.println(";; connection timed out; no servers could be reached");
                ctx.exit(1);
                return;
            }
            server = ns.get(0);
        }
        DnsName name;
        try {
            name = DnsName.parse(nameText);
        } catch (IllegalArgumentException e) {
            ctx.println("** server can't find " + nameText + ": " + e.getMessage());
            ctx.exit(1);
            return;
        }
        Ipv4Address s = server;
        String display = nameText.endsWith(".") ? nameText.substring(0, nameText.length() - 1) : nameText;
        int t = type;
        query(ctx, s, name, t, display, 0);
    }

    private void query(ProgramContext ctx, Ipv4Address s, DnsName name, int t, String display, int attempt) {
        DnsClient.query(ctx.node(), s, DnsQuestion.in(name, t), true, 2_000_000_000L, "nslookup")
                .whenComplete((resp, error) -> ctx.guarded(() -> {
                    if (error != null) {
                        if (attempt < 1) { // nslookup's default: timeout 2 s, one retry
                            query(ctx, s, name, t, display, attempt + 1);
                            return;
                        }
                        ctx.println(";; connection timed out; no servers could be reached");
                        ctx.println("");
                        ctx.exit(1);
                        return;
                    }
                    DnsMessage m = resp.message();
                    ctx.println("Server:\t\t" + s);
                    ctx.println("Address:\t" + s + "#53");
                    ctx.println("");
                    if (m.rcode() != DnsMessage.NOERROR) {
                        ctx.println("** server can't find " + display + ": " + DnsMessage.rcodeName(m.rcode()));
                        ctx.println("");
                        ctx.exit(1);
                        return;
                    }
                    if (!m.authoritative()) {
                        ctx.println("Non-authoritative answer:");
                    }
                    boolean any = false;
                    for (DnsRecord r : m.answers()) {
                        String owner = trim(r.name().toString());
                        switch (r.rdata()) {
                            case DnsRdata.Cname c -> ctx.println(owner + "\tcanonical name = " + c.target());
                            case DnsRdata.A a -> {
                                ctx.println("Name:\t" + owner);
                                ctx.println("Address: " + a.address());
                                any = true;
                            }
                            case DnsRdata.Mx mx -> {
                                ctx.println(owner + "\tmail exchanger = " + mx.preference() + " " + mx.exchange());
                                any = true;
                            }
                            case DnsRdata.Ns ns -> {
                                ctx.println(owner + "\tnameserver = " + ns.host());
                                any = true;
                            }
                            case DnsRdata.Txt txt -> {
                                ctx.println(owner + "\ttext = " + txt.presentation());
                                any = true;
                            }
                            case DnsRdata.Ptr p -> {
                                ctx.println(owner + "\tname = " + p.target());
                                any = true;
                            }
                            default -> {
                                ctx.println(owner + "\t" + DnsRecord.typeName(r.type()) + " = " + r.rdata().presentation());
                                any = true;
                            }
                        }
                    }
                    if (!any) {
                        ctx.println("*** Can't find " + display + ": No answer");
                    }
                    ctx.println("");
                    ctx.exit(any ? 0 : 1);
                }));
    }

    private static String trim(String n) {
        return n.endsWith(".") && n.length() > 1 ? n.substring(0, n.length() - 1) : n;
    }
}
