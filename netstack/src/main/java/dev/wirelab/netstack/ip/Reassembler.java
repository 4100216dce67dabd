package dev.wirelab.netstack.ip;

import dev.wirelab.netstack.wire.Ipv4Address;
import dev.wirelab.netstack.wire.Ipv4Packet;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * IPv4 reassembly with the hole-descriptor algorithm of RFC 815. Pure state: the caller passes
 * the time in and calls {@link #expire(long)} at {@link #nextDeadline()}.
 *
 * <p>RFC 791 section 3.2: fragments belong together when source, destination, protocol and
 * identification agree. The reassembled datagram takes the header of fragment 0.
 */
public final class Reassembler {

    /** Linux's ipfrag_time; RFC 1122 section 3.3.2 recommends 60-120 s, RFC 791 suggests 15 s at least. */
    public static final long DEFAULT_TIMEOUT_NANOS = 30_000_000_000L;
    public static final int DEFAULT_MAX_BUFFERS = 64;
    private static final int MAX_DATAGRAM = 65_535;

    /** Fragments are matched on these four fields (RFC 791 section 3.2). */
    public record Key(Ipv4Address source, Ipv4Address destination, int protocol, int identification) {
    }

    /** What happened to one fragment. */
    public sealed interface Result {
    }

    /** The datagram is whole again. */
    public record Complete(Ipv4Packet packet, int fragments) implements Result {
    }

    /** Stored; more fragments are awaited. */
    public record Pending(Key key, int holes) implements Result {
    }

    /** The fragment cannot belong to any valid datagram and was dropped. */
    public record Rejected(String reason) implements Result {
    }

    /** A datagram that timed out or was evicted; {@code first} is fragment 0 when it arrived, else null. */
    public record Expired(Key key, Ipv4Packet first, int fragmentsReceived, String reason) {
    }

    private static final class Hole {
        int first;
        int last; // inclusive; Integer.MAX_VALUE = "infinity" of RFC 815

        Hole(int first, int last) {
            this.first = first;
            this.last = last;
        }
    }

    private static final class Buffer {
        final long deadline;
        final List<Hole> holes = new ArrayList<>();
        byte[] data = new byte[1024];
        int totalLength = -1; // payload length, known once the last fragment (MF = 0) arrived
        int storedEnd; // one past the highest payload byte stored so far
        Ipv4Packet first;
        int fragments;

        Buffer(long deadline) {
            this.deadline = deadline;
            holes.add(new Hole(0, Integer.MAX_VALUE));
        }
    }

    private final long timeoutNanos;
    private final int maxBuffers;
    private final Map<Key, Buffer> buffers = new LinkedHashMap<>(); // insertion order = age order

    public Reassembler() {
        this(DEFAULT_TIMEOUT_NANOS, DEFAULT_MAX_BUFFERS);
    }

    public Reassembler(long timeoutNanos, int maxBuffers) {
        this.timeoutNanos = timeoutNanos;
        this.maxBuffers = maxBuffers;
    }

    /**
     * Adds one fragment ({@code fragment.isFragment()} must be true).
     *
     * @param evicted receives a datagram pushed out when the buffer limit is reached
     */
    public Result add(Ipv4Packet fragment, long now, List<Expired> evicted) {
        byte[] payload = fragment.payload();
        int first = fragment.fragmentOffset();
        int last = first + payload.length - 1;
        boolean more = fragment.moreFragments();
        if (first + payload.length + 20 > MAX_DATAGRAM) {
            return new Rejected("fragment_beyond_65535");
        }
        if (more && (payload.length == 0 || payload.length % 8 != 0)) {
            // RFC 791 section 3.2: all fragments but the last carry a multiple of 8 octets.
            return new Rejected("fragment_length_not_multiple_of_8");
        }
        Key key = new Key(fragment.source(), fragment.destination(), fragment.protocol(), fragment.identification());
        Buffer buf = buffers.get(key);
        if (buf == null) {
            while (buffers.size() >= maxBuffers) {
                Iterator<Map.Entry<Key, Buffer>> it = buffers.entrySet().iterator();
                Map.Entry<Key, Buffer> oldest = it.next();
                it.remove();
                Buffer b = oldest.getValue();
                evicted.add(new Expired(oldest.getKey(), b.first, b.fragments, "reassembly_buffers_full"));
            }
            buf = new Buffer(now + timeoutNanos);
            buffers.put(key, buf);
        }
        if (buf.totalLength >= 0 && (last >= buf.totalLength || (!more && last + 1 != buf.totalLength))) {
            return new Rejected("fragment_beyond_end");
        }
        if (!more) {
            // Data already stored past this "last" fragment contradicts it.
            if (buf.storedEnd > last + 1) {
                return new Rejected("fragment_beyond_end");
            }
            buf.totalLength = last + 1;
        }
        ensureCapacity(buf, last + 1);
        System.arraycopy(payload, 0, buf.data, first, payload.length);
        buf.fragments++;
        buf.storedEnd = Math.max(buf.storedEnd, last + 1);
        if (first == 0) {
            buf.first = fragment;
        }
        // RFC 815 section 3, steps 1-8: every hole the fragment touches is replaced by the parts it leaves open.
        List<Hole> next = new ArrayList<>(buf.holes.size() + 1);
        for (Hole h : buf.holes) {
            if (first > h.last || last < h.first) { // steps 2 and 3: no overlap
                next.add(h);
                continue;
            }
            if (first > h.first) { // step 5
                next.add(new Hole(h.first, first - 1));
            }
            if (last < h.last && more) { // step 6
                next.add(new Hole(last + 1, h.last));
            }
        }
        if (buf.totalLength >= 0) {
            // The end is known: no hole may lie beyond it.
            int end = buf.totalLength;
            next.removeIf(h -> h.first >= end);
            for (Hole h : next) {
                if (h.last >= end) {
                    h.last = end - 1;
                }
            }
        }
        buf.holes.clear();
        buf.holes.addAll(next);
        if (!buf.holes.isEmpty()) {
            return new Pending(key, buf.holes.size());
        }
        buffers.remove(key);
        Ipv4Packet f0 = buf.first;
        if (f0.headerLength() + buf.totalLength > MAX_DATAGRAM) {
            // Fragment 0's options plus the data would not fit a total length field.
            return new Rejected("reassembled_datagram_too_long");
        }
        byte[] whole = java.util.Arrays.copyOf(buf.data, buf.totalLength);
        // RFC 791 section 3.2: the reassembled datagram gets fragment 0's header, MF = 0, offset 0.
        Ipv4Packet packet = new Ipv4Packet(f0.tos(), f0.identification(), f0.dontFragment(), false, 0, f0.ttl(),
                f0.protocol(), f0.source(), f0.destination(), f0.options(), whole);
        return new Complete(packet, buf.fragments);
    }

    private static void ensureCapacity(Buffer buf, int size) {
        if (buf.data.length < size) {
            buf.data = java.util.Arrays.copyOf(buf.data, Math.max(size, Math.min(MAX_DATAGRAM, buf.data.length * 2)));
        }
    }

    /** Removes and returns every datagram whose timer ran out (RFC 791: "the reassembly timer"). */
    public List<Expired> expire(long now) {
        List<Expired> out = new ArrayList<>();
        Iterator<Map.Entry<Key, Buffer>> it = buffers.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Key, Buffer> e = it.next();
            Buffer b = e.getValue();
            if (b.deadline <= now) {
                it.remove();
                out.add(new Expired(e.getKey(), b.first, b.fragments, "reassembly_timeout"));
            }
        }
        return out;
    }

    /** Earliest time a buffer expires, or {@code Long.MAX_VALUE} with nothing pending. */
    public long nextDeadline() {
        long d = Long.MAX_VALUE;
        for (Buffer b : buffers.values()) {
            d = Math.min(d, b.deadline);
        }
        return d;
    }

    public int pending() {
        return buffers.size();
    }
}
