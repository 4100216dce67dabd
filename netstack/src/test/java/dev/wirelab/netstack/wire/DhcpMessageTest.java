package dev.wirelab.netstack.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The DHCP codec on dhclient's and dnsmasq's real messages, hand-made edge cases and random ones. */
class DhcpMessageTest {

    private static final MacAddress CLIENT = MacAddress.parse("9a:af:f3:33:9d:3e");

    @Test
    void dhclientsDiscoverAsTsharkDecodesIt() {
        DhcpMessage m = DhcpMessage.parse(CapturedPayloads.get("c#1"), 0, 300);
        assertThat(m.op()).isEqualTo(DhcpMessage.BOOTREQUEST);
        assertThat(m.htype()).isEqualTo(1);
        assertThat(m.hlen()).isEqualTo(6);
        assertThat(m.xid()).isEqualTo(0x6087ad1c);
        assertThat(m.broadcastFlag()).isFalse();
        assertThat(m.clientMac()).isEqualTo(CLIENT);
        assertThat(m.messageType()).isEqualTo(DhcpMessage.DISCOVER);
        assertThat(m.text(DhcpOption.HOST_NAME)).contains("vm");
        assertThat(m.option(DhcpOption.PARAMETER_REQUEST_LIST).orElseThrow())
                .containsExactly(1, 28, 2, 3, 15, 6, 119, 12, 44, 47, 26, 121, 42);
        assertThat(m.options()).extracting(DhcpOption::code).containsExactly(53, 12, 55);
    }

    @Test
    void dnsmasqsOfferAndAck() {
        DhcpMessage offer = DhcpMessage.parse(CapturedPayloads.get("c#2"), 0, 302);
        assertThat(offer.op()).isEqualTo(DhcpMessage.BOOTREPLY);
        assertThat(offer.messageType()).isEqualTo(DhcpMessage.OFFER);
        assertThat(offer.yiaddr()).isEqualTo(Ipv4Address.parse("192.168.77.126"));
        assertThat(offer.siaddr()).isEqualTo(Ipv4Address.parse("192.168.77.1"));
        assertThat(offer.address(DhcpOption.SERVER_ID)).contains(Ipv4Address.parse("192.168.77.1"));
        assertThat(offer.unsigned32(DhcpOption.LEASE_TIME)).contains(3600L);
        assertThat(offer.unsigned32(DhcpOption.RENEWAL_TIME)).contains(1800L);
        assertThat(offer.unsigned32(DhcpOption.REBINDING_TIME)).contains(3150L);
        assertThat(offer.address(DhcpOption.SUBNET_MASK)).contains(Ipv4Address.parse("255.255.255.0"));
        assertThat(offer.addresses(DhcpOption.ROUTER)).containsExactly(Ipv4Address.parse("192.168.77.1"));
        assertThat(offer.addresses(DhcpOption.DOMAIN_NAME_SERVER)).containsExactly(Ipv4Address.parse("192.168.77.1"));
        assertThat(offer.text(DhcpOption.DOMAIN_NAME)).contains("lab.test");
        DhcpMessage ack = DhcpMessage.parse(CapturedPayloads.get("c#4"), 0, 306);
        assertThat(ack.messageType()).isEqualTo(DhcpMessage.ACK);
        assertThat(ack.yiaddr()).isEqualTo(offer.yiaddr());
        DhcpMessage release = DhcpMessage.parse(CapturedPayloads.get("c#19"), 0, 300);
        assertThat(release.messageType()).isEqualTo(DhcpMessage.RELEASE);
        assertThat(release.ciaddr()).isEqualTo(Ipv4Address.parse("192.168.77.126"));
    }

    @Test
    void capturedMessagesReEncodeToTheSameBytes() {
        for (String name : List.of("c#1", "c#2", "c#3", "c#4", "c#19")) {
            byte[] b = CapturedPayloads.get(name);
            assertThat(HexFormat.of().formatHex(DhcpMessage.parse(b, 0, b.length).encode())).as(name)
                    .isEqualTo(HexFormat.of().formatHex(b));
        }
    }

    @Test
    void padEndAndUnknownOptionsAreHandled() {
        byte[] opts = HexFormat.of().parseHex("350101" + "00" + "00" + "fa03aabbcc" + "ff" + "3501ff");
        DhcpMessage m = DhcpMessage.parse(withOptions(opts), 0, 240 + opts.length);
        assertThat(m.messageType()).isEqualTo(DhcpMessage.DISCOVER);
        // Option 250 is unknown: kept as is. The bytes after End are not options.
        assertThat(m.option(250)).hasValueSatisfying(v -> assertThat(v).containsExactly(0xaa, 0xbb, 0xcc));
        assertThat(m.options()).hasSize(2);
    }

    @Test
    void overloadReadsFileThenSnameAndDoesNotSurviveReEncoding() {
        byte[] b = withOptions(HexFormat.of().parseHex("350105" + "340103" + "ff"));
        // file (offset 108) carries the lease time, sname (offset 44) the domain name; each ends with End.
        System.arraycopy(HexFormat.of().parseHex("330400000e10ff"), 0, b, 108, 7);
        System.arraycopy(HexFormat.of().parseHex("0f036c6162ff"), 0, b, 44, 6);
        DhcpMessage m = DhcpMessage.parse(b, 0, b.length);
        assertThat(m.options()).extracting(DhcpOption::code).containsExactly(53, 51, 15);
        assertThat(m.unsigned32(DhcpOption.LEASE_TIME)).contains(3600L);
        assertThat(m.text(DhcpOption.DOMAIN_NAME)).contains("lab");
        byte[] again = m.encode();
        assertThat(DhcpMessage.parse(again, 0, again.length)).isEqualTo(m);
    }

    @Test
    void repeatedOptionsAreConcatenatedAndLongOnesSplit() {
        // RFC 3396: two instances of option 15 make one value.
        byte[] b = withOptions(HexFormat.of().parseHex("0f026162" + "350101" + "0f0163" + "ff"));
        DhcpMessage m = DhcpMessage.parse(b, 0, b.length);
        assertThat(m.text(DhcpOption.DOMAIN_NAME)).contains("abc");
        byte[] big = new byte[300];
        Arrays.fill(big, (byte) 'x');
        DhcpMessage longOne = DhcpMessage.request(7, CLIENT, List.of(new DhcpOption(DhcpOption.DOMAIN_NAME, big)));
        byte[] enc = longOne.encode();
        assertThat(enc[240] & 0xFF).isEqualTo(15);
        assertThat(enc[241] & 0xFF).isEqualTo(255);
        assertThat(enc[240 + 2 + 255] & 0xFF).isEqualTo(15);
        assertThat(enc[240 + 2 + 255 + 1] & 0xFF).isEqualTo(45);
        assertThat(DhcpMessage.parse(enc, 0, enc.length)).isEqualTo(longOne);
    }

    @Test
    void badInputIsAPreciseWireFormatException() {
        byte[] ok = CapturedPayloads.get("c#1");
        assertThatThrownBy(() -> DhcpMessage.parse(ok, 0, 200)).isInstanceOf(WireFormatException.class)
                .hasMessageContaining("shorter than the 240-byte");
        byte[] cookie = ok.clone();
        cookie[236] = 0;
        assertThatThrownBy(() -> DhcpMessage.parse(cookie, 0, cookie.length)).isInstanceOf(WireFormatException.class)
                .hasMessageContaining("magic cookie 0x00825363");
        byte[] op = ok.clone();
        op[0] = 3;
        assertThatThrownBy(() -> DhcpMessage.parse(op, 0, op.length)).hasMessageContaining("op 3");
        byte[] cut = withOptions(HexFormat.of().parseHex("350101" + "3304000e"));
        assertThatThrownBy(() -> DhcpMessage.parse(cut, 0, cut.length)).isInstanceOf(WireFormatException.class)
                .hasMessage("dhcp: option 51 at offset 243 of the options field claims 4 bytes, only 2 remain");
        byte[] overload = withOptions(HexFormat.of().parseHex("340104ff"));
        assertThatThrownBy(() -> DhcpMessage.parse(overload, 0, overload.length))
                .hasMessageContaining("option overload must be one byte 1, 2 or 3");
        byte[] hlen = ok.clone();
        hlen[2] = 17;
        assertThatThrownBy(() -> DhcpMessage.parse(hlen, 0, hlen.length)).hasMessageContaining("hlen 17");
    }

    @Property(tries = 1000)
    void randomMessagesRoundTrip(@ForAll("messages") DhcpMessage m) {
        byte[] b = m.encode();
        assertThat(b.length).isGreaterThanOrEqualTo(DhcpMessage.MIN_LENGTH);
        assertThat(DhcpMessage.parse(b, 0, b.length)).isEqualTo(m);
    }

    @Property(tries = 3000)
    void mutatedMessagesOnlyRaiseWireFormatException(@ForAll("mutants") byte[] b) {
        try {
            DhcpMessage m = DhcpMessage.parse(b, 0, b.length);
            byte[] again = m.encode(); // whatever parses must encode and parse back to itself
            assertThat(DhcpMessage.parse(again, 0, again.length)).isEqualTo(m);
        } catch (WireFormatException expected) {
            assertThat(expected.protocol()).isEqualTo("dhcp");
        }
    }

    @Provide
    Arbitrary<DhcpMessage> messages() {
        Arbitrary<DhcpOption> option = Combinators.combine(
                Arbitraries.integers().between(1, 254).filter(c -> c != DhcpOption.OVERLOAD),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(300)).as(DhcpOption::new);
        Arbitrary<List<DhcpOption>> options = option.list().ofMaxSize(6)
                .uniqueElements(DhcpOption::code);
        Arbitrary<Ipv4Address> addr = Arbitraries.integers().map(Ipv4Address::new);
        return Combinators.combine(Arbitraries.integers().between(1, 2), Arbitraries.integers(),
                Arbitraries.integers().between(0, 0xFFFF), addr, addr, Arbitraries.bytes().array(byte[].class).ofSize(16),
                options).as((op, xid, flags, ci, yi, ch, opts) -> new DhcpMessage(op, 1, 6, 0, xid, 3, flags, ci, yi,
                        Ipv4Address.ANY, Ipv4Address.ANY, ch, new byte[64], new byte[128], opts));
    }

    @Provide
    Arbitrary<byte[]> mutants() {
        List<byte[]> seeds = List.of(CapturedPayloads.get("c#1"), CapturedPayloads.get("c#2"),
                CapturedPayloads.get("c#4"), withOptions(HexFormat.of().parseHex("350105340103ff")));
        return Combinators.combine(Arbitraries.of(seeds), Arbitraries.integers().between(0, 320),
                Arbitraries.integers().between(0, 255), Arbitraries.integers().between(0, 3),
                Arbitraries.integers().between(200, 320)).as((seed, at, value, how, cutAt) -> {
                    byte[] b = seed.clone();
                    switch (how) {
                        case 0 -> b[Math.min(at, b.length - 1)] = (byte) (int) value;
                        case 1 -> b = Arrays.copyOf(b, Math.min(cutAt, b.length));
                        case 2 -> { // an option length byte in the options area
                            int i = 240 + at % Math.max(1, b.length - 240);
                            b[i] = (byte) (int) value;
                        }
                        default -> {
                            b[240 + at % Math.max(1, b.length - 241)] = (byte) DhcpOption.OVERLOAD;
                            b[108 + at % 128] = (byte) (int) value;
                        }
                    }
                    return b;
                });
    }

    /** A DHCP request header from {@link #CLIENT} followed by the cookie and these option bytes. */
    private static byte[] withOptions(byte[] options) {
        byte[] b = new byte[240 + options.length];
        b[0] = 1;
        b[1] = 1;
        b[2] = 6;
        CLIENT.write(b, 28);
        b[236] = 99;
        b[237] = (byte) 130;
        b[238] = 83;
        b[239] = 99;
        System.arraycopy(options, 0, b, 240, options.length);
        return b;
    }
}
