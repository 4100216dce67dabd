package dev.wirelab.hostservice;

import dev.wirelab.nodeservice.ServicesOnBus;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.wirelab.nodeservice.ServicesOnBus.exitCode;
import static dev.wirelab.nodeservice.ServicesOnBus.output;
import static org.assertj.core.api.Assertions.assertThat;

class HostServiceTest {

    @Test
    void aWebNodeServesItsPageToAHostAcrossTheRouters() throws Exception {
        // pc1 and the web node run as host-service (web is a host that runs httpd).
        try (ServicesOnBus lab = ServicesOnBus.start(Path.of("../examples/journey.yaml"),
                Map.of("host", HostServiceMain.SPEC, "web", HostServiceMain.SPEC))) {
            assertThat(lab.get("pc1", "/health").get("service").asString()).isEqualTo("host-service");
            assertThat(lab.get("web", "/health").get("kind").asString()).isEqualTo("web");
            List<String> programs = lab.get("pc1", "/kind/programs").valueStream().map(n -> n.asString()).toList();
            assertThat(programs).contains("ping", "curl", "browse", "dig", "httpd", "ss");

            // The journey in real time: DHCP at boot, then the name through the DNS tree, then HTTP.
            var lease = lab.exec("pc1", "dhclient -v eth0", 30_000);
            assertThat(exitCode(lease)).as(output(lease)).isZero();
            var page = lab.exec("pc1", "curl -s http://www.example.com/", 30_000);
            assertThat(exitCode(page)).as(output(page)).isZero();
            assertThat(output(page)).containsIgnoringCase("<html");
            assertThat(lab.get("web", "/state").get("sockets").toString()).contains("LISTEN").contains(":80");
        }
    }
}
