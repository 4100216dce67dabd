package dev.wirelab.netstack.program;

import dev.wirelab.netstack.lab.ExecResult;
import dev.wirelab.netstack.tcp.TcpLayer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** sysctl reads and writes the node's TCP settings with procps' words, and refuses what Linux refuses. */
class SysctlCommandTest {

    @Test
    void readsWritesAndListsTheTcpSettings() {
        try (WebLab lab = new WebLab()) {
            assertThat(lab.run("web", "sysctl net.ipv4.tcp_syncookies").output()).containsExactly("net.ipv4.tcp_syncookies = 1");
            ExecResult set = lab.run("web", "sysctl -w net.ipv4.tcp_syncookies=0 net.ipv4.tcp_max_syn_backlog=64");
            assertThat(set.exitCode()).as(set.text()).isZero();
            assertThat(set.output()).containsExactly("net.ipv4.tcp_syncookies = 0", "net.ipv4.tcp_max_syn_backlog = 64");
            assertThat(TcpLayer.of(lab.lab.node("web")).config().syncookies()).isZero();
            assertThat(TcpLayer.of(lab.lab.node("web")).config().maxSynBacklog()).isEqualTo(64);
            assertThat(TcpLayer.of(lab.lab.node("client")).config().syncookies()).as("another node's").isEqualTo(1);
            assertThat(lab.lab.trace().events()).anyMatch(e -> e.node().equals("web") && e.layer().equals("sysctl")
                    && e.kind().equals("set") && "net.ipv4.tcp_syncookies".equals(e.detail().get("key")));
            assertThat(lab.run("web", "sysctl -a").output()).contains("net.ipv4.tcp_syncookies = 0",
                    "net.ipv4.ip_local_port_range = 32768\t60999", "net.ipv4.tcp_fin_timeout = 60");
        }
    }

    @Test
    void refusesUnknownKeysBadValuesAndMissingEquals() {
        try (WebLab lab = new WebLab()) {
            ExecResult unknown = lab.run("web", "sysctl net.ipv4.tcp_nosuch");
            assertThat(unknown.exitCode()).isEqualTo(255);
            assertThat(unknown.output()).containsExactly("sysctl: cannot stat /proc/sys/net/ipv4/tcp_nosuch: No such file or directory");
            ExecResult bad = lab.run("web", "sysctl -w net.ipv4.tcp_syncookies=3");
            assertThat(bad.exitCode()).isEqualTo(255);
            assertThat(bad.output()).containsExactly("sysctl: setting key \"net.ipv4.tcp_syncookies\": Invalid argument");
            assertThat(lab.run("web", "sysctl -w net.ipv4.tcp_fin_timeout=abc").exitCode()).isEqualTo(255);
            assertThat(lab.run("web", "sysctl -w net.ipv4.tcp_fin_timeout").output())
                    .containsExactly("sysctl: \"net.ipv4.tcp_fin_timeout\" must be of the form name=value");
            assertThat(TcpLayer.of(lab.lab.node("web")).config().syncookies()).as("unchanged").isEqualTo(1);
            assertThat(lab.run("web", "sysctl").exitCode()).isEqualTo(1);
        }
    }
}
