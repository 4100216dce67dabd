package dev.wirelab.netstack.program;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ShellTest {

    @Test
    void splitsLikeAPosixShell() {
        assertThat(Shell.split("  ping  -c 3   10.0.3.2 ")).containsExactly("ping", "-c", "3", "10.0.3.2");
        assertThat(Shell.split("echo 'a b' \"c \\\"d\\\"\" e\\ f ''")).containsExactly("echo", "a b", "c \"d\"", "e f", "");
        assertThat(Shell.split("")).isEmpty();
        assertThatThrownBy(() -> Shell.split("echo 'open")).hasMessageContaining("unexpected EOF while looking for matching `''");
    }

    @Test
    void aTrailingUnquotedAmpersandMeansBackground() {
        assertThat(Shell.parse("echod -n 1 &")).isEqualTo(new Shell.Parsed(List.of("echod", "-n", "1"), true));
        assertThat(Shell.parse("echod -n 1&  ")).isEqualTo(new Shell.Parsed(List.of("echod", "-n", "1"), true));
        assertThat(Shell.parse("curl 'http://x/?a=1&b=2'")).isEqualTo(new Shell.Parsed(List.of("curl", "http://x/?a=1&b=2"), false));
        assertThat(Shell.parse("curl http://x/?a=1&b=2")).isEqualTo(new Shell.Parsed(List.of("curl", "http://x/?a=1&b=2"), false));
        assertThat(Shell.parse("echo '&'")).isEqualTo(new Shell.Parsed(List.of("echo", "&"), false));
        assertThat(Shell.parse("echo \\&")).isEqualTo(new Shell.Parsed(List.of("echo", "&"), false));
        assertThat(Shell.parse("&")).isEqualTo(new Shell.Parsed(List.of(), true));
    }

    /** A server started with & keeps running while the shell is done; its output lines are trace events. */
    @Test
    void aBackgroundServerServesTheNextCommand() {
        try (WebLab lab = new WebLab()) {
            var started = lab.run("web", "echod -n 1 -v &");
            assertThat(started.exitCode()).isZero();
            assertThat(started.output()).isEmpty();
            var nc = lab.run("client", "nc -N 10.0.2.80 7 --send hello");
            assertThat(nc.output()).as(nc.text()).containsExactly("hello");
            lab.advance(java.time.Duration.ofMillis(100));
            var trace = lab.lab.trace().events(e -> e.node().equals("web") && e.layer().equals("program"));
            assertThat(trace).anyMatch(e -> e.kind().equals("background") && e.detail().get("command").equals("echod -n 1 -v &"));
            assertThat(trace).anyMatch(e -> e.kind().equals("output")
                    && String.valueOf(e.detail().get("line")).equals("echod: served 1 connections, 6 bytes"));
            assertThat(trace).anyMatch(e -> e.kind().equals("exit") && e.detail().get("program").equals("echod")
                    && e.detail().get("status").equals(0));
            var alone = lab.run("web", "&");
            assertThat(alone.exitCode()).isEqualTo(2);
            assertThat(alone.output()).containsExactly("sh: syntax error near unexpected token `&'");
        }
    }

    @Test
    void getoptTakesGroupedFlagsAttachedValuesAndMixedOperands() {
        GetOpt o = GetOpt.parse("ping", List.of("-nq", "-c3", "10.0.0.1", "-s", "1400", "--", "-x"), "c:s:nq");
        assertThat(o.options).containsEntry('c', "3").containsEntry('s', "1400").containsKeys('n', 'q');
        assertThat(o.operands).containsExactly("10.0.0.1", "-x");
        assertThatThrownBy(() -> GetOpt.parse("ping", List.of("-z"), "c:")).hasMessage("ping: invalid option -- 'z'");
        assertThatThrownBy(() -> GetOpt.parse("ping", List.of("-c"), "c:"))
                .hasMessage("ping: option requires an argument -- 'c'");
    }

    @Test
    void pingFormatsTimesWithIputilsPrecision() {
        assertThat(Ping.formatTrip(42)).isEqualTo("0.042");
        assertThat(Ping.formatTrip(4_012)).isEqualTo("4.01");
        assertThat(Ping.formatTrip(12_345)).isEqualTo("12.3");
        assertThat(Ping.formatTrip(123_456)).isEqualTo("123");
        assertThat(Ping.formatG(0)).isEqualTo("0");
        assertThat(Ping.formatG(100)).isEqualTo("100");
        assertThat(Ping.formatG(100.0 / 3)).isEqualTo("33.3333");
        assertThat(Ping.formatG(50)).isEqualTo("50");
    }
}
