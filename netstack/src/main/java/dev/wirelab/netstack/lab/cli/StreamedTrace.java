package dev.wirelab.netstack.lab.cli;

import dev.wirelab.netstack.lab.TraceSummary;
import dev.wirelab.netstack.trace.FrameSpool;
import dev.wirelab.netstack.trace.TraceEvent;
import dev.wirelab.netstack.trace.TraceSink;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;

/**
 * The CLI's trace, kept out of the heap: frames go to a {@link FrameSpool} beside the capture (the
 * capture views are written from it at the end), events to the events file as timeline lines, and
 * only the counts the summary prints stay in memory. A thread of its own counts, formats and writes,
 * so the lab's loop only hands each item over (on two cores that is most of the trace's cost moved
 * off the loop); the hand-over queue is bounded and a full one makes the lab wait, so nothing is
 * lost. A write that fails is counted, never thrown at the bus or a node.
 */
final class StreamedTrace implements TraceSink, AutoCloseable {

    private record Frame(long timeNanos, String segment, String ingressPort, byte[] bytes) {
    }

    private record Flush(CountDownLatch done) {
    }

    private static final Object STOP = new Object();

    private final FrameSpool spool;
    private final Path eventsFile;
    private final Writer events;
    private final TraceSummary.Counts counts = new TraceSummary.Counts();
    private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(1 << 16);
    private final Thread writer;
    private volatile long frameErrors;
    private volatile long eventErrors;
    private boolean closed;

    StreamedTrace(Path spoolDir, Path eventsFile) throws IOException {
        this.spool = FrameSpool.create(spoolDir);
        this.eventsFile = eventsFile;
        try {
            this.events = new BufferedWriter(Files.newBufferedWriter(eventsFile, StandardCharsets.UTF_8), 1 << 20);
        } catch (IOException e) {
            spool.close();
            throw e;
        }
        this.writer = new Thread(this::write, "trace-writer");
        writer.setDaemon(true);
        writer.start();
    }

    @Override
    public void frame(long timeNanos, String segment, String ingressPort, byte[] bytes) {
        put(new Frame(timeNanos, segment, ingressPort, bytes));
    }

    @Override
    public void event(TraceEvent event) {
        put(event);
    }

    private void put(Object item) {
        try {
            queue.put(item);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            eventErrors++;
        }
    }

    /** The writer thread: takes what is queued, in order, in batches. */
    private void write() {
        List<Object> batch = new ArrayList<>(1024);
        StringBuilder line = new StringBuilder(256);
        while (true) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                return;
            }
            queue.drainTo(batch, 4095);
            for (Object item : batch) {
                if (item == STOP) {
                    return;
                }
                switch (item) {
                    case TraceEvent e -> {
                        counts.event(e);
                        line.setLength(0);
                        TraceSummary.appendLine(line, e);
                        line.append('\n');
                        try {
                            events.append(line);
                        } catch (IOException x) {
                            eventErrors++;
                        }
                    }
                    case Frame f -> {
                        counts.frame(f.segment(), f.bytes());
                        try {
                            spool.add(f.timeNanos(), f.segment(), f.ingressPort(), f.bytes());
                        } catch (IOException x) {
                            frameErrors++;
                        }
                    }
                    case Flush fl -> {
                        try {
                            events.flush();
                        } catch (IOException x) {
                            eventErrors++;
                        }
                        fl.done().countDown();
                    }
                    default -> throw new IllegalStateException("unexpected " + item);
                }
            }
            batch.clear();
        }
    }

    /** Waits until everything handed over so far is counted and written (the spool and the events file). */
    void flush() {
        if (!writer.isAlive()) {
            return;
        }
        Flush f = new Flush(new CountDownLatch(1));
        put(f);
        try {
            f.done().await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The frame spool; {@link #flush} first. */
    FrameSpool spool() {
        return spool;
    }

    /** The summary's counts; {@link #flush} first. */
    TraceSummary.Counts counts() {
        return counts;
    }

    Path eventsFile() {
        return eventsFile;
    }

    long frameErrors() {
        return frameErrors;
    }

    long eventErrors() {
        return eventErrors;
    }

    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        put(STOP);
        try {
            writer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            events.close();
        } finally {
            spool.close();
        }
    }
}
