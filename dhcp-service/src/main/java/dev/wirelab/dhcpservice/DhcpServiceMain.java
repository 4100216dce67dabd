package dev.wirelab.dhcpservice;

import dev.wirelab.netstack.dhcp.DhcpServer;
import dev.wirelab.netstack.node.Node;
import dev.wirelab.nodeservice.KindEndpoint;
import dev.wirelab.nodeservice.NodeService;
import dev.wirelab.nodeservice.ServiceSpec;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A DHCP server in its own container. Its leases are a state section of every node (see
 * {@code NodeState}); here are the pools it serves and its lease file as dhcpd writes it.
 */
public final class DhcpServiceMain {

    public static final ServiceSpec SPEC = new ServiceSpec("dhcp-service", Set.of("dhcp"), List.of(
            new KindEndpoint("pools", "the address pools and the options each grants", DhcpServiceMain::pools),
            new KindEndpoint("lease-file", "the lease database in dhcpd.leases(5) form", DhcpServiceMain::leaseFile)));

    private DhcpServiceMain() {
    }

    static List<Map<String, Object>> pools(Node node) {
        return server(node).pools().stream().map(p -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("subnet", p.network() + "/" + p.prefixLength());
            m.put("range", p.rangeStart() + "-" + p.rangeEnd());
            m.put("excluded", p.excluded().stream().map(Object::toString).toList());
            Map<String, String> reservations = new LinkedHashMap<>();
            p.reservations().forEach((mac, ip) -> reservations.put(mac.toString(), ip.toString()));
            m.put("reservations", reservations);
            m.put("gateway", p.gateway() == null ? null : p.gateway().toString());
            m.put("dnsServers", p.dnsServers().stream().map(Object::toString).toList());
            m.put("domain", p.domain());
            m.put("leaseSeconds", p.leaseSeconds());
            m.put("renewSeconds", p.renewSeconds());
            m.put("rebindSeconds", p.rebindSeconds());
            return m;
        }).toList();
    }

    static Map<String, String> leaseFile(Node node) {
        return Map.of("text", server(node).leaseFile().read());
    }

    private static DhcpServer server(Node node) {
        return node.service(DhcpServer.class)
                .orElseThrow(() -> new IllegalStateException("node " + node.name() + " runs no DHCP server"));
    }

    public static void main(String[] args) {
        NodeService.main(SPEC, System.getenv());
    }
}
