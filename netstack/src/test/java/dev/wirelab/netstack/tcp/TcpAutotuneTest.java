package dev.wirelab.netstack.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wirelab.netstack.lab.Lab;
import dev.wirelab.netstack.lab.topology.Topologies;
import dev.wirelab.netstack.time.VirtualTimeScheduler;
import dev.wirelab.netstack.trace.TraceEvent;

import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Buffer autotuning on TcpLabTest's path (a 4 ms round trip, virtual time): with the default
 * buffers the receiver grows its buffer to what the reader drains per round trip and the sender
 * grows its own to twice the congestion window, so a 4 MB transfer is not held to 128 KB per
 * round trip; a receiver that set SO_RCVBUF keeps exactly that.
 */
class TcpAutotuneTest {

    record Run(long nanos, List<TraceEvent> receiveTuning, List<TraceEvent> sendTuning) {
    }

    static Run transfer(TcpOptions serverOptions) {
        try (Lab lab = Lab.build(Topologies.parseYaml(TcpLabTest.TOPOLOGY.formatted("loss: 0", "loss: 0", 5)),
                Lab.Options.virtual())) {
            lab.start();
            assertThat(lab.run("h1", "ping -c 1 10.0.2.10").exitCode()).isZero();
            VirtualTimeScheduler clock = (VirtualTimeScheduler) lab.node("h1").loop();
            byte[] data = new byte[4 << 20];
            new Random(4).nextBytes(data);
            long start = clock.nanos();
            TcpLabTest.Bulk bulk = new TcpLabTest.Bulk(lab, data, serverOptions).connect();
            assertThat(clock.runUntil(bulk::done, start + TimeUnit.MINUTES.toNanos(10))).isTrue();
            assertThat(TcpLabTest.sha256(bulk.got.toByteArray())).isEqualTo(TcpLabTest.sha256(data));
            List<TraceEvent> tuning = lab.trace().events(e -> e.kind().equals("buffer_autotune"));
            return new Run(clock.nanos() - start,
                    tuning.stream().filter(e -> e.node().equals("h2") && "receive".equals(e.detail().get("buffer"))).toList(),
                    tuning.stream().filter(e -> e.node().equals("h1") && "send".equals(e.detail().get("buffer"))).toList());
        }
    }

    static long to(TraceEvent e) {
        return ((Number) e.detail().get("to")).longValue();
    }

    @Test
    void buffersGrowWithTheBandwidthDelayProduct() {
        Run tuned = transfer(TcpOptions.DEFAULT);
        Run fixed = transfer(TcpOptions.DEFAULT.withReceiveBuffer(131072));

        // The receiver's buffer grew step by step (each to twice a round trip's reads plus 16
        // segments), beyond 128 KB and never past tcp_rmem[2].
        assertThat(tuned.receiveTuning()).isNotEmpty();
        assertThat(tuned.receiveTuning()).extracting(TcpAutotuneTest::to).isSorted();
        assertThat(to(tuned.receiveTuning().getLast())).isGreaterThan(1 << 20)
                .isLessThanOrEqualTo(TcpConfig.defaults().maxReceiveBuffer());
        assertThat(tuned.receiveTuning().get(0).detail()).containsKeys("from", "copied", "rtt_us");
        // The sender's grew with its congestion window, up to tcp_wmem[2].
        assertThat(tuned.sendTuning()).isNotEmpty();
        assertThat(to(tuned.sendTuning().getLast())).isGreaterThan(131072).isLessThanOrEqualTo(TcpConfig.MAX_SEND_BUFFER);

        // SO_RCVBUF locks the receiver's buffer: no growth, and the transfer is held to 128 KB per
        // round trip: at least 32 round trips for 4 MB, against a dozen or so while slow start opens.
        assertThat(fixed.receiveTuning()).isEmpty();
        assertThat(tuned.nanos()).isLessThan(fixed.nanos() / 2);
        assertThat(fixed.nanos()).isGreaterThanOrEqualTo(32 * TimeUnit.MILLISECONDS.toNanos(4));
    }
}
