package dev.wirelab.kit.trace;

import java.util.function.Predicate;

/** A condition on stack events: {@code Events.of("pc1", "tcp", "state").with("to", "TIME_WAIT")}. */
public final class EventMatch extends Match {

    private final Predicate<TracedEvent> eventTest;

    EventMatch(String description, Predicate<TracedEvent> test, Match family) {
        super(description, s -> s instanceof TracedEvent e && test.test(e), family);
        this.eventTest = test;
    }

    /** An event that also passes {@code more}, described by {@code words}. */
    public EventMatch where(String words, Predicate<TracedEvent> more) {
        return new EventMatch(description() + " " + words, e -> eventTest.test(e) && more.test(e), family());
    }

    /** Whose detail field {@code key} reads {@code value}. */
    public EventMatch with(String key, String value) {
        return where(key + "=" + value, e -> value.equals(e.detail(key)));
    }

    /** Whose detail field {@code key} contains {@code part}. */
    public EventMatch withContaining(String key, String part) {
        return where(key + "~" + part, e -> e.detail(key) != null && e.detail(key).contains(part));
    }
}
