package dev.wirelab.netstack.program;

import dev.wirelab.netstack.dns.DnsClient;
import dev.wirelab.netstack.dns.StubResolver;
import dev.wirelab.netstack.wire.DnsMessage;
import dev.wirelab.netstack.wire.DnsName;
import dev.wirelab.netstack.wire.DnsQuestion;
import dev.wirelab.netstack.wire.DnsRdata;
import dev.wirelab.netstack.wire.DnsRecord;
import dev.wirelab.netstack.wire.Ipv4Address;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code host [-t TYPE] NAME [SERVER]} as BIND's host prints it: "NAME has address A", "is an alias
 * for", "mail is handled by"; without -t it asks for A, AAAA and MX as host does. "Host NAME not
 * found: 3(NXDOMAIN)" with status 1; ";; connection timed out; no servers could be reached" with 1.
 */
final class HostCommand implements Program {

    private ProgramContext ctx;
    private Ipv4Address server;
    private DnsName name;
    private String display;
    private boolean found;

    @Override
    public void start(ProgramContext context) {
        ctx = context;
        GetOpt o;
        try {
            o = GetOpt.parse("host", ctx.args(), "t:v");
        } catch (GetOpt.UsageException e) {
            ctx.println(e.getMessage());
            ctx.exit(1);
            return;
        }
        if (o.operands.isEmpty()) {
            ctx.println("Usage: host [-t type] name [server]");
            ctx.exit(1);
            return;
        }
        List<Integer> types = new ArrayList<>();
        if (o.has('t')) {
            int t = DnsRecord.typeCode(o.get('t'));
            if (t <= 0) {
                ctx.println("host: invalid type: " + o.get('t'));
                ctx.exit(1);
                return;
            }
            types.add(t);
        } else {
            types.addAll(List.of(DnsRecord.A, DnsRecord.AAAA, DnsRecord.MX));
        }
        display = o.operands.get(0);
        try {
            name = DnsName.parse(display);
        } catch (IllegalArgumentException e) {
            ctx.println("host: '" + display + "' is not a legal name (" + e.getMessage() + ")");
            ctx.exit(1);
            return;
        }
        if (o.operands.size() > 1) {
            try {
                server = Ipv4Address.parse(o.operands.get(1));
            } catch (IllegalArgumentException e) {
                ctx.println("host: couldn't get address for '" + o.operands.get(1) + "': not found");
                ctx.exit(1);
                return;
            }
            ctx.println("Using domain server:");
            ctx.println("Name: " + server);
            ctx.println("Address: " + server + "#53");
            ctx.println("Aliases: ");
            ctx.println("");
        } else {
            List<Ipv4Address> ns = StubResolver.of(ctx.node()).nameservers();
            if (ns.isEmpty()) {
                ctx.println(";; connection timed out; no servers could be reached");
                ctx.exit(1);
                return;
            }
            server = ns.get(0);
        }
        next(types, 0, 0);
    }

    private void next(List<Integer> types, int i, int attempt) {
        if (i >= types.size()) {
            ctx.exit(found ? 0 : 1);
            return;
        }
        int type = types.get(i);
        DnsClient.query(ctx.node(), server, DnsQuestion.in(name, type), true, 5_000_000_000L, "host")
                .whenComplete((resp, error) -> ctx.guarded(() -> {
                    if (error != null) {
                        if (attempt < 1) {
                            next(types, i, attempt + 1);
                        } else {
                            ctx.println(";; connection timed out; no servers could be reached");
                            ctx.exit(1);
                        }
                        return;
                    }
                    DnsMessage m = resp.message();
                    if (m.rcode() != DnsMessage.NOERROR) {
                        ctx.println("Host " + display + " not found: " + m.rcode() + "(" + DnsMessage.rcodeName(m.rcode()) + ")");
                        ctx.exit(1);
                        return;
                    }
                    for (DnsRecord r : m.answers()) {
                        String owner = r.name().toString();
                        owner = owner.endsWith(".") && owner.length() > 1 ? owner.substring(0, owner.length() - 1) : owner;
                        switch (r.rdata()) {
                            case DnsRdata.Cname c -> {
                                if (i == 0) { // host prints the alias once, with the first type
                                    ctx.println(owner + " is an alias for " + c.target() + "");
                                }
                            }
                            case DnsRdata.A a -> {
                                ctx.println(owner + " has address " + a.address());
                                found = true;
                            }
                            case DnsRdata.Aaaa a -> {
                                ctx.println(owner + " has IPv6 address " + a.presentation());
                                found = true;
                            }
                            case DnsRdata.Mx mx -> {
                                ctx.println(owner + " mail is handled by " + mx.preference() + " " + mx.exchange());
                                found = true;
                            }
                            default -> {
                                ctx.println(owner + " has " + DnsRecord.typeName(r.type()) + " record " + r.rdata().presentation());
                                found = true;
                            }
                        }
                    }
                    if (types.size() == 1 && m.answers().isEmpty()) {
                        ctx.println(display + " has no " + DnsRecord.typeName(type) + " record");
                        found = true;
                    }
                    next(types, i + 1, 0);
                }));
    }
}
