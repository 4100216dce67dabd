package dev.wirelab.netstack.lab.topology;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A node of the lab.
 *
 * @param kind       registered kind name ({@code host}, {@code router}; see {@link NodeKinds})
 * @param interfaces interfaces by name, in file order
 * @param routes     static routes, in file order (connected routes come from the interfaces)
 * @param forwarding whether the node forwards IP packets between its interfaces; the kind's default
 *                   (router: true, host: false) unless the file says otherwise
 * @param settings   the kind's own fields ({@link KindSettings#NONE} for host and router)
 */
public record NodeSpec(String kind, Map<String, InterfaceSpec> interfaces, List<RouteSpec> routes,
                       boolean forwarding, KindSettings settings) {

    public NodeSpec {
        Objects.requireNonNull(kind, "kind");
        interfaces = Collections.unmodifiableMap(new LinkedHashMap<>(interfaces));
        routes = List.copyOf(routes);
        Objects.requireNonNull(settings, "settings");
    }

    /** The interface attached to {@code segment}, or null. */
    public String interfaceOn(String segment) {
        for (Map.Entry<String, InterfaceSpec> e : interfaces.entrySet()) {
            if (e.getValue().segment().equals(segment)) {
                return e.getKey();
            }
        }
        return null;
    }
}
