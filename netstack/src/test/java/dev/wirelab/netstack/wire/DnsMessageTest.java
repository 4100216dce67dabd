package dev.wirelab.netstack.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wirelab.netstack.testing.Gen;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

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

    /**
     * The edge cases: an empty message, and one whose every section holds the most records of every
     * kind, with the root name and the longest names, and every number at its ends.
     */
    @Test
    void edgeCaseMessagesRoundTrip() {
        checkRoundTrip(new DnsMessage(0, 0, List.of(), List.of(), List.of(), List.of()));
        DnsName root = DnsName.of(List.of());
        DnsName longest = DnsName.of(List.of("abcXYZ-09.\\\\", "\\".repeat(12), ".".repeat(12), "a"));
        for (DnsName name : List.of(root, longest)) {
            byte[] sixteen = new byte[16];
            Arrays.fill(sixteen, (byte) 0xFF);
            List<DnsRecord> records = new ArrayList<>();
            for (long ttl : new long[] {0, 0xFFFFFFFFL}) {
                records.add(DnsRecord.in(name, ttl, new DnsRdata.A(new Ipv4Address(-1))));
                records.add(DnsRecord.in(name, ttl, new DnsRdata.Aaaa(sixteen)));
                records.add(DnsRecord.in(name, ttl, new DnsRdata.Ns(name)));
                records.add(DnsRecord.in(name, ttl, new DnsRdata.Cname(name)));
                records.add(DnsRecord.in(name, ttl, new DnsRdata.Ptr(name)));
                records.add(DnsRecord.in(name, ttl, new DnsRdata.Mx(0, name)));
                records.add(DnsRecord.in(name, ttl, new DnsRdata.Mx(65535, name)));
                records.add(DnsRecord.in(name, ttl, new DnsRdata.Txt(List.of(""))));
                records.add(DnsRecord.in(name, ttl, new DnsRdata.Txt(List.of("\u00ff".repeat(40), "", "\u0000"))));
                records.add(DnsRecord.in(name, ttl, new DnsRdata.Soa(name, name, ttl, 3600, 600, 86400, 300)));
            }
            records.add(new DnsRecord(name, 256, 1, 5, new DnsRdata.Unknown(new byte[0])));
            records.add(new DnsRecord(name, 65535, 1, 5, new DnsRdata.Unknown(new byte[30])));
            for (int i = 0; i < records.size(); i += 4) {
                List<DnsRecord> section = records.subList(i, Math.min(records.size(), i + 4));
                List<DnsQuestion> questions = List.of(DnsQuestion.in(name, DnsRecord.A), DnsQuestion.in(root, DnsRecord.A));
                checkRoundTrip(new DnsMessage(0xFFFF, 0xFFFF, questions, section, section, section));
                checkRoundTrip(new DnsMessage(0, 0, questions.subList(0, 1), List.of(), List.of(), section));
            }
        }
    }

    private static void checkRoundTrip(DnsMessage m) {
        byte[] b = m.encode();
        assertThat(DnsMessage.parse(b, 0, b.length)).isEqualTo(m);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds3000")
    void mutatedMessagesOnlyRaiseWireFormatException(long seed) {
        checkOnlyWireFormatException(mutant(Gen.random(seed)));
    }

    /** The edge cases: each captured message as is, and with each mutation at offsets 0, 1 and 200, by values 0 and 255. */
    @Test
    void edgeCaseMutantsOnlyRaiseWireFormatException() {
        for (byte[] seed : MUTANT_SEEDS) {
            checkOnlyWireFormatException(seed.clone());
            for (int how = 0; how <= 3; how++) {
                for (int at : new int[] {0, 1, 199, 200}) {
                    for (int value : new int[] {0, 1, 254, 255}) {
                        checkOnlyWireFormatException(mutate(seed, at, value, how));
                    }
                }
            }
        }
    }

    private static void checkOnlyWireFormatException(byte[] b) {
        try {
            DnsMessage m = DnsMessage.parse(b, 0, b.length);
            byte[] again = m.encode();
            assertThat(DnsMessage.parse(again, 0, again.length)).isEqualTo(m);
        } catch (WireFormatException expected) {
            assertThat(expected.protocol()).isEqualTo("dns");
        }
    }

    private static final List<byte[]> MUTANT_SEEDS = captured();

    private static List<byte[]> captured() {
        List<byte[]> seeds = new ArrayList<>();
        for (int n = 5; n <= 18; n++) {
            seeds.add(CapturedPayloads.get("c#" + n));
        }
        return List.copyOf(seeds);
    }

    static byte[] mutant(Random rnd) {
        byte[] seed = Gen.oneOf(rnd, MUTANT_SEEDS);
        int at = Gen.between(rnd, 0, 200);
        int value = Gen.between(rnd, 0, 255);
        int how = Gen.between(rnd, 0, 3);
        return mutate(seed, at, value, how);
    }

    private static byte[] mutate(byte[] seed, int at, int value, int how) {
        byte[] b = seed.clone();
        int i = at % b.length;
        switch (how) {
            case 0 -> b[i] = (byte) value;
            case 1 -> b = Arrays.copyOf(b, i);
            case 2 -> { // a compression pointer somewhere
                b[i] = (byte) (0xC0 | (value & 0x3F));
                if (i + 1 < b.length) {
                    b[i + 1] = (byte) value;
                }
            }
            default -> b[Math.min(b.length - 1, 4 + at % 8)] = (byte) value; // a count
        }
        return b;
    }

    static DnsName name(Random rnd) {
        return DnsName.of(Gen.list(rnd, 0, 4, r -> Gen.string(r, 1, 12, "abcXYZ-09.\\")));
    }

    static DnsRdata rdata(Random rnd) {
        return switch (rnd.nextInt(8)) {
            case 0 -> new DnsRdata.A(new Ipv4Address(Gen.anyInt(rnd)));
            case 1 -> new DnsRdata.Aaaa(Gen.bytesOfSize(rnd, 16));
            case 2 -> new DnsRdata.Ns(name(rnd));
            case 3 -> new DnsRdata.Cname(name(rnd));
            case 4 -> new DnsRdata.Ptr(name(rnd));
            case 5 -> new DnsRdata.Mx(Gen.between(rnd, 0, 65535), name(rnd));
            case 6 -> new DnsRdata.Txt(Gen.list(rnd, 1, 3, r -> Gen.string(r, 0, 40).replaceAll("[^\\x00-\\xff]", "?")));
            default -> new DnsRdata.Soa(name(rnd), name(rnd), Gen.between(rnd, 0, 0xFFFFFFFFL), 3600, 600, 86400, 300);
        };
    }

    static DnsRecord record(Random rnd) {
        if (rnd.nextBoolean()) {
            DnsName n = name(rnd);
            DnsRdata d = rdata(rnd);
            return DnsRecord.in(n, Gen.between(rnd, 0, 0xFFFFFFFFL), d);
        }
        // unknown types
        DnsName n = name(rnd);
        int type = Gen.between(rnd, 256, 65535);
        return new DnsRecord(n, type, 1, 5, new DnsRdata.Unknown(Gen.bytes(rnd, 30)));
    }

    static DnsMessage message(Random rnd) {
        int id = Gen.between(rnd, 0, 0xFFFF);
        int flags = Gen.between(rnd, 0, 0xFFFF);
        List<DnsQuestion> questions = Gen.list(rnd, 0, 2, r -> DnsQuestion.in(name(r), DnsRecord.A));
        return new DnsMessage(id, flags, questions, Gen.list(rnd, 0, 4, DnsMessageTest::record),
                Gen.list(rnd, 0, 4, DnsMessageTest::record), Gen.list(rnd, 0, 4, DnsMessageTest::record));
    }
}
