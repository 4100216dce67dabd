package dev.wirelab.netstack.lab;

import dev.wirelab.netstack.dhcp.DhcpClients;
import dev.wirelab.netstack.dhcp.DhcpPool;
import dev.wirelab.netstack.dhcp.DhcpRelay;
import dev.wirelab.netstack.dhcp.DhcpServer;
import dev.wirelab.netstack.dhcp.LeaseFile;
import dev.wirelab.netstack.dns.AuthoritativeServer;
import dev.wirelab.netstack.dns.RecursiveResolver;
import dev.wirelab.netstack.dns.StubResolver;
import dev.wirelab.netstack.lab.topology.DhcpKind;
import dev.wirelab.netstack.lab.topology.DnsKind;
import dev.wirelab.netstack.lab.topology.InterfaceSpec;
import dev.wirelab.netstack.lab.topology.Ipv4Cidr;
import dev.wirelab.netstack.lab.topology.NodeSpec;
import dev.wirelab.netstack.lab.topology.ResolverSpec;
import dev.wirelab.netstack.lab.topology.RouterKind;
import dev.wirelab.netstack.node.Node;
import dev.wirelab.netstack.time.EventLoop;
import dev.wirelab.netstack.trace.TraceSink;
import dev.wirelab.netstack.wire.DnsName;
import dev.wirelab.netstack.wire.Ipv4Address;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The services a topology asks for, put on runtime nodes: every node's resolver configuration,
 * DHCP clients on interfaces with {@code dhcp: true}, a router's DHCP relay, and the servers of
 * kinds {@code dhcp} and {@code dns}.
 */
final class NodeServices {

    private NodeServices() {
    }

    /** What every kind may have: resolv.conf/hosts, DHCP clients, a DHCP relay. */
    static void common(Node node, NodeSpec spec) {
        StubResolver stub = StubResolver.of(node);
        if (spec.settings() instanceof ResolverSpec.Holder h && h.resolver() != null) {
            ResolverSpec r = h.resolver();
            if (!r.nameservers().isEmpty()) {
                stub.setNameservers(r.nameservers());
            }
            if (r.search() != null) {
                stub.setSearchDomain(r.search());
            }
            r.hosts().forEach((name, as) -> as.forEach(a -> stub.addHost(name, a)));
        }
        for (Map.Entry<String, InterfaceSpec> e : spec.interfaces().entrySet()) {
            if (e.getValue().dhcp()) {
                String ifName = e.getKey();
                node.onStart(() -> DhcpClients.of(node).client(ifName).boot());
            }
        }
        if (spec.settings() instanceof RouterKind.Settings s && s.relay() != null) {
            DhcpRelay.install(node, s.relay().servers(), s.relay().interfaces());
        }
    }

    static Node dhcpServer(String name, NodeSpec spec, EventLoop loop, TraceSink trace) {
        Node node = Node.host(name, loop, trace);
        DhcpKind.Settings s = (DhcpKind.Settings) spec.settings();
        List<DhcpPool> pools = new ArrayList<>();
        for (DhcpKind.Pool p : s.pools()) {
            Ipv4Cidr subnet = p.effectiveSubnet(spec);
            if (subnet == null) {
                throw new LabException("node " + name + ": pool " + p.first() + "-" + p.last() + " has no subnet");
            }
            List<DhcpPool.Range> exclude = new ArrayList<>();
            p.exclude().forEach(x -> exclude.add(DhcpPool.Range.parse(x)));
            long t1 = p.renew() != null ? p.renew() : p.lease() / 2;
            long t2 = p.rebind() != null ? p.rebind() : p.lease() * 7 / 8;
            pools.add(new DhcpPool(subnet.network(), subnet.prefixLength(), p.first(), p.last(), exclude,
                    p.reservations(), p.gateway(), p.dns(), p.domain(), p.lease(), t1, t2));
        }
        DhcpServer.install(node, pools, LeaseFile.inMemory());
        return node;
    }

    static Node dnsServer(String name, NodeSpec spec, EventLoop loop, TraceSink trace) {
        Node node = Node.host(name, loop, trace);
        DnsKind.Settings s = (DnsKind.Settings) spec.settings();
        if (DnsKind.AUTHORITATIVE.equals(s.role())) {
            AuthoritativeServer.install(node, s.parsedZones());
        } else {
            List<RecursiveResolver.Hint> hints = new ArrayList<>();
            s.rootHints().forEach(h -> hints.add(new RecursiveResolver.Hint(DnsName.parse(h.name()), h.address())));
            RecursiveResolver.install(node, hints, s.forwarders());
            // The resolver's own programs (dig on the resolver node) ask it, unless told otherwise.
            node.onStart(() -> {
                StubResolver stub = StubResolver.of(node);
                if (stub.nameservers().isEmpty()) {
                    node.interfaces().stream().map(i -> i.primaryAddress()).filter(a -> a != null).findFirst()
                            .ifPresent(a -> stub.setNameservers(List.<Ipv4Address>of(a)));
                }
            });
        }
        return node;
    }
}
