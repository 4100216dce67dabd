package dev.wirelab.netstack.trace;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Frames kept on disk instead of in memory while a lab runs, to be read back (as often as needed)
 * once it has stopped: a capture view that needs two passes over the frames (the conversations
 * view), or one file per segment, is then written without holding the run in the heap. Each
 * record is time, segment and ingress port (as numbers into tables kept in memory: a lab has few
 * of either), length and bytes. Thread-safe; the file is deleted on {@link #close}.
 */
public final class FrameSpool implements AutoCloseable {

    /** What {@link #forEach} hands over for each frame, in arrival order. */
    @FunctionalInterface
    public interface Visitor {
        void frame(long seq, long timeNanos, String segment, String ingressPort, byte[] bytes) throws IOException;
    }

    private final Path path;
    private final DataOutputStream out;
    private final Map<String, Integer> ids = new HashMap<>();
    private final List<String> names = new ArrayList<>();
    private final List<String> segments = new ArrayList<>();
    private long frames;
    private boolean closed;

    private FrameSpool(Path path) throws IOException {
        this.path = path;
        this.out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(path), 1 << 20));
    }

    /** A spool in a new hidden file of {@code dir}. */
    public static FrameSpool create(Path dir) throws IOException {
        Path p = Files.createTempFile(dir, ".wirelab-frames-", ".spool");
        p.toFile().deleteOnExit();
        return new FrameSpool(p);
    }

    public synchronized void add(long timeNanos, String segment, String ingressPort, byte[] bytes) throws IOException {
        if (closed) {
            throw new IOException("the frame spool is closed");
        }
        int s = id(segment);
        if (s == names.size() - 1 && !segments.contains(segment)) {
            segments.add(segment);
        }
        out.writeLong(timeNanos);
        out.writeInt(s);
        out.writeInt(id(ingressPort));
        out.writeInt(bytes.length);
        out.write(bytes);
        frames++;
    }

    private int id(String name) {
        Integer id = ids.get(name);
        if (id == null) {
            id = names.size();
            ids.put(name, id);
            names.add(name);
        }
        return id;
    }

    public synchronized long frames() {
        return frames;
    }

    /** The segments frames came on, in the order of their first frame. */
    public synchronized List<String> segments() {
        return List.copyOf(segments);
    }

    /** Reads every frame back, in order (the names handed over are the same instances each time). */
    public synchronized void forEach(Visitor v) throws IOException {
        out.flush();
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(path), 1 << 20))) {
            for (long seq = 0; seq < frames; seq++) {
                long t = in.readLong();
                String segment = names.get(in.readInt());
                String port = names.get(in.readInt());
                byte[] bytes = new byte[in.readInt()];
                in.readFully(bytes);
                v.frame(seq, t, segment, port, bytes);
            }
        }
    }

    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            out.close();
        } finally {
            Files.deleteIfExists(path);
        }
    }
}
