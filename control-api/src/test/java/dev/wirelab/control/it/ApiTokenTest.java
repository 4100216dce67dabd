package dev.wirelab.control.it;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseCookie;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 11: with the API token on (the default when the server listens beyond loopback; here
 * asked for), nothing but the bare health status answers without it; the token works as a bearer
 * header and, for browsers, as the SameSite=Strict cookie that {@code ?token=} sets once.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "wirelab.db.embedded.data-dir=target/pg-api-token",
        "wirelab.db.embedded.clean=true",
        "wirelab.examples=../examples",
        "wirelab.import-examples=false",
        "wirelab.security.auth=on",
        "wirelab.security.token=" + ApiTokenTest.TOKEN})
@AutoConfigureWebTestClient(timeout = "60s")
class ApiTokenTest {

    static final String TOKEN = "test-token-0123456789abcdef";

    @Autowired
    WebTestClient web;

    @Test
    void withoutTheTokenEverythingButTheHealthStatusIs401() {
        for (String uri : new String[]{"/api/labs", "/api/runs", "/", "/v3/api-docs", "/actuator/metrics",
                "/actuator/health/db", "/api/runs/1/live"}) {
            web.get().uri(uri).exchange().expectStatus().isUnauthorized()
                    .expectHeader().valueEquals(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"wirelab\"");
        }
        web.post().uri("/api/labs?example=three-segments").contentType(MediaType.APPLICATION_JSON).exchange()
                .expectStatus().isUnauthorized().expectBody(JsonNode.class)
                .value(p -> assertThat(p.path("detail").asString()).contains("Authorization: Bearer"));
        web.get().uri("/api/labs").header(HttpHeaders.AUTHORIZATION, "Bearer wrong-token-0123456789abcdef").exchange()
                .expectStatus().isUnauthorized();
        web.get().uri("/api/labs?token=wrong").exchange().expectStatus().isUnauthorized();
        // A load balancer's probe still learns the status, and nothing more.
        JsonNode health = web.get().uri("/actuator/health").exchange().expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody();
        assertThat(health.path("status").asString()).isEqualTo("UP");
        assertThat(health.has("components")).isFalse();
    }

    @Test
    void theBearerTokenOpensTheApiAndHealthDetails() {
        web.get().uri("/api/labs").header(HttpHeaders.AUTHORIZATION, "Bearer " + TOKEN).exchange().expectStatus().isOk();
        JsonNode health = web.get().uri("/actuator/health").header(HttpHeaders.AUTHORIZATION, "Bearer " + TOKEN)
                .exchange().expectStatus().isOk().expectBody(JsonNode.class).returnResult().getResponseBody();
        assertThat(health.path("components").path("ingest").path("status").asString()).isEqualTo("UP");
        // The token does not lift the cross-site rules.
        web.post().uri("/api/labs").header(HttpHeaders.AUTHORIZATION, "Bearer " + TOKEN).contentType(MediaType.TEXT_PLAIN)
                .bodyValue("name: x").exchange().expectStatus().isEqualTo(415);
    }

    @Test
    void aBrowserOpensAPageOnceWithTheTokenAndKeepsItInAStrictCookie() {
        ResponseCookie cookie = web.get().uri("/?token=" + TOKEN).exchange().expectStatus().isOk()
                .returnResult(String.class).getResponseCookies().getFirst("wirelab_token");
        assertThat(cookie).isNotNull();
        assertThat(cookie.getValue()).isEqualTo(TOKEN);
        assertThat(cookie.isHttpOnly()).isTrue();
        assertThat(cookie.getSameSite()).isEqualTo("Strict");
        web.get().uri("/api/labs").cookie("wirelab_token", cookie.getValue()).exchange().expectStatus().isOk();
        // The query token works for GET only: a link cannot carry it into a state change.
        web.post().uri("/api/labs?example=three-segments&token=" + TOKEN).contentType(MediaType.APPLICATION_JSON)
                .exchange().expectStatus().isUnauthorized();
    }

    /** The dashboard behind the token (docker compose listens beyond loopback): the page and its script with the cookie. */
    @Test
    void theDashboardOpensWithTheTokenOnceAndLoadsItsFilesWithTheCookie() {
        String html = web.get().uri("/?token=" + TOKEN).exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        assertThat(html).contains("data-app=\"wirelab\"");
        java.util.regex.Matcher script = java.util.regex.Pattern.compile("src=\"\\./(assets/[^\"]+\\.js)\"").matcher(html);
        assertThat(script.find()).as("the page names its script: %s", html).isTrue();
        web.get().uri("/" + script.group(1)).exchange().expectStatus().isUnauthorized();
        web.get().uri("/" + script.group(1)).cookie("wirelab_token", TOKEN).exchange().expectStatus().isOk();
        // the live stream the views open (EventSource sends the cookie too)
        web.get().uri("/api/runs/1/live").cookie("wirelab_token", TOKEN).exchange().expectStatus().isNotFound();
    }
}
