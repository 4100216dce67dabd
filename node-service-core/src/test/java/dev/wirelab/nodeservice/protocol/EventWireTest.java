package dev.wirelab.nodeservice.protocol;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The binary event batches between node containers and the control API, and the jsonb-safe JSON in them. */
class EventWireTest {

    static final JsonMapper JSON = NulSafeJson.mapper();

    static EventBatch sample() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("state", "ESTABLISHED");
        d.put("cwnd", 14480);
        d.put("text", "a\u0000b ünï");
        return new EventBatch("boot-1", 42, 3, List.of(
                new EventBatch.Event(40, 1_000_000_123L, "pc1", "tcp", "state", d),
                new EventBatch.Event(41, 1_000_000_456L, "pc1", "arp", "request_sent", Map.of())));
    }

    @Test
    void aBatchComesBackAsItWentWithDetailsAsNulSafeJson() throws IOException {
        EventWire.Batch b = EventWire.decode(EventWire.encode(sample(), JSON));
        assertThat(b.bootId()).isEqualTo("boot-1");
        assertThat(b.next()).isEqualTo(42);
        assertThat(b.dropped()).isEqualTo(3);
        assertThat(b.events()).hasSize(2);
        EventWire.Event e = b.events().getFirst();
        assertThat(e.seq()).isEqualTo(40);
        assertThat(e.timeNanos()).isEqualTo(1_000_000_123L);
        assertThat(List.of(e.node(), e.layer(), e.kind())).containsExactly("pc1", "tcp", "state");
        String detail = new String(e.detailJson(), StandardCharsets.UTF_8);
        assertThat(detail).isEqualTo("{\"state\":\"ESTABLISHED\",\"cwnd\":14480,\"text\":\"a\u2400b ünï\"}");
        assertThat(new String(b.events().get(1).detailJson(), StandardCharsets.UTF_8)).isEqualTo("{}");
    }

    @Test
    void aDetailJsonCannotCarryTravelsAsTextWithoutFailingTheBatch() throws IOException {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("self", new Broken());
        EventBatch batch = new EventBatch("b", 2, 0, List.of(new EventBatch.Event(1, 5, "r1", "ip", "x", d)));
        EventWire.Batch b = EventWire.decode(EventWire.encode(batch, JSON));
        assertThat(new String(b.events().getFirst().detailJson(), StandardCharsets.UTF_8)).contains("unserializable")
                .contains("thing");
    }

    /** A value whose property cannot be read: Jackson cannot write it. */
    public static final class Broken {
        public int getValue() {
            throw new IllegalStateException("no value");
        }

        @Override
        public String toString() {
            return "thing";
        }
    }

    @Test
    void escapedNulsBecomeTheSymbolAndNothingElseChanges() {
        assertThat(sanitized("{\"a\":\"x\\u0000y\"}")).isEqualTo("{\"a\":\"x\u2400y\"}");
        assertThat(sanitized("{\"a\":\"\\u0000\\u0000\"}")).isEqualTo("{\"a\":\"\u2400\u2400\"}");
        // An escaped backslash before "u0000" is a backslash and the text u0000, not a NUL.
        assertThat(sanitized("{\"a\":\"\\\\u0000\"}")).isEqualTo("{\"a\":\"\\\\u0000\"}");
        assertThat(sanitized("{\"a\":\"\\\\\\u0000\"}")).isEqualTo("{\"a\":\"\\\\\u2400\"}");
        assertThat(sanitized("{\"a\":\"\\u00001\"}")).isEqualTo("{\"a\":\"\u24001\"}");
        assertThat(sanitized("{\"a\":\"\\u0001\\u000\"}")).isEqualTo("{\"a\":\"\\u0001\\u000\"}");
        byte[] clean = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
        assertThat(NulSafeJson.sanitize(clean)).isSameAs(clean);
    }

    static String sanitized(String json) {
        return new String(NulSafeJson.sanitize(json.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
    }

    @Test
    void whatIsNoBatchIsAnIoExceptionThatSaysWhat() {
        byte[] good = EventWire.encode(sample(), JSON);
        assertThatThrownBy(() -> EventWire.decode("{\"events\":[]}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IOException.class).hasMessageContaining("magic");
        byte[] v2 = good.clone();
        v2[7] = 2;
        assertThatThrownBy(() -> EventWire.decode(v2)).isInstanceOf(IOException.class).hasMessageContaining("version 2");
        byte[] longer = java.util.Arrays.copyOf(good, good.length + 1);
        assertThatThrownBy(() -> EventWire.decode(longer)).isInstanceOf(IOException.class).hasMessageContaining("after its last");
        // A count far beyond the body is refused before anything is allocated for it.
        ByteBuffer lie = ByteBuffer.wrap(good.clone());
        int countAt = 4 + 4 + 4 + "boot-1".length() + 8 + 8;
        lie.putInt(countAt, Integer.MAX_VALUE);
        assertThatThrownBy(() -> EventWire.decode(lie.array())).isInstanceOf(IOException.class).hasMessageContaining("says");
        // A node name that is not UTF-8.
        EventBatch bad = new EventBatch("b", 2, 0, List.of(new EventBatch.Event(1, 5, "NODE", "ip", "x", Map.of())));
        byte[] badName = EventWire.encode(bad, JSON);
        int at = indexOf(badName, "NODE".getBytes(StandardCharsets.US_ASCII));
        badName[at] = (byte) 0xC3;
        badName[at + 1] = (byte) 0x28;
        assertThatThrownBy(() -> EventWire.decode(badName)).isInstanceOf(IOException.class).hasMessageContaining("UTF-8");
        for (int cut = 0; cut < good.length; cut++) {
            byte[] part = java.util.Arrays.copyOf(good, cut);
            assertThatThrownBy(() -> EventWire.decode(part)).as("cut at %d", cut).isInstanceOf(IOException.class);
        }
    }

    /** Seeded corruption of a real batch: each result is a batch or an IOException, never another failure. */
    @Test
    void corruptedBatchesNeverFailOtherwise() {
        byte[] good = EventWire.encode(sample(), JSON);
        Random r = new Random(20261207);
        List<String> other = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            byte[] b = good.clone();
            for (int k = 1 + r.nextInt(4); k > 0; k--) {
                b[r.nextInt(b.length)] = (byte) r.nextInt(256);
            }
            try {
                EventWire.decode(b);
            } catch (IOException expected) {
                // refused with a reason
            } catch (RuntimeException e) {
                other.add(e.toString());
            }
        }
        assertThat(other).isEmpty();
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
