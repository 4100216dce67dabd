package dev.wirelab.control.runtime;

import dev.wirelab.netstack.arp.Neighbor;
import dev.wirelab.netstack.ip.Route;
import dev.wirelab.netstack.node.InterfaceAddress;
import dev.wirelab.netstack.node.NetworkInterface;
import dev.wirelab.netstack.node.Node;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.util.ArrayList;
import java.util.List;

/** The sections every node has: interfaces, routes, the ARP cache and the stack's counters. */
@Configuration(proxyBeanMethods = false)
public class StandardNodeState {

    public record InterfaceState(String name, int index, String mac, int mtu, List<String> addresses, long rxFrames,
                                 long rxBytes, long txFrames, long txBytes) {
    }

    public record RouteState(String destination, String gateway, String device, String proto, String source,
                             int metric) {
    }

    public record NeighborState(String device, String ip, String mac, String state, Long deadlineNanos, int queued) {
    }

    @Bean
    public NodeStateProvider interfacesSection() {
        return provider("interfaces", node -> node.interfaces().stream().map(i -> new InterfaceState(i.name(), i.index(),
                i.mac().toString(), i.mtu(), i.addresses().stream().map(InterfaceAddress::toString).toList(),
                i.rxFrames(), i.rxBytes(), i.txFrames(), i.txBytes())).toList());
    }

    @Bean
    public NodeStateProvider routesSection() {
        return provider("routes", node -> node.routes().stream().map(StandardNodeState::route).toList());
    }

    @Bean
    public NodeStateProvider arpSection() {
        return provider("arp", node -> {
            List<NeighborState> l = new ArrayList<>();
            for (NetworkInterface i : node.interfaces()) {
                for (Neighbor n : i.neighbors()) {
                    l.add(new NeighborState(i.name(), n.ip().toString(), n.mac() == null ? null : n.mac().toString(),
                            n.state().name(), n.deadlineNanos() == Long.MAX_VALUE ? null : n.deadlineNanos(), n.queued()));
                }
            }
            return l;
        });
    }

    @Bean
    public NodeStateProvider countersSection() {
        return provider("counters", Node::counters);
    }

    private static RouteState route(Route r) {
        return new RouteState(r.destinationText(), r.gateway() == null ? null : r.gateway().toString(), r.interfaceName(),
                r.origin().proto(), r.preferredSource() == null ? null : r.preferredSource().toString(), r.metric());
    }

    private static NodeStateProvider provider(String section, java.util.function.Function<Node, Object> f) {
        return new NodeStateProvider() {
            @Override
            public String section() {
                return section;
            }

            @Override
            public Object state(Node node) {
                return f.apply(node);
            }
        };
    }
}
