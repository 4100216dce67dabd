package dev.wirelab.control.runtime;

import dev.wirelab.control.ingest.TraceListener;
import dev.wirelab.control.ingest.TraceRow;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.function.Function;
import java.util.function.Predicate;
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
 *
 * <p>A subscriber takes items in batches of what its buffer holds (up to a bound) per request, so a
 * fast one gets each item at once and a busy one pays one write per batch instead of per item; an
 * item is rendered once for all subscribers ({@link Rendered#rendered}), however many there are.
 */
public final class LiveHub implements TraceListener {

    /** Something a subscriber receives. */
    public sealed interface Item permits Rendered, Dropped {
    }

    /** An item whose rendering (decoding, JSON) is done once and shared by every subscriber. */
    public abstract static sealed class Rendered implements Item permits FrameItem, EventItem {
        private volatile Object rendered;

        /** {@code render(this)}, computed by the first subscriber that asks and kept for the others. */
        @SuppressWarnings("unchecked")
        public <T> T rendered(Function<? super Rendered, T> render) {
            Object r = rendered;
            if (r == null) {
                r = render.apply(this); // two racing subscribers may both render: same result, no lock
                rendered = r;
            }
            return (T) r;
        }
    }

    public static final class FrameItem extends Rendered {
        private final TraceRow.FrameRow row;

        public FrameItem(TraceRow.FrameRow row) {
            this.row = row;
        }

        public TraceRow.FrameRow row() {
            return row;
        }
    }

    public static final class EventItem extends Rendered {
        private final TraceRow.EventRow row;

        public EventItem(TraceRow.EventRow row) {
            this.row = row;
        }

        public TraceRow.EventRow row() {
            return row;
        }
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
        return subscribeBatches(1, i -> true, Runnable::run).map(batch -> batch.get(0));
    }

    /**
     * The items {@code wanted} from now on, in batches of at most {@code maxBatch}: each request
     * takes what the buffer holds. Completes when the run ends.
     *
     * @param onRequest where the buffer is drained when the subscriber asks for more. Not inline:
     *                  a subscriber that asks from its own emitting thread would otherwise keep that
     *                  thread in a loop for as long as the lab produces, and every other subscriber
     *                  sharing it would starve. As a task, each drain takes its turn.
     */
    public Flux<List<Item>> subscribeBatches(int maxBatch, Predicate<Item> wanted, java.util.concurrent.Executor onRequest) {
        return Flux.create(sink -> {
            Subscriber s = new Subscriber(sink, maxBatch, wanted);
            subscribers.add(s);
            sink.onRequest(n -> onRequest.execute(s::drain));
            sink.onDispose(() -> subscribers.remove(s));
            if (completed) {
                s.complete();
            }
        }, FluxSink.OverflowStrategy.ERROR);
    }

    public int subscriberCount() {
        return subscribers.size();
    }

    /**
     * One subscriber as the hub sees it: what waits in its buffer, what it lost, what it was given,
     * the demand its stream has signalled and not yet used, and how long ago it was last given items.
     * A stream that stalls shows here: a full buffer and no demand is a client (or its connection)
     * that stopped reading; demand with items buffered would be the hub's own fault.
     */
    public record SubscriberStats(int buffered, long dropped, long emitted, long demand, long millisSinceEmit) {
    }

    public List<SubscriberStats> subscriberStats() {
        long now = System.nanoTime();
        List<SubscriberStats> out = new ArrayList<>();
        for (Subscriber s : subscribers) {
            out.add(new SubscriberStats(s.buffer.size(), s.dropped.get(), s.emitted.get(),
                    s.sink.requestedFromDownstream(), (now - s.lastEmit) / 1_000_000));
        }
        return out;
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
        private final FluxSink<List<Item>> sink;
        private final int maxBatch;
        private final Predicate<Item> wanted;
        private final ArrayBlockingQueue<Item> buffer = new ArrayBlockingQueue<>(bufferSize);
        private final AtomicLong dropped = new AtomicLong();
        private final AtomicInteger wip = new AtomicInteger();
        private long reported;
        private volatile boolean done;
        private final AtomicLong emitted = new AtomicLong();
        private volatile long lastEmit = System.nanoTime();

        Subscriber(FluxSink<List<Item>> sink, int maxBatch, Predicate<Item> wanted) {
            this.sink = sink;
            this.maxBatch = Math.max(1, maxBatch);
            this.wanted = wanted;
        }

        void offer(Item item) {
            if (!wanted.test(item)) {
                return;
            }
            if (!buffer.offer(item)) {
                dropped.incrementAndGet();
                droppedTotal.increment();
            }
            // Without demand there is nothing to emit: the next request drains (it comes after the
            // item is in the buffer, or we see its demand here), so the capturing thread does not
            // pay a drain per item for every subscriber that is behind.
            if (sink.requestedFromDownstream() > 0 || done) {
                drain();
            }
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
                    List<Item> batch = new ArrayList<>(Math.min(maxBatch, Math.max(1, buffer.size() + 1)));
                    while (batch.size() < maxBatch) {
                        long d = dropped.get();
                        if (d > reported) {
                            batch.add(new Dropped(d - reported, d));
                            reported = d;
                            continue;
                        }
                        Item next = buffer.poll();
                        if (next == null) {
                            break;
                        }
                        batch.add(next);
                    }
                    if (batch.isEmpty()) {
                        break;
                    }
                    emitted.addAndGet(batch.size());
                    lastEmit = System.nanoTime();
                    sink.next(batch);
                }
                if (done && buffer.isEmpty() && !sink.isCancelled()) {
                    long d = dropped.get();
                    if (d > reported && sink.requestedFromDownstream() > 0) {
                        sink.next(List.of(new Dropped(d - reported, d)));
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
