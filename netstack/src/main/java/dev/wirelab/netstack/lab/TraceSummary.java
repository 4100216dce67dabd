package dev.wirelab.netstack.lab;

import dev.wirelab.netstack.trace.CapturedFrame;
import dev.wirelab.netstack.trace.TraceEvent;
import dev.wirelab.netstack.wire.EthernetFrame;
import dev.wirelab.netstack.wire.FrameSummary;
import dev.wirelab.netstack.wire.Ipv4Packet;
import dev.wirelab.netstack.wire.WireFormatException;

import java.util.ArrayList;
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
        Map<String, Integer> bySegment = new TreeMap<>();
        Map<String, Integer> byProtocol = new TreeMap<>();
        long bytes = 0;
        for (CapturedFrame f : frames) {
            bySegment.merge(f.segment(), 1, Integer::sum);
            byProtocol.merge(protocol(f.bytes()), 1, Integer::sum);
            bytes += f.bytes().length;
        }
        Map<String, Integer> byKind = new TreeMap<>();
        Map<String, Integer> drops = new TreeMap<>();
        for (TraceEvent e : events) {
            byKind.merge(e.layer() + "." + e.kind(), 1, Integer::sum);
            if (e.kind().equals("drop")) {
                drops.merge(e.node() + " " + e.layer() + " " + e.detail().getOrDefault("reason", "?"), 1, Integer::sum);
            }
        }
        List<String> out = new ArrayList<>();
        out.add(String.format(Locale.ROOT, "Trace: %d frames (%d bytes), %d events, %.6f s of lab time",
                frames.size(), bytes, events.size(), endNanos / 1e9));
        out.add("  frames by segment:  " + join(bySegment));
        out.add("  frames by protocol: " + join(byProtocol));
        out.add("  events by kind:     " + join(byKind));
        out.add("  drops:              " + (drops.isEmpty() ? "none" : join(drops)));
        return out;
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
                out.add(String.format(Locale.ROOT, "%12.6f  %-8s %s.%s %s", e.timeNanos() / 1e9, e.node(), e.layer(),
                        e.kind(), e.detail()));
            }
        }
        return out;
    }

    private static String join(Map<String, Integer> m) {
        if (m.isEmpty()) {
            return "none";
        }
        StringBuilder sb = new StringBuilder();
        m.forEach((k, v) -> sb.append(sb.isEmpty() ? "" : ", ").append(k).append(' ').append(v));
        return sb.toString();
    }
}
