package dev.wirelab.control.decode;

import dev.wirelab.netstack.wire.FrameSummary;
import dev.wirelab.netstack.wire.WireFormatException;

import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Builds the layer tree of an Ethernet frame from pluggable {@link LayerDecoder}s, and the summary
 * columns stored for filtering. Never throws for bad bytes: a layer that cannot be read becomes an
 * error layer with the decoder's reason, and its bytes stay visible in the hex dump.
 */
public final class FrameDecoder {

    private final Map<String, LayerDecoder> byKey = new HashMap<>();

    /** Decoders by key; for a key claimed twice, the first decoder in the list wins. */
    public FrameDecoder(List<LayerDecoder> decoders) {
        for (LayerDecoder d : decoders) {
            for (String k : d.keys()) {
                byKey.putIfAbsent(k, d);
            }
        }
    }

    /** Ethernet, ARP, IPv4, ICMP, UDP, TCP and VXLAN. */
    public static FrameDecoder standard() {
        return new FrameDecoder(standardDecoders());
    }

    public static List<LayerDecoder> standardDecoders() {
        return List.of(new EthernetDecoder(), new ArpDecoder(), new Ipv4Decoder(), new IcmpDecoder(),
                new UdpDecoder(), new TcpDecoder(), new VxlanDecoder());
    }

    /** A frame's layer tree and summary columns. */
    public record Decoded(Layer root, FrameColumns columns) {
    }

    /** The whole tree with every field and its byte offsets. */
    public Decoded decode(byte[] frame) {
        DecodeContext ctx = new DecodeContext(true);
        Layer root = decode(List.of("ethernet"), frame, 0, frame.length, ctx);
        return new Decoded(root, ctx.columns(FrameSummary.describe(frame)));
    }

    /** Only the summary columns (what ingest stores beside the bytes). */
    public FrameColumns summarize(byte[] frame) {
        DecodeContext ctx = new DecodeContext(false);
        decode(List.of("ethernet"), frame, 0, frame.length, ctx);
        return ctx.columns(FrameSummary.describe(frame));
    }

    /**
     * Decodes {@code length} bytes at {@code offset} with the first decoder that answers one of
     * {@code keys}; bytes nobody decodes are a {@code data} layer.
     */
    public Layer decode(List<String> keys, byte[] frame, int offset, int length, DecodeContext ctx) {
        if (length <= 0) {
            return null;
        }
        LayerDecoder decoder = null;
        if (ctx.depth() < DecodeContext.MAX_DEPTH) {
            for (String k : keys) {
                decoder = byKey.get(k);
                if (decoder != null) {
                    break;
                }
            }
        }
        if (decoder == null) {
            return data(frame, offset, length, ctx);
        }
        ctx.enter();
        try {
            return decoder.decode(frame, offset, length, ctx, this);
        } catch (WireFormatException e) {
            return error(e.protocol(), e.getMessage(), offset, length, ctx);
        } catch (RuntimeException e) {
            // A decoder bug must not cost the frame: show the bytes and why.
            return error(keys.get(0), "decoder failed: " + e, offset, length, ctx);
        } finally {
            ctx.exit();
        }
    }

    private static Layer error(String protocol, String message, int offset, int length, DecodeContext ctx) {
        return ctx.layer(protocol == null || protocol.isEmpty() ? "malformed" : protocol, offset, length)
                .summary("Malformed " + protocol + ": " + message)
                .error(message)
                .build();
    }

    /** Bytes no decoder claims. */
    public static Layer data(byte[] frame, int offset, int length, DecodeContext ctx) {
        return ctx.layer("data", offset, length)
                .summary("Data (" + length + " byte" + (length == 1 ? "" : "s") + ")")
                .field("data", "Data", hex(frame, offset, Math.min(length, 64)) + (length > 64 ? "..." : ""),
                        offset, length)
                .build();
    }

    public static String hex(byte[] b, int off, int len) {
        return HexFormat.of().formatHex(b, off, off + len);
    }

    /** The unsigned 16-bit big-endian (network order) value at {@code off}. */
    public static int u16(byte[] b, int off) {
        return (b[off] & 0xFF) << 8 | (b[off + 1] & 0xFF);
    }

    static String hex16(int v) {
        return String.format("0x%04x", v);
    }

    static String hex8(int v) {
        return String.format("0x%02x", v);
    }
}
