package dev.wirelab.control.decode;

import dev.wirelab.netstack.wire.IcmpMessage;
import dev.wirelab.netstack.wire.WireFormatException;

import java.util.List;
import java.util.Set;

/**
 * ICMP (RFC 792), verified by netstack's codec (the checksum over the whole message). An error
 * message carries the datagram it quotes as a sub-layer; the 8 quoted bytes of an ICMP echo are
 * decoded too (key {@code quoted.ip.proto:1}), without a checksum check, since they are cut.
 */
public final class IcmpDecoder implements LayerDecoder {

    @Override
    public Set<String> keys() {
        return Set.of("ip.proto:1", "quoted.ip.proto:1");
    }

    @Override
    public Layer decode(byte[] b, int off, int len, DecodeContext ctx, FrameDecoder next) {
        if (ctx.inQuoted()) {
            return quoted(b, off, len, ctx);
        }
        IcmpMessage m = IcmpMessage.parse(b, off, len);
        ctx.protocol("icmp");
        LayerBuilder l = ctx.layer("icmp", off, len)
                .field("type", "Type", m.type() + " (" + typeName(m.type()) + ")", off, 1)
                .field("code", "Code", m.code() + codeName(m), off + 1, 1)
                .field("checksum", "Checksum", FrameDecoder.hex16(FrameDecoder.u16(b, off + 2)) + " [correct]", off + 2, 2);
        String what = typeName(m.type());
        if (m.isEchoRequest() || m.isEchoReply()) {
            // RFC 792 "Echo or Echo Reply Message": identifier and sequence number.
            l.field("id", "Identifier", m.identifier(), off + 4, 2)
                    .field("seq", "Sequence number", m.sequence(), off + 6, 2);
            if (len > IcmpMessage.HEADER_LENGTH) {
                l.child(FrameDecoder.data(b, off + 8, len - 8, ctx));
            }
            what += " id=" + m.identifier() + " seq=" + m.sequence();
            if (ctx.enclosingSource() != null) {
                ctx.conversation(DecodeContext.conversationKey("icmp", ctx.enclosingSource(), -1,
                        ctx.enclosingDestination(), -1, "id=" + m.identifier()));
            }
        } else if (m.type() == IcmpMessage.TYPE_DESTINATION_UNREACHABLE && m.code() == IcmpMessage.FRAGMENTATION_NEEDED) {
            // RFC 1191 section 4: the low 16 bits carry the next-hop MTU.
            l.field("unused", "Unused", FrameDecoder.hex16(FrameDecoder.u16(b, off + 4)), off + 4, 2)
                    .field("mtu", "Next-hop MTU", m.nextHopMtu(), off + 6, 2);
            what += " (fragmentation needed, mtu " + m.nextHopMtu() + ")";
        } else {
            l.field("rest", "Rest of header", String.format("0x%08x", m.restOfHeader()), off + 4, 4);
        }
        if (m.isError()) {
            what += codeName(m);
            ctx.enterQuoted();
            try {
                l.child(next.decode(List.of(Ipv4Decoder.QUOTED), b, off + 8, len - 8, ctx));
            } finally {
                ctx.exitQuoted();
            }
        }
        return l.summary("Internet Control Message Protocol, " + what).build();
    }

    /** The start of a quoted ICMP message: type, code, checksum and (for echoes) id and sequence. */
    private static Layer quoted(byte[] b, int off, int len, DecodeContext ctx) {
        if (len < 4) {
            throw new WireFormatException("icmp", "quoted ICMP header of " + len + " bytes is shorter than 4");
        }
        int type = b[off] & 0xFF;
        LayerBuilder l = ctx.layer("icmp", off, len)
                .field("type", "Type", type + " (" + typeName(type) + ")", off, 1)
                .field("code", "Code", b[off + 1] & 0xFF, off + 1, 1)
                .field("checksum", "Checksum", FrameDecoder.hex16(FrameDecoder.u16(b, off + 2)), off + 2, 2);
        String what = "Quoted ICMP " + typeName(type);
        if ((type == IcmpMessage.TYPE_ECHO_REQUEST || type == IcmpMessage.TYPE_ECHO_REPLY) && len >= 8) {
            int id = FrameDecoder.u16(b, off + 4);
            int seq = FrameDecoder.u16(b, off + 6);
            l.field("id", "Identifier", id, off + 4, 2).field("seq", "Sequence number", seq, off + 6, 2);
            what += " id=" + id + " seq=" + seq;
            if (ctx.enclosingSource() != null) {
                ctx.conversation(DecodeContext.conversationKey("icmp", ctx.enclosingSource(), -1,
                        ctx.enclosingDestination(), -1, "id=" + id));
            }
        }
        return l.summary(what).build();
    }

    static String typeName(int type) {
        return switch (type) {
            case IcmpMessage.TYPE_ECHO_REPLY -> "echo reply";
            case IcmpMessage.TYPE_DESTINATION_UNREACHABLE -> "destination unreachable";
            case IcmpMessage.TYPE_SOURCE_QUENCH -> "source quench";
            case IcmpMessage.TYPE_REDIRECT -> "redirect";
            case IcmpMessage.TYPE_ECHO_REQUEST -> "echo request";
            case IcmpMessage.TYPE_TIME_EXCEEDED -> "time exceeded";
            case IcmpMessage.TYPE_PARAMETER_PROBLEM -> "parameter problem";
            default -> "type " + type;
        };
    }

    private static String codeName(IcmpMessage m) {
        if (m.type() == IcmpMessage.TYPE_DESTINATION_UNREACHABLE) {
            return switch (m.code()) {
                case IcmpMessage.NET_UNREACHABLE -> " (net unreachable)";
                case IcmpMessage.HOST_UNREACHABLE -> " (host unreachable)";
                case IcmpMessage.PROTOCOL_UNREACHABLE -> " (protocol unreachable)";
                case IcmpMessage.PORT_UNREACHABLE -> " (port unreachable)";
                case IcmpMessage.FRAGMENTATION_NEEDED -> " (fragmentation needed)";
                default -> "";
            };
        }
        if (m.type() == IcmpMessage.TYPE_TIME_EXCEEDED) {
            return switch (m.code()) {
                case IcmpMessage.TTL_EXCEEDED_IN_TRANSIT -> " (TTL exceeded in transit)";
                case IcmpMessage.FRAGMENT_REASSEMBLY_TIME_EXCEEDED -> " (fragment reassembly time exceeded)";
                default -> "";
            };
        }
        return "";
    }
}
