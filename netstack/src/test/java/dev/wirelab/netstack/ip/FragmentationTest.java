package dev.wirelab.netstack.ip;

import dev.wirelab.netstack.testing.Gen;
import dev.wirelab.netstack.wire.Ipv4Address;
import dev.wirelab.netstack.wire.Ipv4Packet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class FragmentationTest {

    private static final Ipv4Address SRC = Ipv4Address.parse("10.0.1.2");
    private static final Ipv4Address DST = Ipv4Address.parse("10.0.3.2");

    private static Ipv4Packet datagram(int payloadLength, int id, byte[] options) {
        byte[] payload = new byte[payloadLength];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (i * 7 + 3);
        }
        return new Ipv4Packet(0, id, false, false, 0, 64, Ipv4Packet.PROTOCOL_ICMP, SRC, DST, options, payload);
    }

    @Test
    void a1428ByteDatagramOverMtu576MakesThreeFragmentsOnEightByteBoundaries() {
        List<Ipv4Packet> frags = Fragmenter.fragment(datagram(1408, 7, new byte[0]), 576);
        assertThat(frags).extracting(Ipv4Packet::totalLength).containsExactly(572, 572, 324);
        assertThat(frags).extracting(Ipv4Packet::fragmentOffset).containsExactly(0, 552, 1104);
        assertThat(frags).extracting(Ipv4Packet::moreFragments).containsExactly(true, true, false);
        assertThat(frags).allSatisfy(f -> assertThat(f.identification()).isEqualTo(7));
        // They survive encoding: real header checksums, offsets in 8-byte units on the wire.
        for (Ipv4Packet f : frags) {
            byte[] b = f.encode();
            assertThat(Ipv4Packet.parse(b, 0, b.length)).isEqualTo(f);
        }
    }

    @Test
    void onlyCopiedOptionsRepeatInLaterFragments() {
        // Type 0x94 (router alert, copied) length 4, then type 0x07 (record route, not copied) length 7 + pad.
        byte[] options = {(byte) 0x94, 4, 0, 0, 7, 7, 4, 0, 0, 0, 0, 0};
        List<Ipv4Packet> frags = Fragmenter.fragment(datagram(200, 1, options), 100);
        assertThat(frags.get(0).options()).isEqualTo(options);
        assertThat(frags.subList(1, frags.size())).allSatisfy(f ->
                assertThat(f.options()).containsExactly((byte) 0x94, 4, 0, 0));
        assertThat(frags).allSatisfy(f -> assertThat(f.totalLength()).isLessThanOrEqualTo(100));
    }

    @Test
    void fittingDatagramIsLeftAlone() {
        Ipv4Packet p = datagram(100, 1, new byte[0]);
        assertThat(Fragmenter.fragment(p, 120)).containsExactly(p);
    }

    static LongStream seeds() {
        return Gen.seeds(200);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void fragmentsReassembleInAnyOrderWithDuplicates(long seed) {
        Random rnd = Gen.random(seed);
        checkReassembly(Gen.between(rnd, 1, 9000), Gen.between(rnd, 68, 1500), Gen.between(rnd, 68, 1500), rnd);
    }

    /**
     * Every combination of edge lengths (the shortest, one that just fits in 68 or 1500 bytes and one
     * that just does not, the longest) and edge MTUs (68, 69, 1499, 1500).
     */
    static Stream<Arguments> edgeCases() {
        int[] mtus = Gen.edgeCases(68, 1500);
        return IntStream.of(1, 2, 48, 49, 1480, 1481, 8999, 9000).boxed().flatMap(length -> IntStream.of(mtus).boxed()
                .flatMap(mtu -> IntStream.of(mtus).mapToObj(second -> Arguments.of(length, mtu, second))));
    }

    @ParameterizedTest(name = "length {0}, mtu {1}, then {2}")
    @MethodSource("edgeCases")
    void fragmentsReassembleInAnyOrderWithDuplicatesAtTheEdges(int length, int mtu, int secondMtu) {
        checkReassembly(length, mtu, secondMtu, Gen.random(length + 31L * mtu + 961L * secondMtu));
    }

    private static void checkReassembly(int length, int mtu, int secondMtu, Random rnd) {
        Ipv4Packet original = datagram(length, 4242, new byte[0]);
        // Fragment, then fragment the fragments again on a smaller link (a second router).
        List<Ipv4Packet> frags = new ArrayList<>();
        for (Ipv4Packet f : Fragmenter.fragment(original, mtu)) {
            frags.addAll(Fragmenter.fragment(f, secondMtu));
        }
        if (!frags.isEmpty()) {
            frags.add(frags.get(rnd.nextInt(frags.size()))); // a duplicate
        }
        Collections.shuffle(frags, rnd);
        Reassembler r = new Reassembler();
        Ipv4Packet whole = null;
        for (Ipv4Packet f : frags) {
            if (!f.isFragment()) {
                whole = f;
                continue;
            }
            Reassembler.Result res = r.add(f, 0, new ArrayList<>());
            assertThat(res).isNotInstanceOf(Reassembler.Rejected.class);
            if (res instanceof Reassembler.Complete c) {
                assertThat(whole).as("completed twice").isNull();
                whole = c.packet();
            }
        }
        assertThat(whole).isNotNull();
        assertThat(whole.payload()).isEqualTo(original.payload());
        assertThat(whole.isFragment()).isFalse();
        assertThat(whole.identification()).isEqualTo(4242);
    }

    @Test
    void timeoutReportsWhetherFragmentZeroArrived() {
        Reassembler r = new Reassembler(30_000_000_000L, 64);
        List<Ipv4Packet> a = Fragmenter.fragment(datagram(1000, 1, new byte[0]), 576);
        List<Ipv4Packet> b = Fragmenter.fragment(datagram(1000, 2, new byte[0]), 576);
        assertThat(r.add(a.get(0), 0, new ArrayList<>())).isInstanceOf(Reassembler.Pending.class);
        assertThat(r.add(b.get(1), 1_000, new ArrayList<>())).isInstanceOf(Reassembler.Pending.class);
        assertThat(r.nextDeadline()).isEqualTo(30_000_000_000L);
        assertThat(r.expire(29_999_999_999L)).isEmpty();
        List<Reassembler.Expired> first = r.expire(30_000_000_000L);
        assertThat(first).hasSize(1);
        assertThat(first.get(0).first()).isEqualTo(a.get(0));
        List<Reassembler.Expired> second = r.expire(30_000_001_000L);
        assertThat(second).hasSize(1);
        assertThat(second.get(0).first()).isNull(); // RFC 1122 3.3.2: then no ICMP
        assertThat(r.pending()).isZero();
    }

    @Test
    void rejectsFragmentsThatContradictTheEndOrTheEightByteRule() {
        Reassembler r = new Reassembler();
        List<Ipv4Packet> frags = Fragmenter.fragment(datagram(1000, 9, new byte[0]), 576);
        r.add(frags.get(1), 0, new ArrayList<>()); // the last one: end is known
        Ipv4Packet beyond = frags.get(0).fragment(new byte[0], true, 1600, new byte[16]);
        assertThat(r.add(beyond, 0, new ArrayList<>())).isEqualTo(new Reassembler.Rejected("fragment_beyond_end"));
        Ipv4Packet odd = frags.get(0).fragment(new byte[0], true, 0, new byte[13]);
        assertThat(r.add(odd, 0, new ArrayList<>())).isEqualTo(new Reassembler.Rejected("fragment_length_not_multiple_of_8"));
        Ipv4Packet huge = frags.get(0).fragment(new byte[0], false, 65528, new byte[16]);
        assertThat(r.add(huge, 0, new ArrayList<>())).isEqualTo(new Reassembler.Rejected("fragment_beyond_65535"));
    }

    @Test
    void evictsTheOldestBufferWhenFull() {
        Reassembler r = new Reassembler(30_000_000_000L, 2);
        List<Reassembler.Expired> evicted = new ArrayList<>();
        for (int id = 1; id <= 3; id++) {
            r.add(Fragmenter.fragment(datagram(1000, id, new byte[0]), 576).get(0), id, evicted);
        }
        assertThat(evicted).singleElement().satisfies(e -> {
            assertThat(e.key().identification()).isEqualTo(1);
            assertThat(e.reason()).isEqualTo("reassembly_buffers_full");
        });
        assertThat(r.pending()).isEqualTo(2);
    }
}
