package dev.wirelab.kit.trace;

import dev.wirelab.kit.client.Frame;
import dev.wirelab.netstack.wire.ArpPacket;
import dev.wirelab.netstack.wire.DhcpMessage;
import dev.wirelab.netstack.wire.DhcpOption;
import dev.wirelab.netstack.wire.DnsMessage;
import dev.wirelab.netstack.wire.DnsRecord;
import dev.wirelab.netstack.wire.EthernetFrame;
import dev.wirelab.netstack.wire.IcmpMessage;
import dev.wirelab.netstack.wire.Ipv4Packet;
import dev.wirelab.netstack.wire.TcpSegment;
import dev.wirelab.netstack.wire.UdpDatagram;
import dev.wirelab.netstack.wire.WireFormatException;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * A stored frame on the timeline, decoded from its bytes with the stack's own codecs: Ethernet,
 * ARP, IPv4, ICMP, UDP, TCP, and above them DHCP (ports 67/68), DNS (port 53) and the first line of
 * an HTTP message (port 80). A layer that is not in the frame, or does not decode, is null.
 */
public final class TracedFrame implements Step {

    private final Frame summary;
    private final byte[] bytes;
    private EthernetFrame eth;
    private ArpPacket arp;
    private Ipv4Packet ip;
    private IcmpMessage icmp;
    private UdpDatagram udp;
    private TcpSegment tcp;
    private DhcpMessage dhcp;
    private DnsMessage dns;
    private String http;

    public TracedFrame(Frame summary, byte[] bytes) {
        this.summary = summary;
        this.bytes = bytes;
        if (bytes != null) {
            decode();
        }
    }

    private void decode() {
        try {
            eth = EthernetFrame.parse(bytes);
            byte[] p = eth.payload();
            if (eth.etherType() == EthernetFrame.ETHERTYPE_ARP) {
                arp = ArpPacket.parse(p, 0, p.length);
                return;
            }
            if (eth.etherType() != EthernetFrame.ETHERTYPE_IPV4) {
                return;
            }
            ip = Ipv4Packet.parse(p, 0, p.length);
            if (ip.fragmentOffset() != 0 || ip.moreFragments()) {
                return; // a fragment: the transport header is only in the first, whole only after reassembly
            }
            byte[] ipp = ip.payload();
            switch (ip.protocol()) {
                case Ipv4Packet.PROTOCOL_ICMP -> icmp = IcmpMessage.parse(ipp, 0, ipp.length);
                case Ipv4Packet.PROTOCOL_UDP -> {
                    udp = UdpDatagram.parse(ipp, 0, ipp.length, ip.source(), ip.destination());
                    byte[] up = udp.payload();
                    if (port(DhcpMessage.SERVER_PORT) || port(DhcpMessage.CLIENT_PORT)) {
                        dhcp = DhcpMessage.parse(up, 0, up.length);
                    } else if (port(53)) {
                        dns = DnsMessage.parse(up, 0, up.length);
                    }
                }
                case Ipv4Packet.PROTOCOL_TCP -> {
                    tcp = TcpSegment.parseUnchecked(ipp, 0, ipp.length);
                    byte[] data = tcp.payload();
                    if (data.length > 0 && (tcp.sourcePort() == 80 || tcp.destinationPort() == 80)) {
                        String first = firstLine(data);
                        if (first.startsWith("HTTP/") || first.matches("[A-Z]+ \\S+ HTTP/1\\.[01]")) {
                            http = first;
                        }
                    }
                }
                default -> {
                }
            }
        } catch (WireFormatException | IllegalArgumentException | IndexOutOfBoundsException e) {
            // Undecodable above what decoded: the summary still describes it.
        }
    }

    private boolean port(int p) {
        return udp.sourcePort() == p || udp.destinationPort() == p;
    }

    private static String firstLine(byte[] data) {
        int n = 0;
        while (n < data.length && n < 200 && data[n] != '\r' && data[n] != '\n') {
            n++;
        }
        return new String(data, 0, n, StandardCharsets.ISO_8859_1);
    }

    public Frame summary() {
        return summary;
    }

    public long seq() {
        return summary.seq();
    }

    @Override
    public long timeNanos() {
        return summary.timeNanos();
    }

    public String segment() {
        return summary.segment();
    }

    /** The node that sent it onto its segment. */
    public String sender() {
        return summary.ingressNode();
    }

    public byte[] bytes() {
        return bytes;
    }

    public EthernetFrame ethernet() {
        return eth;
    }

    public ArpPacket arp() {
        return arp;
    }

    public Ipv4Packet ipv4() {
        return ip;
    }

    public IcmpMessage icmp() {
        return icmp;
    }

    public UdpDatagram udp() {
        return udp;
    }

    public TcpSegment tcp() {
        return tcp;
    }

    public DhcpMessage dhcp() {
        return dhcp;
    }

    public DnsMessage dns() {
        return dns;
    }

    /** The first line of an HTTP request or response in this segment ({@code GET / HTTP/1.1}), or null. */
    public String httpStartLine() {
        return http;
    }

    /** The DHCP message type's name (DISCOVER, OFFER, REQUEST, ACK, NAK...), or null. */
    public String dhcpType() {
        return dhcp == null || !dhcp.has(DhcpOption.MESSAGE_TYPE) ? null : DhcpMessage.typeName(dhcp.messageType()).replaceFirst("^DHCP(?=[A-Z])", "");
    }

    /** The DNS question's name without its final dot ({@code www.example.com}), or null. */
    public String dnsName() {
        if (dns == null || dns.questions().isEmpty()) {
            return null;
        }
        String n = dns.question().name().toString();
        return n.endsWith(".") && n.length() > 1 ? n.substring(0, n.length() - 1) : n;
    }

    /** A DNS response's answers as text ({@code www.example.com. 3600 IN A 93.184.216.34}). */
    public List<String> dnsAnswers() {
        return dns == null ? List.of() : dns.answers().stream().map(DnsRecord::toString).toList();
    }

    @Override
    public String line() {
        String src = summary.srcIp() != null ? summary.srcIp() : summary.srcMac();
        String dst = summary.dstIp() != null ? summary.dstIp() : summary.dstMac();
        return String.format(Locale.ROOT, "%12.6f  frame  #%-5d %-7s %s -> %s  %s", timeNanos() / 1e9, seq(),
                segment(), src, dst, describe());
    }

    /** What the frame is, in a few words: the deepest layer decoded. */
    public String describe() {
        if (dhcp != null) {
            String y = dhcp.yiaddr() != null && !dhcp.yiaddr().toString().equals("0.0.0.0") ? " yiaddr " + dhcp.yiaddr() : "";
            String g = dhcp.giaddr() != null && !dhcp.giaddr().toString().equals("0.0.0.0") ? " giaddr " + dhcp.giaddr() : "";
            return "DHCP " + dhcpType() + String.format(Locale.ROOT, " xid 0x%08x", dhcp.xid()) + y + g;
        }
        if (dns != null) {
            String what = dns.isResponse() ? "response " + DnsMessage.rcodeName(dns.rcode()) + " " + dnsAnswers() : "query";
            return "DNS " + what + " " + (dns.questions().isEmpty() ? "" : dns.question());
        }
        if (http != null) {
            return "HTTP " + http;
        }
        if (tcp != null) {
            return "TCP " + tcp.sourcePort() + " -> " + tcp.destinationPort() + " [" + tcp.flagString() + "] seq "
                    + tcp.sequence() + (tcp.ack() ? " ack " + tcp.acknowledgment() : "") + " len " + tcp.payloadLength();
        }
        return summary.info() == null ? String.join("/", summary.protocols()) : summary.info();
    }

    @Override
    public String toString() {
        return line();
    }
}
