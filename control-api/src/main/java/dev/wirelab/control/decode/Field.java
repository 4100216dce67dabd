package dev.wirelab.control.decode;

/**
 * One field of a decoded layer: its name, what it means, and where its bytes are in the frame, so a
 * viewer can highlight them in the hex dump.
 *
 * @param name    short, stable key, e.g. {@code ttl}, {@code src}, {@code flags.df}
 * @param label   what a person reads, e.g. "Time to live"
 * @param value   the value as text, e.g. "64", "10.0.1.10", "0x4000 (DF)"
 * @param offset  first byte of the field, counted from the start of the Ethernet frame
 * @param length  bytes the field spans (a bit field spans the bytes that hold it)
 * @param bitmask for a bit field, the bits of those bytes it uses (e.g. 0x4000 for DF); 0 for whole bytes
 */
public record Field(String name, String label, String value, int offset, int length, long bitmask) {
}
