package dev.wirelab.nodeservice;

import java.util.List;
import java.util.Set;

/**
 * What one node service is: its name, the topology kinds it runs, and the endpoints its kind adds.
 */
public record ServiceSpec(String name, Set<String> kinds, List<KindEndpoint> endpoints) {

    public ServiceSpec {
        kinds = Set.copyOf(kinds);
        endpoints = List.copyOf(endpoints);
    }
}
