package dev.wirelab.netstack.wire;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Writes frames to a classic libpcap file (Ethernet link type), one second apart, for tshark to judge. */
final class PcapFile {

    private PcapFile() {
    }

    static Path write(Path file, List<byte[]> frames) throws IOException {
        int size = 24 + frames.stream().mapToInt(f -> 16 + f.length).sum();
        ByteBuffer out = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0)
                .putInt(65535).putInt(1); // LINKTYPE_ETHERNET
        int second = 1;
        for (byte[] f : frames) {
            out.putInt(second++).putInt(0).putInt(f.length).putInt(f.length).put(f);
        }
        Files.createDirectories(file.getParent());
        return Files.write(file, out.array());
    }
}
