package dev.wirelab.netstack.bus;

import static dev.wirelab.netstack.bus.TestFrames.A;
import static dev.wirelab.netstack.bus.TestFrames.B;
import static dev.wirelab.netstack.bus.TestFrames.C;
import static dev.wirelab.netstack.bus.TestFrames.MULTICAST;
import static dev.wirelab.netstack.bus.TestFrames.frame;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wirelab.netstack.link.Link;
import dev.wirelab.netstack.time.EventLoop;
import dev.wirelab.netstack.time.VirtualTimeScheduler;
import dev.wirelab.netstack.trace.CapturedFrame;
import dev.wirelab.netstack.trace.TraceRecorder;
import dev.wirelab.netstack.wire.MacAddress;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BusTest {

    private VirtualTimeScheduler loop;
    private TraceRecorder trace;
    private Bus bus;
    private Link a;
    private Link b;
    private Link c;
    private Receiver ra;
    private Receiver rb;
    private Receiver rc;

    @BeforeEach
    void setUp() {
        loop = new VirtualTimeScheduler();
        trace = new TraceRecorder();
        bus = new Bus(loop, trace, 42);
        bus.addSegment("lan", 100);
        a = bus.connect("lan", "a:eth0");
        b = bus.connect("lan", "b:eth0");
        c = bus.connect("lan", "c:eth0");
        a.setReceiver(ra = new Receiver(loop));
        b.setReceiver(rb = new Receiver(loop));
        c.setReceiver(rc = new Receiver(loop));
    }

    @Test
    void unknownUnicastIsFloodedThenLearnedAddressesGetUnicast() {
        a.send(frame(B, A, 1)); // B unknown: flooded to b and c, not back to a
        assertThat(ra.ids()).isEmpty();
        assertThat(rb.ids()).containsExactly(1);
        assertThat(rc.ids()).containsExactly(1);

        b.send(frame(A, B, 2)); // A was learned on a:eth0
        assertThat(ra.ids()).containsExactly(2);
        assertThat(rc.ids()).containsExactly(1);

        a.send(frame(B, A, 3)); // B now known too
        assertThat(rb.ids()).containsExactly(1, 3);
        assertThat(rc.ids()).containsExactly(1);

        assertThat(bus.segment("lan").macTable()).isEqualTo(Map.of(A, "a:eth0", B, "b:eth0"));
    }

    @Test
    void broadcastAndMulticastAreFloodedButNeverReflected() {
        a.send(frame(MacAddress.BROADCAST, A, 1));
        c.send(frame(MULTICAST, C, 2));
        assertThat(ra.ids()).containsExactly(2);
        assertThat(rb.ids()).containsExactly(1, 2);
        assertThat(rc.ids()).containsExactly(1);
    }

    @Test
    void groupSourceAddressIsNotLearned() {
        a.send(frame(B, MULTICAST, 1));
        assertThat(bus.segment("lan").macTable()).isEmpty();
    }

    @Test
    void frameForAnAddressOnTheIngressPortIsFilteredAndCounted() {
        a.send(frame(B, A, 1));
        a.send(frame(A, B, 2)); // B is now learned on a:eth0, and A is there too: filtered
        a.send(frame(B, C, 3)); // B is on a:eth0: filtered
        assertThat(ra.ids()).isEmpty();
        assertThat(rb.ids()).containsExactly(1);
        assertThat(rc.ids()).containsExactly(1);
        assertThat(bus.segment("lan").counters("a:eth0").drops(DropReason.FILTERED)).isEqualTo(2);
    }

    @Test
    void stationThatMovesIsRelearnedOnItsNewPort() {
        a.send(frame(MacAddress.BROADCAST, A, 1));
        assertThat(bus.segment("lan").macTable()).containsEntry(A, "a:eth0");
        c.send(frame(MacAddress.BROADCAST, A, 2));
        assertThat(bus.segment("lan").macTable()).containsEntry(A, "c:eth0");
        b.send(frame(A, B, 3));
        assertThat(rc.ids()).containsExactly(1, 3);
        assertThat(ra.ids()).containsExactly(2);
    }

    @Test
    void learnedAddressesAgeOutOnTheLoopClock() {
        bus.segment("lan").setMacAgeing(Duration.ofSeconds(10));
        b.send(frame(MacAddress.BROADCAST, B, 1));
        loop.runFor(EventLoop.seconds(9));
        a.send(frame(B, A, 2));
        assertThat(rc.ids()).doesNotContain(2); // still known at 9 s
        loop.runFor(EventLoop.seconds(1));     // 10 s after B was last seen
        assertThat(bus.segment("lan").macTable()).doesNotContainKey(B).containsKey(A);
        a.send(frame(B, A, 3));
        assertThat(rc.ids()).contains(3); // aged out: flooded again
        assertThat(rb.ids()).containsExactly(2, 3);
    }

    @Test
    void defaultAgeingIs300Seconds() {
        assertThat(bus.segment("lan").macAgeing()).isEqualTo(Duration.ofSeconds(300));
        b.send(frame(MacAddress.BROADCAST, B, 1));
        loop.runFor(EventLoop.seconds(299));
        assertThat(bus.segment("lan").macTable()).containsKey(B);
        loop.runFor(EventLoop.seconds(1));
        assertThat(bus.segment("lan").macTable()).doesNotContainKey(B);
    }

    @Test
    void countersCountFramesAndBytesPerPort() {
        a.send(frame(MacAddress.BROADCAST, A, 1, 100));
        b.send(frame(A, B, 2, 64));
        Segment lan = bus.segment("lan");
        PortCounters pa = lan.counters("a:eth0");
        PortCounters pb = lan.counters("b:eth0");
        PortCounters pc = lan.counters("c:eth0");
        assertThat(pa).extracting(PortCounters::rxFrames, PortCounters::rxBytes, PortCounters::txFrames, PortCounters::txBytes)
                .containsExactly(1L, 100L, 1L, 64L);
        assertThat(pb).extracting(PortCounters::rxFrames, PortCounters::rxBytes, PortCounters::txFrames, PortCounters::txBytes)
                .containsExactly(1L, 64L, 1L, 100L);
        assertThat(pc).extracting(PortCounters::rxFrames, PortCounters::rxBytes, PortCounters::txFrames, PortCounters::txBytes)
                .containsExactly(0L, 0L, 1L, 100L);
        assertThat(pa.kind()).isEqualTo("memory");
        assertThat(pa.totalDrops()).isZero();
        assertThat(bus.counters()).hasSize(3);
    }

    @Test
    void everyFrameIsCapturedAtIngressWithTimeSegmentAndPort() {
        loop.runFor(EventLoop.millis(5));
        byte[] f1 = frame(MacAddress.BROADCAST, A, 1);
        a.send(f1);
        loop.runFor(EventLoop.millis(1));
        b.send(frame(A, B, 2));
        assertThat(trace.frames()).extracting(CapturedFrame::seq, CapturedFrame::timeNanos, CapturedFrame::segment,
                        CapturedFrame::ingressPort)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(0L, 5_000_000L, "lan", "a:eth0"),
                        org.assertj.core.groups.Tuple.tuple(1L, 6_000_000L, "lan", "b:eth0"));
        assertThat(trace.frames().get(0).bytes()).isEqualTo(f1);
    }

    @Test
    void receiversAndTheCaptureShareTheFrameWithoutACopy() {
        // Frames are read-only for receivers (FrameHandler), so the bus hands the same array to
        // the capture and every receiver; FramesStayReadOnlyTest checks the nodes keep to that.
        byte[] f = frame(MacAddress.BROADCAST, A, 1);
        a.send(f);
        assertThat(rb.frames().get(0).frame()).isSameAs(f);
        assertThat(rc.frames().get(0).frame()).isSameAs(f);
        assertThat(trace.frames().get(0).bytes()).isSameAs(f);
    }

    @Test
    void runtsAreCountedNotCapturedAndNeverThrow() {
        a.send(new byte[0]);
        a.send(new byte[13]);
        a.send(frame(MacAddress.BROADCAST, A, 7, 14)); // a bare header is a frame
        assertThat(bus.segment("lan").counters("a:eth0").drops(DropReason.RUNT)).isEqualTo(2);
        assertThat(trace.frames()).hasSize(1);
        assertThat(rb.count()).isEqualTo(1);
        assertThat(trace.events(e -> e.kind().equals("drop"))).hasSize(2)
                .allSatisfy(e -> assertThat(e.detail()).containsEntry("reason", "runt"));
    }

    @Test
    void oversizeFramesAreCountedAndDropped() {
        a.send(new byte[Segment.MAX_FRAME_LENGTH + 1]);
        assertThat(bus.segment("lan").counters("a:eth0").drops(DropReason.OVERSIZE)).isEqualTo(1);
        assertThat(rb.count()).isZero();
    }

    @Test
    void segmentsAreIsolated() {
        bus.addSegment("wan", 200);
        Link w = bus.connect("wan", "w:eth0");
        Receiver rw = new Receiver(loop);
        w.setReceiver(rw);
        a.send(frame(MacAddress.BROADCAST, A, 1));
        w.send(frame(MacAddress.BROADCAST, C, 2));
        assertThat(rw.ids()).isEmpty();
        assertThat(rb.ids()).containsExactly(1);
        assertThat(trace.frames()).extracting(CapturedFrame::segment).containsExactly("lan", "wan");
    }

    @Test
    void closingALinkRemovesThePortAndItsAddresses() {
        b.send(frame(MacAddress.BROADCAST, B, 1));
        b.close();
        assertThat(bus.segment("lan").ports()).containsExactly("a:eth0", "c:eth0");
        assertThat(bus.segment("lan").macTable()).doesNotContainKey(B);
        a.send(frame(B, A, 2));
        assertThat(rc.ids()).contains(2); // flooded: B is gone
        assertThat(rb.ids()).doesNotContain(2);
        b.send(frame(MacAddress.BROADCAST, B, 3)); // a closed link drops silently but counts
        assertThat(rc.ids()).doesNotContain(3);
    }

    @Test
    void badConfigurationIsRejectedWithPreciseMessages() {
        assertThatThrownBy(() -> bus.addSegment("lan", 5)).hasMessageContaining("'lan' already exists");
        assertThatThrownBy(() -> bus.addSegment("dmz", 100)).hasMessageContaining("VNI 100 is already used by segment 'lan'");
        assertThatThrownBy(() -> bus.addSegment("big", 1 << 24)).hasMessageContaining("24 bits");
        assertThatThrownBy(() -> bus.connect("nope", "x:eth0")).hasMessageContaining("no segment 'nope'");
        assertThatThrownBy(() -> bus.connect("lan", "a:eth0")).hasMessageContaining("already has a port 'a:eth0'");
    }

    @Test
    void receiverThatAnswersAtOnceDoesNotDeadlock() {
        // b echoes every frame straight back on its own (delivering) thread.
        b.setReceiver(f -> {
            byte[] echo = f.clone();
            System.arraycopy(f, 6, echo, 0, 6);
            B.write(echo, 6);
            b.send(echo);
        });
        a.send(frame(B, A, 1));
        assertThat(ra.ids()).containsExactly(1);
    }

    @Test
    void aReceiverThatThrowsIsCountedAndOthersStillGetTheFrame() {
        b.setReceiver(f -> {
            throw new IllegalStateException("node bug");
        });
        Thread.UncaughtExceptionHandler old = Thread.currentThread().getUncaughtExceptionHandler();
        java.util.List<Throwable> reported = new java.util.ArrayList<>();
        Thread.currentThread().setUncaughtExceptionHandler((t, e) -> reported.add(e));
        try {
            a.send(frame(MacAddress.BROADCAST, A, 1));
        } finally {
            Thread.currentThread().setUncaughtExceptionHandler(old);
        }
        assertThat(rc.ids()).containsExactly(1);
        assertThat(reported).singleElement().extracting(Throwable::getMessage).isEqualTo("node bug");
        assertThat(bus.segment("lan").counters("b:eth0").drops(DropReason.RECEIVER_ERROR)).isEqualTo(1);
    }

    @Test
    void macTableIsBoundedAndFloodsWhenFullThenLearnsAgainAfterAgeing() {
        bus.segment("lan").setMacAgeing(Duration.ofSeconds(10));
        for (int i = 0; i < 20_000; i++) {
            a.send(frame(MacAddress.BROADCAST, new MacAddress(0x0200_0000_0000L + i), i));
        }
        assertThat(bus.segment("lan").macTable()).hasSize(16_384);
        assertThat(rb.count()).isEqualTo(20_000); // still forwarded
        MacAddress late = MacAddress.parse("02:00:00:ff:00:01");
        b.send(frame(MacAddress.BROADCAST, late, -1));
        assertThat(bus.segment("lan").macTable().containsKey(late)).as("learned into a full table").isFalse();
        loop.runFor(EventLoop.seconds(11));
        b.send(frame(MacAddress.BROADCAST, late, -2));
        assertThat(bus.segment("lan").macTable()).containsOnlyKeys(late);
    }
}
