package dev.wirelab.netstack.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.wirelab.netstack.wire.ArpPacket;
import dev.wirelab.netstack.wire.EthernetFrame;
import dev.wirelab.netstack.wire.FrameSummary;
import dev.wirelab.netstack.wire.Vxlan;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Link-layer decoders on hostile bytes: Ethernet (IEEE 802.3, with 802.1Q tags), ARP (RFC 826),
 * VXLAN (RFC 7348), and the one-line summary every captured frame gets. Seeds: frames of the
 * journey and three-segments examples (src/test/resources/.../LinkFuzzTestInputs).
 */
class LinkFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void ethernet(byte[] data) {
        EthernetFrame f = Fuzz.decodeOrRefuse(() -> EthernetFrame.parse(data));
        if (f != null) {
            Fuzz.fixpoint(f.encode(), EthernetFrame::parse, EthernetFrame::encode);
        }
    }

    @FuzzTest(maxDuration = "30s")
    void arp(byte[] data) {
        ArpPacket a = Fuzz.decodeOrRefuse(() -> ArpPacket.parse(data, 0, data.length));
        if (a != null) {
            Fuzz.fixpoint(a.encode(), b -> ArpPacket.parse(b, 0, b.length), ArpPacket::encode);
        }
    }

    @FuzzTest(maxDuration = "30s")
    void vxlan(byte[] data) {
        byte[] inner = Fuzz.decodeOrRefuse(() -> Vxlan.decapsulate(data, 0, data.length));
        if (inner != null) {
            int vni = Vxlan.readVni(data, 0, data.length);
            byte[] again = Vxlan.encapsulate(vni, inner);
            assertThat(Vxlan.readVni(again, 0, again.length)).isEqualTo(vni);
            assertThat(Vxlan.decapsulate(again, 0, again.length)).isEqualTo(inner);
        }
    }

    /** Every captured frame, however broken, gets a summary line: never an exception. */
    @FuzzTest(maxDuration = "30s")
    void summary(byte[] data) {
        assertThat(FrameSummary.describe(data)).isNotNull();
    }
}
