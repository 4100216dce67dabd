package dev.wirelab.control.decode;

import dev.wirelab.netstack.wire.Vxlan;

import java.util.List;
import java.util.Set;

/** VXLAN (RFC 7348 section 5) on its IANA port 4789: flags, VNI, and the Ethernet frame inside. */
public final class VxlanDecoder implements LayerDecoder {

    @Override
    public Set<String> keys() {
        return Set.of("udp.port:" + Vxlan.DEFAULT_PORT);
    }

    @Override
    public Layer decode(byte[] b, int off, int len, DecodeContext ctx, FrameDecoder next) {
        int vni = Vxlan.readVni(b, off, len);
        ctx.protocol("vxlan");
        return ctx.layer("vxlan", off, len)
                .summary("Virtual eXtensible Local Area Network, VNI: " + vni)
                // RFC 7348 section 5: flags (I bit = 0x08), 24 reserved bits, the 24-bit VNI, 8 reserved bits.
                .field("flags", "Flags", FrameDecoder.hex8(b[off] & 0xFF) + " (VNI valid)", off, 1)
                .field("reserved1", "Reserved", FrameDecoder.hex(b, off + 1, 3), off + 1, 3)
                .field("vni", "VXLAN network identifier", vni, off + 4, 3)
                .field("reserved2", "Reserved", FrameDecoder.hex8(b[off + 7] & 0xFF), off + 7, 1)
                .child(next.decode(List.of("ethernet"), b, off + Vxlan.HEADER_LENGTH, len - Vxlan.HEADER_LENGTH, ctx))
                .build();
    }
}
