package dev.wirelab.control.store;

import dev.wirelab.control.errors.BadRequestException;
import dev.wirelab.netstack.wire.Ipv4Address;
import dev.wirelab.netstack.wire.MacAddress;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Repository;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** Frame, event and conversation queries over a run's trace; pages by sequence number. */
@Repository
public class TraceQueries {

    public static final int MAX_LIMIT = 1000;
    private static final String FRAME_SUMMARY = "seq, time_ns, segment, ingress_port, ingress_node, length, protocols, "
            + "src_mac::text AS src_mac, dst_mac::text AS dst_mac, host(src_ip) AS src_ip, host(dst_ip) AS dst_ip, "
            + "ip_proto, src_port, dst_port, flags, conversation, info";
    private static final Pattern CIDR = Pattern.compile("(\\d{1,3}(?:\\.\\d{1,3}){3})(?:/(\\d{1,2}))?");

    private final JdbcTemplate jdbc;

    public TraceQueries(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** One row of a frame list: the stored summary columns. */
    public record FrameRow(long seq, long timeNanos, String segment, String ingressPort, String ingressNode, int length,
                           List<String> protocols, String srcMac, String dstMac, String srcIp, String dstIp,
                           Integer ipProtocol, Integer srcPort, Integer dstPort, String flags, String conversation,
                           String info) {
    }

    /** A frame with its bytes. */
    public record StoredFrame(FrameRow summary, byte[] bytes) {
    }

    public record EventRow(long seq, long timeNanos, String node, String layer, String kind, String detailJson) {
    }

    public record Page<T>(List<T> items, Long nextCursor) {
    }

    public record Conversation(String key, String protocol, long frames, long bytes, long firstNanos, long lastNanos,
                               long firstSeq, long lastSeq) {
    }

    private static final RowMapper<FrameRow> FRAME = TraceQueries::frameRow;

    private static FrameRow frameRow(ResultSet rs, int i) throws SQLException {
        Array protocols = rs.getArray("protocols");
        return new FrameRow(rs.getLong("seq"), rs.getLong("time_ns"), rs.getString("segment"),
                rs.getString("ingress_port"), rs.getString("ingress_node"), rs.getInt("length"),
                protocols == null ? List.of() : Arrays.asList((String[]) protocols.getArray()),
                rs.getString("src_mac"), rs.getString("dst_mac"), rs.getString("src_ip"), rs.getString("dst_ip"),
                (Integer) nullableInt(rs, "ip_proto"), (Integer) nullableInt(rs, "src_port"),
                (Integer) nullableInt(rs, "dst_port"), rs.getString("flags"), rs.getString("conversation"),
                rs.getString("info"));
    }

    private static Integer nullableInt(ResultSet rs, String col) throws SQLException {
        int v = rs.getInt(col);
        return rs.wasNull() ? null : v;
    }

    /** A protocol this rare in a run is looked up through its index first (see {@link #frames}). */
    static final long RARE_PROTOCOL_FRAMES = 20_000;

    public Page<FrameRow> frames(long runId, FrameFilter f) {
        StringBuilder sql = new StringBuilder("SELECT " + FRAME_SUMMARY + " FROM frames WHERE run_id = ?");
        List<Object> args = new ArrayList<>(List.of(runId));
        if (f.protocol() != null) {
            // The run's protocol counts (run_protocols, exact: moved with the frames) decide the plan:
            // none, no query; a rare one through the protocols index, materialized first, because
            // in seq order the planner would walk the run from its start looking for the first match.
            String name = protocolName(f.protocol());
            List<Long> n = jdbc.queryForList("SELECT frames FROM run_protocols WHERE run_id = ? AND protocol = ?",
                    Long.class, runId, name);
            long frames = n.isEmpty() ? 0 : n.get(0);
            if (frames == 0) {
                return new Page<>(List.of(), null);
            }
            if (frames <= RARE_PROTOCOL_FRAMES) {
                sql = new StringBuilder("WITH m AS MATERIALIZED (SELECT seq FROM frames WHERE run_id = ? AND protocols @> "
                        + "ARRAY[?]::text[]) SELECT " + FRAME_SUMMARY + " FROM frames WHERE run_id = ? AND seq IN "
                        + "(SELECT seq FROM m)");
                args = new ArrayList<>(List.of(runId, name, runId));
            }
        }
        checkRange(f.fromNanos(), f.toNanos());
        where(sql, args, "time_ns >= ?", f.fromNanos());
        where(sql, args, "time_ns < ?", f.toNanos());
        where(sql, args, "segment = ?", f.segment());
        where(sql, args, "ingress_node = ?", f.node());
        where(sql, args, "ingress_port = ?", f.port());
        if (f.protocol() != null) {
            sql.append(" AND protocols @> ARRAY[?]::text[]");
            args.add(protocolName(f.protocol()));
        }
        if (f.address() != null) {
            addressCondition(f.address(), sql, args);
        }
        if (f.l4port() != null) {
            if (f.l4port() < 0 || f.l4port() > 65535) {
                throw new BadRequestException("l4port", "port " + f.l4port() + " is not in 0..65535");
            }
            sql.append(" AND (src_port = ? OR dst_port = ?)");
            args.add(f.l4port());
            args.add(f.l4port());
        }
        if (f.text() != null) {
            sql.append(" AND info ILIKE ? ESCAPE '\\'");
            args.add("%" + likeEscape(f.text()) + "%");
        }
        where(sql, args, "conversation = ?", f.conversation());
        return page(sql, args, f.after(), f.limit(), FRAME, FrameRow::seq);
    }

    /** Appends {@code AND condition} with its one parameter when the filter value is given. */
    private static void where(StringBuilder sql, List<Object> args, String condition, Object value) {
        if (value != null) {
            sql.append(" AND ").append(condition);
            args.add(value);
        }
    }

    /** A frame's bytes by sequence number (Jackson writes them as base64). */
    public record FrameBytes(long seq, byte[] bytes) {
    }

    /** The run's frames' bytes in sequence order after {@code after}: for clients that decode frames themselves. */
    public Page<FrameBytes> frameBytes(long runId, Long after, int limit) {
        return page(new StringBuilder("SELECT seq, bytes FROM frames WHERE run_id = ?"), new ArrayList<>(List.of(runId)),
                after, limit, (rs, i) -> new FrameBytes(rs.getLong("seq"), rs.getBytes("bytes")), FrameBytes::seq);
    }

    public Optional<StoredFrame> frame(long runId, long seq) {
        return jdbc.query("SELECT " + FRAME_SUMMARY + ", bytes FROM frames WHERE run_id = ? AND seq = ?",
                (rs, i) -> new StoredFrame(frameRow(rs, i), rs.getBytes("bytes")), runId, seq).stream().findFirst();
    }

    public Page<EventRow> events(long runId, EventFilter f) {
        StringBuilder sql = new StringBuilder("SELECT seq, time_ns, node, layer, kind, detail::text AS detail "
                + "FROM events WHERE run_id = ?");
        List<Object> args = new ArrayList<>(List.of(runId));
        checkRange(f.fromNanos(), f.toNanos());
        where(sql, args, "time_ns >= ?", f.fromNanos());
        where(sql, args, "time_ns < ?", f.toNanos());
        where(sql, args, "node = ?", f.node());
        where(sql, args, "layer = ?", f.layer());
        where(sql, args, "kind = ?", f.kind());
        if (f.address() != null) {
            String a = normalizedAddress(f.address());
            // Detail values are JSON strings: the address quoted, or as a prefix of "a/len" or "a:port".
            sql.append(" AND (detail::text LIKE ? OR detail::text LIKE ? OR detail::text LIKE ?)");
            args.add("%\"" + a + "\"%");
            args.add("%\"" + a + "/%");
            args.add("%\"" + a + ":%");
        }
        if (f.text() != null) {
            sql.append(" AND (kind ILIKE ? ESCAPE '\\' OR detail::text ILIKE ? ESCAPE '\\')");
            String like = "%" + likeEscape(f.text()) + "%";
            args.add(like);
            args.add(like);
        }
        return page(sql, args, f.after(), f.limit(),
                (rs, i) -> new EventRow(rs.getLong("seq"), rs.getLong("time_ns"), rs.getString("node"),
                        rs.getString("layer"), rs.getString("kind"), rs.getString("detail")), EventRow::seq);
    }

    /** Conversations (5-tuples) of a run with their frame counts, in order of their first frame. */
    public List<Conversation> conversations(long runId, Long from, Long to, String address, int limit) {
        if (from == null && to == null && address == null) {
            // The whole run: kept by ingest beside the frames (run_conversations), no aggregation.
            return jdbc.query("SELECT conversation, split_part(conversation, ' ', 1) AS protocol, frames, bytes, "
                    + "first_ns, last_ns, first_seq, last_seq FROM run_conversations WHERE run_id = ? ORDER BY first_seq "
                    + "LIMIT ?", CONVERSATION, runId, clamp(limit));
        }
        StringBuilder sql = new StringBuilder("SELECT conversation, split_part(conversation, ' ', 1) AS protocol, "
                + "count(*) AS frames, sum(length) AS bytes, min(time_ns) AS first_ns, max(time_ns) AS last_ns, "
                + "min(seq) AS first_seq, max(seq) AS last_seq FROM frames WHERE run_id = ? AND conversation IS NOT NULL");
        List<Object> args = new ArrayList<>(List.of(runId));
        if (from != null) {
            sql.append(" AND time_ns >= ?");
            args.add(from);
        }
        if (to != null) {
            sql.append(" AND time_ns < ?");
            args.add(to);
        }
        if (address != null) {
            addressCondition(address, sql, args);
        }
        sql.append(" GROUP BY conversation ORDER BY min(seq) LIMIT ?");
        args.add(clamp(limit));
        return jdbc.query(sql.toString(), (rs, i) -> new Conversation(rs.getString("conversation"),
                rs.getString("protocol"), rs.getLong("frames"), rs.getLong("bytes"), rs.getLong("first_ns"),
                rs.getLong("last_ns"), rs.getLong("first_seq"), rs.getLong("last_seq")), args.toArray());
    }

    /**
     * The events that belong with a conversation: in its time span, mentioning one of its endpoint
     * addresses (ARP resolution, routing decisions, drops, socket calls of that flow).
     */
    public List<EventRow> conversationEvents(long runId, Conversation c, int limit) {
        List<String> addresses = new ArrayList<>();
        for (String part : c.key().split(" ")) {
            String ip = part.contains(":") ? part.substring(0, part.indexOf(':')) : part;
            if (CIDR.matcher(ip).matches() && !addresses.contains(ip)) {
                addresses.add(ip);
            }
        }
        if (addresses.isEmpty()) {
            return List.of();
        }
        StringBuilder sql = new StringBuilder("SELECT seq, time_ns, node, layer, kind, detail::text AS detail FROM events "
                + "WHERE run_id = ? AND time_ns >= ? AND time_ns <= ? AND (false");
        List<Object> args = new ArrayList<>(List.of(runId, c.firstNanos(), c.lastNanos()));
        for (String a : addresses) {
            sql.append(" OR detail::text LIKE ? OR detail::text LIKE ?");
            args.add("%\"" + a + "\"%");
            args.add("%\"" + a + ":%");
        }
        sql.append(") ORDER BY seq LIMIT ?");
        args.add(clamp(limit));
        return jdbc.query(sql.toString(), (rs, i) -> new EventRow(rs.getLong("seq"), rs.getLong("time_ns"),
                rs.getString("node"), rs.getString("layer"), rs.getString("kind"), rs.getString("detail")), args.toArray());
    }

    public Optional<Conversation> conversation(long runId, String key) {
        return jdbc.query("SELECT conversation, split_part(conversation, ' ', 1) AS protocol, frames, bytes, first_ns, "
                + "last_ns, first_seq, last_seq FROM run_conversations WHERE run_id = ? AND conversation = ?", CONVERSATION,
                runId, key).stream().findFirst();
    }

    private static final RowMapper<Conversation> CONVERSATION = (rs, i) -> new Conversation(rs.getString("conversation"),
            rs.getString("protocol"), rs.getLong("frames"), rs.getLong("bytes"), rs.getLong("first_ns"),
            rs.getLong("last_ns"), rs.getLong("first_seq"), rs.getLong("last_seq"));

    /** Stored frames per protocol, most first: the run's protocol hierarchy. */
    public record ProtocolCount(String protocol, long frames) {
    }

    public List<ProtocolCount> protocols(long runId) {
        return jdbc.query("SELECT protocol, frames FROM run_protocols WHERE run_id = ? ORDER BY frames DESC, protocol",
                (rs, i) -> new ProtocolCount(rs.getString(1), rs.getLong(2)), runId);
    }

    public long frameCount(long runId) {
        Long n = jdbc.queryForObject("SELECT count(*) FROM frames WHERE run_id = ?", Long.class, runId);
        return n == null ? 0 : n;
    }

    // ---- helpers ----

    private <T> Page<T> page(StringBuilder sql, List<Object> args, Long after, int limit, RowMapper<T> mapper,
                             java.util.function.ToLongFunction<T> seq) {
        if (after != null) {
            sql.append(" AND seq > ?");
            args.add(after);
        }
        int n = clamp(limit);
        sql.append(" ORDER BY seq LIMIT ?");
        args.add(n + 1);
        List<T> rows = jdbc.query(sql.toString(), mapper, args.toArray());
        if (rows.size() > n) {
            List<T> pageRows = rows.subList(0, n);
            return new Page<>(List.copyOf(pageRows), seq.applyAsLong(pageRows.get(n - 1)));
        }
        return new Page<>(rows, null);
    }

    static int clamp(int limit) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new BadRequestException("limit", "limit must be in 1.." + MAX_LIMIT + ": " + limit);
        }
        return limit;
    }

    private static String protocolName(String p) {
        String s = p.trim().toLowerCase(java.util.Locale.ROOT);
        if (!s.matches("[a-z0-9_.-]{1,32}")) {
            throw new BadRequestException("protocol", "'" + p + "' is not a protocol name (e.g. arp, ipv4, icmp, udp)");
        }
        return switch (s) {
            case "ethernet" -> "eth";
            case "ip" -> "ipv4";
            default -> s;
        };
    }

    /** An IPv4 address, a CIDR prefix, or a MAC, matched as source or destination. */
    private static void addressCondition(String text, StringBuilder sql, List<Object> args) {
        String a = text.trim();
        if (a.indexOf(':') >= 0 || a.indexOf('-') >= 0) {
            MacAddress mac;
            try {
                mac = MacAddress.parse(a.replace('-', ':'));
            } catch (RuntimeException e) {
                throw new BadRequestException("address", "'" + text + "' is neither an IPv4 address, a CIDR prefix "
                        + "(10.0.1.0/24) nor a MAC address (02:00:00:00:00:01): " + e.getMessage());
            }
            sql.append(" AND (src_mac = ?::macaddr OR dst_mac = ?::macaddr)");
            args.add(mac.toString());
            args.add(mac.toString());
            return;
        }
        var m = CIDR.matcher(a);
        if (!m.matches()) {
            throw new BadRequestException("address", "'" + text + "' is neither an IPv4 address, a CIDR prefix "
                    + "(10.0.1.0/24) nor a MAC address (02:00:00:00:00:01)");
        }
        Ipv4Address ip;
        try {
            ip = Ipv4Address.parse(m.group(1));
        } catch (RuntimeException e) {
            throw new BadRequestException("address", "'" + text + "': " + e.getMessage());
        }
        int prefix = m.group(2) == null ? 32 : Integer.parseInt(m.group(2));
        if (prefix > 32) {
            throw new BadRequestException("address", "'" + text + "': prefix length " + prefix + " is over 32");
        }
        String cidr = ip.network(prefix) + "/" + prefix;
        sql.append(" AND (src_ip <<= ?::inet OR dst_ip <<= ?::inet)");
        args.add(cidr);
        args.add(cidr);
    }

    private static String normalizedAddress(String text) {
        String a = text.trim();
        if (a.indexOf(':') >= 0) {
            try {
                return MacAddress.parse(a).toString();
            } catch (RuntimeException e) {
                throw new BadRequestException("address", "'" + text + "' is neither an IPv4 address nor a MAC address");
            }
        }
        try {
            return Ipv4Address.parse(a).toString();
        } catch (RuntimeException e) {
            throw new BadRequestException("address", "'" + text + "' is neither an IPv4 address nor a MAC address");
        }
    }

    private static String likeEscape(String s) {
        return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

    /** A range that ends before it starts is a mistake, answered alike by frames, events and pcapng. */
    static void checkRange(Long from, Long to) {
        if (from != null && to != null && to < from) {
            throw new BadRequestException("to", "to (" + to + ") is before from (" + from + ")");
        }
    }
}
