package dev.wirelab.dnsservice;

import dev.wirelab.netstack.dns.AuthoritativeServer;
import dev.wirelab.netstack.dns.RecursiveResolver;
import dev.wirelab.netstack.node.Node;
import dev.wirelab.nodeservice.KindEndpoint;
import dev.wirelab.nodeservice.NodeService;
import dev.wirelab.nodeservice.ServiceSpec;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A DNS server (root, TLD, authoritative or recursive resolver) in its own container: the zones it
 * is authoritative for, and a resolver's root hints and cache.
 */
public final class DnsServiceMain {

    public static final ServiceSpec SPEC = new ServiceSpec("dns-service", Set.of("dns"), List.of(
            new KindEndpoint("zones", "the zones this server is authoritative for, record by record",
                    DnsServiceMain::zones),
            new KindEndpoint("resolver", "a recursive resolver's root hints and cache (with TTLs left)",
                    DnsServiceMain::resolver)));

    private DnsServiceMain() {
    }

    static List<Map<String, Object>> zones(Node node) {
        return node.service(AuthoritativeServer.class).map(a -> a.zones().stream().map(z -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("origin", z.origin().toString());
            m.put("records", z.records().stream().map(Object::toString).toList());
            return m;
        }).toList()).orElse(List.of());
    }

    static Map<String, Object> resolver(Node node) {
        Map<String, Object> m = new LinkedHashMap<>();
        node.service(RecursiveResolver.class).ifPresentOrElse(r -> {
            m.put("hints", r.hints().stream().map(h -> h.name() + " " + h.address()).toList());
            m.put("cache", r.cache().entries(node.loop().nanos()));
        }, () -> m.put("resolver", false));
        return m;
    }

    public static void main(String[] args) {
        NodeService.main(SPEC, System.getenv());
    }
}
