package dev.wirelab.netstack.wire;

import java.util.Objects;

/**
 * An ARP packet for IPv4 over Ethernet (RFC 826), 28 bytes:
 * <pre>
 *  htype=1 (2) | ptype=0x0800 (2) | hlen=6 (1) | plen=4 (1) | operation (2)
 *  sender MAC (6) | sender IP (4) | target MAC (6) | target IP (4)
 * </pre>
 * Other hardware or protocol types are refused: this stack only resolves IPv4 on Ethernet.
 * Unknown operation codes are kept as values.
 */
public record ArpPacket(int operation, MacAddress senderMac, Ipv4Address senderIp, MacAddress targetMac,
                        Ipv4Address targetIp) {

    public static final int REQUEST = 1;
    public static final int REPLY = 2;
    public static final int LENGTH = 28;
    /** RFC 826 "ar$hrd": 1 is Ethernet (IANA ARP parameters). */
    public static final int HARDWARE_ETHERNET = 1;

    public ArpPacket {
        Objects.requireNonNull(senderMac, "senderMac");
        Objects.requireNonNull(senderIp, "senderIp");
        Objects.requireNonNull(targetMac, "targetMac");
        Objects.requireNonNull(targetIp, "targetIp");
        if ((operation & ~0xFFFF) != 0) {
            throw new IllegalArgumentException("ARP operation must fit in 16 bits: " + operation);
        }
    }

    /**
     * A request for {@code targetIp}. The target hardware address is zero: RFC 826 leaves it
     * unspecified in a request ("He does not set ar$tha to anything in particular") and RFC 5227
     * section 2.1.1 asks for zero.
     */
    public static ArpPacket request(MacAddress senderMac, Ipv4Address senderIp, Ipv4Address targetIp) {
        return new ArpPacket(REQUEST, senderMac, senderIp, MacAddress.ZERO, targetIp);
    }

    /** A reply telling {@code targetMac}/{@code targetIp} that {@code senderIp} is at {@code senderMac}. */
    public static ArpPacket reply(MacAddress senderMac, Ipv4Address senderIp, MacAddress targetMac,
                                  Ipv4Address targetIp) {
        return new ArpPacket(REPLY, senderMac, senderIp, targetMac, targetIp);
    }

    /**
     * A gratuitous ARP announcement (RFC 5227 section 3: a request with sender IP = target IP), which
     * updates neighbours' caches when an address is (re)configured.
     */
    public static ArpPacket gratuitous(MacAddress mac, Ipv4Address ip) {
        return new ArpPacket(REQUEST, mac, ip, MacAddress.ZERO, ip);
    }

    /** Parses the packet at {@code off}; bytes past the 28 (Ethernet padding) are ignored. */
    public static ArpPacket parse(byte[] b, int off, int len) {
        Bytes.checkBounds("arp", b, off, len);
        if (len < LENGTH) {
            throw new WireFormatException("arp",
                    "packet of " + len + " bytes is shorter than the " + LENGTH + " bytes of Ethernet/IPv4 ARP");
        }
        int htype = Bytes.readU16(b, off);
        int ptype = Bytes.readU16(b, off + 2);
        int hlen = b[off + 4] & 0xFF;
        int plen = b[off + 5] & 0xFF;
        // RFC 826 "Packet Reception": "?Do I have the hardware type in ar$hrd? Yes: (almost definitely)
        // [optionally check the hardware length ar$hln] ?Do I speak the protocol in ar$pro?" -- else discard.
        if (htype != HARDWARE_ETHERNET) {
            throw new WireFormatException("arp", "hardware type " + htype + " is not Ethernet (1)");
        }
        if (ptype != EthernetFrame.ETHERTYPE_IPV4) {
            throw new WireFormatException("arp", "protocol type " + Bytes.hex16(ptype) + " is not IPv4 (0x0800)");
        }
        if (hlen != 6) {
            throw new WireFormatException("arp", "hardware address length " + hlen + " is not 6");
        }
        if (plen != 4) {
            throw new WireFormatException("arp", "protocol address length " + plen + " is not 4");
        }
        return new ArpPacket(Bytes.readU16(b, off + 6),
                MacAddress.read(b, off + 8), Ipv4Address.read(b, off + 14),
                MacAddress.read(b, off + 18), Ipv4Address.read(b, off + 24));
    }

    /** The 28 bytes of the packet (the Ethernet layer pads the frame). */
    public byte[] encode() {
        byte[] out = new byte[LENGTH];
        encodeInto(out, 0);
        return out;
    }

    /** Writes the 28 bytes at {@code off}. */
    public void encodeInto(byte[] out, int off) {
        Bytes.writeU16(out, off, HARDWARE_ETHERNET);
        Bytes.writeU16(out, off + 2, EthernetFrame.ETHERTYPE_IPV4);
        out[off + 4] = 6;
        out[off + 5] = 4;
        Bytes.writeU16(out, off + 6, operation);
        senderMac.write(out, off + 8);
        senderIp.write(out, off + 14);
        targetMac.write(out, off + 18);
        targetIp.write(out, off + 24);
    }

    public boolean isRequest() {
        return operation == REQUEST;
    }

    public boolean isReply() {
        return operation == REPLY;
    }

    /** RFC 5227 section 3 (ARP Announcement): sender IP equals target IP. */
    public boolean isGratuitous() {
        return senderIp.equals(targetIp);
    }
}
