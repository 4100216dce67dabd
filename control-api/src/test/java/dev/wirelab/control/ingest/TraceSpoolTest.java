package dev.wirelab.control.ingest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The run spool on its own: what goes in comes out once, in order, and damage is found, not guessed at. */
class TraceSpoolTest {

    @TempDir
    Path tmp;

    static byte[] frame(int i, int size) {
        byte[] b = new byte[size];
        for (int k = 0; k < size; k++) {
            b[k] = (byte) (i * 31 + k);
        }
        return b;
    }

    static List<TraceSpool.Record> readAll(TraceSpool s) throws IOException {
        List<TraceSpool.Record> all = new ArrayList<>();
        for (List<TraceSpool.Record> part = s.read(7); !part.isEmpty(); part = s.read(7)) {
            all.addAll(part);
        }
        return all;
    }

    static List<Path> segments(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".seg")).sorted().toList();
        }
    }

    @Test
    void framesAndEventsComeBackInOrderOnceFlushed() throws IOException {
        TraceSpool.Budget budget = new TraceSpool.Budget(1 << 20);
        TraceSpool s = TraceSpool.create(tmp.resolve("run-1"), budget);
        for (int i = 0; i < 50; i++) {
            assertThat(s.appendFrame(i, 1000L * i, "lan", "pc1:eth0", frame(i, 60 + i))).isTrue();
            assertThat(s.appendEvent(i, 1000L * i + 1, "pc1", "tcp", "state", "{\"to\":\"ESTABLISHED\"}"
                    .getBytes(StandardCharsets.UTF_8))).isTrue();
        }
        // Buffered: the reader sees nothing until the buffer is written.
        assertThat(s.read(100)).isEmpty();
        s.flush();
        List<TraceSpool.Record> all = readAll(s);
        assertThat(all).hasSize(100);
        for (int i = 0; i < 50; i++) {
            TraceSpool.Record f = all.get(2 * i);
            TraceSpool.Record e = all.get(2 * i + 1);
            assertThat(f.frame()).isTrue();
            assertThat(f.seq()).isEqualTo(i);
            assertThat(f.timeNanos()).isEqualTo(1000L * i);
            assertThat(f.a()).isEqualTo("lan");
            assertThat(f.b()).isEqualTo("pc1:eth0");
            assertThat(f.data()).isEqualTo(frame(i, 60 + i));
            assertThat(e.frame()).isFalse();
            assertThat(e.a() + "/" + e.b() + "/" + e.c()).isEqualTo("pc1/tcp/state");
            assertThat(new String(e.data(), StandardCharsets.UTF_8)).isEqualTo("{\"to\":\"ESTABLISHED\"}");
            assertThat(e.capturedMillis()).isPositive();
        }
        for (int i = 1; i < all.size(); i++) {
            assertThat(all.get(i).end()).isGreaterThan(all.get(i - 1).end());
        }
        assertThat(budget.used()).isEqualTo(s.bytes()).isPositive();
        // Read to the end: more appends are read from where the reader stopped.
        s.appendFrame(50, 50_000, "lan", "pc1:eth0", frame(50, 60));
        s.flush();
        assertThat(readAll(s)).extracting(TraceSpool.Record::seq).containsExactly(50L);
    }

    @Test
    void segmentsRollAndGoOnceCommittedGivingTheirBudgetBack() throws IOException {
        TraceSpool.Budget budget = new TraceSpool.Budget(64 << 20);
        TraceSpool s = TraceSpool.create(tmp.resolve("run-2"), budget, 100_000);
        for (int i = 0; i < 2000; i++) {
            assertThat(s.appendFrame(i, i, "lan", "pc1:eth0", frame(i, 1000))).isTrue();
        }
        s.seal();
        assertThat(segments(s.dir()).size()).isGreaterThan(15);
        List<TraceSpool.Record> all = readAll(s);
        assertThat(all).extracting(TraceSpool.Record::seq).containsExactlyElementsOf(
                java.util.stream.LongStream.range(0, 2000).boxed().toList());
        long before = budget.used();
        s.committed(all.get(999).end());
        assertThat(segments(s.dir()).getFirst().getFileName().toString())
                .isEqualTo(String.format("%012d.seg", all.get(999).end().segment()));
        assertThat(budget.used()).isLessThan(before);
        s.delete();
        assertThat(s.dir()).doesNotExist();
        assertThat(budget.used()).isZero();
    }

    @Test
    void aFullBudgetRefusesAppendsAndCountsThem() {
        TraceSpool.Budget budget = new TraceSpool.Budget(10_000);
        TraceSpool s = TraceSpool.create(tmp.resolve("run-3"), budget);
        int taken = 0;
        for (int i = 0; i < 100; i++) {
            if (s.appendFrame(i, i, "lan", "pc1:eth0", frame(i, 1000))) {
                taken++;
            }
        }
        assertThat(taken).isBetween(5, 10);
        assertThat(budget.refused()).isEqualTo(100 - taken);
        assertThat(budget.used()).isLessThanOrEqualTo(10_000);
    }

    @Test
    void aRecordLargerThanTheBuffersIsKeptWhole() throws IOException {
        TraceSpool s = TraceSpool.create(tmp.resolve("run-4"), new TraceSpool.Budget(64 << 20));
        s.appendFrame(0, 0, "lan", "pc1:eth0", frame(0, 100));
        s.appendFrame(1, 1, "lan", "pc1:eth0", frame(1, 3 << 20));
        s.appendFrame(2, 2, "lan", "pc1:eth0", frame(2, 100));
        s.seal();
        List<TraceSpool.Record> all = readAll(s);
        assertThat(all).extracting(TraceSpool.Record::seq).containsExactly(0L, 1L, 2L);
        assertThat(all.get(1).data()).isEqualTo(frame(1, 3 << 20));
    }

    @Test
    void recoveryResumesAtThePositionAndATornTailIsCountedAsLost() throws IOException {
        Path dir = tmp.resolve("run-5");
        TraceSpool s = TraceSpool.create(dir, new TraceSpool.Budget(1 << 20));
        for (int i = 0; i < 10; i++) {
            s.appendFrame(i, i, "lan", "pc1:eth0", frame(i, 100));
        }
        s.seal();
        List<TraceSpool.Record> all = readAll(s);
        // The process died in the middle of writing the last record.
        Path seg = segments(dir).getFirst();
        try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
            f.setLength(f.length() - 30);
        }
        TraceSpool.Budget budget = new TraceSpool.Budget(1 << 20);
        TraceSpool r = TraceSpool.recover(dir, budget, all.get(3).end());
        assertThat(budget.used()).isEqualTo(Files.size(seg));
        List<TraceSpool.Record> rest = readAll(r);
        assertThat(rest).extracting(TraceSpool.Record::seq).containsExactly(4L, 5L, 6L, 7L, 8L);
        assertThat(r.lostBytes()).isEqualTo(all.get(9).end().offset() - 30 - all.get(8).end().offset());
        // Nothing is appended to a recovered spool.
        assertThat(r.appendFrame(10, 10, "lan", "pc1:eth0", frame(10, 100))).isFalse();
    }

    @Test
    void aDamagedRecordEndsTheReadablePartOfItsSegment() throws IOException {
        Path dir = tmp.resolve("run-6");
        TraceSpool s = TraceSpool.create(dir, new TraceSpool.Budget(1 << 20));
        for (int i = 0; i < 10; i++) {
            s.appendFrame(i, i, "lan", "pc1:eth0", frame(i, 100));
        }
        s.seal();
        List<TraceSpool.Record> all = readAll(s);
        Path seg = segments(dir).getFirst();
        try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
            long at = all.get(5).end().offset() + 40; // inside record 6's body
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0xFF);
        }
        TraceSpool r = TraceSpool.recover(dir, new TraceSpool.Budget(1 << 20), null);
        assertThat(readAll(r)).extracting(TraceSpool.Record::seq).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
        assertThat(r.lostBytes()).isEqualTo(all.get(9).end().offset() - all.get(5).end().offset());
    }
}
