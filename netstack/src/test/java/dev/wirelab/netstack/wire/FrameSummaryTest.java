package dev.wirelab.netstack.wire;

import static dev.wirelab.netstack.wire.CapturedFrames.frame;
import static dev.wirelab.netstack.wire.CapturedFrames.hex;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class FrameSummaryTest {

    private static String describe(String name) {
        return FrameSummary.describe(frame(name));
    }

    @Test
    void summarisesArp() {
        assertThat(describe("a#1")).isEqualTo("02:00:00:00:00:0a > ff:ff:ff:ff:ff:ff ARP who-has 10.0.1.1 tell 10.0.1.2");
        assertThat(describe("a#2")).isEqualTo("02:00:00:00:01:0a > 02:00:00:00:00:0a ARP reply 10.0.1.1 is-at 02:00:00:00:01:0a");
        MacAddress mac = MacAddress.parse("02:00:00:00:00:0a");
        byte[] g = EthernetFrame.of(MacAddress.BROADCAST, mac, EthernetFrame.ETHERTYPE_ARP,
                ArpPacket.gratuitous(mac, Ipv4Address.parse("10.0.1.2")).encode()).encode();
        assertThat(FrameSummary.describe(g)).endsWith("ARP who-has 10.0.1.2 tell 10.0.1.2 (gratuitous)");
        byte[] op = frame("a#1");
        op[21] = 9;
        assertThat(FrameSummary.describe(op)).endsWith(
                "ARP op 9 sender 10.0.1.2 (02:00:00:00:00:0a) target 10.0.1.1 (00:00:00:00:00:00)");
    }

    @Test
    void summarisesIcmp() {
        assertThat(describe("a#3")).isEqualTo("10.0.1.2 > 10.0.1.1 ICMP echo request id=6510 seq=1 ttl=64 DF");
        assertThat(describe("a#4")).isEqualTo("10.0.1.1 > 10.0.1.2 ICMP echo reply id=6510 seq=1 ttl=64");
        assertThat(describe("a#6")).isEqualTo("10.0.1.1 > 10.0.1.2 ICMP time exceeded in transit"
                + " (quoting 10.0.1.2 > 10.0.2.2 ICMP echo request id=6511 seq=1) ttl=64");
        assertThat(describe("a#12")).isEqualTo("10.0.1.1 > 10.0.1.2 ICMP fragmentation needed mtu=576"
                + " (quoting 10.0.1.2 > 10.0.2.2 ICMP echo request id=6513 seq=1) ttl=64");
        assertThat(describe("a#14")).isEqualTo("10.0.1.1 > 10.0.1.2 ICMP net unreachable"
                + " (quoting 10.0.1.2 > 192.0.2.99 ICMP echo request id=6514 seq=1) ttl=64");
        assertThat(describe("a#18")).isEqualTo("10.0.2.2 > 10.0.1.2 ICMP port unreachable"
                + " (quoting 10.0.1.2:40000 > 10.0.2.2:9999 UDP) ttl=63");
    }

    @Test
    void summarisesUdpFragmentsAndVlans() {
        assertThat(describe("a#17")).isEqualTo("10.0.1.2:40000 > 10.0.2.2:9999 UDP len=11 ttl=64 DF");
        assertThat(describe("c#3")).isEqualTo("10.0.1.2 > 10.0.2.2 ICMP fragment id=0xe3cf offset=0 MF len=552 ttl=63");
        assertThat(describe("c#5")).isEqualTo("10.0.1.2 > 10.0.2.2 ICMP fragment id=0xe3cf offset=1104 len=304 ttl=63");
        assertThat(FrameSummary.describe(hex(CapturedFrames.VLAN_ARP_REQUEST)))
                .isEqualTo("02:00:00:00:00:0a > ff:ff:ff:ff:ff:ff vlan 10 ARP who-has 10.0.1.1 tell 10.0.1.2");
        assertThat(FrameSummary.describe(hex(CapturedFrames.VLAN_ECHO_REQUEST)))
                .isEqualTo("vlan 100 10.0.1.2 > 10.0.1.1 ICMP echo request id=6510 seq=1 ttl=64 DF");
    }

    @Test
    void looksInsideVxlan() {
        assertThat(describe("x#5")).isEqualTo("192.168.50.1:40171 > 192.168.50.2:4789 UDP len=58 ttl=64"
                + " VXLAN vni=42: 10.42.0.1 > 10.42.0.2 ICMP echo request id=8228 seq=1 ttl=64 DF");
        assertThat(describe("x#3")).endsWith("VXLAN vni=42: 02:00:00:00:42:01 > ff:ff:ff:ff:ff:ff ARP who-has 10.42.0.2 tell 10.42.0.1");
        Ipv4Address x = Ipv4Address.parse("192.168.50.1");
        Ipv4Address y = Ipv4Address.parse("192.168.50.2");
        byte[] noIFlag = Vxlan.encapsulate(42, new byte[14]);
        noIFlag[0] = 0;
        byte[] udp = new UdpDatagram(40000, Vxlan.DEFAULT_PORT, noIFlag).encode(x, y);
        assertThat(FrameSummary.describeIpv4(Ipv4Packet.of(1, 64, 17, x, y, udp).encode()))
                .isEqualTo("192.168.50.1:40000 > 192.168.50.2:4789 UDP len=22 ttl=64 VXLAN malformed: vxlan: I flag clear: no valid VNI");
    }

    @Test
    void namesOtherEtherTypesAndProtocols() {
        assertThat(FrameSummary.describe(hex("333300000001 02000000000a 86dd 6000000000000000")))
                .isEqualTo("02:00:00:00:00:0a > 33:33:00:00:00:01 IPv6 len=8");
        assertThat(FrameSummary.describe(hex("ffffffffffff 02000000000a 88cc 0000")))
                .isEqualTo("02:00:00:00:00:0a > ff:ff:ff:ff:ff:ff ethertype 0x88cc len=2");
        assertThat(FrameSummary.describe(hex("0180c2000000 02000000000a 0027 424203")))
                .isEqualTo("02:00:00:00:00:0a > 01:80:c2:00:00:00 802.3 length 39");
        byte[] tcp = Ipv4Packet.of(5, 64, Ipv4Packet.PROTOCOL_TCP, Ipv4Address.parse("10.0.0.1"),
                Ipv4Address.parse("10.0.0.2"), new byte[20]).encode();
        // 20 zero bytes are no TCP segment (data offset 0, checksum wrong): summarised, never thrown.
        assertThat(FrameSummary.describeIpv4(tcp)).startsWith("malformed: tcp: bad checksum")
                .endsWith("in 10.0.0.1 > 10.0.0.2 ttl=64");
        byte[] gre = Ipv4Packet.of(5, 9, 47, Ipv4Address.parse("10.0.0.1"), Ipv4Address.parse("10.0.0.2"), new byte[4]).encode();
        assertThat(FrameSummary.describeIpv4(gre)).isEqualTo("10.0.0.1 > 10.0.0.2 proto 47 len=4 ttl=9");
    }

    @Test
    void reportsMalformedFramesInsteadOfThrowing() {
        assertThat(FrameSummary.describe(null)).isEqualTo("malformed: no frame");
        assertThat(FrameSummary.describe(new byte[3])).isEqualTo("malformed: ethernet: frame of 3 bytes is shorter than the 14-byte header");
        assertThat(FrameSummary.describe(Arrays.copyOf(frame("a#1"), 30)))
                .isEqualTo("malformed: arp: packet of 16 bytes is shorter than the 28 bytes of Ethernet/IPv4 ARP");
        byte[] badIp = frame("a#3");
        badIp[14 + 11] ^= 1;
        assertThat(FrameSummary.describe(badIp)).isEqualTo("malformed: ipv4: bad header checksum 0x41c5 (expected 0x41c4)");
        byte[] badIcmp = frame("a#3");
        badIcmp[14 + 20 + 3] ^= 1;
        assertThat(FrameSummary.describe(badIcmp))
                .isEqualTo("malformed: icmp: bad checksum 0x1c95 (expected 0x1c94) in 10.0.1.2 > 10.0.1.1 ttl=64 DF");
        byte[] badUdp = frame("a#17");
        badUdp[14 + 20 + 6] ^= 1;
        assertThat(FrameSummary.describe(badUdp)).startsWith("malformed: udp: bad checksum 0x86bf (expected 0x87bf) in 10.0.1.2 > 10.0.2.2");
        byte[] badQuote = frame("a#6");
        byte[] icmp = Arrays.copyOfRange(badQuote, 34, badQuote.length);
        byte[] error = IcmpMessage.timeExceeded(0, Arrays.copyOf(icmp, 12)).encode(); // quote too short for a header
        byte[] ip = Ipv4Packet.of(1, 64, 1, Ipv4Address.parse("10.0.1.1"), Ipv4Address.parse("10.0.1.2"), error).encode();
        assertThat(FrameSummary.describeIpv4(ip)).contains("(quoting unreadable datagram: ipv4: datagram of 12 bytes");
        assertThat(FrameSummary.describeIpv4(null)).isEqualTo("malformed: no datagram");
        byte[] vxlanNoFlag = frame("x#5");
        vxlanNoFlag[14 + 20 + 8] = 0;
        assertThat(FrameSummary.describe(vxlanNoFlag)).startsWith("malformed: udp: bad checksum");
    }
}
