package dev.wirelab.kit.trace;

import java.util.function.Predicate;

/** A condition on frames; narrowed step by step: {@code Frames.dhcp("OFFER").on("home").to("192.168.1.100")}. */
public final class FrameMatch extends Match {

    private final Predicate<TracedFrame> frameTest;

    FrameMatch(String description, Predicate<TracedFrame> test, Match family) {
        super(description, s -> s instanceof TracedFrame f && test.test(f), family);
        this.frameTest = test;
    }

    /** A frame that also passes {@code more}, described by {@code words}. */
    public FrameMatch where(String words, Predicate<TracedFrame> more) {
        return new FrameMatch(description() + " " + words, f -> frameTest.test(f) && more.test(f), family());
    }

    /** On this segment. */
    public FrameMatch on(String segment) {
        return where("on " + segment, f -> segment.equals(f.segment()));
    }

    /** Sent onto its segment by this node. */
    public FrameMatch sentBy(String node) {
        return where("sent by " + node, f -> node.equals(f.sender()));
    }

    /** From this IPv4 source address (or MAC, for frames without IPv4). */
    public FrameMatch from(String address) {
        return where("from " + address, f -> address.equals(f.summary().srcIp()) || address.equalsIgnoreCase(f.summary().srcMac()));
    }

    /** To this IPv4 destination address (or MAC). */
    public FrameMatch to(String address) {
        return where("to " + address, f -> address.equals(f.summary().dstIp()) || address.equalsIgnoreCase(f.summary().dstMac()));
    }

    /** After this lab time (ns), inclusive. */
    public FrameMatch after(long timeNanos) {
        return where("after " + timeNanos / 1e9 + " s", f -> f.timeNanos() >= timeNanos);
    }

    public boolean testFrame(TracedFrame f) {
        return frameTest.test(f);
    }
}
