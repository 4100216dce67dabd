package dev.wirelab.netstack.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wirelab.netstack.node.TestLab;
import dev.wirelab.netstack.wire.Ipv4Address;

import java.io.ByteArrayOutputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Two hosts through two routers: connect, send both ways, close. */
class TcpSmokeTest {

    @Test
    void transfersDataThroughRoutersAndCloses() {
        TestLab.Chain chain = new TestLab.Chain();
        TcpLayer server = TcpLayer.install(chain.pc2);
        TcpLayer client = TcpLayer.install(chain.pc1);
        TcpListener l = server.listen(Ipv4Address.ANY, 80, 8, TcpOptions.DEFAULT);
        TcpConnection c = client.connect(null, 0, Ipv4Address.parse("10.0.3.2"), 80, TcpOptions.DEFAULT);
        chain.lab.runFor(100_000_000L);
        assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
        TcpConnection s = l.accept();
        assertThat(s).isNotNull();
        byte[] data = new byte[300_000];
        new Random(1).nextBytes(data);
        int[] sent = {0};
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buf = new byte[65536];
        for (int i = 0; i < 2000 && got.size() < data.length; i++) {
            if (sent[0] < data.length) {
                sent[0] += c.send(data, sent[0], data.length - sent[0]);
            }
            chain.lab.runFor(5_000_000L);
            int n;
            while ((n = s.receive(buf, 0, buf.length)) > 0) {
                got.write(buf, 0, n);
            }
        }
        assertThat(got.toByteArray()).isEqualTo(data);
        c.close();
        chain.lab.runFor(100_000_000L);
        assertThat(s.receive(buf, 0, buf.length)).isEqualTo(-1);
        assertThat(s.state()).isEqualTo(TcpState.CLOSE_WAIT);
        s.close();
        chain.lab.runFor(100_000_000L);
        assertThat(s.state()).isEqualTo(TcpState.CLOSED);
        assertThat(c.state()).isEqualTo(TcpState.TIME_WAIT);
        chain.lab.runFor(121_000_000_000L);
        assertThat(c.state()).isEqualTo(TcpState.CLOSED);
        assertThat(client.connections()).isEmpty();
    }
}
