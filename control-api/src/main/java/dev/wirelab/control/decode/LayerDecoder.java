package dev.wirelab.control.decode;

import java.util.Set;

/**
 * Decodes one protocol into a {@link Layer} with byte offsets, on top of netstack's wire codecs, and
 * hands what it carries on to the next decoder by dispatch key. Register one as a Spring bean (or
 * pass it to {@link FrameDecoder#FrameDecoder(java.util.List)}) to teach the control API a new
 * protocol: TCP under {@code ip.proto:6}, DNS under {@code udp.port:53}, HTTP under {@code tcp.port:80}.
 *
 * <p>Keys in use: {@code ethernet} (the frame), {@code ethertype:0x0800} (4 lowercase hex digits),
 * {@code ip.proto:N}, {@code udp.port:N} (tried for the lower port first, then the higher),
 * {@code tcp.port:N}. A decoder throws only {@link dev.wirelab.netstack.wire.WireFormatException} on
 * bad bytes; anything else it throws is caught and shown as an error layer too.
 */
public interface LayerDecoder {

    /** Dispatch keys this decoder answers to. */
    Set<String> keys();

    /**
     * Decodes the {@code length} bytes at {@code offset} of {@code frame}.
     *
     * @param ctx  summary columns to fill (addresses, ports, flags, conversation) and the builder for
     *             this layer's fields
     * @param next decodes what this layer carries: {@code next.decode(keys, frame, off, len, ctx)}
     */
    Layer decode(byte[] frame, int offset, int length, DecodeContext ctx, FrameDecoder next);
}
