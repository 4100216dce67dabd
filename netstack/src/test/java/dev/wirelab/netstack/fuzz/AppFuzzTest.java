package dev.wirelab.netstack.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.wirelab.netstack.http.HttpDecoder;
import dev.wirelab.netstack.http.HttpMessage;
import dev.wirelab.netstack.wire.DhcpMessage;
import dev.wirelab.netstack.wire.DnsMessage;
import dev.wirelab.netstack.wire.WireFormatException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Application decoders on hostile bytes: DHCP with options, overloaded sname/file fields and
 * options split over several instances (RFC 2131, RFC 2132 section 9.3, RFC 3396), DNS with names,
 * compression pointers (loops, forward pointers) and rdata (RFC 1035 sections 4.1 and 4.1.4), and
 * HTTP/1.1 requests and responses (RFC 9112) split anywhere: the same bytes in any chunks decode to
 * the same messages and the same verdict. HTTP inputs: the first byte picks the chunk sizes, the
 * rest is the stream. A refusal is WireFormatException, with the status a server would answer.
 */
class AppFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void dhcp(byte[] data) {
        DhcpMessage m = Fuzz.decodeOrRefuse(() -> DhcpMessage.parse(data, 0, data.length));
        if (m != null) {
            Fuzz.decodeOrRefuse(() -> {
                m.messageType();
                return m.toString();
            });
            Fuzz.fixpoint(m.encode(), b -> DhcpMessage.parse(b, 0, b.length), DhcpMessage::encode);
        }
    }

    @FuzzTest(maxDuration = "30s")
    void dns(byte[] data) {
        DnsMessage m = Fuzz.decodeOrRefuse(() -> DnsMessage.parse(data, 0, data.length));
        if (m != null) {
            Fuzz.fixpoint(m.encode(), b -> DnsMessage.parse(b, 0, b.length), DnsMessage::encode);
        }
    }

    @FuzzTest(maxDuration = "30s")
    void httpRequests(byte[] data) {
        splitAnywhere(data, HttpDecoder::requests);
    }

    @FuzzTest(maxDuration = "30s")
    void httpResponses(byte[] data) {
        splitAnywhere(data, () -> {
            HttpDecoder d = HttpDecoder.responses();
            // Responses to a GET, a HEAD (no body, RFC 9110 section 9.3.2), then GETs.
            d.requestSent("GET");
            d.requestSent("HEAD");
            for (int i = 0; i < 8; i++) {
                d.requestSent("GET");
            }
            return d;
        });
    }

    /**
     * What a decoder made of a stream: its messages, or (once it refused the stream, which it does by
     * throwing {@link WireFormatException} from then on) the refusal. The messages completed before a
     * refusal depend on how the stream was cut (a call that fails returns none), so they are not compared.
     */
    record Verdict(List<HttpMessage> messages, String error, int status) {
    }

    static void splitAnywhere(byte[] data, java.util.function.Supplier<HttpDecoder> decoder) {
        if (data.length == 0) {
            return;
        }
        byte[] stream = Fuzz.rest(data, 1);
        int chunk = 1 + (data[0] & 0x3F);
        Verdict whole = feed(decoder.get(), stream, stream.length);
        assertThat(feed(decoder.get(), stream, 1)).as("one byte at a time").isEqualTo(whole);
        assertThat(feed(decoder.get(), stream, chunk)).as("in chunks of %d", chunk).isEqualTo(whole);
    }

    static Verdict feed(HttpDecoder d, byte[] stream, int chunk) {
        List<HttpMessage> out = new ArrayList<>();
        try {
            for (int off = 0; off < stream.length; off += chunk) {
                out.addAll(d.feed(Arrays.copyOfRange(stream, off, Math.min(stream.length, off + chunk))));
            }
            out.addAll(d.finish());
        } catch (WireFormatException e) {
            assertThat(d.failed()).as("a refusal is remembered").isTrue();
            assertThat(d.error()).isNotBlank();
            return new Verdict(List.of(), d.error(), d.errorStatus());
        }
        assertThat(d.failed()).isFalse();
        return new Verdict(out, null, 0);
    }
}
