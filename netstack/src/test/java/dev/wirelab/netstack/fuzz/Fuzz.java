package dev.wirelab.netstack.fuzz;

import dev.wirelab.netstack.wire.Ipv4Address;
import dev.wirelab.netstack.wire.WireFormatException;

import java.util.Arrays;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The property every fuzz target checks: hostile bytes get a clear refusal (the decoder's own
 * exception, with a message) or a value, never another exception, a hang or unbounded memory; and
 * where an encoder exists, encoding what was decoded is a fixpoint: decode(encode(x)) encodes to the
 * same bytes again.
 */
final class Fuzz {

    private Fuzz() {
    }

    /** The decoded value, or null when the decoder refused the input with a {@link WireFormatException}. */
    static <T> T decodeOrRefuse(Supplier<T> decode) {
        try {
            return decode.get();
        } catch (WireFormatException e) {
            assertThat(e.getMessage()).as("a refusal says why").isNotBlank();
            return null;
        }
    }

    /** {@code encoded} decodes (without refusal) to a value that encodes to the same bytes. */
    static <T> void fixpoint(byte[] encoded, java.util.function.Function<byte[], T> decode,
                             java.util.function.Function<T, byte[]> encode) {
        T again = decode.apply(encoded);
        byte[] twice = encode.apply(again);
        if (!Arrays.equals(encoded, twice)) {
            throw new AssertionError("encode(decode(encode(x))) differs from encode(x):\n  " + hex(encoded) + "\n  "
                    + hex(twice));
        }
    }

    static Ipv4Address address(byte[] data, int off) {
        return data.length >= off + 4 ? Ipv4Address.read(data, off) : Ipv4Address.ANY;
    }

    static byte[] rest(byte[] data, int from) {
        return data.length <= from ? new byte[0] : Arrays.copyOfRange(data, from, data.length);
    }

    static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(b.length, 96); i++) {
            sb.append(String.format("%02x", b[i]));
        }
        return b.length > 96 ? sb + "... (" + b.length + " bytes)" : sb.toString();
    }
}
