package dev.wirelab.netstack.dhcp;

import dev.wirelab.netstack.node.Node;
import dev.wirelab.netstack.wire.EthernetFrame;
import dev.wirelab.netstack.wire.Ipv4Address;
import dev.wirelab.netstack.wire.Ipv4Packet;
import dev.wirelab.netstack.wire.MacAddress;
import dev.wirelab.netstack.wire.UdpDatagram;

/**
 * UDP over a packet socket, as dhcpd, dhcrelay and dhclient send on Linux (LPF): the IP and UDP
 * headers are built here, so a datagram can go to a MAC address whose owner has no IP address yet,
 * or leave from 0.0.0.0 (RFC 2131 section 4.1).
 */
final class RawUdp {

    private RawUdp() {
    }

    static void send(Node node, String ifName, MacAddress toMac, Ipv4Address from, int fromPort, Ipv4Address to,
                     int toPort, byte[] payload) {
        byte[] udp = new UdpDatagram(fromPort, toPort, payload).encode(from, to);
        // TTL 64 as Linux; the identification comes from the node's seeded RNG (no global counter here).
        Ipv4Packet ip = Ipv4Packet.of(node.random().nextInt(0x10000), 64, Ipv4Packet.PROTOCOL_UDP, from, to, udp);
        node.sendFrame(ifName, toMac, EthernetFrame.ETHERTYPE_IPV4, ip.encode());
    }
}
