package dev.wirelab.control.store;

import dev.wirelab.netstack.lab.topology.SegmentSpec;
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
 * so a capture of any size needs no more memory than one fetch.
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
     * {@code segment}), the frames of the run in sequence order within [from, to).
     */
    public long write(long runId, long epochUnixNanos, List<SegmentSpec> segments, String segment, Long from, Long to,
                      OutputStream out) {
        StringBuilder sql = new StringBuilder("SELECT time_ns, segment, ingress_port, bytes FROM frames WHERE run_id = ?");
        List<Object> args = new ArrayList<>(List.of(runId));
        if (segment != null) {
            sql.append(" AND segment = ?");
            args.add(segment);
        }
        if (from != null) {
            sql.append(" AND time_ns >= ?");
            args.add(from);
        }
        if (to != null) {
            sql.append(" AND time_ns < ?");
            args.add(to);
        }
        sql.append(" ORDER BY seq");
        try (Connection c = dataSource.getConnection()) {
            // PostgreSQL's JDBC driver fetches by cursor only inside a transaction.
            c.setAutoCommit(false);
            c.setReadOnly(true);
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                ps.setFetchSize(FETCH);
                for (int i = 0; i < args.size(); i++) {
                    ps.setObject(i + 1, args.get(i));
                }
                PcapngWriter w = new PcapngWriter(out, epochUnixNanos);
                for (SegmentSpec s : segments) {
                    if (segment == null || segment.equals(s.name())) {
                        w.addInterface(s.name(), "VXLAN VNI " + s.vni());
                    }
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        w.write(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getBytes(4));
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
}
