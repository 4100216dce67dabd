package dev.wirelab.dhcpservice;

import dev.wirelab.nodeservice.ServicesOnBus;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.util.Map;

import static dev.wirelab.nodeservice.ServicesOnBus.exitCode;
import static dev.wirelab.nodeservice.ServicesOnBus.output;
import static org.assertj.core.api.Assertions.assertThat;

class DhcpServiceTest {

    @Test
    void leasesDirectAndRelayedShowInPoolsAndLeaseFile() throws Exception {
        try (ServicesOnBus lab = ServicesOnBus.start(Path.of("../examples/dhcp-dns.yaml"),
                Map.of("dhcp", DhcpServiceMain.SPEC))) {
            JsonNode pools = lab.get("dhcp1", "/kind/pools");
            assertThat(pools).hasSize(2);
            assertThat(pools.get(0).get("range").asString()).isEqualTo("192.168.1.100-192.168.1.199");
            assertThat(pools.get(0).get("gateway").asString()).isEqualTo("192.168.1.1");
            assertThat(pools.get(1).get("subnet").asString()).isEqualTo("192.168.2.0/24");

            var pc1 = lab.exec("pc1", "dhclient -v eth0", 30_000);
            assertThat(exitCode(pc1)).as(output(pc1)).isZero();
            var pc2 = lab.exec("pc2", "dhclient -v eth0", 30_000); // through r1's relay
            assertThat(exitCode(pc2)).as(output(pc2)).isZero();

            String file = lab.get("dhcp1", "/kind/lease-file").get("text").asString();
            assertThat(file).contains("lease 192.168.1.1").contains("lease 192.168.2.1");
            assertThat(lab.get("dhcp1", "/state").get("leases").toString()).contains("192.168.2.");
            assertThat(lab.get("pc1", "/kind/programs").toString()).contains("dhclient");
        }
    }
}
