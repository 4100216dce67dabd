package dev.wirelab.control.store;

import dev.wirelab.netstack.lab.Lab;
import dev.wirelab.netstack.lab.topology.NodeSpec;
import dev.wirelab.netstack.lab.topology.SegmentSpec;
import dev.wirelab.netstack.lab.topology.Topologies;
import dev.wirelab.netstack.lab.topology.Topology;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Labs, their nodes and links (segments with their impairments). */
@Repository
public class LabRepository {

    private static final RowMapper<LabRecord> LAB = (rs, i) -> new LabRecord(rs.getLong("id"), rs.getString("name"),
            rs.getString("source"), rs.getString("source_format"), rs.getString("topology"), rs.getString("example"),
            rs.getObject("created_at", OffsetDateTime.class));

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;

    public LabRepository(JdbcTemplate jdbc, TransactionTemplate tx) {
        this.jdbc = jdbc;
        this.tx = tx;
    }

    /** Thrown when a lab of that name exists. */
    public static final class NameTakenException extends RuntimeException {
        public NameTakenException(String name) {
            super("a lab named '" + name + "' already exists");
        }
    }

    /** Stores a validated topology with its source text; returns the new lab. */
    public LabRecord create(Topology t, String source, String format, String example) {
        try {
            return tx.execute(s -> {
                JsonNode tree = Topologies.toTree(t);
                Long id = jdbc.queryForObject("INSERT INTO labs (name, source, source_format, topology, example) "
                        + "VALUES (?, ?, ?, ?::jsonb, ?) RETURNING id", Long.class, t.name(), source, format,
                        tree.toString(), example);
                for (Map.Entry<String, NodeSpec> n : t.nodes().entrySet()) {
                    JsonNode spec = tree.path("nodes").path(n.getKey());
                    jdbc.update("INSERT INTO lab_nodes (lab_id, name, kind, spec) VALUES (?, ?, ?, ?::jsonb)", id,
                            n.getKey(), n.getValue().kind(), spec.toString());
                }
                for (SegmentSpec seg : t.segments()) {
                    jdbc.update("INSERT INTO lab_links (lab_id, segment, vni, mtu, impairments) VALUES (?, ?, ?, ?, ?::jsonb)",
                            id, seg.name(), seg.vni(), seg.mtu(),
                            ImpairmentsView.of(Lab.impairments(t.link(seg.name()))).toJson());
                }
                return find(id).orElseThrow();
            });
        } catch (DuplicateKeyException e) {
            throw new NameTakenException(t.name());
        }
    }

    public Optional<LabRecord> find(long id) {
        return jdbc.query("SELECT * FROM labs WHERE id = ?", LAB, id).stream().findFirst();
    }

    public Optional<LabRecord> findByName(String name) {
        return jdbc.query("SELECT * FROM labs WHERE name = ?", LAB, name).stream().findFirst();
    }

    public List<LabRecord> list() {
        return jdbc.query("SELECT * FROM labs ORDER BY id", LAB);
    }

    /** Deletes the lab with its nodes, links and runs (the caller drops the runs' trace partitions first). */
    public boolean delete(long id) {
        return jdbc.update("DELETE FROM labs WHERE id = ?", id) > 0;
    }
}
