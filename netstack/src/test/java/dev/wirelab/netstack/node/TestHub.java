package dev.wirelab.netstack.node;

import dev.wirelab.netstack.link.FrameHandler;
import dev.wirelab.netstack.link.Link;
import dev.wirelab.netstack.time.VirtualTimeScheduler;
import dev.wirelab.netstack.trace.TraceSink;

import java.util.ArrayList;
import java.util.List;

/**
 * A test-only Ethernet hub on virtual time: every frame sent on one port reaches every other port
 * after a fixed delay (nodes filter by MAC). Frames are recorded to the trace like the bus does.
 */
public final class TestHub {

    private final String name;
    private final VirtualTimeScheduler scheduler;
    private final long delayNanos;
    private final TraceSink trace;
    private final List<Port> ports = new ArrayList<>();
    private final List<byte[]> frames = new ArrayList<>();

    public TestHub(String name, VirtualTimeScheduler scheduler, long delayNanos, TraceSink trace) {
        this.name = name;
        this.scheduler = scheduler;
        this.delayNanos = delayNanos;
        this.trace = trace;
    }

    public Port port(String portName) {
        Port p = new Port(portName);
        ports.add(p);
        return p;
    }

    /** Every frame sent on this hub, in order. */
    public synchronized List<byte[]> frames() {
        return List.copyOf(frames);
    }

    public final class Port implements Link {
        private final String portName;
        private volatile FrameHandler receiver = FrameHandler.DISCARD;

        Port(String portName) {
            this.portName = portName;
        }

        @Override
        public void send(byte[] frame) {
            byte[] copy = frame.clone();
            synchronized (TestHub.this) {
                frames.add(copy);
            }
            trace.frame(scheduler.nanos(), name, portName, copy);
            for (Port p : ports) {
                if (p != this) {
                    scheduler.schedule(delayNanos, () -> p.receiver.onFrame(copy.clone()));
                }
            }
        }

        @Override
        public void setReceiver(FrameHandler receiver) {
            this.receiver = receiver;
        }
    }
}
