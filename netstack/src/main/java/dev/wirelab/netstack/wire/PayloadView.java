package dev.wirelab.netstack.wire;

import java.util.Arrays;
import java.util.Objects;

/**
 * The payload of a parsed or outgoing message as a range of an array it shares: a parsed IPv4
 * datagram or TCP segment points into the frame it came in (frames are never modified), so a
 * router forwards it and TCP copies its data once, into the receive buffer. {@link #payload()}
 * makes an array of its own on first use, for code that wants one.
 */
abstract class PayloadView {

    final byte[] payloadArray;
    final int payloadOffset;
    final int payloadLength;
    byte[] payload;

    PayloadView(byte[] array, int offset, int length) {
        this.payloadArray = Objects.requireNonNull(array, "payload");
        this.payloadOffset = offset;
        this.payloadLength = length;
    }

    /** The payload as an array of its own (made on first call for a view; do not modify it). */
    public byte[] payload() {
        byte[] p = payload;
        if (p == null) {
            p = Arrays.copyOfRange(payloadArray, payloadOffset, payloadOffset + payloadLength);
            payload = p;
        }
        return p;
    }

    /** The array holding the payload, read-only, from {@link #payloadOffset()} for {@link #payloadLength()} bytes. */
    public byte[] payloadArray() {
        return payloadArray;
    }

    public int payloadOffset() {
        return payloadOffset;
    }

    public int payloadLength() {
        return payloadLength;
    }

    /** True when both payloads hold the same bytes. */
    final boolean samePayload(PayloadView o) {
        return Arrays.equals(payloadArray, payloadOffset, payloadOffset + payloadLength, o.payloadArray, o.payloadOffset,
                o.payloadOffset + o.payloadLength);
    }
}
