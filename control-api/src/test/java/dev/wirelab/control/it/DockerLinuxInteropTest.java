package dev.wirelab.control.it;

import dev.wirelab.netstack.testkit.LinuxNetns;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Linux network namespace joins a docker-runtime lab over VXLAN, as it joins an embedded one:
 * its vxlan device is an external port of the bus, the router and the web server behind it are
 * containers. Ping and curl both ways.
 * <pre>
 *   linux 10.91.0.2 (vx91, VNI 91) == [lan] .1 r1 (container) .1 [dc 10.92.0.0/24] .80 web (container)
 *   underlay: root ns 10.255.91.1/30 (the bus, UDP 4789) -- veth -- namespace 10.255.91.2/30
 * </pre>
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "wirelab.db.embedded.data-dir=target/pg-docker-interop",
        "wirelab.db.embedded.clean=true",
        "wirelab.examples=../examples",
        "wirelab.import-examples=false",
        "wirelab.vxlan.allowed-networks=127.0.0.0/8,10.255.91.0/30"}) // the namespace's underlay
@AutoConfigureWebTestClient(timeout = "120s")
@Timeout(300)
class DockerLinuxInteropTest {

    static final String TOPOLOGY = """
            name: docker-interop
            segments:
              - { name: lan, vni: 91, mtu: 1450 }
              - { name: dc, mtu: 1450 }
            nodes:
              r1:
                kind: router
                interfaces:
                  eth0: { segment: lan, address: 10.91.0.1/24 }
                  eth1: { segment: dc, address: 10.92.0.1/24 }
              web:
                kind: web
                interfaces: { eth0: { segment: dc, address: 10.92.0.80/24 } }
                routes: [ { to: default, via: 10.92.0.1 } ]
            external:
              - { name: linux, segment: lan, remote: "10.255.91.2:4789" }
            bus: { bind: 10.255.91.1, port: 4789 }
            """;

    static LinuxNetns linux;

    @Autowired
    WebTestClient web;

    @BeforeAll
    static void namespace() throws Exception {
        DockerCheck.require();
        LinuxNetns.requireRootAndIproute2();
        linux = LinuxNetns.create("wl-dock91", "wld91a", "10.255.91.1/30", "wld91b", "10.255.91.2/30");
        linux.addVxlan("vx91", 91, "10.255.91.2", "10.255.91.1", 4789, "10.91.0.2/24");
        linux.ip("route", "add", "10.92.0.0/24", "via", "10.91.0.1");
    }

    @AfterAll
    static void down() throws Exception {
        if (linux != null) {
            linux.close();
        }
    }

    JsonNode post(String uri, String body, int status) {
        return web.post().uri(uri).contentType(body.startsWith("{") ? MediaType.APPLICATION_JSON
                        : MediaType.valueOf("application/yaml")).bodyValue(body)
                .exchange().expectStatus().isEqualTo(status).expectBody(JsonNode.class).returnResult().getResponseBody();
    }

    JsonNode exec(long run, String node, String command) {
        return post("/api/runs/" + run + "/nodes/" + node + "/exec", "{\"command\":\"" + command.replace("\"", "\\\"")
                + "\",\"timeout\":\"30s\"}", 200);
    }

    @Test
    void linuxAndContainerNodesPingAndCurlEachOther() throws Exception {
        long lab = post("/api/labs", TOPOLOGY, 201).path("id").asLong();
        long run = post("/api/labs/" + lab + "/runs", "{\"runtime\":\"docker\"}", 201).path("id").asLong();
        Path file = Files.createTempFile("linux-page", ".http");
        Process nc = null;
        try {
            LinuxNetns.Result ping = linux.exec("ping", "-c", "3", "-i", "0.2", "-W", "2", "10.92.0.80");
            assertThat(ping.exitCode()).as(ping.out()).isZero();
            assertThat(ping.out()).contains("3 received").contains("ttl=63"); // through the r1 container

            JsonNode back = exec(run, "web", "ping -c 3 -i 0.2 10.91.0.2");
            assertThat(back.path("exitCode").asInt()).as(back.toString()).isZero();

            LinuxNetns.Result page = linux.exec("curl", "-sS", "--max-time", "10", "-w", "\\n%{http_code}",
                    "http://10.92.0.80/");
            assertThat(page.exitCode()).as(page.out()).isZero();
            assertThat(page.out()).contains("<html").endsWith("200");

            Files.writeString(file, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n"
                    + "Connection: close\r\n\r\nHello, Linux!", StandardCharsets.ISO_8859_1);
            nc = new ProcessBuilder("ip", "netns", "exec", "wl-dock91", "sh", "-c",
                    "nc -l -q 1 10.91.0.2 8080 < " + file).redirectErrorStream(true).start();
            JsonNode curl = null;
            for (int attempt = 0; attempt < 30; attempt++) { // until nc listens
                curl = exec(run, "web", "curl -sS http://10.91.0.2:8080/");
                if (curl.path("exitCode").asInt() != 7) {
                    break;
                }
                Thread.sleep(100);
            }
            assertThat(curl.path("exitCode").asInt()).as(curl.toString()).isZero();
            assertThat(curl.path("output").toString()).contains("Hello, Linux!");
        } finally {
            if (nc != null) {
                nc.destroy();
                nc.waitFor(5, TimeUnit.SECONDS);
            }
            Files.deleteIfExists(file);
            post("/api/runs/" + run + "/stop", "{}", 200);
        }
    }
}
