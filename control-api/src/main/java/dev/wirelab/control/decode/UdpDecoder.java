package dev.wirelab.control.decode;

import dev.wirelab.netstack.wire.Ipv4Packet;
import dev.wirelab.netstack.wire.UdpDatagram;
import dev.wirelab.netstack.wire.WireFormatException;

import java.util.List;
import java.util.Set;

/**
 * UDP (RFC 768), verified by netstack's codec with the enclosing datagram's pseudo-header. The
 * payload goes to the decoder of the lower port, then of the higher one ({@code udp.port:N}). The 8
 * bytes of a UDP header quoted in an ICMP error are decoded without verification ({@code quoted.ip.proto:17}).
 */
public final class UdpDecoder implements LayerDecoder {

    @Override
    public Set<String> keys() {
        return Set.of("ip.proto:17", "quoted.ip.proto:17");
    }

    @Override
    public Layer decode(byte[] b, int off, int len, DecodeContext ctx, FrameDecoder next) {
        if (ctx.inQuoted()) {
            if (len < 4) {
                throw new WireFormatException("udp", "quoted UDP header of " + len + " bytes has no ports");
            }
            int sp = FrameDecoder.u16(b, off);
            int dp = FrameDecoder.u16(b, off + 2);
            LayerBuilder l = ctx.layer("udp", off, len)
                    .summary("Quoted UDP, Src port: " + sp + ", Dst port: " + dp)
                    .field("srcport", "Source port", sp, off, 2)
                    .field("dstport", "Destination port", dp, off + 2, 2);
            if (len >= 8) {
                l.field("length", "Length", FrameDecoder.u16(b, off + 4), off + 4, 2)
                        .field("checksum", "Checksum", FrameDecoder.hex16(FrameDecoder.u16(b, off + 6)), off + 6, 2);
            }
            conversation(ctx, sp, dp);
            return l.build();
        }
        UdpDatagram d = UdpDatagram.parse(b, off, len, ctx.enclosingSource(), ctx.enclosingDestination());
        int length = d.length();
        ctx.protocol("udp");
        ctx.ports(d.sourcePort(), d.destinationPort());
        conversation(ctx, d.sourcePort(), d.destinationPort());
        int checksum = FrameDecoder.u16(b, off + 6);
        LayerBuilder l = ctx.layer("udp", off, length)
                .summary("User Datagram Protocol, Src port: " + d.sourcePort() + ", Dst port: " + d.destinationPort())
                .field("srcport", "Source port", d.sourcePort(), off, 2)
                .field("dstport", "Destination port", d.destinationPort(), off + 2, 2)
                .field("length", "Length", length, off + 4, 2)
                // RFC 768: an all-zero checksum means the sender computed none.
                .field("checksum", "Checksum", FrameDecoder.hex16(checksum) + (checksum == 0 ? " [none]" : " [correct]"),
                        off + 6, 2);
        int lo = Math.min(d.sourcePort(), d.destinationPort());
        int hi = Math.max(d.sourcePort(), d.destinationPort());
        l.child(next.decode(List.of("udp.port:" + lo, "udp.port:" + hi), b, off + UdpDatagram.HEADER_LENGTH,
                length - UdpDatagram.HEADER_LENGTH, ctx));
        return l.build();
    }

    private static void conversation(DecodeContext ctx, int sp, int dp) {
        if (ctx.enclosingSource() != null) {
            ctx.conversation(DecodeContext.conversationKey("udp", ctx.enclosingSource(), sp,
                    ctx.enclosingDestination(), dp, null));
        }
    }

}
