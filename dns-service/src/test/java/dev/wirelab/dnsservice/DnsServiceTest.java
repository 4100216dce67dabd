package dev.wirelab.dnsservice;

import dev.wirelab.nodeservice.ServicesOnBus;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.util.Map;

import static dev.wirelab.nodeservice.ServicesOnBus.exitCode;
import static dev.wirelab.nodeservice.ServicesOnBus.output;
import static org.assertj.core.api.Assertions.assertThat;

class DnsServiceTest {

    @Test
    void theResolverWalksTheTreeAndCachesWhatItLearnt() throws Exception {
        try (ServicesOnBus lab = ServicesOnBus.start(Path.of("../examples/dhcp-dns.yaml"),
                Map.of("dns", DnsServiceMain.SPEC))) {
            JsonNode zones = lab.get("example", "/kind/zones");
            assertThat(zones.get(0).get("origin").asString()).isEqualTo("example.com.");
            assertThat(zones.get(0).get("records").toString()).contains("www.example.com.").contains("10.0.0.80");
            assertThat(lab.get("resolver", "/kind/zones")).isEmpty();
            assertThat(lab.get("root", "/kind/resolver").get("resolver").asBoolean()).isFalse();

            // web has a static address on the data-centre segment: it asks the resolver directly.
            var dig = lab.exec("web", "dig @10.0.0.53 www.example.com", 20_000);
            assertThat(exitCode(dig)).as(output(dig)).isZero();
            assertThat(output(dig)).contains("10.0.0.80").contains("NOERROR");

            JsonNode resolver = lab.get("resolver", "/kind/resolver");
            assertThat(resolver.get("hints").toString()).contains("a.root-servers.net").contains("10.0.0.10");
            assertThat(resolver.get("cache").toString()).contains("www.example.com").contains("gtld-servers");
            assertThat(lab.get("resolver", "/health").get("service").asString()).isEqualTo("dns-service");
        }
    }
}
