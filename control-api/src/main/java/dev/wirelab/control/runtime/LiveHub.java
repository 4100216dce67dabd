package dev.wirelab.control.runtime;

import dev.wirelab.control.ingest.TraceListener;
import dev.wirelab.control.ingest.TraceRow;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;

import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Fans a live run's frames and events out to its stream subscribers. Each subscriber has its own
 * bounded buffer, filled on the capturing thread without waiting and drained only as fast as the
 * subscriber asks (Reactive Streams demand). When a slow subscriber's buffer is full, new items are
 * dropped for that subscriber alone and counted; the next item it receives is preceded by a
 * {@link Dropped} notice with the count, so the gap is visible in the stream.
 */
public final class LiveHub implements TraceListener {

    /** Something a subscriber receives. */
    public sealed interface Item permits FrameItem, EventItem, Dropped {
    }

    public record FrameItem(TraceRow.FrameRow row) implements Item {
    }

    public record EventItem(TraceRow.EventRow row) implements Item {
    }

    /** Items this subscriber lost since its last notice, and in total. */
    public record Dropped(long dropped, long totalDropped) implements Item {
    }

    private final int bufferSize;
    private final Set<Subscriber> subscribers = new CopyOnWriteArraySet<>();
    private final LongAdder droppedTotal;
    private volatile boolean completed;

    public LiveHub(int bufferSize, LongAdder droppedTotal) {
        this.bufferSize = bufferSize;
        this.droppedTotal = droppedTotal;
    }

    /** A stream of every frame and event from now on; completes when the run ends. */
    public Flux<Item> subscribe() {
        return Flux.create(sink -> {
            Subscriber s = new Subscriber(sink);
            subscribers.add(s);
            sink.onRequest(n -> s.drain());
            sink.onDispose(() -> subscribers.remove(s));
            if (completed) {
                s.complete();
            }
        }, FluxSink.OverflowStrategy.ERROR);
    }

    public int subscriberCount() {
        return subscribers.size();
    }

    @Override
    public void frame(TraceRow.FrameRow frame) {
        publish(new FrameItem(frame));
    }

    @Override
    public void event(TraceRow.EventRow event) {
        publish(new EventItem(event));
    }

    private void publish(Item item) {
        for (Subscriber s : subscribers) {
            s.offer(item);
        }
    }

    /** The run ended: each stream completes once its buffer is delivered. */
    public void complete() {
        completed = true;
        for (Subscriber s : subscribers) {
            s.complete();
        }
    }

    private final class Subscriber {
        private final FluxSink<Item> sink;
        private final ArrayBlockingQueue<Item> buffer = new ArrayBlockingQueue<>(bufferSize);
        private final AtomicLong dropped = new AtomicLong();
        private final AtomicInteger wip = new AtomicInteger();
        private long reported;
        private volatile boolean done;

        Subscriber(FluxSink<Item> sink) {
            this.sink = sink;
        }

        void offer(Item item) {
            if (!buffer.offer(item)) {
                dropped.incrementAndGet();
                droppedTotal.increment();
            }
            drain();
        }

        void complete() {
            done = true;
            drain();
        }

        /** Emits while there is demand; one thread at a time (the others leave a note in wip). */
        void drain() {
            if (wip.getAndIncrement() != 0) {
                return;
            }
            int missed = 1;
            while (true) {
                while (sink.requestedFromDownstream() > 0 && !sink.isCancelled()) {
                    long d = dropped.get();
                    if (d > reported) {
                        sink.next(new Dropped(d - reported, d));
                        reported = d;
                        continue;
                    }
                    Item next = buffer.poll();
                    if (next == null) {
                        break;
                    }
                    sink.next(next);
                }
                if (done && buffer.isEmpty() && !sink.isCancelled()) {
                    long d = dropped.get();
                    if (d > reported && sink.requestedFromDownstream() > 0) {
                        sink.next(new Dropped(d - reported, d));
                        reported = d;
                    }
                    if (dropped.get() == reported) {
                        sink.complete();
                    }
                }
                missed = wip.addAndGet(-missed);
                if (missed == 0) {
                    return;
                }
            }
        }
    }
}
