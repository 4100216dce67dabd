package dev.wirelab.netstack.tcp;

/**
 * A FIFO of bytes for the send and receive buffers: append at the tail, copy from any offset,
 * consume from the head. Grows by doubling; the buffer sizes (SO_SNDBUF, SO_RCVBUF) are enforced
 * by the connection, not here.
 */
final class ByteRing {

    private byte[] buf = new byte[0];
    private int head;
    private int length;

    int length() {
        return length;
    }

    boolean isEmpty() {
        return length == 0;
    }

    void append(byte[] b, int off, int len) {
        ensure(length + len);
        int tail = (head + length) % buf.length;
        int first = Math.min(len, buf.length - tail);
        System.arraycopy(b, off, buf, tail, first);
        System.arraycopy(b, off + first, buf, 0, len - first);
        length += len;
    }

    /** Copies {@code len} bytes starting {@code offset} bytes after the head, without consuming them. */
    void copy(int offset, byte[] dst, int dstOff, int len) {
        if (offset < 0 || len < 0 || offset + len > length) {
            throw new IndexOutOfBoundsException("copy " + offset + "+" + len + " of " + length);
        }
        if (len == 0) {
            return;
        }
        int start = (head + offset) % buf.length;
        int first = Math.min(len, buf.length - start);
        System.arraycopy(buf, start, dst, dstOff, first);
        System.arraycopy(buf, 0, dst, dstOff + first, len - first);
    }

    /** Consumes up to {@code len} bytes into {@code dst}; returns how many. */
    int read(byte[] dst, int off, int len) {
        int n = Math.min(len, length);
        copy(0, dst, off, n);
        discard(n);
        return n;
    }

    void discard(int n) {
        if (n < 0 || n > length) {
            throw new IndexOutOfBoundsException("discard " + n + " of " + length);
        }
        if (buf.length > 0) {
            head = (head + n) % buf.length;
        }
        length -= n;
        if (length == 0) {
            head = 0;
        }
    }

    void clear() {
        head = 0;
        length = 0;
        buf = new byte[0];
    }

    private void ensure(int needed) {
        if (needed <= buf.length) {
            return;
        }
        int cap = Math.max(4096, buf.length);
        while (cap < needed) {
            cap *= 2;
        }
        byte[] n = new byte[cap];
        copy(0, n, 0, length);
        buf = n;
        head = 0;
    }
}
