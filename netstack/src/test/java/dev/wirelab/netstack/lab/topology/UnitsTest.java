package dev.wirelab.netstack.lab.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wirelab.netstack.testing.Gen;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class UnitsTest {

    @ParameterizedTest
    @CsvSource({
            "2ms, 2000000", "1.5s, 1500000000", "250us, 250000", "250µs, 250000", "7ns, 7", "0, 0", "0ms, 0",
            "1 ms, 1000000", "2MS, 2000000", "0.001ms, 1000", "3600s, 3600000000000",
    })
    void durations(String text, long nanos) {
        assertThat(Units.parseDurationNanos(text)).isEqualTo(nanos);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "2       | has no unit", "2m | unknown duration unit 'm'", "-2ms | negative", "0.5ns | finer than one",
            "3601s   | too long", "ms | not a duration", "'' | not a duration", "1e3ms | not a duration",
            "2 ms ms | not a duration",
    })
    void badDurations(String text, String fragment) {
        assertThatThrownBy(() -> Units.parseDurationNanos(text))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(fragment);
    }

    @ParameterizedTest
    @CsvSource({
            "10mbit, 10000000", "1gbit, 1000000000", "500kbit, 500000", "64bit, 64", "1.5mbit, 1500000",
            "1tbit, 1000000000000", "10Mbit, 10000000",
    })
    void rates(String text, long bits) {
        assertThat(Units.parseRateBitsPerSecond(text)).isEqualTo(bits);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "10mbps | ambiguous", "10MB | ambiguous", "10 | has no unit", "0mbit | zero", "2tbit | too high",
            "1.5bit | whole number", "10mbit/s | not a rate", "-1mbit | negative", "fast | not a rate",
    })
    void badRates(String text, String fragment) {
        assertThatThrownBy(() -> Units.parseRateBitsPerSecond(text))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(fragment);
    }

    @Test
    void probabilities() {
        assertThat(Units.parseProbability("0.25")).isEqualTo(0.25);
        assertThat(Units.parseProbability("1%")).isEqualTo(0.01);
        assertThat(Units.parseProbability("100 %")).isEqualTo(1.0);
        assertThat(Units.parseProbability("0")).isZero();
        for (String bad : new String[]{"1.01", "-0.1", "101%", "NaN", "half", "", "%"}) {
            assertThatThrownBy(() -> Units.parseProbability(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("probability");
        }
    }

    static LongStream seeds() {
        return Gen.seeds(300);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void durationsRoundTrip(long seed) {
        checkDuration(Gen.between(Gen.random(seed), 0, Units.MAX_DURATION_NANOS));
    }

    @ParameterizedTest(name = "{0} ns")
    @ValueSource(longs = {0, 1, 2, 999, 1000, 1_000_000, 1_000_000_000, Units.MAX_DURATION_NANOS - 1, Units.MAX_DURATION_NANOS})
    void durationsRoundTripAtTheEdges(long nanos) {
        checkDuration(nanos);
    }

    private static void checkDuration(long nanos) {
        assertThat(Units.parseDurationNanos(Units.formatDuration(nanos))).isEqualTo(nanos);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void ratesRoundTrip(long seed) {
        checkRate(Gen.between(Gen.random(seed), 1, Units.MAX_RATE_BITS));
    }

    @ParameterizedTest(name = "{0} bit/s")
    @ValueSource(longs = {1, 2, 999, 1000, 1_000_000, 1_000_000_000, Units.MAX_RATE_BITS - 1, Units.MAX_RATE_BITS})
    void ratesRoundTripAtTheEdges(long bits) {
        checkRate(bits);
    }

    private static void checkRate(long bits) {
        assertThat(Units.parseRateBitsPerSecond(Units.formatRate(bits))).isEqualTo(bits);
    }

    @Test
    void formatting() {
        assertThat(Units.formatDuration(2_000_000)).isEqualTo("2ms");
        assertThat(Units.formatDuration(1_500_000_000)).isEqualTo("1500ms");
        assertThat(Units.formatDuration(0)).isEqualTo("0s");
        assertThat(Units.formatRate(10_000_000)).isEqualTo("10mbit");
        assertThat(Units.formatRate(1_500)).isEqualTo("1500bit");
    }
}
