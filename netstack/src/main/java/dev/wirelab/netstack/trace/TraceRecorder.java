package dev.wirelab.netstack.trace;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Keeps every frame and event in memory, in arrival order. Thread-safe. */
public final class TraceRecorder implements TraceSink {

    private final List<CapturedFrame> frames = new ArrayList<>();
    private final List<TraceEvent> events = new ArrayList<>();

    @Override
    public synchronized void frame(long timeNanos, String segment, String ingressPort, byte[] bytes) {
        frames.add(new CapturedFrame(frames.size(), timeNanos, segment, ingressPort, bytes));
    }

    @Override
    public synchronized void event(TraceEvent event) {
        events.add(event);
    }

    public synchronized List<CapturedFrame> frames() {
        return List.copyOf(frames);
    }

    public synchronized List<TraceEvent> events() {
        return List.copyOf(events);
    }

    public synchronized List<TraceEvent> events(Predicate<TraceEvent> filter) {
        return events.stream().filter(filter).toList();
    }
}
