package dev.wirelab.netstack.bus;

import static dev.wirelab.netstack.bus.TestFrames.A;
import static dev.wirelab.netstack.bus.TestFrames.B;
import static dev.wirelab.netstack.bus.TestFrames.C;
import static dev.wirelab.netstack.bus.TestFrames.frame;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wirelab.netstack.link.Link;
import dev.wirelab.netstack.link.VxlanLink;
import dev.wirelab.netstack.time.RealTimeClock;
import dev.wirelab.netstack.time.RealTimeLoop;
import dev.wirelab.netstack.trace.CapturedFrame;
import dev.wirelab.netstack.trace.TraceRecorder;
import dev.wirelab.netstack.wire.MacAddress;
import dev.wirelab.netstack.wire.Vxlan;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The bus's VXLAN endpoint and node-side VXLAN links over real UDP on 127.0.0.1. */
@Timeout(20)
class VxlanLoopbackTest {

    private static final InetSocketAddress ANY_LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    private RealTimeLoop loop;
    private TraceRecorder trace;
    private Bus bus;
    private VxlanEndpoint endpoint;

    @BeforeEach
    void setUp() throws IOException {
        loop = new RealTimeLoop("bus", new RealTimeClock());
        trace = new TraceRecorder();
        bus = new Bus(loop, trace, 1);
        bus.addSegment("lan", 5001);
        bus.addSegment("wan", 5002);
        endpoint = bus.listenVxlan(ANY_LOOPBACK);
    }

    @AfterEach
    void tearDown() {
        bus.close();
        loop.close();
    }

    @Test
    void twoVxlanLinksTalkThroughTheBus() throws Exception {
        try (VxlanLink a = VxlanLink.open(ANY_LOOPBACK, endpoint.localAddress(), 5001);
             VxlanLink b = VxlanLink.open(ANY_LOOPBACK, endpoint.localAddress(), 5001)) {
            bus.addExternalPort("lan", "a:eth0", a.localAddress());
            bus.addExternalPort("lan", "b:eth0", b.localAddress());
            Receiver ra = new Receiver(loop);
            Receiver rb = new Receiver(loop);
            a.setReceiver(ra);
            b.setReceiver(rb);

            b.send(frame(MacAddress.BROADCAST, B, 1)); // flooded to a
            assertThat(ra.await(1, 5000)).isTrue();
            a.send(frame(MacAddress.BROADCAST, A, 2)); // flooded to b
            assertThat(rb.await(1, 5000)).isTrue();
            b.send(frame(A, B, 3));                    // unicast back to a, whose MAC the switch learned
            assertThat(ra.await(2, 5000)).isTrue();

            assertThat(rb.ids()).containsExactly(2);
            assertThat(ra.ids()).containsExactly(1, 3);
            assertThat(rb.frames().get(0).frame()).isEqualTo(frame(MacAddress.BROADCAST, A, 2));
            assertThat(bus.segment("lan").ports()).containsExactly("a:eth0", "b:eth0");
            assertThat(bus.segment("lan").macTable()).containsEntry(A, "a:eth0").containsEntry(B, "b:eth0");
            assertThat(bus.segment("lan").counters("a:eth0").kind()).isEqualTo("external");
            assertThat(trace.frames()).extracting(CapturedFrame::ingressPort).containsExactly("b:eth0", "a:eth0", "b:eth0");
            assertThat(endpoint.counters().datagramsIn()).isEqualTo(3);
            assertThat(endpoint.counters().unknownSource()).isZero();
            // counted just after the datagram left, so the receiver may have been quicker
            await(() -> endpoint.counters().datagramsOut() == 3);
            assertThat(a.framesSent()).isEqualTo(1);
            assertThat(b.framesReceived()).isEqualTo(1);
        }
    }

    /**
     * Issue 11 (regression): a datagram from an address that is no VTEP of the segment used to
     * become a new port; its ARP reached the nodes and floods went back to it. Now it is counted
     * and dropped, and the stranger gets nothing.
     */
    @Test
    void datagramsFromStrangersAreCountedAndDroppedAndGetNothingBack() throws Exception {
        Link mem = bus.connect("lan", "pc1:eth0");
        Receiver rm = new Receiver(loop);
        mem.setReceiver(rm);
        InetAddress otherLoopback = InetAddress.getByName("127.0.0.2"); // a source that is no configured VTEP
        try (DatagramChannel stranger = DatagramChannel.open();
             DatagramChannel linux = DatagramChannel.open()) {
            linux.bind(ANY_LOOPBACK);
            bus.addExternalPort("lan", "linux1", (InetSocketAddress) linux.getLocalAddress());
            stranger.bind(new InetSocketAddress(otherLoopback, 0));
            stranger.configureBlocking(false);
            for (int i = 0; i < 3; i++) {
                stranger.send(ByteBuffer.wrap(Vxlan.encapsulate(5001, frame(MacAddress.BROADCAST, C, 100 + i))),
                        endpoint.localAddress());
            }
            await(() -> endpoint.counters().unknownSource() == 3);
            mem.send(frame(MacAddress.BROADCAST, A, 7)); // a flood: reaches linux1, not the stranger

            ByteBuffer buf = ByteBuffer.allocate(2000);
            linux.receive(buf);
            assertThat(buf.position()).isEqualTo(Vxlan.HEADER_LENGTH + frame(MacAddress.BROADCAST, A, 7).length);
            Thread.sleep(200);
            assertThat(stranger.receive(ByteBuffer.allocate(2000))).as("the stranger receives nothing").isNull();
            assertThat(rm.ids()).as("no frame of the stranger reached the node").isEmpty();
            assertThat(bus.segment("lan").ports()).containsExactlyInAnyOrder("linux1", "pc1:eth0");
            assertThat(bus.segment("lan").macTable()).doesNotContainKey(C);
            assertThat(trace.frames()).extracting(CapturedFrame::ingressPort).containsExactly("pc1:eth0");
            VxlanEndpoint.Counters c = endpoint.counters();
            assertThat(c.unknownSource()).isEqualTo(3);
            assertThat(c.dropped()).isEqualTo(3);
            assertThat(c.lastUnknownSource()).isEqualTo("127.0.0.2:" + ((InetSocketAddress) stranger.getLocalAddress()).getPort());
        }
    }

    @Test
    void vxlanLinkAndInMemoryNodeShareASegment() throws Exception {
        Link mem = bus.connect("lan", "mem:eth0");
        Receiver rm = new Receiver(loop);
        mem.setReceiver(rm);
        try (VxlanLink v = VxlanLink.open(ANY_LOOPBACK, endpoint.localAddress(), 5001)) {
            bus.addExternalPort("lan", "v:eth0", v.localAddress());
            Receiver rv = new Receiver(loop);
            v.setReceiver(rv);
            v.send(frame(MacAddress.BROADCAST, B, 1));
            assertThat(rm.await(1, 5000)).isTrue();
            mem.send(frame(B, A, 2));
            assertThat(rv.await(1, 5000)).isTrue();
            assertThat(rv.ids()).containsExactly(2);
        }
    }

    @Test
    void externalPortReceivesFloodsBeforeItSentAnything() throws Exception {
        try (DatagramChannel remote = DatagramChannel.open()) {
            remote.bind(ANY_LOOPBACK);
            bus.addExternalPort("wan", "linux1", (InetSocketAddress) remote.getLocalAddress());
            Link mem = bus.connect("wan", "r1:eth1");
            byte[] f = frame(MacAddress.BROADCAST, A, 9);
            mem.send(f);
            ByteBuffer buf = ByteBuffer.allocate(2000);
            remote.receive(buf);
            buf.flip();
            byte[] datagram = new byte[buf.remaining()];
            buf.get(datagram);
            assertThat(Vxlan.readVni(datagram, 0, datagram.length)).isEqualTo(5002);
            assertThat(datagram[0]).isEqualTo((byte) 0x08);
            assertThat(java.util.Arrays.copyOfRange(datagram, 8, datagram.length)).isEqualTo(f);
            assertThat(bus.segment("wan").counters("linux1"))
                    .extracting(PortCounters::kind, PortCounters::txFrames).containsExactly("external", 1L);

            // The remote answers from another source port (as Linux does per flow): same port.
            try (DatagramChannel other = DatagramChannel.open()) {
                other.bind(ANY_LOOPBACK);
                Receiver rm = new Receiver(loop);
                mem.setReceiver(rm);
                other.send(ByteBuffer.wrap(Vxlan.encapsulate(5002, frame(A, C, 10))), endpoint.localAddress());
                assertThat(rm.await(1, 5000)).isTrue();
                assertThat(bus.segment("wan").ports()).containsExactly("linux1", "r1:eth1");
                assertThat(bus.segment("wan").macTable()).containsEntry(C, "linux1");
            }
        }
    }

    @Test
    void badDatagramsAreCountedAndDropped() throws Exception {
        try (DatagramChannel stray = DatagramChannel.open()) {
            stray.bind(ANY_LOOPBACK);
            bus.addExternalPort("lan", "stray", (InetSocketAddress) stray.getLocalAddress());
            InetSocketAddress to = endpoint.localAddress();
            stray.send(ByteBuffer.wrap(new byte[3]), to);                                   // too short
            byte[] noI = Vxlan.encapsulate(5001, frame(MacAddress.BROADCAST, A, 1));
            noI[0] = 0;                                                                     // I flag clear
            stray.send(ByteBuffer.wrap(noI), to);
            stray.send(ByteBuffer.wrap(Vxlan.encapsulate(4242, frame(MacAddress.BROADCAST, A, 2))), to); // unknown VNI
            stray.send(ByteBuffer.wrap(new byte[8 + 13]), to);                             // header + runt
            stray.send(ByteBuffer.wrap(Vxlan.encapsulate(5001, frame(MacAddress.BROADCAST, A, 3))), to); // good
            await(() -> endpoint.counters().datagramsIn() == 5);
            await(() -> trace.frames().size() == 1);
            VxlanEndpoint.Counters c = endpoint.counters();
            assertThat(c.badHeader()).isEqualTo(3);
            assertThat(c.unknownVni()).isEqualTo(1);
            assertThat(trace.frames().get(0).segment()).isEqualTo("lan");
        }
    }

    @Test
    void vxlanLinkCountsBadAndForeignDatagrams() throws Exception {
        try (DatagramChannel fakeBus = DatagramChannel.open()) {
            fakeBus.bind(ANY_LOOPBACK);
            try (VxlanLink link = VxlanLink.open(ANY_LOOPBACK, (InetSocketAddress) fakeBus.getLocalAddress(), 77)) {
                Receiver r = new Receiver(loop);
                link.setReceiver(r);
                InetSocketAddress to = link.localAddress();
                fakeBus.send(ByteBuffer.wrap(new byte[5]), to);
                fakeBus.send(ByteBuffer.wrap(Vxlan.encapsulate(78, frame(A, B, 1))), to);
                fakeBus.send(ByteBuffer.wrap(Vxlan.encapsulate(77, frame(A, B, 2))), to);
                assertThat(r.await(1, 5000)).isTrue();
                assertThat(r.ids()).containsExactly(2);
                assertThat(link.badDatagrams()).isEqualTo(1);
                assertThat(link.wrongVni()).isEqualTo(1);
                // and what it sends is VXLAN with its VNI
                link.send(frame(B, A, 3));
                ByteBuffer buf = ByteBuffer.allocate(2000);
                fakeBus.receive(buf);
                buf.flip();
                byte[] d = new byte[buf.remaining()];
                buf.get(d);
                assertThat(Vxlan.readVni(d, 0, d.length)).isEqualTo(77);
                assertThat(TestFrames.id(java.util.Arrays.copyOfRange(d, 8, d.length))).isEqualTo(3);
            }
        }
    }

    @Test
    void externalPortWithoutEndpointCountsDrops() {
        VirtualBus v = new VirtualBus();
        v.bus.addExternalPort("lan", "far", new InetSocketAddress(InetAddress.getLoopbackAddress(), 4789));
        v.bus.connect("lan", "n:eth0").send(frame(MacAddress.BROADCAST, A, 1));
        assertThat(v.bus.segment("lan").counters("far").drops(DropReason.NO_ENDPOINT)).isEqualTo(1);
    }

    private static final class VirtualBus {
        final Bus bus = new Bus(new dev.wirelab.netstack.time.VirtualTimeScheduler(), new TraceRecorder(), 1);

        VirtualBus() {
            bus.addSegment("lan", 1);
        }
    }

    private static void await(BooleanSupplier cond) throws InterruptedException {
        long end = System.currentTimeMillis() + 5000;
        while (!cond.getAsBoolean()) {
            if (System.currentTimeMillis() > end) {
                throw new AssertionError("condition not met within 5 s");
            }
            Thread.sleep(5);
        }
    }
}
