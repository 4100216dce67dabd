package dev.wirelab.netstack.program;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Number formats and command lines of the network programs. */
class NetProgramFormatsTest {

    @Test
    void iperfUnitsHaveThreeSignificantDigitsLikeIperf3() {
        assertThat(Iperf.transfer(1_174_405)).isEqualTo("1.12 MBytes");
        assertThat(Iperf.transfer(11_744_051)).isEqualTo("11.2 MBytes");
        assertThat(Iperf.transfer(117_440_512)).isEqualTo(" 112 MBytes");
        assertThat(Iperf.transfer(512)).isEqualTo(" 512 Bytes");
        assertThat(Iperf.bitrate(117_500_000, 1_000_000_000L)).isEqualTo(" 940 Mbits/sec");
        assertThat(Iperf.bitrate(1_175_000, 1_000_000_000L)).isEqualTo("9.40 Mbits/sec");
        assertThat(Iperf.line(5, 0, 1_000_000_000L, 1_174_405, 3L, null))
                .isEqualTo("[  5]   0.00-1.00   sec  1.12 MBytes  9.40 Mbits/sec    3");
        assertThat(Iperf.line(5, 0, 10_040_000_000L, 11_744_051, null, "receiver"))
                .isEqualTo("[  5]   0.00-10.04  sec  11.2 MBytes  9.36 Mbits/sec                  receiver");
    }

    @Test
    void longOptionsComeOutBeforeGetopt() {
        NetArgs a = NetArgs.parse("echod", List.of("--mode", "epoll", "-p", "70", "--workers=3", "-v"), "p:v",
                Set.of("mode", "workers"), Set.of("flood"));
        assertThat(a.get("mode")).isEqualTo("epoll");
        assertThat(a.get("workers")).isEqualTo("3");
        assertThat(a.shorts.get('p')).isEqualTo("70");
        assertThat(a.shorts.has('v')).isTrue();
        assertThatThrownBy(() -> NetArgs.parse("x", List.of("--nope"), "", Set.of(), Set.of()))
                .hasMessage("x: unrecognized option '--nope'");
        assertThatThrownBy(() -> NetArgs.parse("x", List.of("--mode"), "", Set.of("mode"), Set.of()))
                .hasMessage("x: option '--mode' requires an argument");
        assertThat(NetArgs.size("iperf", "128K")).isEqualTo(131_072);
        assertThat(NetArgs.seconds("nc", "0.5")).isEqualTo(500_000_000L);
    }
}
