package dev.wirelab.control.decode;

import dev.wirelab.netstack.wire.EthernetFrame;

import java.util.List;
import java.util.Set;

/** IEEE 802.3 Ethernet II (with an optional 802.1Q tag), no FCS: our frames and captures carry none. */
public final class EthernetDecoder implements LayerDecoder {

    @Override
    public Set<String> keys() {
        return Set.of("ethernet");
    }

    @Override
    public Layer decode(byte[] b, int off, int len, DecodeContext ctx, FrameDecoder next) {
        EthernetFrame f = EthernetFrame.parse(b, off, len);
        ctx.protocol("eth");
        ctx.macs(f.source(), f.destination());
        LayerBuilder l = ctx.layer("ethernet", off, len)
                .summary("Ethernet II, Src: " + f.source() + ", Dst: " + f.destination())
                .field("dst", "Destination", f.destination() + (f.destination().isBroadcast() ? " (broadcast)" : ""), off, 6)
                .field("src", "Source", f.source(), off + 6, 6);
        int typeAt = off + 12;
        if (f.isTagged()) {
            // IEEE 802.1Q section 9.6: TPID 0x8100, then PCP (3 bits), DEI (1), VID (12).
            ctx.protocol("vlan");
            l.field("vlan.tpid", "802.1Q tag protocol id", FrameDecoder.hex16(EthernetFrame.ETHERTYPE_VLAN), off + 12, 2)
                    .bits("vlan.pcp", "Priority", f.vlanPriority(), off + 14, 2, 0xE000)
                    .bits("vlan.dei", "Drop eligible", (f.vlanTci() >> 12) & 1, off + 14, 2, 0x1000)
                    .bits("vlan.id", "VLAN id", f.vlanId(), off + 14, 2, 0x0FFF);
            typeAt += EthernetFrame.VLAN_TAG_LENGTH;
        }
        int payloadAt = off + f.headerLength();
        int payloadLength = len - f.headerLength();
        if (!f.isEthernetII()) {
            // IEEE 802.3 section 3.2.6: below 0x0600 the field is the length of an LLC frame.
            l.field("length", "Length", f.etherType(), typeAt, 2);
            l.child(FrameDecoder.data(b, payloadAt, payloadLength, ctx));
            return l.build();
        }
        l.field("type", "Type", FrameDecoder.hex16(f.etherType()) + typeName(f.etherType()), typeAt, 2);
        Layer inner = next.decode(List.of(String.format("ethertype:0x%04x", f.etherType())), b, payloadAt, payloadLength, ctx);
        l.child(inner);
        if (inner != null && inner.error() == null && inner.length() < payloadLength) {
            // IEEE 802.3 section 3.2.8: short frames are padded to the minimum size; the padding is not data.
            int padAt = payloadAt + inner.length();
            l.field("padding", "Padding", FrameDecoder.hex(b, padAt, payloadLength - inner.length()), padAt,
                    payloadLength - inner.length());
        }
        return l.build();
    }

    private static String typeName(int type) {
        return switch (type) {
            case EthernetFrame.ETHERTYPE_IPV4 -> " (IPv4)";
            case EthernetFrame.ETHERTYPE_ARP -> " (ARP)";
            case 0x86DD -> " (IPv6)";
            default -> "";
        };
    }
}
