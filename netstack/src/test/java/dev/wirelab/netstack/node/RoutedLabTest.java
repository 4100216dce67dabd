package dev.wirelab.netstack.node;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RoutedLabTest {

    @Test
    void pingAcrossTwoRoutersBothWays() {
        TestLab.Chain c = new TestLab.Chain();
        TestLab.Run run = c.lab.run(c.pc1, "ping -c 3 -i 0.2 10.0.3.2");
        System.out.println(run.text());
        assertThat(run.status()).isZero();
        assertThat(run.lines().get(0)).isEqualTo("PING 10.0.3.2 (10.0.3.2) 56(84) bytes of data.");
        assertThat(run.lines()).filteredOn(l -> l.startsWith("64 bytes from 10.0.3.2: icmp_seq=")).hasSize(3);
        assertThat(run.lines()).anyMatch(l -> l.matches("64 bytes from 10\\.0\\.3\\.2: icmp_seq=1 ttl=62 time=\\d+\\.\\d+ ms"));
        assertThat(run.text()).contains("3 packets transmitted, 3 received, 0% packet loss");

        TestLab.Run back = c.lab.run(c.pc2, "ping -c 2 -i 0.2 10.0.1.2");
        System.out.println(back.text());
        assertThat(back.status()).isZero();
        assertThat(back.text()).contains("2 packets transmitted, 2 received, 0% packet loss");
    }
}
