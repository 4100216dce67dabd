package dev.wirelab.netstack.trace;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DetailsTest {

    @Test
    void behavesAsAnInsertionOrderedMap() {
        Map<String, Object> d = TraceEvent.details("reason", "ttl", "ttl", 0, "ok", true);
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("reason", "ttl");
        expected.put("ttl", 0);
        expected.put("ok", true);
        assertThat(d).isEqualTo(expected).hasSameHashCodeAs(expected);
        assertThat(d.toString()).isEqualTo(expected.toString());
        assertThat(List.copyOf(d.keySet())).containsExactly("reason", "ttl", "ok");
        assertThat(d.get("ttl")).isEqualTo(0);
        assertThat(d.get("missing")).isNull();
        assertThat(d.containsKey("ok")).isTrue();
    }

    @Test
    void aRepeatedKeyKeepsItsFirstPlaceAndTheLastValueAsPutWould() {
        Map<String, Object> d = TraceEvent.details("a", 1, "b", 2, "a", 3);
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("a", 1);
        expected.put("b", 2);
        expected.put("a", 3);
        assertThat(d.get("a")).isEqualTo(3);
        assertThat(d).hasSize(2).isEqualTo(expected);
        assertThat(d.toString()).isEqualTo(expected.toString());
    }

    @Test
    void nonStringKeysBecomeStringsAndOddArgumentsAreRefused() {
        assertThat(TraceEvent.details(7, "x").get("7")).isEqualTo("x");
        assertThatThrownBy(() -> TraceEvent.details("lonely")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void eventsAreImmutableAndKeepAnotherMapsContent() {
        Map<String, Object> source = new LinkedHashMap<>();
        source.put("k", "v");
        TraceEvent e = new TraceEvent(1, "n", "l", "k", source);
        source.put("later", "x");
        assertThat(e.detail()).containsExactly(Map.entry("k", "v"));
        assertThatThrownBy(() -> e.detail().put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
        Object[] kv = {"a", 1};
        TraceEvent viaSink = new TraceEvent(1, "n", "l", "k", TraceEvent.details(kv));
        kv[1] = 2; // details() copies the caller's array
        assertThat(viaSink.detail().get("a")).isEqualTo(1);
    }
}
