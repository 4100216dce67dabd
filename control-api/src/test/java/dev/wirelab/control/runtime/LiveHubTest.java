package dev.wirelab.control.runtime;

import dev.wirelab.control.ingest.TraceRow;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import java.util.concurrent.atomic.LongAdder;

import static org.assertj.core.api.Assertions.assertThat;

class LiveHubTest {

    private static TraceRow.FrameRow frame(long seq) {
        return new TraceRow.FrameRow(null, seq, seq * 1000, "lan", "pc1:eth0", new byte[60], System.nanoTime());
    }

    @Test
    void aSubscriberThatKeepsUpGetsEverythingInOrderAndTheStreamEndsWithTheRun() {
        LiveHub hub = new LiveHub(16, new LongAdder());
        StepVerifier.create(hub.subscribe())
                .then(() -> {
                    for (int i = 0; i < 100; i++) {
                        hub.frame(frame(i));
                    }
                    hub.complete();
                })
                .expectNextCount(100)
                .verifyComplete();
    }

    @Test
    void aSlowSubscriberLosesWhatItsBufferCannotHoldAndIsToldHowMuch() {
        LongAdder total = new LongAdder();
        LiveHub hub = new LiveHub(4, total);
        StepVerifier.create(hub.subscribe(), 0)
                .then(() -> {
                    for (int i = 0; i < 10; i++) {
                        hub.frame(frame(i)); // nobody asks: 4 are kept, 6 are dropped
                    }
                })
                .thenRequest(1)
                .assertNext(i -> assertThat(i).isEqualTo(new LiveHub.Dropped(6, 6)))
                .thenRequest(4)
                .assertNext(i -> assertThat(((LiveHub.FrameItem) i).row().seq()).isZero())
                .expectNextCount(3)
                .then(hub::complete)
                .expectComplete()
                .verify(Duration.ofSeconds(5));
        assertThat(total.sum()).isEqualTo(6);
    }

    @Test
    void eachStreamShowsWhatWaitsWhatItLostAndWhatItWasGiven() {
        LiveHub hub = new LiveHub(4, new LongAdder());
        StepVerifier.create(hub.subscribe(), 0)
                .then(() -> {
                    for (int i = 0; i < 6; i++) {
                        hub.frame(frame(i));
                    }
                    LiveHub.SubscriberStats s = hub.subscriberStats().getFirst();
                    assertThat(List.of((long) s.buffered(), s.dropped(), s.emitted(), s.demand())).containsExactly(4L, 2L, 0L, 0L);
                })
                .thenRequest(3)
                .expectNextCount(3) // the drop notice and two frames
                .then(() -> {
                    LiveHub.SubscriberStats s = hub.subscriberStats().getFirst();
                    assertThat(List.of((long) s.buffered(), s.emitted(), s.demand())).containsExactly(2L, 3L, 0L);
                    assertThat(s.millisSinceEmit()).isLessThan(5_000);
                })
                .thenCancel()
                .verify(Duration.ofSeconds(5));
        assertThat(hub.subscriberStats()).isEmpty();
    }

    @Test
    void oneSlowSubscriberDoesNotCostAFastOneAnything() {
        LiveHub hub = new LiveHub(2, new LongAdder());
        List<LiveHub.Item> slowGot = new CopyOnWriteArrayList<>();
        BaseSubscriber<LiveHub.Item> slow = new BaseSubscriber<>() {
            @Override
            protected void hookOnSubscribe(Subscription s) {
                // asks for nothing yet
            }

            @Override
            protected void hookOnNext(LiveHub.Item item) {
                slowGot.add(item);
            }
        };
        hub.subscribe().subscribe(slow);
        StepVerifier.create(hub.subscribe())
                .then(() -> {
                    for (int i = 0; i < 50; i++) {
                        hub.frame(frame(i));
                    }
                    hub.complete();
                })
                .expectNextCount(50)
                .verifyComplete();
        slow.request(10);
        assertThat(slowGot).hasSize(3);
        assertThat(slowGot.get(0)).isEqualTo(new LiveHub.Dropped(48, 48));
        assertThat(((LiveHub.FrameItem) slowGot.get(2)).row().seq()).isEqualTo(1);
        assertThat(slow.isDisposed()).isTrue(); // completed after its buffer
        assertThat(hub.subscriberCount()).isZero();
    }

    @Test
    void batchesHoldWhatWaitedUpToTheBoundWithTheDropNoticeInPlaceAndOnlyWantedItems() {
        LiveHub hub = new LiveHub(8, new LongAdder());
        StepVerifier.create(hub.subscribeBatches(3, i -> !(i instanceof LiveHub.FrameItem f) || f.row().seq() % 2 == 0, Runnable::run), 0)
                .then(() -> {
                    for (int i = 0; i < 20; i++) {
                        hub.frame(frame(i)); // the even ones are wanted: 10, of which 8 fit the buffer
                    }
                })
                // The loss happened before anything was sent: the notice leads the first batch.
                .thenRequest(1)
                .assertNext(b -> {
                    assertThat(b.get(0)).isEqualTo(new LiveHub.Dropped(2, 2)); // 16 and 18 did not fit
                    assertThat(b.subList(1, 3)).extracting(i -> ((LiveHub.FrameItem) i).row().seq()).containsExactly(0L, 2L);
                })
                .thenRequest(2)
                .assertNext(b -> assertThat(b).extracting(i -> ((LiveHub.FrameItem) i).row().seq()).containsExactly(4L, 6L, 8L))
                .assertNext(b -> assertThat(b).extracting(i -> ((LiveHub.FrameItem) i).row().seq()).containsExactly(10L, 12L, 14L))
                .then(hub::complete)
                .thenRequest(1)
                .verifyComplete();
    }

    @Test
    void anItemIsRenderedOnceHoweverManySubscribersAskForIt() {
        LiveHub hub = new LiveHub(16, new LongAdder());
        java.util.concurrent.atomic.AtomicInteger renders = new java.util.concurrent.atomic.AtomicInteger();
        List<Object> seen = new CopyOnWriteArrayList<>();
        for (int s = 0; s < 20; s++) {
            hub.subscribe().subscribe(i -> seen.add(((LiveHub.Rendered) i).rendered(r -> "rendered-" + renders.incrementAndGet())));
        }
        hub.frame(frame(0));
        assertThat(seen).hasSize(20).containsOnly("rendered-1");
        assertThat(renders).hasValue(1);
    }
}
