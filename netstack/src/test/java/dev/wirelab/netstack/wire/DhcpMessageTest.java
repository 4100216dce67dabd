package dev.wirelab.netstack.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wirelab.netstack.testing.Gen;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

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

    static LongStream seeds1000() {
        return Gen.seeds(1000);
    }

    static LongStream seeds3000() {
        return Gen.seeds(3000);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds1000")
    void randomMessagesRoundTrip(long seed) {
        checkRoundTrip(message(Gen.random(seed)));
    }

    /** The edge cases: every field at its ends, no options, and options of no and of 300 bytes at the ends of the codes. */
    @Test
    void edgeCaseMessagesRoundTrip() {
        byte[] big = new byte[300];
        Arrays.fill(big, (byte) 0xFF);
        List<List<DhcpOption>> optionLists = List.of(List.of(), List.of(new DhcpOption(1, new byte[0])),
                List.of(new DhcpOption(254, big)), List.of(new DhcpOption(1, big), new DhcpOption(53, new byte[1]),
                        new DhcpOption(51, new byte[0]), new DhcpOption(253, big), new DhcpOption(2, new byte[255]),
                        new DhcpOption(254, new byte[256])));
        for (int op = 1; op <= 2; op++) {
            for (int edge : Gen.edgeCases(Integer.MIN_VALUE, Integer.MAX_VALUE)) {
                for (int flags : new int[] {0, 1, 0x8000, 0xFFFF}) {
                    for (List<DhcpOption> opts : optionLists) {
                        checkRoundTrip(new DhcpMessage(op, 1, 6, 0, edge, 3, flags, new Ipv4Address(edge),
                                new Ipv4Address(~edge), Ipv4Address.ANY, Ipv4Address.ANY, new byte[16], new byte[64],
                                new byte[128], opts));
                    }
                }
            }
        }
    }

    private static void checkRoundTrip(DhcpMessage m) {
        byte[] b = m.encode();
        assertThat(b.length).isGreaterThanOrEqualTo(DhcpMessage.MIN_LENGTH);
        assertThat(DhcpMessage.parse(b, 0, b.length)).isEqualTo(m);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds3000")
    void mutatedMessagesOnlyRaiseWireFormatException(long seed) {
        checkOnlyWireFormatException(mutant(Gen.random(seed)));
    }

    /** The edge cases: each seed as is, cut at each end of the cut range, and with each mutation at offsets 0 and 320. */
    @Test
    void edgeCaseMutantsOnlyRaiseWireFormatException() {
        for (byte[] seed : MUTANT_SEEDS) {
            checkOnlyWireFormatException(seed.clone());
            for (int cutAt : new int[] {0, 200, 201, 319, 320}) {
                checkOnlyWireFormatException(Arrays.copyOf(seed, Math.min(cutAt, seed.length)));
            }
            for (int how = 0; how <= 3; how++) {
                for (int at : new int[] {0, 1, 319, 320}) {
                    for (int value : new int[] {0, 1, 254, 255}) {
                        checkOnlyWireFormatException(mutate(seed, at, value, how, 200));
                    }
                }
            }
        }
    }

    private static void checkOnlyWireFormatException(byte[] b) {
        try {
            DhcpMessage m = DhcpMessage.parse(b, 0, b.length);
            byte[] again = m.encode(); // whatever parses must encode and parse back to itself
            assertThat(DhcpMessage.parse(again, 0, again.length)).isEqualTo(m);
        } catch (WireFormatException expected) {
            assertThat(expected.protocol()).isEqualTo("dhcp");
        }
    }

    static DhcpMessage message(Random rnd) {
        int op = Gen.between(rnd, 1, 2);
        int xid = Gen.anyInt(rnd);
        int flags = Gen.between(rnd, 0, 0xFFFF);
        Ipv4Address ci = new Ipv4Address(Gen.anyInt(rnd));
        Ipv4Address yi = new Ipv4Address(Gen.anyInt(rnd));
        byte[] ch = Gen.bytesOfSize(rnd, 16);
        List<DhcpOption> opts = Gen.uniqueList(rnd, 0, 6, DhcpMessageTest::option, DhcpOption::code);
        return new DhcpMessage(op, 1, 6, 0, xid, 3, flags, ci, yi, Ipv4Address.ANY, Ipv4Address.ANY, ch, new byte[64],
                new byte[128], opts);
    }

    private static DhcpOption option(Random rnd) {
        int code;
        do {
            code = Gen.between(rnd, 1, 254);
        } while (code == DhcpOption.OVERLOAD);
        return new DhcpOption(code, Gen.bytes(rnd, 300));
    }

    private static final List<byte[]> MUTANT_SEEDS = List.of(CapturedPayloads.get("c#1"), CapturedPayloads.get("c#2"),
            CapturedPayloads.get("c#4"), withOptions(HexFormat.of().parseHex("350105340103ff")));

    static byte[] mutant(Random rnd) {
        byte[] seed = Gen.oneOf(rnd, MUTANT_SEEDS);
        int at = Gen.between(rnd, 0, 320);
        int value = Gen.between(rnd, 0, 255);
        int how = Gen.between(rnd, 0, 3);
        int cutAt = Gen.between(rnd, 200, 320);
        return mutate(seed, at, value, how, cutAt);
    }

    private static byte[] mutate(byte[] seed, int at, int value, int how, int cutAt) {
        byte[] b = seed.clone();
        switch (how) {
            case 0 -> b[Math.min(at, b.length - 1)] = (byte) value;
            case 1 -> b = Arrays.copyOf(b, Math.min(cutAt, b.length));
            case 2 -> { // an option length byte in the options area
                int i = 240 + at % Math.max(1, b.length - 240);
                b[i] = (byte) value;
            }
            default -> {
                b[240 + at % Math.max(1, b.length - 241)] = (byte) DhcpOption.OVERLOAD;
                b[108 + at % 128] = (byte) value;
            }
        }
        return b;
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
