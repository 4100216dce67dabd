package dev.wirelab.routerservice;

import dev.wirelab.nodeservice.ServicesOnBus;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.util.Map;

import static dev.wirelab.nodeservice.ServicesOnBus.exitCode;
import static dev.wirelab.nodeservice.ServicesOnBus.output;
import static org.assertj.core.api.Assertions.assertThat;

class RouterServiceTest {

    @Test
    void forwardingCountersGrowWithPingsThroughTheRouter() throws Exception {
        try (ServicesOnBus lab = ServicesOnBus.start(Path.of("../examples/three-segments.yaml"),
                Map.of("router", RouterServiceMain.SPEC))) {
            JsonNode before = lab.get("r1", "/kind/forwarding");
            assertThat(before.get("forwarding").asBoolean()).isTrue();
            var ping = lab.exec("pc1", "ping -c 4 -i 0.1 10.0.2.10", 20_000);
            assertThat(exitCode(ping)).as(output(ping)).isZero();
            JsonNode after = lab.get("r1", "/kind/forwarding");
            long forwardedBefore = before.get("counters").path("ipv4.forwarded").asLong(0);
            // 4 requests out and 4 replies back cross r1.
            assertThat(after.get("counters").get("ipv4.forwarded").asLong() - forwardedBefore).isGreaterThanOrEqualTo(8);
            assertThat(lab.get("r1", "/health").get("service").asString()).isEqualTo("router-service");
        }
    }
}
