package dev.wirelab.netstack.dns;

import dev.wirelab.netstack.wire.CapturedPayloads;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** RFC 1035 section 4.2.2 framing: the same stream split at every byte position gives the same messages. */
class DnsTcpTest {

    @Test
    void framingSurvivesEverySplit() {
        List<byte[]> messages = List.of(CapturedPayloads.get("c#5"), CapturedPayloads.get("c#6"), new byte[0],
                CapturedPayloads.get("c#12"));
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        for (byte[] m : messages) {
            stream.writeBytes(DnsTcp.frame(m));
        }
        byte[] all = stream.toByteArray();
        assertThat(all[0]).isEqualTo((byte) 0);
        assertThat(all[1]).isEqualTo((byte) 56); // c#5 is 56 bytes
        for (int a = 0; a <= all.length; a++) {
            for (int b = a; b <= all.length; b += 7) {
                DnsTcp.Reader r = new DnsTcp.Reader();
                List<byte[]> got = new ArrayList<>();
                got.addAll(r.feed(all, 0, a));
                got.addAll(r.feed(all, a, b - a));
                got.addAll(r.feed(all, b, all.length - b));
                assertThat(got).as("split at " + a + " and " + b).hasSize(messages.size());
                for (int i = 0; i < messages.size(); i++) {
                    assertThat(got.get(i)).isEqualTo(messages.get(i));
                }
                assertThat(r.buffered()).isZero();
            }
        }
        DnsTcp.Reader partial = new DnsTcp.Reader();
        assertThat(partial.feed(all, 0, 57)).isEmpty();
        assertThat(partial.buffered()).isEqualTo(57);
        assertThatThrownBy(() -> DnsTcp.frame(new byte[70000])).isInstanceOf(IllegalArgumentException.class);
    }
}
