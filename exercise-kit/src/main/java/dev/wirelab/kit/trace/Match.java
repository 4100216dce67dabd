package dev.wirelab.kit.trace;

import java.util.Objects;
import java.util.function.Predicate;

/**
 * A condition on a step of the timeline, with the words that describe it in a failure message,
 * and its family: the broader steps to show when none matches (for "a DHCP OFFER on home", every
 * DHCP frame), so the student sees what happened instead.
 */
public class Match {

    private final String description;
    private final Predicate<Step> test;
    private final Match family;

    protected Match(String description, Predicate<Step> test, Match family) {
        this.description = Objects.requireNonNull(description);
        this.test = Objects.requireNonNull(test);
        this.family = family;
    }

    /** Any step that passes {@code test}. */
    public static Match of(String description, Predicate<Step> test) {
        return new Match(description, test, null);
    }

    public boolean test(Step s) {
        return test.test(s);
    }

    public String description() {
        return description;
    }

    /** The broader match whose steps are shown when this one finds none (null: the whole timeline's start). */
    public Match family() {
        return family;
    }

    public Match and(Match other) {
        return new Match(description + " and " + other.description, s -> test(s) && other.test(s), family);
    }

    public Match or(Match other) {
        return new Match(description + " or " + other.description, s -> test(s) || other.test(s), family);
    }

    @Override
    public String toString() {
        return description;
    }
}
