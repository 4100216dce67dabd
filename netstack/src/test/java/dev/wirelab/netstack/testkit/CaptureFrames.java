package dev.wirelab.netstack.testkit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The packet data of a capture file in file order (tshark's frame N is element N - 1), enough for
 * tests to look at the bytes tshark points to: pcapng (Enhanced and Simple Packet Blocks of every
 * section, each in its section's byte order: draft-ietf-opsawg-pcapng sections 4.1, 4.3, 4.4) or
 * classic libpcap (either byte order, micro- or nanosecond magic).
 */
public final class CaptureFrames {

    private static final int SHB = 0x0A0D0D0A;
    private static final int BYTE_ORDER_MAGIC = 0x1A2B3C4D;
    private static final int PCAP_MAGIC = 0xA1B2C3D4;
    private static final int PCAP_MAGIC_NS = 0xA1B23C4D;

    private CaptureFrames() {
    }

    public static List<byte[]> read(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        if (b.limit() >= 4 && b.getInt(0) == SHB) {
            return pcapng(file, b);
        }
        for (ByteOrder order : List.of(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN)) {
            int magic = b.limit() >= 24 ? b.order(order).getInt(0) : 0;
            if (magic == PCAP_MAGIC || magic == PCAP_MAGIC_NS) {
                return pcap(file, b.order(order));
            }
        }
        throw new IOException(file + " is neither pcapng nor pcap");
    }

    private static List<byte[]> pcapng(Path file, ByteBuffer b) throws IOException {
        List<byte[]> frames = new ArrayList<>();
        ByteOrder section = ByteOrder.LITTLE_ENDIAN;
        int at = 0;
        while (at + 12 <= b.limit()) {
            if (b.order(ByteOrder.LITTLE_ENDIAN).getInt(at) == SHB) {
                // A section starts (its block type reads the same in both orders): its byte-order
                // magic says how to read the rest of it.
                section = b.getInt(at + 8) == BYTE_ORDER_MAGIC ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
            }
            b.order(section);
            int type = b.getInt(at);
            int length = b.getInt(at + 4);
            if (length < 12 || at + length > b.limit()) {
                throw new IOException(file + ": block of " + length + " bytes at " + at);
            }
            if (type == 6) { // EPB: interface, timestamp (2), captured length, original length, data
                frames.add(slice(b, at + 28, b.getInt(at + 20)));
            } else if (type == 3) { // SPB: original length, data (as much as the block holds)
                frames.add(slice(b, at + 12, Math.min(b.getInt(at + 8), length - 16)));
            }
            at += length;
        }
        return frames;
    }

    private static List<byte[]> pcap(Path file, ByteBuffer b) throws IOException {
        List<byte[]> frames = new ArrayList<>();
        int at = 24;
        while (at + 16 <= b.limit()) {
            int captured = b.getInt(at + 8);
            if (captured < 0 || at + 16 + captured > b.limit()) {
                throw new IOException(file + ": record of " + captured + " bytes at " + at);
            }
            frames.add(slice(b, at + 16, captured));
            at += 16 + captured;
        }
        return frames;
    }

    private static byte[] slice(ByteBuffer b, int from, int length) {
        byte[] out = new byte[length];
        b.get(from, out);
        return out;
    }
}
