package dev.wirelab.control.decode;

import dev.wirelab.netstack.wire.ArpPacket;

import java.util.Set;

/** ARP for IPv4 over Ethernet (RFC 826), the 28-byte packet. */
public final class ArpDecoder implements LayerDecoder {

    @Override
    public Set<String> keys() {
        return Set.of("ethertype:0x0806");
    }

    @Override
    public Layer decode(byte[] b, int off, int len, DecodeContext ctx, FrameDecoder next) {
        ArpPacket a = ArpPacket.parse(b, off, len);
        ctx.protocol("arp");
        ctx.addresses(a.senderIp(), a.targetIp());
        String op = switch (a.operation()) {
            case ArpPacket.REQUEST -> "request";
            case ArpPacket.REPLY -> "reply";
            default -> "operation " + a.operation();
        };
        String what = a.isRequest() ? "who has " + a.targetIp() + "? Tell " + a.senderIp()
                : a.isReply() ? a.senderIp() + " is at " + a.senderMac() : op;
        // RFC 826 "Packet format": ar$hrd, ar$pro, ar$hln, ar$pln, ar$op, ar$sha, ar$spa, ar$tha, ar$tpa.
        return ctx.layer("arp", off, ArpPacket.LENGTH)
                .summary("Address Resolution Protocol (" + op + (a.isGratuitous() ? ", gratuitous" : "") + "): " + what)
                .field("htype", "Hardware type", "1 (Ethernet)", off, 2)
                .field("ptype", "Protocol type", "0x0800 (IPv4)", off + 2, 2)
                .field("hlen", "Hardware size", 6, off + 4, 1)
                .field("plen", "Protocol size", 4, off + 5, 1)
                .field("op", "Opcode", a.operation() + " (" + op + ")", off + 6, 2)
                .field("sha", "Sender MAC address", a.senderMac(), off + 8, 6)
                .field("spa", "Sender IP address", a.senderIp(), off + 14, 4)
                .field("tha", "Target MAC address", a.targetMac(), off + 18, 6)
                .field("tpa", "Target IP address", a.targetIp(), off + 24, 4)
                .build();
    }
}
