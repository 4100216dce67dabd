package dev.wirelab.netstack.wire;

/**
 * One-line, tcpdump-like summaries of Ethernet frames for traces, logs and test failure messages:
 * <pre>
 *  02:00:00:00:00:01 > ff:ff:ff:ff:ff:ff ARP who-has 10.0.0.1 tell 10.0.0.2
 *  10.0.0.1 > 10.0.0.2 ICMP echo request id=1 seq=1 ttl=64
 *  10.0.0.2:53 > 10.0.0.1:40000 UDP len=42 ttl=64 DF
 *  10.0.1.10.43210 > 10.0.2.10.80: Flags [S], seq 123, win 64240, options [mss 1460,nop,wscale 7], length 0 ttl=64 DF
 *  10.0.0.1 > 10.0.0.9 ICMP fragment id=0x1c46 offset=1480 len=520 ttl=64
 *  192.168.50.1:40171 > 192.168.50.2:4789 UDP len=58 ttl=64 VXLAN vni=42: 10.42.0.1 > 10.42.0.2 ICMP echo ...
 * </pre>
 * Never throws for bad bytes: a frame a decoder refuses is summarised as {@code "malformed: <reason>"}.
 */
public final class FrameSummary {

    private FrameSummary() {
    }

    public static String describe(byte[] ethernetFrame) {
        if (ethernetFrame == null) {
            return "malformed: no frame";
        }
        try {
            EthernetFrame frame = EthernetFrame.parse(ethernetFrame);
            String vlan = frame.isTagged() ? "vlan " + frame.vlanId() + " " : "";
            byte[] p = frame.payload();
            String macs = frame.source() + " > " + frame.destination() + " ";
            return switch (frame.etherType()) {
                case EthernetFrame.ETHERTYPE_ARP -> macs + vlan + describeArp(ArpPacket.parse(p, 0, p.length));
                case EthernetFrame.ETHERTYPE_IPV4 -> vlan + describeIpv4(p);
                case 0x86DD -> macs + vlan + "IPv6 len=" + p.length;
                default -> macs + vlan + (frame.isEthernetII()
                        ? "ethertype " + Bytes.hex16(frame.etherType()) + " len=" + p.length
                        : "802.3 length " + frame.etherType());
            };
        } catch (WireFormatException e) {
            return "malformed: " + e.getMessage();
        }
    }

    static String describeArp(ArpPacket arp) {
        String gratuitous = arp.isGratuitous() ? " (gratuitous)" : "";
        return switch (arp.operation()) {
            case ArpPacket.REQUEST -> "ARP who-has " + arp.targetIp() + " tell " + arp.senderIp() + gratuitous;
            case ArpPacket.REPLY -> "ARP reply " + arp.senderIp() + " is-at " + arp.senderMac() + gratuitous;
            default -> "ARP op " + arp.operation() + " sender " + arp.senderIp() + " (" + arp.senderMac()
                    + ") target " + arp.targetIp() + " (" + arp.targetMac() + ")";
        };
    }

    /** Summary of an IPv4 datagram (without Ethernet header); never throws for bad bytes. */
    public static String describeIpv4(byte[] datagram) {
        if (datagram == null) {
            return "malformed: no datagram";
        }
        Ipv4Packet ip;
        try {
            ip = Ipv4Packet.parse(datagram, 0, datagram.length);
        } catch (WireFormatException e) {
            return "malformed: " + e.getMessage();
        }
        String tail = " ttl=" + ip.ttl() + (ip.dontFragment() ? " DF" : "");
        String addresses = ip.source() + " > " + ip.destination();
        if (ip.isFragment()) {
            // Only the reassembled datagram can be checked and decoded above IP.
            return addresses + " " + protocolName(ip.protocol()) + " fragment id=" + Bytes.hex16(ip.identification())
                    + " offset=" + ip.fragmentOffset() + (ip.moreFragments() ? " MF" : "")
                    + " len=" + ip.payload().length + tail;
        }
        byte[] p = ip.payload();
        try {
            return switch (ip.protocol()) {
                case Ipv4Packet.PROTOCOL_ICMP -> addresses + " " + describeIcmp(IcmpMessage.parse(p, 0, p.length)) + tail;
                case Ipv4Packet.PROTOCOL_UDP -> {
                    UdpDatagram udp = UdpDatagram.parse(p, 0, p.length, ip.source(), ip.destination());
                    yield ip.source() + ":" + udp.sourcePort() + " > " + ip.destination() + ":" + udp.destinationPort()
                            + " UDP len=" + udp.payload().length + tail + describeVxlan(udp);
                }
                case Ipv4Packet.PROTOCOL_TCP -> {
                    TcpSegment tcp = TcpSegment.parse(p, 0, p.length, ip.source(), ip.destination());
                    // tcpdump's form: addresses with ".port", flags, absolute seq/ack, window, options.
                    yield ip.source() + "." + tcp.sourcePort() + " > " + ip.destination() + "." + tcp.destinationPort()
                            + ": " + tcp.describe() + tail;
                }
                default -> addresses + " " + protocolName(ip.protocol()) + " len=" + p.length + tail;
            };
        } catch (WireFormatException e) {
            return "malformed: " + e.getMessage() + " in " + addresses + tail;
        }
    }

    /** The frame inside a VXLAN datagram (RFC 7348 section 5, on the IANA port), e.g. as seen on the bus underlay. */
    private static String describeVxlan(UdpDatagram udp) {
        if (udp.destinationPort() != Vxlan.DEFAULT_PORT) {
            return "";
        }
        byte[] p = udp.payload();
        try {
            int vni = Vxlan.readVni(p, 0, p.length);
            return " VXLAN vni=" + vni + ": " + describe(Vxlan.decapsulate(p, 0, p.length));
        } catch (WireFormatException e) {
            return " VXLAN malformed: " + e.getMessage();
        }
    }

    static String describeIcmp(IcmpMessage m) {
        String what = switch (m.type()) {
            case IcmpMessage.TYPE_ECHO_REQUEST -> "echo request id=" + m.identifier() + " seq=" + m.sequence();
            case IcmpMessage.TYPE_ECHO_REPLY -> "echo reply id=" + m.identifier() + " seq=" + m.sequence();
            case IcmpMessage.TYPE_DESTINATION_UNREACHABLE -> switch (m.code()) {
                case IcmpMessage.NET_UNREACHABLE -> "net unreachable";
                case IcmpMessage.HOST_UNREACHABLE -> "host unreachable";
                case IcmpMessage.PROTOCOL_UNREACHABLE -> "protocol unreachable";
                case IcmpMessage.PORT_UNREACHABLE -> "port unreachable";
                case IcmpMessage.FRAGMENTATION_NEEDED -> "fragmentation needed mtu=" + m.nextHopMtu();
                default -> "destination unreachable code=" + m.code();
            };
            case IcmpMessage.TYPE_TIME_EXCEEDED -> switch (m.code()) {
                case IcmpMessage.TTL_EXCEEDED_IN_TRANSIT -> "time exceeded in transit";
                case IcmpMessage.FRAGMENT_REASSEMBLY_TIME_EXCEEDED -> "time exceeded in reassembly";
                default -> "time exceeded code=" + m.code();
            };
            default -> "type=" + m.type() + " code=" + m.code();
        };
        if (m.isError()) {
            what += " (quoting " + describeQuoted(m.body()) + ")";
        }
        return "ICMP " + what;
    }

    /** The datagram quoted in an ICMP error: addresses, protocol, and ports or echo id/seq when quoted. */
    private static String describeQuoted(byte[] quoted) {
        Ipv4Packet q;
        try {
            q = Ipv4Packet.parseQuoted(quoted, 0, quoted.length);
        } catch (WireFormatException e) {
            return "unreadable datagram: " + e.getMessage();
        }
        byte[] d = q.payload();
        String proto = protocolName(q.protocol());
        if (q.fragmentOffset() == 0 && d.length >= 8) {
            if (q.protocol() == Ipv4Packet.PROTOCOL_TCP) {
                return q.source() + "." + Bytes.readU16(d, 0) + " > " + q.destination() + "." + Bytes.readU16(d, 2)
                        + " TCP seq " + (Bytes.readI32(d, 4) & 0xFFFFFFFFL);
            }
            if (q.protocol() == Ipv4Packet.PROTOCOL_UDP) {
                return q.source() + ":" + Bytes.readU16(d, 0) + " > " + q.destination() + ":" + Bytes.readU16(d, 2) + " UDP";
            }
            if (q.protocol() == Ipv4Packet.PROTOCOL_ICMP) {
                int type = d[0] & 0xFF;
                String kind = type == IcmpMessage.TYPE_ECHO_REQUEST ? "echo request"
                        : type == IcmpMessage.TYPE_ECHO_REPLY ? "echo reply" : "type=" + type;
                return q.source() + " > " + q.destination() + " ICMP " + kind
                        + " id=" + Bytes.readU16(d, 4) + " seq=" + Bytes.readU16(d, 6);
            }
        }
        return q.source() + " > " + q.destination() + " " + proto;
    }

    static String protocolName(int protocol) {
        return switch (protocol) {
            case Ipv4Packet.PROTOCOL_ICMP -> "ICMP";
            case Ipv4Packet.PROTOCOL_TCP -> "TCP";
            case Ipv4Packet.PROTOCOL_UDP -> "UDP";
            default -> "proto " + protocol;
        };
    }
}
