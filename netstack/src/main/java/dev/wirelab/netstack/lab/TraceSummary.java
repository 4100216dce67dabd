package dev.wirelab.netstack.lab;

import dev.wirelab.netstack.trace.CapturedFrame;
import dev.wirelab.netstack.trace.TraceEvent;
import dev.wirelab.netstack.wire.EthernetFrame;
import dev.wirelab.netstack.wire.FrameSummary;
import dev.wirelab.netstack.wire.Ipv4Packet;
import dev.wirelab.netstack.wire.WireFormatException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Counts and a merged timeline of a lab's frames and events, for people to read. */
public final class TraceSummary {

    private TraceSummary() {
    }

    /** The protocol a frame carries at its highest layer we decode: ARP, ICMP, UDP, TCP, IPv4-fragment, other. */
    public static String protocol(byte[] frame) {
        try {
            EthernetFrame eth = EthernetFrame.parse(frame);
            if (eth.etherType() == EthernetFrame.ETHERTYPE_ARP) {
                return "ARP";
            }
            if (eth.etherType() != EthernetFrame.ETHERTYPE_IPV4) {
                return String.format("ethertype-0x%04x", eth.etherType());
            }
            Ipv4Packet ip = Ipv4Packet.parse(eth.payload(), 0, eth.payload().length);
            if (ip.fragmentOffset() != 0) {
                return "IPv4-fragment";
            }
            return switch (ip.protocol()) {
                case Ipv4Packet.PROTOCOL_ICMP -> "ICMP";
                case Ipv4Packet.PROTOCOL_UDP -> "UDP";
                case Ipv4Packet.PROTOCOL_TCP -> "TCP";
                default -> "IPv4-proto-" + ip.protocol();
            };
        } catch (WireFormatException e) {
            return "malformed";
        }
    }

    /** Multi-line summary: frames per segment and protocol, events per layer.kind, drops. */
    public static List<String> summarize(List<CapturedFrame> frames, List<TraceEvent> events, long endNanos) {
        Counts c = new Counts();
        for (CapturedFrame f : frames) {
            c.frame(f.segment(), f.bytes());
        }
        for (TraceEvent e : events) {
            c.event(e);
        }
        return c.summary(endNanos);
    }

    /**
     * What the summary needs, counted as frames and events go by, so that a run need not keep its
     * trace in memory to be summarized. Thread-safe.
     */
    public static final class Counts {
        private final Map<String, Long> bySegment = new TreeMap<>();
        private final Map<String, Long> byProtocol = new TreeMap<>();
        private final Map<String, Long> byKind = new HashMap<>();
        private final Map<String, Long> drops = new HashMap<>();
        private long frames;
        private long bytes;
        private long events;

        public synchronized void frame(String segment, byte[] frame) {
            frames++;
            bytes += frame.length;
            bySegment.merge(segment, 1L, Long::sum);
            byProtocol.merge(protocol(frame), 1L, Long::sum);
        }

        public synchronized void event(TraceEvent e) {
            events++;
            byKind.merge(e.layer() + "." + e.kind(), 1L, Long::sum);
            if (e.kind().equals("drop")) {
                drops.merge(e.node() + " " + e.layer() + " " + e.detail().getOrDefault("reason", "?"), 1L, Long::sum);
            }
        }

        public synchronized long frames() {
            return frames;
        }

        public synchronized long events() {
            return events;
        }

        /** How many events of {@code layer.kind} went by. */
        public synchronized long events(String layerKind) {
            return byKind.getOrDefault(layerKind, 0L);
        }

        public synchronized List<String> summary(long endNanos) {
            List<String> out = new ArrayList<>();
            out.add(String.format(Locale.ROOT, "Trace: %d frames (%d bytes), %d events, %.6f s of lab time",
                    frames, bytes, events, endNanos / 1e9));
            out.add("  frames by segment:  " + join(bySegment));
            out.add("  frames by protocol: " + join(byProtocol));
            out.add("  events by kind:     " + join(new TreeMap<>(byKind)));
            out.add("  drops:              " + (drops.isEmpty() ? "none" : drops.size() <= MAX_DROP_LINES
                    ? join(new TreeMap<>(drops)) : largest(drops)));
            return out;
        }
    }

    /** Node/reason pairs the drops line lists one by one; a bigger lab gets its largest and a total. */
    static final int MAX_DROP_LINES = 20;

    private static String largest(Map<String, Long> drops) {
        List<Map.Entry<String, Long>> l = new ArrayList<>(drops.entrySet());
        l.sort(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
        Map<String, Long> top = new java.util.LinkedHashMap<>();
        long rest = 0;
        for (int i = 0; i < l.size(); i++) {
            if (i < MAX_DROP_LINES) {
                top.put(l.get(i).getKey(), l.get(i).getValue());
            } else {
                rest += l.get(i).getValue();
            }
        }
        return join(top) + " ... and " + (l.size() - MAX_DROP_LINES) + " more node/reason pairs with " + rest + " drops"
                + " (every event is in the events file)";
    }

    /** One event as a timeline line. */
    public static String line(TraceEvent e) {
        StringBuilder sb = new StringBuilder(96);
        appendLine(sb, e);
        return sb.toString();
    }

    /**
     * Appends what {@code String.format("%12.6f  %-8s %s.%s %s", seconds, node, layer, kind, detail)}
     * gives, without the formatter (the events file takes a line per event, millions in a big lab).
     */
    public static void appendLine(StringBuilder sb, TraceEvent e) {
        long t = e.timeNanos();
        boolean negative = t < 0;
        long micros = (Math.abs(t) + 500) / 1000; // %f rounds half up
        String whole = (negative ? "-" : "") + (micros / 1_000_000);
        String frac = Long.toString(1_000_000 + micros % 1_000_000).substring(1);
        for (int i = whole.length() + 7; i < 12; i++) {
            sb.append(' ');
        }
        sb.append(whole).append('.').append(frac).append("  ").append(e.node());
        for (int i = e.node().length(); i < 8; i++) {
            sb.append(' ');
        }
        sb.append(' ').append(e.layer()).append('.').append(e.kind()).append(' ').append(e.detail());
    }

    /** Frames and events merged in time order (frames first at equal times), one line each. */
    public static List<String> timeline(List<CapturedFrame> frames, List<TraceEvent> events) {
        // In real time, loops on different threads record slightly out of order: sort (stable) first.
        frames = frames.stream().sorted(java.util.Comparator.comparingLong(CapturedFrame::timeNanos)).toList();
        events = events.stream().sorted(java.util.Comparator.comparingLong(TraceEvent::timeNanos)).toList();
        List<String> out = new ArrayList<>(frames.size() + events.size());
        int i = 0;
        int j = 0;
        while (i < frames.size() || j < events.size()) {
            boolean frameNext = j >= events.size()
                    || (i < frames.size() && frames.get(i).timeNanos() <= events.get(j).timeNanos());
            if (frameNext) {
                CapturedFrame f = frames.get(i++);
                out.add(String.format(Locale.ROOT, "%12.6f  [%s] %-10s %s", f.timeNanos() / 1e9, f.segment(),
                        f.ingressPort(), FrameSummary.describe(f.bytes())));
            } else {
                TraceEvent e = events.get(j++);
                out.add(line(e));
            }
        }
        return out;
    }

    private static String join(Map<String, ? extends Number> m) {
        if (m.isEmpty()) {
            return "none";
        }
        StringBuilder sb = new StringBuilder();
        m.forEach((k, v) -> sb.append(sb.isEmpty() ? "" : ", ").append(k).append(' ').append(v));
        return sb.toString();
    }
}
