package dev.wirelab.control.decode;

import dev.wirelab.netstack.wire.TcpSegment;
import dev.wirelab.netstack.wire.WireFormatException;

import java.util.List;
import java.util.Set;

/**
 * TCP (RFC 9293 section 3.1), verified by netstack's codec (checksum over the pseudo-header, data
 * offset, option structure). Every flag is its own bit field, every option its own field; the
 * payload goes to the decoder of the lower port, then the higher ({@code tcp.port:N}). The start of a
 * TCP header quoted in an ICMP error (ports and sequence number) is decoded without verification.
 */
public final class TcpDecoder implements LayerDecoder {

    private static final String[] FLAG_NAMES = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"};

    @Override
    public Set<String> keys() {
        return Set.of("ip.proto:6", "quoted.ip.proto:6");
    }

    @Override
    public Layer decode(byte[] b, int off, int len, DecodeContext ctx, FrameDecoder next) {
        if (ctx.inQuoted()) {
            int[] ports = TcpSegment.readPorts(b, off, len);
            LayerBuilder l = ctx.layer("tcp", off, len)
                    .summary("Quoted TCP, Src port: " + ports[0] + ", Dst port: " + ports[1])
                    .field("srcport", "Source port", ports[0], off, 2)
                    .field("dstport", "Destination port", ports[1], off + 2, 2);
            if (len >= 8) {
                l.field("seq", "Sequence number", u32(b, off + 4), off + 4, 4);
            }
            conversation(ctx, ports[0], ports[1]);
            return l.build();
        }
        if (ctx.enclosingSource() == null) {
            throw new WireFormatException("tcp", "no enclosing IPv4 header");
        }
        TcpSegment s = TcpSegment.parse(b, off, len, ctx.enclosingSource(), ctx.enclosingDestination());
        int hl = s.headerLength();
        ctx.protocol("tcp");
        ctx.ports(s.sourcePort(), s.destinationPort());
        conversation(ctx, s.sourcePort(), s.destinationPort());
        StringBuilder flagText = new StringBuilder();
        for (int i = FLAG_NAMES.length - 1; i >= 0; i--) {
            if ((s.flags() & (1 << i)) != 0) {
                ctx.flag(FLAG_NAMES[i]);
                flagText.append(flagText.isEmpty() ? "" : ",").append(FLAG_NAMES[i]);
            }
        }
        // RFC 9293 section 3.1 "Header Format", field by field.
        LayerBuilder l = ctx.layer("tcp", off, len)
                .summary("Transmission Control Protocol, Src port: " + s.sourcePort() + ", Dst port: "
                        + s.destinationPort() + ", " + s.describe())
                .field("srcport", "Source port", s.sourcePort(), off, 2)
                .field("dstport", "Destination port", s.destinationPort(), off + 2, 2)
                .field("seq", "Sequence number", s.sequence(), off + 4, 4)
                .field("ack", "Acknowledgment number", s.acknowledgment(), off + 8, 4)
                .bits("data_offset", "Header length", hl + " bytes (" + hl / 4 + ")", off + 12, 2, 0xF000)
                .bits("reserved", "Reserved", (s.flags() >> 8) & 0xF, off + 12, 2, 0x0F00)
                .bits("flags", "Flags", FrameDecoder.hex8(s.flags() & 0xFF) + " (" + flagText + ")", off + 12, 2, 0x00FF);
        for (int i = FLAG_NAMES.length - 1; i >= 0; i--) {
            l.bits("flags." + FLAG_NAMES[i].toLowerCase(), FLAG_NAMES[i], (s.flags() >> i) & 1, off + 12, 2, 1L << i);
        }
        l.field("window", "Window", s.window(), off + 14, 2)
                .field("checksum", "Checksum", FrameDecoder.hex16(FrameDecoder.u16(b, off + 16)) + " [correct]", off + 16, 2)
                .field("urgent_pointer", "Urgent pointer", s.urgentPointer(), off + 18, 2);
        options(b, off + TcpSegment.HEADER_LENGTH, hl - TcpSegment.HEADER_LENGTH, l);
        int lo = Math.min(s.sourcePort(), s.destinationPort());
        int hi = Math.max(s.sourcePort(), s.destinationPort());
        l.child(next.decode(List.of("tcp.port:" + lo, "tcp.port:" + hi), b, off + hl, len - hl, ctx));
        return l.build();
    }

    /** Each option with its own offset (the codec has checked their structure). */
    private static void options(byte[] b, int at, int len, LayerBuilder l) {
        int i = 0;
        while (i < len) {
            int kind = b[at + i] & 0xFF;
            if (kind == TcpSegment.OPT_EOL) {
                l.field("option.eol", "End of option list", "", at + i, len - i);
                return;
            }
            if (kind == TcpSegment.OPT_NOP) {
                l.field("option.nop", "No operation", "", at + i, 1);
                i++;
                continue;
            }
            int olen = b[at + i + 1] & 0xFF;
            int d = at + i + 2;
            switch (kind) {
                case TcpSegment.OPT_MSS -> l.field("option.mss", "Maximum segment size", FrameDecoder.u16(b, d), at + i, olen);
                case TcpSegment.OPT_WINDOW_SCALE -> l.field("option.wscale", "Window scale",
                        (b[d] & 0xFF) + " (multiply by " + (1L << Math.min(b[d] & 0xFF, 14)) + ")", at + i, olen);
                case TcpSegment.OPT_SACK_PERMITTED -> l.field("option.sack_perm", "SACK permitted", "", at + i, olen);
                case TcpSegment.OPT_SACK -> {
                    StringBuilder blocks = new StringBuilder();
                    for (int k = d; k + 8 <= at + i + olen; k += 8) {
                        blocks.append(blocks.isEmpty() ? "" : " ").append(u32(b, k)).append('-').append(u32(b, k + 4));
                    }
                    l.field("option.sack", "SACK", blocks, at + i, olen);
                }
                case TcpSegment.OPT_TIMESTAMPS -> l.field("option.timestamps", "Timestamps",
                        "TSval " + u32(b, d) + ", TSecr " + u32(b, d + 4), at + i, olen);
                default -> l.field("option." + kind, "Option " + kind, FrameDecoder.hex(b, d, olen - 2), at + i, olen);
            }
            i += olen;
        }
    }

    private static long u32(byte[] b, int off) {
        return ((long) FrameDecoder.u16(b, off) << 16) | FrameDecoder.u16(b, off + 2);
    }

    private static void conversation(DecodeContext ctx, int sp, int dp) {
        if (ctx.enclosingSource() != null) {
            ctx.conversation(DecodeContext.conversationKey("tcp", ctx.enclosingSource(), sp,
                    ctx.enclosingDestination(), dp, null));
        }
    }
}
