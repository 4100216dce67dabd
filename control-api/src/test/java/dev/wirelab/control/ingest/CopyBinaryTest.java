package dev.wirelab.control.ingest;

import dev.wirelab.netstack.wire.Ipv4Address;
import dev.wirelab.netstack.wire.MacAddress;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Binary COPY as PostgreSQL reads it: every column type the trace uses, NULLs, NULs and non-ASCII text. */
class CopyBinaryTest {

    static TraceDb db;

    @BeforeAll
    static void database() throws Exception {
        db = new TraceDb("pg-copy-binary");
        db.execute("CREATE TABLE t (a bigint, b text, c int, d bytea, e text[], f macaddr, g inet, h smallint, i jsonb)");
    }

    @AfterAll
    static void stop() throws Exception {
        db.close();
    }

    static void copy(CopyBinary b) throws Exception {
        try (Connection c = db.ds.getConnection()) {
            c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY t FROM STDIN (FORMAT binary)",
                    new ByteArrayInputStream(b.finish()));
        }
    }

    @Test
    void everyTypeRoundTrips() throws Exception {
        CopyBinary b = new CopyBinary();
        b.reset();
        b.row(9);
        b.int8(Long.MIN_VALUE);
        b.text("Grüße\tund\\ a\u0000b");
        b.int4(-7);
        b.bytes(new byte[]{0, (byte) 0xAB, 0x7F}, 0, 3);
        b.textArray(List.of("eth", "ipv4", "tcp"));
        b.macaddr(MacAddress.parse("02:00:00:00:00:0a"));
        b.inet(Ipv4Address.parse("10.0.1.10"));
        b.int2(65535 & 0x7FFF);
        b.jsonb("{\"k\": \"\u00fc\u2400\"}".getBytes(StandardCharsets.UTF_8));
        b.row(9);
        for (int i = 0; i < 9; i++) {
            b.nul();
        }
        assertThat(b.rows()).isEqualTo(2);
        copy(b);
        try (Connection c = db.ds.getConnection(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT a, b, c, encode(d, 'hex'), array_to_string(e, '|'), f::text, host(g), "
                     + "masklen(g), h, i->>'k', num_nulls(a, b, c, d, e, f, g, h, i) FROM t ORDER BY a NULLS LAST")) {
            assertThat(r.next()).isTrue();
            assertThat(r.getLong(1)).isEqualTo(Long.MIN_VALUE);
            assertThat(r.getString(2)).isEqualTo("Grüße\tund\\ a\u2400b");
            assertThat(r.getInt(3)).isEqualTo(-7);
            assertThat(r.getString(4)).isEqualTo("00ab7f");
            assertThat(r.getString(5)).isEqualTo("eth|ipv4|tcp");
            assertThat(r.getString(6)).isEqualTo("02:00:00:00:00:0a");
            assertThat(r.getString(7)).isEqualTo("10.0.1.10");
            assertThat(r.getInt(8)).isEqualTo(32);
            assertThat(r.getInt(9)).isEqualTo(32767);
            assertThat(r.getString(10)).isEqualTo("ü\u2400");
            assertThat(r.getInt(11)).isZero();
            assertThat(r.next()).isTrue();
            assertThat(r.getInt(11)).isEqualTo(9);
        }
    }

    @Test
    void theBufferGrowsAndAStreamCanBeStartedAgain() throws Exception {
        CopyBinary b = new CopyBinary();
        b.reset();
        b.row(9);
        b.int8(1);
        b.text("x".repeat(200_000));
        b.int4((Integer) null);
        byte[] big = new byte[300_000];
        b.bytes(big, 0, big.length);
        for (int i = 0; i < 5; i++) {
            b.nul();
        }
        byte[] first = b.finish();
        b.reset();
        assertThat(b.rows()).isZero();
        assertThat(b.length()).isEqualTo(19); // just the header
        assertThat(first.length).isGreaterThan(500_000);
        try (Connection c = db.ds.getConnection()) {
            c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY t FROM STDIN (FORMAT binary)", new ByteArrayInputStream(first));
        }
        assertThat(db.count("SELECT length(b) + length(d) FROM t WHERE a = 1")).isEqualTo(500_000);
    }
}
