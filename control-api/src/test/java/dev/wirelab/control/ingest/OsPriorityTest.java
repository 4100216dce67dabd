package dev.wirelab.control.ingest;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** A thread that lowers its priority changes its own nice value, not its process's other threads'. */
class OsPriorityTest {

    @Test
    void aThreadLowersItsOwnPriorityOnly() throws Exception {
        assumeTrue(Files.exists(Path.of("/proc/thread-self")), "no /proc/thread-self on this system");
        long mainTid = OsPriority.currentThreadId();
        Integer mainBefore = OsPriority.niceOf(mainTid);
        assertThat(mainBefore).isNotNull();
        AtomicLong tid = new AtomicLong();
        boolean[] done = new boolean[1];
        Thread t = Thread.ofPlatform().name("lowered").start(() -> {
            tid.set(OsPriority.currentThreadId());
            done[0] = OsPriority.lowerCurrentThread(Math.min(19, mainBefore + 7));
            assertThat(OsPriority.niceOf(tid.get())).isEqualTo(Math.min(19, mainBefore + 7));
        });
        t.join();
        assertThat(tid.get()).isPositive().isNotEqualTo(mainTid);
        assertThat(done[0]).as("renice of the thread").isTrue();
        assertThat(OsPriority.niceOf(mainTid)).as("the test's own thread").isEqualTo(mainBefore);
        assertThat(OsPriority.lowerCurrentThread(0)).as("0 leaves it").isFalse();
    }

    @Test
    void theIngestThreadsRunLowered() throws Exception {
        assumeTrue(Files.exists(Path.of("/proc/thread-self")), "no /proc/thread-self on this system");
        Path spool = Files.createTempDirectory("spool");
        try (IngestPipeline p = new IngestPipeline(null, new dev.wirelab.control.decode.FrameDecoder(
                dev.wirelab.control.decode.FrameDecoder.standardDecoders()), new IngestPipeline.Spooling(spool, 1 << 20),
                100, java.time.Duration.ofSeconds(1), null, 9)) {
            Integer base = OsPriority.niceOf(OsPriority.currentThreadId());
            long deadline = System.nanoTime() + 10_000_000_000L;
            int lowered = 0;
            while (System.nanoTime() < deadline && lowered < 2) {
                lowered = 0;
                try (var tasks = Files.list(Path.of("/proc/self/task"))) {
                    for (Path task : tasks.toList()) {
                        String comm = Files.readString(task.resolve("comm")).strip();
                        if (comm.startsWith("wirelab-ingest")) {
                            Integer n = OsPriority.niceOf(Long.parseLong(task.getFileName().toString()));
                            if (n != null && n == Math.max(9, base)) {
                                lowered++;
                            }
                        }
                    }
                }
                Thread.sleep(50);
            }
            assertThat(lowered).as("ingest threads at nice 9").isEqualTo(2);
        }
    }
}
