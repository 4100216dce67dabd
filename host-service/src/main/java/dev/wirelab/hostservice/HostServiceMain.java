package dev.wirelab.hostservice;

import dev.wirelab.nodeservice.KindEndpoint;
import dev.wirelab.nodeservice.NodeService;
import dev.wirelab.nodeservice.ServiceSpec;

import java.util.List;
import java.util.Set;

/**
 * A host in its own container; a {@code web} node is a host that runs {@code httpd}, so it is served
 * here too. Everything but the list of programs comes from node-service-core and netstack.
 */
public final class HostServiceMain {

    public static final ServiceSpec SPEC = new ServiceSpec("host-service", Set.of("host", "web"), List.of(
            new KindEndpoint("programs", "the programs exec can run on this host", n -> n.programNames())));

    private HostServiceMain() {
    }

    public static void main(String[] args) {
        NodeService.main(SPEC, System.getenv());
    }
}
