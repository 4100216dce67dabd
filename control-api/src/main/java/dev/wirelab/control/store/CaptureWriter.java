package dev.wirelab.control.store;

import dev.wirelab.netstack.lab.topology.SegmentSpec;
import dev.wirelab.netstack.trace.CaptureView;
import dev.wirelab.netstack.trace.ConversationFilter;
import dev.wirelab.netstack.trace.PcapngWriter;
import org.springframework.stereotype.Component;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Streams a run's frames from the database into pcapng (netstack's {@link PcapngWriter}): a
 * server-side cursor fetches a few hundred rows at a time and each frame is written as it comes,
 * so a capture of any size needs no more memory than one fetch. The {@link CaptureView#CONVERSATIONS}
 * view reads the run twice: first the frames' headers only ({@link ConversationFilter#HEADER_BYTES}
 * bytes each), to learn which segment each conversation is kept from, then the frames it keeps.
 */
@Component
public class CaptureWriter {

    private static final int FETCH = 500;
    private final DataSource dataSource;

    public CaptureWriter(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Writes the capture to {@code out}: one interface per segment in topology order (or only
     * {@code segment}), the frames of the run in sequence order within [from, to) that {@code view}
     * keeps.
     *
     * @return the number of frames written
     */
    public long write(long runId, long epochUnixNanos, List<SegmentSpec> segments, String segment, Long from, Long to,
                      CaptureView view, OutputStream out) {
        StringBuilder where = new StringBuilder(" FROM frames WHERE run_id = ?");
        List<Object> args = new ArrayList<>(List.of(runId));
        if (segment != null) {
            where.append(" AND segment = ?");
            args.add(segment);
        }
        if (from != null) {
            where.append(" AND time_ns >= ?");
            args.add(from);
        }
        if (to != null) {
            where.append(" AND time_ns < ?");
            args.add(to);
        }
        where.append(" ORDER BY seq");
        try (Connection c = dataSource.getConnection()) {
            // PostgreSQL's JDBC driver fetches by cursor only inside a transaction; one transaction
            // (repeatable read) lets both passes see the same frames.
            c.setAutoCommit(false);
            c.setReadOnly(true);
            ConversationFilter filter = null;
            if (view == CaptureView.CONVERSATIONS) {
                c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
                filter = new ConversationFilter();
                try (PreparedStatement ps = c.prepareStatement("SELECT segment, substring(bytes from 1 for "
                        + ConversationFilter.HEADER_BYTES + ")" + where)) {
                    ps.setFetchSize(FETCH);
                    bind(ps, args);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            byte[] head = rs.getBytes(2);
                            filter.observe(rs.getString(1), head, head.length);
                        }
                    }
                }
                filter.rewind();
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT time_ns, segment, ingress_port, bytes" + where)) {
                ps.setFetchSize(FETCH);
                bind(ps, args);
                String comment = segment == null ? view.comment()
                        : view == CaptureView.ALL ? "Wirelab capture of segment " + segment + ": every frame, as tcpdump on it"
                        : "Wirelab capture of segment " + segment + ", view \"conversations\"";
                PcapngWriter w = new PcapngWriter(out, epochUnixNanos, comment);
                for (SegmentSpec s : segments) {
                    if (segment == null || segment.equals(s.name())) {
                        w.addInterface(s.name(), "VXLAN VNI " + s.vni());
                    }
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String seg = rs.getString(2);
                        byte[] bytes = rs.getBytes(4);
                        if (filter == null || filter.keep(seg, bytes, bytes.length)) {
                            w.write(rs.getLong(1), seg, rs.getString(3), bytes);
                        }
                    }
                }
                w.flush();
                c.rollback();
                return w.frameCount();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("reading the capture of run " + runId + " failed: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void bind(PreparedStatement ps, List<Object> args) throws SQLException {
        for (int i = 0; i < args.size(); i++) {
            ps.setObject(i + 1, args.get(i));
        }
    }
}
