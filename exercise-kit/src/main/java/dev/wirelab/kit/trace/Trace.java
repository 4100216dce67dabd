package dev.wirelab.kit.trace;

import dev.wirelab.kit.client.Event;
import dev.wirelab.kit.client.Frame;
import dev.wirelab.kit.client.Run;
import dev.wirelab.kit.client.WirelabClient;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A run's stored trace: every frame (decoded) and every stack event, merged into one timeline.
 * At one instant a node's events come before the frames of that instant, since what a node does
 * (a socket call, a state change, a routing decision) is what makes it send; the ladder orders
 * them the same way.
 */
public final class Trace {

    private final long runId;
    private final Run run;
    private final List<TracedFrame> frames;
    private final List<TracedEvent> events;
    private final List<Step> timeline;

    Trace(long runId, Run run, List<TracedFrame> frames, List<TracedEvent> events) {
        this.runId = runId;
        this.run = run;
        this.frames = List.copyOf(frames);
        this.events = List.copyOf(events);
        List<Step> all = new ArrayList<>(frames.size() + events.size());
        all.addAll(events);
        all.addAll(frames);
        all.sort(Comparator.comparingLong(Step::timeNanos).thenComparingInt(s -> s instanceof TracedEvent ? 0 : 1)
                .thenComparingLong(s -> s instanceof TracedFrame f ? f.seq() : ((TracedEvent) s).event().seq()));
        this.timeline = List.copyOf(all);
    }

    /** The stored trace of a run that has ended: waits (up to 2 minutes) until all of it is stored. */
    public static Trace of(WirelabClient client, long runId) {
        Run r = client.awaitStored(runId, Duration.ofMinutes(2));
        Map<Long, byte[]> bytes = client.frameBytes(runId);
        List<TracedFrame> frames = new ArrayList<>();
        for (Frame f : client.frames(runId)) {
            frames.add(new TracedFrame(f, bytes.get(f.seq())));
        }
        List<TracedEvent> events = client.events(runId).stream().map(TracedEvent::new).toList();
        return new Trace(runId, r, frames, events);
    }

    /** A trace from steps already in hand (tests of the kit). */
    public static Trace of(List<Frame> frames, Map<Long, byte[]> bytes, List<Event> events) {
        return new Trace(0, null, frames.stream().map(f -> new TracedFrame(f, bytes.get(f.seq()))).toList(),
                events.stream().map(TracedEvent::new).toList());
    }

    public long runId() {
        return runId;
    }

    /** The run's status when the trace was read (null for a trace built from steps). */
    public Run run() {
        return run;
    }

    public List<TracedFrame> frames() {
        return frames;
    }

    public List<TracedEvent> events() {
        return events;
    }

    /** Frames and events in one order (see the class comment). */
    public List<Step> timeline() {
        return timeline;
    }

    /** The steps that match, in timeline order. */
    public List<Step> all(Match m) {
        return timeline.stream().filter(m::test).toList();
    }

    /** The frames that match, in timeline order. */
    public List<TracedFrame> frames(FrameMatch m) {
        return frames.stream().filter(m::testFrame).toList();
    }

    /** The events that match, in timeline order. */
    public List<TracedEvent> events(EventMatch m) {
        return timeline.stream().filter(m::test).map(TracedEvent.class::cast).toList();
    }

    public Optional<TracedFrame> first(FrameMatch m) {
        return frames.stream().filter(m::testFrame).findFirst();
    }

    public Optional<TracedEvent> first(EventMatch m) {
        return events(m).stream().findFirst();
    }

    /** Index in the timeline of the first step at or after {@code from} that matches, or -1. */
    public int indexOf(Match m, int from) {
        for (int i = Math.max(0, from); i < timeline.size(); i++) {
            if (m.test(timeline.get(i))) {
                return i;
            }
        }
        return -1;
    }

    /** The timeline's lines from {@code from} to {@code to} (exclusive), {@code mark} flagged with {@code >>}. */
    public String slice(int from, int to, int mark) {
        int a = Math.max(0, from);
        int b = Math.min(timeline.size(), to);
        StringBuilder sb = new StringBuilder();
        if (a > 0) {
            sb.append("      ... ").append(a).append(" earlier steps\n");
        }
        for (int i = a; i < b; i++) {
            sb.append(i == mark ? "   >> " : "      ").append(timeline.get(i).line()).append('\n');
        }
        if (b < timeline.size()) {
            sb.append("      ... ").append(timeline.size() - b).append(" later steps\n");
        }
        return sb.toString();
    }

    /** A few lines around timeline position {@code i}. */
    public String around(int i) {
        return slice(i - 6, i + 6, i);
    }

    /** Up to {@code max} lines of the steps that match, for "here is what happened instead". */
    public String lines(Match m, int max) {
        List<Step> s = all(m);
        String text = s.stream().limit(max).map(x -> "      " + x.line()).collect(Collectors.joining("\n"));
        return s.isEmpty() ? "      (none)" : text + (s.size() > max ? "\n      ... " + (s.size() - max) + " more" : "");
    }

    /** Every line of the timeline (for printing a whole run). */
    @Override
    public String toString() {
        return slice(0, timeline.size(), -1);
    }
}
