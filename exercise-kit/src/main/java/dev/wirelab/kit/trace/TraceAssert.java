package dev.wirelab.kit.trace;

import org.assertj.core.api.AbstractAssert;
import org.assertj.core.api.Assertions;
import org.assertj.core.api.ListAssert;

import java.util.ArrayList;
import java.util.List;

/**
 * Assertions on a stored trace, AssertJ style. A failure prints the part of the timeline that
 * matters (the steps around the mismatch, or the steps of the same kind that did happen), so a
 * student reads what the network did rather than a stack trace.
 */
public final class TraceAssert extends AbstractAssert<TraceAssert, Trace> {

    TraceAssert(Trace actual) {
        super(actual, TraceAssert.class);
    }

    private String context(Match m) {
        Match family = m.family();
        return family == null
                ? "The timeline begins:\n" + actual.slice(0, 12, -1)
                : "What the trace has of " + family.description() + ":\n" + actual.lines(family, 12);
    }

    private void fail(String message) {
        failWithMessage("%s", message);
    }

    /** Some step matches. */
    public TraceAssert has(Match m) {
        isNotNull();
        if (actual.indexOf(m, 0) < 0) {
            fail("Expected " + m.description() + ", but there was none.\n" + context(m));
        }
        return this;
    }

    /** No step matches. */
    public TraceAssert hasNo(Match m) {
        isNotNull();
        int i = actual.indexOf(m, 0);
        if (i >= 0) {
            fail("Expected no " + m.description() + ", but found one:\n" + actual.around(i));
        }
        return this;
    }

    /** Exactly {@code n} steps match. */
    public TraceAssert hasCount(Match m, int n) {
        isNotNull();
        int found = actual.all(m).size();
        if (found != n) {
            fail("Expected " + n + " x " + m.description() + ", but found " + found + ":\n" + actual.lines(m, 20));
        }
        return this;
    }

    /** At least {@code n} steps match. */
    public TraceAssert hasAtLeast(Match m, int n) {
        isNotNull();
        int found = actual.all(m).size();
        if (found < n) {
            fail("Expected at least " + n + " x " + m.description() + ", but found " + found + ":\n"
                    + (found == 0 ? context(m) : actual.lines(m, 20)));
        }
        return this;
    }

    /** Steps match these in this order, with anything between them. */
    public TraceAssert containsSubsequence(Match... steps) {
        isNotNull();
        int at = 0;
        int lastFound = -1;
        for (int k = 0; k < steps.length; k++) {
            int i = actual.indexOf(steps[k], at);
            if (i < 0) {
                StringBuilder sb = new StringBuilder("Expected in this order:\n");
                for (int j = 0; j < steps.length; j++) {
                    sb.append(j < k ? "   ok  " : j == k ? "   --> " : "       ").append(steps[j].description()).append('\n');
                }
                int earlier = actual.indexOf(steps[k], 0);
                if (lastFound < 0) {
                    sb.append("but there was no ").append(steps[k].description()).append(".\n").append(context(steps[k]));
                } else if (earlier >= 0) {
                    sb.append("but the only ").append(steps[k].description()).append(" came before ")
                            .append(steps[k - 1].description()).append(" (>>):\n")
                            .append(actual.slice(earlier - 3, lastFound + 4, earlier));
                } else {
                    sb.append("but after ").append(steps[k - 1].description()).append(" (>>) there was no ")
                            .append(steps[k].description()).append(":\n").append(actual.around(lastFound))
                            .append(context(steps[k]));
                }
                fail(sb.toString());
            }
            lastFound = i;
            at = i + 1;
        }
        return this;
    }

    /** The first step that matches {@code earlier} comes before the first that matches {@code later}. */
    public TraceAssert happensBefore(Match earlier, Match later) {
        isNotNull();
        int a = actual.indexOf(earlier, 0);
        int b = actual.indexOf(later, 0);
        if (a < 0) {
            fail("Expected " + earlier.description() + " before " + later.description() + ", but there was no "
                    + earlier.description() + ".\n" + context(earlier));
        }
        if (b < 0) {
            fail("Expected " + later.description() + " after " + earlier.description() + ", but there was no "
                    + later.description() + ".\n" + context(later));
        }
        if (b < a) {
            fail("Expected " + earlier.description() + " before " + later.description() + ", but it came after it (>>"
                    + " marks " + later.description() + "):\n" + actual.slice(b - 3, a + 4, b));
        }
        return this;
    }

    /**
     * The TCP states a node's connections went through, in order ({@code SYN_SENT, ESTABLISHED,
     * FIN_WAIT_1, ...}), of the connections whose local or remote endpoint contains {@code endpoint}
     * (e.g. {@code ":80"}; null for all).
     */
    public ListAssert<String> tcpStates(String node, String endpoint) {
        isNotNull();
        List<TracedEvent> changes = actual.events(Events.of(node, "tcp", "state")).stream()
                .filter(e -> endpoint == null || contains(e.detail("local"), endpoint) || contains(e.detail("remote"), endpoint))
                .toList();
        List<String> states = changes.stream().map(e -> e.detail("to")).toList();
        StringBuilder sb = new StringBuilder("TCP states of " + node + (endpoint == null ? "" : " (" + endpoint + ")")
                + "; its state changes:\n");
        changes.stream().limit(30).forEach(e -> sb.append("      ").append(e.line()).append('\n'));
        return Assertions.assertThat(states).as(sb.toString());
    }

    /**
     * A listener's SYN queue length over time (half-open connections), one entry per {@code tcp/queue}
     * event of the node whose local endpoint contains {@code local} (e.g. {@code ":80"}).
     */
    public ListAssert<Integer> synQueue(String node, String local) {
        return queue(node, local, "syn_queue");
    }

    /** A listener's accept queue length over time (connections waiting for accept()). */
    public ListAssert<Integer> acceptQueue(String node, String local) {
        return queue(node, local, "accept_queue");
    }

    private ListAssert<Integer> queue(String node, String local, String field) {
        isNotNull();
        List<TracedEvent> changes = actual.events(Events.of(node, "tcp", "queue")).stream()
                .filter(e -> e.detail(field) != null && contains(e.detail("local"), local)).toList();
        StringBuilder sb = new StringBuilder(field + " of " + node + " (" + local + ") over time; its queue events:\n");
        changes.stream().limit(30).forEach(e -> sb.append("      ").append(e.line()).append('\n'));
        return Assertions.assertThat(changes.stream().map(e -> Integer.parseInt(e.detail(field))).toList()).as(sb.toString());
    }

    /** The DNS servers a node sent queries to, in order (one entry per query, retries included). */
    public ListAssert<String> dnsServersAskedBy(String node) {
        isNotNull();
        List<TracedFrame> queries = new ArrayList<>();
        for (TracedFrame f : actual.frames()) {
            if (f.dns() != null && !f.dns().isResponse() && node.equals(f.sender()) && f.udp() != null
                    && f.udp().destinationPort() == 53) {
                queries.add(f);
            }
        }
        StringBuilder sb = new StringBuilder("DNS servers asked by " + node + "; its queries:\n");
        queries.stream().limit(30).forEach(f -> sb.append("      ").append(f.line()).append('\n'));
        return Assertions.assertThat(queries.stream().map(f -> f.summary().dstIp()).toList()).as(sb.toString());
    }

    private static boolean contains(String s, String part) {
        return s != null && s.contains(part);
    }
}
