package dev.wirelab.nodeservice;

import dev.wirelab.netstack.trace.TraceEvent;
import dev.wirelab.nodeservice.protocol.EventBatch;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class EventBufferTest {

    static TraceEvent ev(long t) {
        return new TraceEvent(t, "h1", "arp", "request_sent", Map.of("n", t));
    }

    @Test
    void fetchedEventsAreForgottenAndTheRestComeInOrder() throws Exception {
        EventBuffer b = new EventBuffer(10);
        for (int i = 1; i <= 5; i++) {
            b.event(ev(i));
        }
        EventBatch first = b.fetch("boot", 0, 2, 0);
        assertThat(first.events()).extracting(EventBatch.Event::seq).containsExactly(1L, 2L);
        EventBatch rest = b.fetch("boot", 2, 100, 0);
        assertThat(rest.events()).extracting(EventBatch.Event::seq).containsExactly(3L, 4L, 5L);
        assertThat(rest.next()).isEqualTo(6);
        assertThat(rest.dropped()).isZero();
        // Asking again after 2 cannot bring 1 and 2 back: they were acknowledged.
        assertThat(b.fetch("boot", 0, 100, 0).events()).extracting(EventBatch.Event::seq).containsExactly(3L, 4L, 5L);
    }

    @Test
    void aFullBufferDropsNewEventsAndTheirNumbersStayAsGaps() throws Exception {
        EventBuffer b = new EventBuffer(3);
        for (int i = 1; i <= 5; i++) {
            b.event(ev(i));
        }
        assertThat(b.dropped()).isEqualTo(2);
        EventBatch got = b.fetch("boot", 0, 100, 0);
        assertThat(got.events()).extracting(EventBatch.Event::seq).containsExactly(1L, 2L, 3L);
        b.fetch("boot", 3, 100, 0);
        b.event(ev(6));
        EventBatch after = b.fetch("boot", 3, 100, 0);
        // 4 and 5 were dropped: the receiver sees the jump from 3 to 6 and the count.
        assertThat(after.events()).extracting(EventBatch.Event::seq).containsExactly(6L);
        assertThat(after.dropped()).isEqualTo(2);
    }

    @Test
    void aLongPollWakesWhenAnEventArrives() throws Exception {
        EventBuffer b = new EventBuffer(4);
        Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
            b.event(ev(1));
        });
        long t0 = System.nanoTime();
        EventBatch got = b.fetch("boot", 0, 10, 10_000);
        assertThat(got.events()).hasSize(1);
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(5_000);
    }

    @Test
    void aLingeringFetchGathersUpToMaxOrUntilItsLingerEnds() throws Exception {
        EventBuffer b = new EventBuffer(100);
        Thread producer = Thread.ofVirtual().start(() -> {
            try {
                for (int i = 1; i <= 5; i++) {
                    Thread.sleep(20);
                    b.event(ev(i));
                }
            } catch (InterruptedException e) {
                // test over
            }
        });
        long t0 = System.nanoTime();
        EventBatch all = b.fetch("boot", 0, 5, 10_000, 5_000);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(all.events()).extracting(EventBatch.Event::seq).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(ms).as("returned once max events were there, not at the linger's end").isLessThan(4_000);
        producer.join();
        // Fewer than max: the fetch answers with what it has when the linger ends.
        b.event(ev(6));
        t0 = System.nanoTime();
        EventBatch some = b.fetch("boot", 5, 100, 10_000, 150);
        ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(some.events()).extracting(EventBatch.Event::seq).containsExactly(6L);
        assertThat(ms).isBetween(140L, 5_000L);
    }
}
