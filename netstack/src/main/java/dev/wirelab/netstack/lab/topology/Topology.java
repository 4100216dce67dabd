package dev.wirelab.netstack.lab.topology;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A lab: segments, nodes with interfaces and routes, per-segment impairments, external VXLAN ports.
 * Immutable. Read it with {@link Topologies#parseYaml(String)} (which validates it); a model built in
 * code can be checked with {@link Topologies#validate(Topology)}.
 *
 * @param name     lab name
 * @param segments segments in file order (each with its VNI and MTU resolved)
 * @param nodes    nodes by name, in file order
 * @param links    impairments by segment name (segments not listed have none)
 * @param external external VXLAN ports, in file order
 * @param bus      the bus's UDP endpoint, or null when the file has no {@code bus} section
 * @param seed     seed of the lab's RNG (impairments, ephemeral ports...), or null to let the
 *                 runtime choose
 */
public record Topology(String name, List<SegmentSpec> segments, Map<String, NodeSpec> nodes,
                       Map<String, LinkSpec> links, List<ExternalPortSpec> external, BusSpec bus, Long seed) {

    public Topology {
        Objects.requireNonNull(name, "name");
        segments = List.copyOf(segments);
        nodes = Collections.unmodifiableMap(new LinkedHashMap<>(nodes));
        links = Collections.unmodifiableMap(new LinkedHashMap<>(links));
        external = List.copyOf(external);
    }

    public Optional<SegmentSpec> segment(String segmentName) {
        for (SegmentSpec s : segments) {
            if (s.name().equals(segmentName)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    public List<String> segmentNames() {
        List<String> names = new ArrayList<>(segments.size());
        for (SegmentSpec s : segments) {
            names.add(s.name());
        }
        return names;
    }

    /** The impairments of a segment, {@link LinkSpec#NONE} when it has none. */
    public LinkSpec link(String segmentName) {
        return links.getOrDefault(segmentName, LinkSpec.NONE);
    }

    /** The bus endpoint, defaults (0.0.0.0:4789) when the file has no {@code bus} section. */
    public BusSpec busOrDefault() {
        return bus == null ? BusSpec.DEFAULT : bus;
    }

    /** The MTU an interface uses: its own if set, else its segment's. */
    public int effectiveMtu(String nodeName, String interfaceName) {
        NodeSpec node = nodes.get(nodeName);
        if (node == null) {
            throw new IllegalArgumentException("no node '" + nodeName + "'");
        }
        InterfaceSpec i = node.interfaces().get(interfaceName);
        if (i == null) {
            throw new IllegalArgumentException("node '" + nodeName + "' has no interface '" + interfaceName + "'");
        }
        if (i.mtu() != null) {
            return i.mtu();
        }
        return segment(i.segment()).map(SegmentSpec::mtu).orElse(SegmentSpec.DEFAULT_MTU);
    }
}
