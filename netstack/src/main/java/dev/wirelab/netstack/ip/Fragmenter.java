package dev.wirelab.netstack.ip;

import dev.wirelab.netstack.wire.Ipv4Packet;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Splits an IPv4 datagram into fragments that fit an MTU (RFC 791 section 3.2, "Fragmentation"). */
public final class Fragmenter {

    /** RFC 791 section 3.2: "Every internet module must be able to forward a datagram of 68 octets without further fragmentation." */
    public static final int MINIMUM_MTU = 68;

    private Fragmenter() {
    }

    /**
     * Fragments {@code packet} so each piece's total length is at most {@code mtu}. The caller has
     * checked that DF is clear. A datagram that already fits is returned alone. Fragmenting a
     * fragment works: offsets add up and the last piece keeps the original MF flag.
     */
    public static List<Ipv4Packet> fragment(Ipv4Packet packet, int mtu) {
        if (packet.totalLength() <= mtu) {
            return List.of(packet);
        }
        byte[] payload = packet.payload();
        byte[] firstOptions = packet.options();
        // RFC 791 section 3.1 (Options): only options with the copied flag go into every fragment.
        byte[] laterOptions = packet.copiedOptions();
        List<Ipv4Packet> out = new ArrayList<>();
        int pos = 0;
        while (pos < payload.length) {
            byte[] options = pos == 0 ? firstOptions : laterOptions;
            int headerLength = 20 + options.length;
            // RFC 791 section 3.2: every fragment but the last carries a multiple of 8 data octets
            // ("NFB" = number of fragment blocks).
            int room = ((mtu - headerLength) / 8) * 8;
            if (room < 8) {
                throw new IllegalArgumentException("MTU " + mtu + " leaves no room for data after a " + headerLength + "-byte header");
            }
            int len = Math.min(room, payload.length - pos);
            boolean last = pos + len == payload.length;
            out.add(packet.fragment(options, !last || packet.moreFragments(), packet.fragmentOffset() + pos,
                    Arrays.copyOfRange(payload, pos, pos + len)));
            pos += len;
        }
        return out;
    }
}
