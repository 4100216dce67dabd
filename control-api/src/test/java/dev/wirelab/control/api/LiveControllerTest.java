package dev.wirelab.control.api;

import dev.wirelab.control.errors.ConflictException;
import dev.wirelab.control.runtime.LiveRun;
import dev.wirelab.control.runtime.RunManager;
import dev.wirelab.control.runtime.TestRuns;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webflux.test.autoconfigure.WebFluxTest;
import org.springframework.context.annotation.Import;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.reactive.server.WebTestClient;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.when;

@WebFluxTest(LiveController.class)
@Import(SliceConfig.class)
class LiveControllerTest {

    @Autowired
    WebTestClient web;
    @MockitoBean
    RunManager runs;
    LiveRun lr;

    @BeforeEach
    void up() {
        lr = TestRuns.virtual(3, 7, TestRuns.example("three-segments"));
        when(runs.requireLive(3)).thenReturn(lr);
        when(runs.requireLive(4)).thenThrow(new ConflictException("run 4 is not live (it is stopped)"));
    }

    @AfterEach
    void down() {
        TestRuns.stop(lr);
    }

    @Test
    void framesAndEventsArriveAsTheyHappenAndTheStreamEndsWithTheRun() {
        // A ping runs once the stream is subscribed; then the run stops, which ends the stream.
        CompletableFuture.runAsync(() -> {
            lr.exec("pc1", "ping -c 2 10.0.2.10", Duration.ofSeconds(10), l -> { }).join();
            // Events as a node container sends them: detail as JSON text, parsed only to be shown here.
            lr.trace().event(5, "box", "tcp", "state", "{\"to\":\"ESTABLISHED\"}".getBytes(StandardCharsets.UTF_8));
            lr.trace().event(6, "box", "tcp", "state", "{not json".getBytes(StandardCharsets.UTF_8));
            TestRuns.stop(lr);
        }, CompletableFuture.delayedExecutor(500, TimeUnit.MILLISECONDS));
        List<ServerSentEvent<String>> got = web.mutate().responseTimeout(Duration.ofSeconds(30)).build()
                .get().uri("/api/runs/3/live").accept(MediaType.TEXT_EVENT_STREAM)
                .exchange().expectStatus().isOk()
                .returnResult(new ParameterizedTypeReference<ServerSentEvent<String>>() { })
                .getResponseBody().filter(e -> e.event() != null).collectList().block(Duration.ofSeconds(30));
        List<String> frames = got.stream().filter(e -> "frame".equals(e.event())).map(ServerSentEvent::data).toList();
        // ARP for the gateway, then 2 echo requests and replies on 3 segments each.
        assertThat(frames.stream().filter(f -> f.contains("echo request"))).hasSize(6);
        assertThat(frames.stream().filter(f -> f.contains("echo reply"))).hasSize(6);
        assertThat(frames.get(0)).contains("\"protocols\":[\"eth\",\"arp\"]");
        assertThat(got.stream().filter(e -> "event".equals(e.event())).map(ServerSentEvent::data))
                .anyMatch(d -> d.contains("\"kind\":\"lookup\""));
        assertThat(got).noneMatch(e -> "dropped".equals(e.event()));
        List<String> box = got.stream().filter(e -> "event".equals(e.event())).map(ServerSentEvent::data)
                .filter(d -> d.contains("\"node\":\"box\"")).toList();
        assertThat(box).hasSize(2);
        assertThat(box.get(0)).contains("\"detail\":{\"to\":\"ESTABLISHED\"}");
        assertThat(box.get(1)).contains("\"detail\":{\"unparsable\":\"{not json\"}");
    }

    /**
     * A client that stops reading holds only a few batches beyond its hub buffer (measured: ~2,600
     * items, about ten batches): no stage of the stream prefetches for it, so what it cannot take
     * waits in the bounded hub buffer and beyond that is dropped and counted. (In the live-load
     * bench a slow subscriber is "given" ~44k items: the rest sit in the sockets' buffers.)
     */
    @Test
    void aClientThatStopsReadingHoldsOnlyAFewBatchesBeyondItsHubBuffer() throws Exception {
        LiveController c = new LiveController(runs, dev.wirelab.control.decode.FrameDecoder.standard(),
                tools.jackson.databind.json.JsonMapper.builder().build());
        java.util.concurrent.atomic.AtomicInteger got = new java.util.concurrent.atomic.AtomicInteger();
        reactor.core.publisher.BaseSubscriber<byte[]> d = new reactor.core.publisher.BaseSubscriber<>() {
            @Override
            protected void hookOnSubscribe(org.reactivestreams.Subscription s) {
                s.request(3); // the opening comment and two chunks, then it reads no more
            }

            @Override
            protected void hookOnNext(byte[] value) {
                got.incrementAndGet();
            }
        };
        c.stream(lr, true, true).subscribe(d);
        try {
            for (int i = 0; i < 40_000; i++) {
                lr.hub().frame(new dev.wirelab.control.ingest.TraceRow.FrameRow(null, i, i, "lan1", "pc1:eth0",
                        new byte[60], System.nanoTime()));
                if (i % 1000 == 0) {
                    Thread.sleep(2); // let the stream's stages take what they will
                }
            }
            Thread.sleep(500);
            var stats = lr.hub().subscriberStats();
            assertThat(stats).hasSize(1);
            assertThat(got.get()).isLessThanOrEqualTo(3);
            assertThat(stats.getFirst().emitted()).as("items given to a stream that stopped reading")
                    .isLessThanOrEqualTo(16L * LiveController.MAX_BATCH);
            assertThat(stats.getFirst().dropped()).isPositive();
        } finally {
            d.dispose();
        }
    }

    @Test
    void aRunThatIsNotLiveHasNoStream() {
        web.get().uri("/api/runs/4/live").exchange().expectStatus().isEqualTo(409);
    }
}
