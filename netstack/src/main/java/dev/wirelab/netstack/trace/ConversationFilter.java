package dev.wirelab.netstack.trace;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Chooses the frames of {@link CaptureView#CONVERSATIONS}, in two passes over the same frames in
 * the same order: {@link #observe} each one, {@link #rewind}, then ask {@link #keep} of each one.
 * Only the first {@link #HEADER_BYTES} bytes of a frame are read, so a first pass may be fed
 * headers only.
 *
 * <p>A conversation is what Wireshark follows as one: TCP and UDP by addresses and ports (both
 * directions alike; a TCP connection also by its initiator's ISN, so two connections that happen to
 * share addresses and ports on two segments, say behind two NATs, stay two), an ICMP echo by
 * addresses and identifier, any other IPv4 protocol by addresses. An ICMP error belongs to the
 * conversation of the datagram it quotes; a fragment to that of its datagram. The conversation is
 * kept from one segment, its home: the first segment on which both its directions were seen, as
 * tcpdump there would have seen it. A direction, or the ICMP errors of one direction, never seen on
 * the home segment (asymmetric routes, a one-way flow) is kept from the first segment it was seen on
 * instead, so each shows from somewhere. As from any one place, a packet lost before it reached the
 * home segment is not in the view (view "all" has it). Frames that are not IPv4, and broadcasts,
 * multicasts and datagrams from 0.0.0.0 (DHCP), are link-local: always kept.
 */
public final class ConversationFilter {

    /** How far into a frame the filter reads: Ethernet, two VLAN tags, IPv4, ICMP, a quoted IPv4 and TCP header. */
    public static final int HEADER_BYTES = 14 + 8 + 60 + 8 + 60 + 20;

    private static final int PROTOCOL_ICMP = 1;
    private static final int PROTOCOL_TCP = 6;
    private static final int PROTOCOL_UDP = 17;
    private static final int PROTOCOL_UDPLITE = 136;
    private static final int PROTOCOL_SCTP = 132;
    /** Stream numbers: the conversation's own packets, and ICMP errors about it, per direction. */
    private static final int REGULAR = 0;
    private static final int ERROR = 2;
    /** Datagrams remembered for their later fragments (as a reassembly queue would, bounded). */
    private static final int DATAGRAMS = 1 << 16;

    /** Endpoints are (address << 16 | port), {@code low} <= {@code high} unsigned; {@code extra}: ISN or identifier. */
    private record Key(int protocol, long low, long high, long extra) {
    }

    /** RFC 791 section 3.2: the fields that tell fragments of one datagram from those of others. */
    private record Datagram(int source, int destination, int protocol, int identification) {
    }

    /** A TCP connection's addresses and ports, on one segment or (segment -1) any. */
    private record Tuple(long low, long high, int segment) {
    }

    private record Ref(Conversation conversation, int stream) {
    }

    private static final class Conversation {
        /** By stream: the first segment it was seen on. */
        final int[] first = {-1, -1, -1, -1};
        /** The segments the conversation was seen on, in order, each with the streams seen there (bits). */
        int[] segments = new int[2];
        byte[] streams = new byte[2];
        int count;
        int home = -2; // not computed yet

        void seen(int stream, int segment) {
            if (first[stream] < 0) {
                first[stream] = segment;
            }
            int i = indexOf(segment);
            if (i < 0) {
                if (count == segments.length) {
                    segments = java.util.Arrays.copyOf(segments, count * 2);
                    streams = java.util.Arrays.copyOf(streams, count * 2);
                }
                i = count++;
                segments[i] = segment;
            }
            streams[i] |= (byte) (1 << stream);
        }

        boolean keeps(int stream, int segment) {
            if (first[stream] < 0) {
                return true; // not seen in the first pass: the two passes differ; keep rather than lose it
            }
            if (home == -2) {
                home = -1;
                for (int i = 0; i < count; i++) {
                    if ((streams[i] & 3) == 3) {
                        home = segments[i];
                        break;
                    }
                }
            }
            int h = home < 0 ? -1 : indexOf(home);
            if (h >= 0 && (streams[h] & (1 << stream)) != 0) {
                return segment == home;
            }
            return segment == first[stream];
        }

        private int indexOf(int segment) {
            for (int i = 0; i < count; i++) {
                if (segments[i] == segment) {
                    return i;
                }
            }
            return -1;
        }
    }

    private final Map<String, Integer> segmentIds = new HashMap<>();
    private final Map<Key, Conversation> conversations = new HashMap<>();
    // What the classification learns as frames go by; cleared by rewind() so both passes see it grow alike.
    private final Map<Tuple, Long> connections = new HashMap<>();
    private final Map<Datagram, Ref> datagrams = new LinkedHashMap<>(256, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Datagram, Ref> eldest) {
            return size() > DATAGRAMS;
        }
    };
    private boolean keeping;

    /** First pass: a frame seen on {@code segment} (its first {@code length} bytes, at most {@link #HEADER_BYTES}). */
    public void observe(String segment, byte[] frame, int length) {
        if (keeping) {
            throw new IllegalStateException("observe() after rewind()");
        }
        int s = segmentIds.computeIfAbsent(segment, k -> segmentIds.size());
        Ref r = classify(s, frame, Math.min(Math.min(length, frame.length), HEADER_BYTES));
        if (r != null) {
            r.conversation.seen(r.stream, s);
        }
    }

    /** Ends the first pass. */
    public void rewind() {
        keeping = true;
        connections.clear();
        datagrams.clear();
    }

    /** Second pass, the same frames in the same order: whether this one belongs in the view. */
    public boolean keep(String segment, byte[] frame, int length) {
        if (!keeping) {
            throw new IllegalStateException("keep() before rewind()");
        }
        Integer s = segmentIds.get(segment);
        if (s == null) {
            return true;
        }
        Ref r = classify(s, frame, Math.min(Math.min(length, frame.length), HEADER_BYTES));
        return r == null || r.conversation.keeps(r.stream, s);
    }

    /** The conversation and stream of a frame, or null for a frame kept on every segment. */
    private Ref classify(int segment, byte[] f, int n) {
        if (n < 14 || (f[0] & 1) != 0) {
            return null; // IEEE 802: the group bit of the destination, broadcast or multicast
        }
        int type = u16(f, 12);
        int at = 14;
        while ((type == 0x8100 || type == 0x88A8) && at + 4 <= n) {
            type = u16(f, at + 2);
            at += 4;
        }
        return type == 0x0800 ? ipv4(segment, f, at, n, false) : null;
    }

    private Ref ipv4(int segment, byte[] f, int ip, int n, boolean quoted) {
        if (ip + 20 > n || (f[ip] & 0xF0) != 0x40 || (f[ip] & 0x0F) < 5) {
            return null;
        }
        int source = i32(f, ip + 12);
        int destination = i32(f, ip + 16);
        if (!quoted && (destination == -1 || (destination >>> 28) == 0xE || source == 0)) {
            return null; // limited broadcast, multicast, "this host" (RFC 1122 section 3.2.1.3): link-local
        }
        int protocol = f[ip + 9] & 0xFF;
        int flags = u16(f, ip + 6);
        boolean dontFragment = (flags & 0x4000) != 0;
        boolean moreFragments = (flags & 0x2000) != 0;
        Datagram datagram = new Datagram(source, destination, protocol, u16(f, ip + 4));
        if ((flags & 0x1FFF) != 0) {
            // A later fragment: no ports; it belongs where its datagram's first fragment did.
            Ref r = datagrams.get(datagram);
            return r != null ? r : ref(new Key(protocol, low(source, destination), high(source, destination), -1),
                    REGULAR + direction(source, destination));
        }
        int l4 = ip + (f[ip] & 0x0F) * 4;
        Ref r;
        if (protocol == PROTOCOL_ICMP && l4 + 8 <= n && isError(f[l4] & 0xFF) && !quoted) {
            // An ICMP error goes with the conversation it quotes, in the direction back to its source.
            Ref q = ipv4(segment, f, l4 + 8, n, true);
            r = q != null ? new Ref(q.conversation, ERROR + 1 - (q.stream & 1))
                    : ref(new Key(protocol, low(source, destination), high(source, destination), -1),
                    REGULAR + direction(source, destination));
        } else if ((protocol == PROTOCOL_TCP || protocol == PROTOCOL_UDP || protocol == PROTOCOL_UDPLITE
                || protocol == PROTOCOL_SCTP) && l4 + 4 <= n) {
            long a = (source & 0xFFFFFFFFL) << 16 | u16(f, l4);
            long b = (destination & 0xFFFFFFFFL) << 16 | u16(f, l4 + 2);
            long lo = Long.min(a, b);
            long hi = Long.max(a, b);
            long extra = protocol == PROTOCOL_TCP ? connection(segment, lo, hi, a == lo, f, l4, n, quoted) : -1;
            r = ref(new Key(protocol, lo, hi, extra), REGULAR + (a == lo ? 0 : 1));
        } else if (protocol == PROTOCOL_ICMP && l4 + 8 <= n && hasIdentifier(f[l4] & 0xFF)) {
            // RFC 792: echo, timestamp, information (and RFC 950 address mask) pair up by identifier.
            r = ref(new Key(protocol, low(source, destination), high(source, destination), u16(f, l4 + 4)),
                    REGULAR + direction(source, destination));
        } else {
            r = ref(new Key(protocol, low(source, destination), high(source, destination), -1),
                    REGULAR + direction(source, destination));
        }
        if (!quoted && (moreFragments || !dontFragment)) {
            datagrams.put(datagram, r); // fragmented, or a router may fragment it further on
        }
        return r;
    }

    /**
     * Which TCP connection, among those with these addresses and ports: the initiator's ISN (and
     * side) from the last SYN seen on this segment, else on any, else -1 (none seen).
     */
    private long connection(int segment, long lo, long hi, boolean fromLow, byte[] f, int l4, int n, boolean quoted) {
        Tuple here = new Tuple(lo, hi, segment);
        if (!quoted && l4 + 14 <= n) {
            int flags = f[l4 + 13] & 0xFF;
            if ((flags & 0x02) != 0) { // SYN: the initiator's ISN, or (SYN-ACK) one less than the ACK
                boolean ack = (flags & 0x10) != 0;
                long isn = ack ? (u32(f, l4 + 8) - 1) & 0xFFFFFFFFL : u32(f, l4 + 4);
                boolean initiatorLow = ack != fromLow;
                long id = isn | (initiatorLow ? 0 : 1L << 32);
                connections.put(here, id);
                connections.put(new Tuple(lo, hi, -1), id);
            }
        }
        Long id = connections.get(here);
        if (id == null) {
            id = connections.get(new Tuple(lo, hi, -1));
        }
        return id == null ? -1 : id;
    }

    private Ref ref(Key key, int stream) {
        return new Ref(conversations.computeIfAbsent(key, k -> new Conversation()), stream);
    }

    /** RFC 792 / RFC 1122 section 3.2.2: the ICMP errors, which quote the datagram they are about. */
    private static boolean isError(int type) {
        return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
    }

    private static boolean hasIdentifier(int type) {
        return type == 0 || type == 8 || (type >= 13 && type <= 18);
    }

    private static long low(int a, int b) {
        return Long.min(a & 0xFFFFFFFFL, b & 0xFFFFFFFFL) << 16;
    }

    private static long high(int a, int b) {
        return Long.max(a & 0xFFFFFFFFL, b & 0xFFFFFFFFL) << 16;
    }

    private static int direction(int source, int destination) {
        return Integer.compareUnsigned(source, destination) <= 0 ? 0 : 1;
    }

    private static int u16(byte[] b, int at) {
        return (b[at] & 0xFF) << 8 | (b[at + 1] & 0xFF);
    }

    private static int i32(byte[] b, int at) {
        return u16(b, at) << 16 | u16(b, at + 2);
    }

    private static long u32(byte[] b, int at) {
        return i32(b, at) & 0xFFFFFFFFL;
    }
}
