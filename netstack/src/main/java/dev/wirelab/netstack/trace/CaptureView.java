package dev.wirelab.netstack.trace;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which of a run's frames a capture file holds.
 *
 * <p>The bus sees a routed packet once on every segment it crosses. One file holding every frame of
 * every segment (one pcapng interface each) therefore holds each routed TCP segment several times,
 * and Wireshark, which follows a TCP conversation by its addresses and ports whatever the interface
 * (4.0; later versions can be told to tell interfaces apart, but not by default), takes the copies
 * for retransmissions and flags their overlapping data as errors. A capture taken at one place, as
 * tcpdump on one link or the per-link captures of GNS3 and containerlab, has no such copies.
 * {@link #CONVERSATIONS} is such a capture for each conversation, and the default.
 */
public enum CaptureView {

    /**
     * Each conversation once, from one segment: the first segment that carried both its directions
     * (normally its initiator's link), as tcpdump there would have seen it; frames of it routed onto
     * other segments are left out. A direction that never crosses that segment (asymmetric routes,
     * one-way flows) comes from the first segment it crossed, and so do ICMP errors about it.
     * Frames that are not IPv4 (ARP...) and broadcasts and multicasts stay, from every segment.
     * Wireshark's TCP analysis then sees each TCP segment once. See {@link ConversationFilter}.
     */
    CONVERSATIONS,

    /** Every frame of every segment: a routed packet once per segment it crossed. */
    ALL;

    /** The name used in options and query parameters: {@code conversations}, {@code all}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException naming the views, for anything else */
    public static CaptureView parse(String id) {
        for (CaptureView v : values()) {
            if (v.id().equals(id)) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown capture view '" + id + "' (views: conversations, all)");
    }

    /** The capture's section comment (Wireshark: Statistics, Capture File Properties). */
    public String comment() {
        return switch (this) {
            case CONVERSATIONS -> "Wirelab capture, view \"conversations\": each conversation once, from the first"
                    + " segment that carried both its directions; its frames on other segments are left out"
                    + " (view \"all\" has every frame of every segment)";
            case ALL -> "Wirelab capture, view \"all\": every frame of every segment; a routed packet shows once per"
                    + " segment it crossed, which Wireshark's TCP analysis takes for retransmissions";
        };
    }

    /** The frames of this view, in their order. */
    public List<CapturedFrame> select(List<CapturedFrame> frames) {
        if (this == ALL) {
            return frames;
        }
        ConversationFilter filter = new ConversationFilter();
        for (CapturedFrame f : frames) {
            filter.observe(f.segment(), f.bytes(), f.bytes().length);
        }
        filter.rewind();
        List<CapturedFrame> kept = new ArrayList<>();
        for (CapturedFrame f : frames) {
            if (filter.keep(f.segment(), f.bytes(), f.bytes().length)) {
                kept.add(f);
            }
        }
        return kept;
    }
}
