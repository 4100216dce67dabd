package dev.wirelab.routerservice;

import dev.wirelab.netstack.node.Node;
import dev.wirelab.nodeservice.KindEndpoint;
import dev.wirelab.nodeservice.NodeService;
import dev.wirelab.nodeservice.ServiceSpec;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A router in its own container: the forwarding view beside the common state sections. */
public final class RouterServiceMain {

    public static final ServiceSpec SPEC = new ServiceSpec("router-service", Set.of("router"), List.of(
            new KindEndpoint("forwarding", "whether IPv4 forwarding is on, and the IP and ICMP counters of forwarding",
                    RouterServiceMain::forwarding)));

    private RouterServiceMain() {
    }

    static Map<String, Object> forwarding(Node node) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("forwarding", node.forwarding());
        Map<String, Long> counters = new LinkedHashMap<>();
        node.counters().forEach((k, v) -> {
            if (k.startsWith("ipv4.") || k.startsWith("icmp.")) {
                counters.put(k, v);
            }
        });
        m.put("counters", counters);
        m.put("routes", node.routes().size());
        return m;
    }

    public static void main(String[] args) {
        NodeService.main(SPEC, System.getenv());
    }
}
