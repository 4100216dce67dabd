package dev.wirelab.netstack.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
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

/** The DNS codec on dig's and dnsmasq's real messages, compression attacks, truncation, random messages. */
class DnsMessageTest {

    private static DnsMessage captured(String name) {
        byte[] b = CapturedPayloads.get(name);
        return DnsMessage.parse(b, 0, b.length);
    }

    @Test
    void digsQueryWithEdnsCookie() {
        DnsMessage q = captured("c#5");
        assertThat(q.id()).isEqualTo(0x94e6);
        assertThat(q.isResponse()).isFalse();
        assertThat(q.recursionDesired()).isTrue();
        assertThat((q.flags() & DnsMessage.FLAG_AD) != 0).isTrue();
        assertThat(q.question()).isEqualTo(DnsQuestion.in("www.example.com", DnsRecord.A));
        // The OPT pseudo-record (RFC 6891) is kept as an unknown type: class 1232 is dig's UDP size.
        assertThat(q.additional()).singleElement().satisfies(opt -> {
            assertThat(opt.type()).isEqualTo(DnsRecord.OPT);
            assertThat(opt.name().isRoot()).isTrue();
            assertThat(opt.rclass()).isEqualTo(1232);
            assertThat(((DnsRdata.Unknown) opt.rdata()).data()).hasSize(12);
        });
    }

    @Test
    void dnsmasqsAnswersAsTsharkDecodesThem() {
        DnsMessage a = captured("c#6");
        assertThat(a.flags()).isEqualTo(0x8500);
        assertThat(a.authoritative()).isTrue();
        assertThat(a.answers()).containsExactly(DnsRecord.in(DnsName.parse("www.example.com"), 600,
                new DnsRdata.A(Ipv4Address.parse("192.168.77.80"))));
        assertThat(a.authority()).containsExactly(DnsRecord.in(DnsName.parse("example.com"), 600,
                new DnsRdata.Ns(DnsName.parse("ns1.example.com"))));

        DnsMessage cname = captured("c#8");
        assertThat(cname.answers()).extracting(DnsRecord::toString).containsExactly(
                "web.example.com.\t600\tIN\tCNAME\twww.example.com.",
                "www.example.com.\t600\tIN\tA\t192.168.77.80");

        assertThat(captured("c#10").answers()).extracting(r -> r.rdata().presentation())
                .containsExactly("10 mail.example.com.");
        assertThat(captured("c#12").answers().get(0).rdata()).isEqualTo(new DnsRdata.Soa(
                DnsName.parse("ns1.example.com"), DnsName.parse("hostmaster.ns1.example.com"), 1795306015L, 1200, 180,
                1209600, 600));
        DnsMessage nx = captured("c#14");
        assertThat(nx.rcode()).isEqualTo(DnsMessage.NXDOMAIN);
        assertThat(nx.answers()).isEmpty();
        assertThat(nx.authority()).singleElement().extracting(DnsRecord::type).isEqualTo(DnsRecord.SOA);
        assertThat(captured("c#16").answers().get(0).rdata()).isEqualTo(new DnsRdata.Txt(List.of("v=spf1 -all")));
    }

    @Test
    void capturedMessagesSurviveOurEncodingAndWeCompressAtLeastAsWell() {
        for (int n = 5; n <= 18; n++) {
            byte[] b = CapturedPayloads.get("c#" + n);
            DnsMessage m = DnsMessage.parse(b, 0, b.length);
            byte[] ours = m.encode();
            assertThat(DnsMessage.parse(ours, 0, ours.length)).as("c#" + n).isEqualTo(m);
            assertThat(ours.length).as("c#" + n).isLessThanOrEqualTo(b.length);
        }
        // dig's query is already fully compressed: byte-identical.
        assertThat(captured("c#5").encode()).isEqualTo(CapturedPayloads.get("c#5"));
    }

    @Test
    void compressionPointsBackToEarlierSuffixes() {
        DnsName www = DnsName.parse("www.example.com");
        DnsMessage m = DnsMessage.query(0x1234, DnsQuestion.in(www, DnsRecord.A), true)
                .response(DnsMessage.FLAG_AA, 0, List.of(DnsRecord.in(www, 60, new DnsRdata.Cname(DnsName.parse("web.example.com")))),
                        List.of(), List.of());
        byte[] b = m.encode();
        String hex = HexFormat.of().formatHex(b);
        // question at 12; the answer's owner is a pointer to 12 (c00c); the CNAME target is "web" + pointer to 16 (c010).
        assertThat(hex).isEqualTo("1234850000010001000000000377777707" + "6578616d706c6503636f6d0000010001"
                + "c00c000500010000003c0006" + "03776562c010");
    }

    @Test
    void compressionLoopIsAPreciseError() {
        // Header, then a question whose name is a pointer to itself at offset 12.
        byte[] self = HexFormat.of().parseHex("abcd0100000100000000000" + "0" + "c00c00010001");
        assertThatThrownBy(() -> DnsMessage.parse(self, 0, self.length)).isInstanceOf(WireFormatException.class)
                .hasMessageStartingWith("dns: name compression loop at offset 12");
        // Two pointers to each other: 12 -> 14 is forward... so the loop is built from a label run:
        // offset 12: label "a" then pointer at 14 back to 12.
        byte[] loop = HexFormat.of().parseHex("abcd01000001000000000000" + "0161c00c" + "00010001");
        assertThatThrownBy(() -> DnsMessage.parse(loop, 0, loop.length))
                .hasMessageStartingWith("dns: name compression loop at offset 14");
    }

    @Test
    void pointersForwardOrPastTheEndAreRejected() {
        byte[] forward = HexFormat.of().parseHex("abcd01000001000000000000" + "c0120001000100" + "00");
        assertThatThrownBy(() -> DnsMessage.parse(forward, 0, forward.length))
                .hasMessage("dns: compression pointer at offset 12 points forward to offset 18 (pointers must point to a prior name)");
        byte[] past = HexFormat.of().parseHex("abcd01000001000000000000" + "c0ff00010001");
        assertThatThrownBy(() -> DnsMessage.parse(past, 0, past.length))
                .hasMessage("dns: compression pointer at offset 12 points to offset 255, past the end of the 18-byte message");
        byte[] cut = HexFormat.of().parseHex("abcd01000001000000000000" + "c0");
        assertThatThrownBy(() -> DnsMessage.parse(cut, 0, cut.length)).hasMessageContaining("cut off");
        byte[] extended = HexFormat.of().parseHex("abcd01000001000000000000" + "4100" + "00010001");
        assertThatThrownBy(() -> DnsMessage.parse(extended, 0, extended.length)).hasMessageContaining("label type 0x40");
    }

    @Test
    void namesLongerThan255OctetsAndBadRdataAreRejected() {
        StringBuilder hex = new StringBuilder("abcd01000001000000000000");
        for (int i = 0; i < 5; i++) {
            hex.append("3f").append("61".repeat(63)); // 5 x 64 = 320 octets
        }
        hex.append("0000010001");
        byte[] big = HexFormat.of().parseHex(hex.toString());
        assertThatThrownBy(() -> DnsMessage.parse(big, 0, big.length)).hasMessageContaining("longer than 255 octets");
        assertThatThrownBy(() -> DnsName.parse("a".repeat(64) + ".com")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("63");
        // An A record whose RDLENGTH is 5.
        byte[] badA = HexFormat.of().parseHex("abcd81000000000100000000" + "00" + "00010001" + "0000003c" + "0005" + "0102030405");
        assertThatThrownBy(() -> DnsMessage.parse(badA, 0, badA.length))
                .hasMessage("dns: rdata of the A record at offset 23 is 5 bytes; an A record has 4");
        byte[] shortRd = Arrays.copyOf(badA, badA.length - 2);
        assertThatThrownBy(() -> DnsMessage.parse(shortRd, 0, shortRd.length)).hasMessageContaining("claims 5 bytes of rdata");
        byte[] missing = HexFormat.of().parseHex("abcd81000002000000000000" + "0000010001");
        assertThatThrownBy(() -> DnsMessage.parse(missing, 0, missing.length))
                .hasMessage("dns: question 2 of 2 is missing: the message ends at offset 17");
    }

    @Test
    void udpTruncationDropsWholeRrsetsAndSetsTcOnlyForAnswers() {
        DnsName name = DnsName.parse("many.example.com");
        List<DnsRecord> answers = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            answers.add(DnsRecord.in(name, 300, new DnsRdata.A(new Ipv4Address(0x0A000000 + i))));
        }
        DnsMessage big = DnsMessage.query(1, DnsQuestion.in(name, DnsRecord.A), true)
                .response(0, 0, answers, List.of(), List.of());
        byte[] udp = big.encode(DnsMessage.UDP_LIMIT);
        DnsMessage t = DnsMessage.parse(udp, 0, udp.length);
        assertThat(udp.length).isLessThanOrEqualTo(512);
        assertThat(t.truncated()).isTrue();
        assertThat(t.answers()).isEmpty(); // one RRset that does not fit goes whole
        // Additional records that do not fit are dropped without TC (RFC 2181 section 9).
        List<DnsRecord> extra = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            extra.add(DnsRecord.in(DnsName.parse("ns" + i + ".example.com"), 300, new DnsRdata.A(new Ipv4Address(i))));
        }
        DnsMessage referral = DnsMessage.query(2, DnsQuestion.in(name, DnsRecord.A), false)
                .response(0, 0, List.of(), List.of(DnsRecord.in(DnsName.parse("example.com"), 300,
                        new DnsRdata.Ns(DnsName.parse("ns0.example.com")))), extra);
        byte[] r = referral.encode(DnsMessage.UDP_LIMIT);
        DnsMessage rt = DnsMessage.parse(r, 0, r.length);
        assertThat(rt.truncated()).isFalse();
        assertThat(rt.authority()).hasSize(1);
        assertThat(rt.additional()).isNotEmpty().hasSizeLessThan(40);
    }

    @Test
    void namesCompareWithoutCaseAndPrintLikeDig() {
        assertThat(DnsName.parse("WWW.Example.COM")).isEqualTo(DnsName.parse("www.example.com."));
        assertThat(DnsName.parse("WWW.Example.COM").toString()).isEqualTo("WWW.Example.COM.");
        assertThat(DnsName.ROOT.toString()).isEqualTo(".");
        assertThat(DnsName.parse("a\\.b.c").labels()).containsExactly("a.b", "c");
        assertThat(DnsName.parse("a\\.b.c").toString()).isEqualTo("a\\.b.c.");
        assertThat(DnsName.parse("www.example.com").isSubdomainOf(DnsName.parse("com"))).isTrue();
        assertThat(DnsName.parse("example.com").isSubdomainOf(DnsName.parse("www.example.com"))).isFalse();
        assertThat(new DnsRdata.Aaaa(HexFormat.of().parseHex("20010db8000000000000000000000001")).presentation())
                .isEqualTo("2001:db8::1");
    }

    @Property(tries = 1000)
    void randomMessagesRoundTrip(@ForAll("messages") DnsMessage m) {
        byte[] b = m.encode();
        assertThat(DnsMessage.parse(b, 0, b.length)).isEqualTo(m);
    }

    @Property(tries = 3000)
    void mutatedMessagesOnlyRaiseWireFormatException(@ForAll("mutants") byte[] b) {
        try {
            DnsMessage m = DnsMessage.parse(b, 0, b.length);
            byte[] again = m.encode();
            assertThat(DnsMessage.parse(again, 0, again.length)).isEqualTo(m);
        } catch (WireFormatException expected) {
            assertThat(expected.protocol()).isEqualTo("dns");
        }
    }

    @Provide
    Arbitrary<byte[]> mutants() {
        List<byte[]> seeds = new ArrayList<>();
        for (int n = 5; n <= 18; n++) {
            seeds.add(CapturedPayloads.get("c#" + n));
        }
        return Combinators.combine(Arbitraries.of(seeds), Arbitraries.integers().between(0, 200),
                Arbitraries.integers().between(0, 255), Arbitraries.integers().between(0, 3)).as((seed, at, value, how) -> {
                    byte[] b = seed.clone();
                    int i = at % b.length;
                    switch (how) {
                        case 0 -> b[i] = (byte) (int) value;
                        case 1 -> b = Arrays.copyOf(b, i);
                        case 2 -> { // a compression pointer somewhere
                            b[i] = (byte) (0xC0 | (value & 0x3F));
                            if (i + 1 < b.length) {
                                b[i + 1] = (byte) (int) value;
                            }
                        }
                        default -> b[Math.min(b.length - 1, 4 + at % 8)] = (byte) (int) value; // a count
                    }
                    return b;
                });
    }

    @Provide
    Arbitrary<DnsMessage> messages() {
        Arbitrary<String> label = Arbitraries.strings().withChars("abcXYZ-09.\\").ofMinLength(1).ofMaxLength(12);
        Arbitrary<DnsName> name = label.list().ofMaxSize(4).map(DnsName::of);
        Arbitrary<DnsRdata> rdata = Arbitraries.oneOf(
                Arbitraries.integers().map(i -> new DnsRdata.A(new Ipv4Address(i))),
                Arbitraries.bytes().array(byte[].class).ofSize(16).map(DnsRdata.Aaaa::new),
                name.map(DnsRdata.Ns::new), name.map(DnsRdata.Cname::new), name.map(DnsRdata.Ptr::new),
                Combinators.combine(Arbitraries.integers().between(0, 65535), name).as(DnsRdata.Mx::new),
                Arbitraries.strings().ofMaxLength(40).list().ofMinSize(1).ofMaxSize(3)
                        .map(l -> new DnsRdata.Txt(l.stream().map(s -> s.replaceAll("[^\\x00-\\xff]", "?")).toList())),
                Combinators.combine(name, name, Arbitraries.longs().between(0, 0xFFFFFFFFL)).as((m, r, s) ->
                        new DnsRdata.Soa(m, r, s, 3600, 600, 86400, 300)));
        Arbitrary<DnsRecord> record = Combinators.combine(name, rdata, Arbitraries.longs().between(0, 0xFFFFFFFFL))
                .as((n, d, ttl) -> DnsRecord.in(n, ttl, d));
        Arbitrary<DnsRecord> unknown = Combinators.combine(name, Arbitraries.integers().between(256, 65535),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(30)).as((n, t, d) -> new DnsRecord(n, t, 1, 5,
                new DnsRdata.Unknown(d)));
        Arbitrary<List<DnsRecord>> section = Arbitraries.oneOf(record, unknown).list().ofMaxSize(4);
        return Combinators.combine(Arbitraries.integers().between(0, 0xFFFF), Arbitraries.integers().between(0, 0xFFFF),
                name.map(n -> DnsQuestion.in(n, DnsRecord.A)).list().ofMaxSize(2), section, section, section)
                .as(DnsMessage::new);
    }
}
