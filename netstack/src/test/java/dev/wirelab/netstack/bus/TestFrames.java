package dev.wirelab.netstack.bus;

import dev.wirelab.netstack.wire.MacAddress;
import java.nio.ByteBuffer;

/** Hand-built Ethernet frames for bus tests (the bus looks only at the two MAC addresses). */
final class TestFrames {

    static final MacAddress A = MacAddress.parse("02:00:00:00:00:0a");
    static final MacAddress B = MacAddress.parse("02:00:00:00:00:0b");
    static final MacAddress C = MacAddress.parse("02:00:00:00:00:0c");
    static final MacAddress MULTICAST = MacAddress.parse("01:00:5e:00:00:01");

    private TestFrames() {
    }

    /**
     * A 60-byte (minimum size, no FCS) frame with an experimental EtherType (IEEE 802 local
     * experimental 0x88B5) whose payload starts with {@code id}, so tests can follow each frame.
     */
    static byte[] frame(MacAddress dst, MacAddress src, int id) {
        return frame(dst, src, id, 60);
    }

    static byte[] frame(MacAddress dst, MacAddress src, int id, int length) {
        byte[] f = new byte[length];
        dst.write(f, 0);
        src.write(f, 6);
        f[12] = (byte) 0x88;
        f[13] = (byte) 0xB5;
        if (length >= 18) {
            ByteBuffer.wrap(f, 14, 4).putInt(id);
        }
        for (int i = 18; i < length; i++) {
            f[i] = (byte) i;
        }
        return f;
    }

    static int id(byte[] frame) {
        return ByteBuffer.wrap(frame, 14, 4).getInt();
    }
}
