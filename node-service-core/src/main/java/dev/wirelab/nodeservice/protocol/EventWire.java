package dev.wirelab.nodeservice.protocol;

import tools.jackson.databind.json.JsonMapper;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Event batches in a compact binary form ({@code GET /events?format=binary}), the way the control
 * API fetches them. Measured on a container run's iperf: parsing the JSON batches into maps and
 * writing each detail back out as JSON for the spool took ~60% of the event pulling's CPU, itself
 * about half of the control API's, on the cores the bus needs. Here an event's detail is JSON
 * text the node wrote once; the control API stores those bytes as they are (after
 * {@link NulSafeJson#sanitize}) and parses them only to show an event live.
 *
 * <p>Layout, big-endian: magic "WLEV", version (int32), boot id (string), next (int64), dropped
 * (int64), count (int32), then per event: seq and time (int64 each), node, layer and kind
 * (strings), detail (bytes). A string is its UTF-8 bytes; bytes are an int32 length and the bytes.
 */
public final class EventWire {

    public static final String MEDIA_TYPE = "application/x-wirelab-events";
    static final int MAGIC = 0x574C4556; // "WLEV"
    static final int VERSION = 1;
    /** No name or detail of one event is longer (a node's own limit is far below). */
    static final int MAX_FIELD = 1 << 20;

    private EventWire() {
    }

    /** One event with its detail as JSON text. */
    public record Event(long seq, long timeNanos, String node, String layer, String kind, byte[] detailJson) {
    }

    public record Batch(String bootId, long next, long dropped, List<Event> events) {
    }

    /** The batch in binary form; a detail JSON cannot carry travels as text, not failing the batch. */
    public static byte[] encode(EventBatch batch, JsonMapper json) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + batch.events().size() * 96);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            writeBytes(out, batch.bootId().getBytes(StandardCharsets.UTF_8));
            out.writeLong(batch.next());
            out.writeLong(batch.dropped());
            out.writeInt(batch.events().size());
            for (EventBatch.Event e : batch.events()) {
                out.writeLong(e.seq());
                out.writeLong(e.timeNanos());
                writeBytes(out, e.node().getBytes(StandardCharsets.UTF_8));
                writeBytes(out, e.layer().getBytes(StandardCharsets.UTF_8));
                writeBytes(out, e.kind().getBytes(StandardCharsets.UTF_8));
                writeBytes(out, detailJson(e.detail(), json));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return bytes.toByteArray();
    }

    static byte[] detailJson(Map<String, Object> detail, JsonMapper json) {
        try {
            return json.writeValueAsBytes(detail);
        } catch (RuntimeException e) {
            return json.writeValueAsBytes(Map.of("unserializable", String.valueOf(detail)));
        }
    }

    private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    /**
     * Reads a batch; anything that is not one (another format, cut short, lengths beyond the body,
     * text that is not UTF-8, trailing bytes) is an IOException that says what, never a partial batch.
     */
    public static Batch decode(byte[] body) throws IOException {
        ByteBuffer in = ByteBuffer.wrap(body);
        try {
            if (in.getInt() != MAGIC) {
                throw new IOException("not an event batch (no WLEV magic)");
            }
            int version = in.getInt();
            if (version != VERSION) {
                throw new IOException("event batch version " + version + ", this side reads " + VERSION);
            }
            String bootId = string(in);
            long next = in.getLong();
            long dropped = in.getLong();
            int count = in.getInt();
            // Each event takes at least 36 bytes: a count beyond that is a lie, not an allocation.
            if (count < 0 || count > in.remaining() / 36) {
                throw new IOException("event batch says " + count + " events in " + in.remaining() + " bytes");
            }
            List<Event> events = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                events.add(new Event(in.getLong(), in.getLong(), string(in), string(in), string(in), bytes(in)));
            }
            if (in.hasRemaining()) {
                throw new IOException("event batch has " + in.remaining() + " bytes after its last event");
            }
            return new Batch(bootId, next, dropped, events);
        } catch (BufferUnderflowException e) {
            throw new IOException("event batch cut short at byte " + in.position() + " of " + body.length);
        }
    }

    private static byte[] bytes(ByteBuffer in) throws IOException {
        int n = in.getInt();
        if (n < 0 || n > MAX_FIELD || n > in.remaining()) {
            throw new IOException("event batch field of " + n + " bytes at byte " + (in.position() - 4)
                    + " (" + in.remaining() + " left)");
        }
        byte[] b = new byte[n];
        in.get(b);
        return b;
    }

    private static String string(ByteBuffer in) throws IOException {
        byte[] b = bytes(in);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw new IOException("event batch name that is not UTF-8 at byte " + (in.position() - b.length));
        }
    }
}
