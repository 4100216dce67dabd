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

/**
 * The CLI's trace, kept out of the heap: frames go to a {@link FrameSpool} beside the capture (the
 * capture views are written from it at the end), events to the events file as timeline lines, and
 * only the counts the summary prints stay in memory. A write that fails is counted, never thrown
 * at the bus or a node.
 */
final class StreamedTrace implements TraceSink, AutoCloseable {

    private final FrameSpool spool;
    private final Path eventsFile;
    private final Writer events;
    private final StringBuilder line = new StringBuilder(256);
    private final TraceSummary.Counts counts = new TraceSummary.Counts();
    private long frameErrors;
    private long eventErrors;

    StreamedTrace(Path spoolDir, Path eventsFile) throws IOException {
        this.spool = FrameSpool.create(spoolDir);
        this.eventsFile = eventsFile;
        try {
            this.events = new BufferedWriter(Files.newBufferedWriter(eventsFile, StandardCharsets.UTF_8), 1 << 20);
        } catch (IOException e) {
            spool.close();
            throw e;
        }
    }

    @Override
    public void frame(long timeNanos, String segment, String ingressPort, byte[] bytes) {
        counts.frame(segment, bytes);
        try {
            spool.add(timeNanos, segment, ingressPort, bytes);
        } catch (IOException e) {
            synchronized (this) {
                frameErrors++;
            }
        }
    }

    @Override
    public void event(TraceEvent event) {
        counts.event(event);
        synchronized (this) {
            line.setLength(0);
            TraceSummary.appendLine(line, event);
            line.append('\n');
            try {
                events.append(line);
            } catch (IOException e) {
                eventErrors++;
            }
        }
    }

    FrameSpool spool() {
        return spool;
    }

    TraceSummary.Counts counts() {
        return counts;
    }

    Path eventsFile() {
        return eventsFile;
    }

    synchronized long frameErrors() {
        return frameErrors;
    }

    synchronized long eventErrors() {
        return eventErrors;
    }

    /** Writes what is buffered of the events file. */
    synchronized void flushEvents() {
        try {
            events.flush();
        } catch (IOException e) {
            eventErrors++;
        }
    }

    @Override
    public synchronized void close() throws IOException {
        try {
            events.close();
        } finally {
            spool.close();
        }
    }
}
