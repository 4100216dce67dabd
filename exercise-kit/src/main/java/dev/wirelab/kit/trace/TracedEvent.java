package dev.wirelab.kit.trace;

import dev.wirelab.kit.client.Event;

/** A stack event on the timeline. */
public record TracedEvent(Event event) implements Step {

    @Override
    public long timeNanos() {
        return event.timeNanos();
    }

    public String node() {
        return event.node();
    }

    public String layer() {
        return event.layer();
    }

    public String kind() {
        return event.kind();
    }

    /** A detail field as text, or null. */
    public String detail(String key) {
        return event.detail(key);
    }

    @Override
    public String line() {
        String d = event.detail() == null ? "" : " " + event.detail();
        if (d.length() > 400) {
            d = d.substring(0, 397) + "...";
        }
        return String.format(java.util.Locale.ROOT, "%12.6f  event  %-9s %s%s", timeNanos() / 1e9, node(),
                event.name(), d);
    }

    @Override
    public String toString() {
        return line();
    }
}
