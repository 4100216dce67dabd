package dev.wirelab.control.decode;

import dev.wirelab.netstack.wire.Ipv4Address;
import dev.wirelab.netstack.wire.Ipv4Packet;

import java.util.List;
import java.util.Set;

/**
 * IPv4 (RFC 791 section 3.1), verified by netstack's codec (version, IHL, total length, header
 * checksum). Also decodes the datagram an ICMP error quotes (key {@code ipv4.quoted}), leniently as
 * {@link Ipv4Packet#parseQuoted} does: a quote is cut after 8 bytes of data, so its total length
 * does not match and its transport header is incomplete.
 */
public final class Ipv4Decoder implements LayerDecoder {

    public static final String QUOTED = "ipv4.quoted";

    @Override
    public Set<String> keys() {
        return Set.of("ethertype:0x0800", QUOTED);
    }

    @Override
    public Layer decode(byte[] b, int off, int len, DecodeContext ctx, FrameDecoder next) {
        boolean quoted = ctx.inQuoted();
        Ipv4Packet p = quoted ? Ipv4Packet.parseQuoted(b, off, len) : Ipv4Packet.parse(b, off, len);
        int hl = p.headerLength();
        int layerLength = quoted ? len : p.totalLength();
        ctx.protocol("ipv4");
        ctx.addresses(p.source(), p.destination());
        ctx.ipProtocol(p.protocol());
        if (p.dontFragment()) {
            ctx.flag("DF");
        }
        if (p.moreFragments()) {
            ctx.flag("MF");
        }
        if (p.fragmentOffset() != 0) {
            ctx.flag("FRAG");
        }
        int flagsWord = FrameDecoder.u16(b, off + 6);
        String flagText = FrameDecoder.hex16(flagsWord & 0xE000)
                + (p.dontFragment() ? " DF" : "") + (p.moreFragments() ? " MF" : "");
        LayerBuilder l = ctx.layer("ipv4", off, layerLength)
                .summary((quoted ? "Quoted datagram: " : "") + "Internet Protocol Version 4, Src: " + p.source()
                        + ", Dst: " + p.destination())
                // RFC 791 section 3.1, "Internet Header Format", field by field.
                .bits("version", "Version", 4, off, 1, 0xF0)
                .bits("ihl", "Header length", hl + " bytes (" + hl / 4 + ")", off, 1, 0x0F)
                .bits("dscp", "Differentiated services (DSCP)", (p.tos() >> 2), off + 1, 1, 0xFC)
                .bits("ecn", "Explicit congestion notification", p.tos() & 3, off + 1, 1, 0x03)
                .field("total_length", "Total length", FrameDecoder.u16(b, off + 2), off + 2, 2)
                .field("id", "Identification", FrameDecoder.hex16(p.identification()) + " (" + p.identification() + ")",
                        off + 4, 2)
                .bits("flags", "Flags", flagText.trim(), off + 6, 2, 0xE000)
                .bits("flags.reserved", "Reserved bit", (flagsWord >> 15) & 1, off + 6, 2, 0x8000)
                .bits("flags.df", "Don't fragment", p.dontFragment() ? 1 : 0, off + 6, 2, 0x4000)
                .bits("flags.mf", "More fragments", p.moreFragments() ? 1 : 0, off + 6, 2, 0x2000)
                .bits("fragment_offset", "Fragment offset", p.fragmentOffset() + " bytes (" + p.fragmentOffset() / 8 + ")",
                        off + 6, 2, 0x1FFF)
                .field("ttl", "Time to live", p.ttl(), off + 8, 1)
                .field("protocol", "Protocol", p.protocol() + protocolName(p.protocol()), off + 9, 1)
                .field("checksum", "Header checksum", FrameDecoder.hex16(FrameDecoder.u16(b, off + 10))
                        + (quoted ? " [not verified in a quote]" : " [correct]"), off + 10, 2)
                .field("src", "Source address", p.source(), off + 12, 4)
                .field("dst", "Destination address", p.destination(), off + 16, 4);
        if (hl > Ipv4Packet.MIN_HEADER_LENGTH) {
            l.field("options", "Options", FrameDecoder.hex(b, off + 20, hl - 20), off + 20, hl - 20);
        }
        int dataAt = off + hl;
        int dataLength = layerLength - hl;
        if (p.isFragment() && !quoted) {
            // RFC 791 section 3.2: only the reassembled datagram can be decoded above IP.
            l.summary(l.build().summary() + " (fragment, offset " + p.fragmentOffset() + (p.moreFragments() ? ", MF" : "") + ")");
            l.child(FrameDecoder.data(b, dataAt, dataLength, ctx));
            return l.build();
        }
        Ipv4Address[] outer = ctx.enclose(p.source(), p.destination());
        try {
            String key = (quoted ? "quoted.ip.proto:" : "ip.proto:") + p.protocol();
            l.child(next.decode(List.of(key), b, dataAt, dataLength, ctx));
        } finally {
            ctx.restore(outer);
        }
        return l.build();
    }

    static String protocolName(int protocol) {
        return switch (protocol) {
            case Ipv4Packet.PROTOCOL_ICMP -> " (ICMP)";
            case Ipv4Packet.PROTOCOL_TCP -> " (TCP)";
            case Ipv4Packet.PROTOCOL_UDP -> " (UDP)";
            default -> "";
        };
    }
}
