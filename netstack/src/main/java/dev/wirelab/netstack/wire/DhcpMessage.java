package dev.wirelab.netstack.wire;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A DHCP message (RFC 2131 section 2, the BOOTP format of RFC 951 with options of RFC 2132):
 * <pre>
 *  op (1) | htype (1) | hlen (1) | hops (1) | xid (4) | secs (2) | flags (2)
 *  ciaddr (4) | yiaddr (4) | siaddr (4) | giaddr (4) | chaddr (16) | sname (64) | file (128)
 *  magic cookie 99.130.83.99 (4) | options (variable, ends with End)
 * </pre>
 * Decoding follows option overload (option 52) into the file and sname fields and concatenates
 * options that appear more than once (RFC 3396), so {@link #options()} holds each code once, in the
 * order of first appearance; overload itself is framing and is not kept (encoding never overloads).
 * {@code sname} and {@code file} are kept as raw bytes. Arrays are not copied: callers must not mutate them.
 */
public record DhcpMessage(int op, int htype, int hlen, int hops, int xid, int secs, int flags,
                          Ipv4Address ciaddr, Ipv4Address yiaddr, Ipv4Address siaddr, Ipv4Address giaddr,
                          byte[] chaddr, byte[] sname, byte[] file, List<DhcpOption> options) {

    public static final String PROTOCOL = "dhcp";

    public static final int SERVER_PORT = 67;
    public static final int CLIENT_PORT = 68;

    public static final int BOOTREQUEST = 1;
    public static final int BOOTREPLY = 2;
    /** RFC 1700 hardware type for Ethernet. */
    public static final int HTYPE_ETHERNET = 1;
    /** RFC 2131 section 2: the leftmost bit of flags is the BROADCAST (B) flag. */
    public static final int FLAG_BROADCAST = 0x8000;

    // RFC 2132 section 9.6: DHCP message types.
    public static final int DISCOVER = 1;
    public static final int OFFER = 2;
    public static final int REQUEST = 3;
    public static final int DECLINE = 4;
    public static final int ACK = 5;
    public static final int NAK = 6;
    public static final int RELEASE = 7;
    public static final int INFORM = 8;

    /** The fixed BOOTP part, up to and without the magic cookie. */
    public static final int FIXED_LENGTH = 236;
    private static final int SNAME_OFFSET = 44;
    private static final int FILE_OFFSET = 108;
    /** RFC 2131 section 3: "the first four octets of the 'options' field ... 99, 130, 83 and 99". */
    public static final int MAGIC_COOKIE = 0x63825363;
    /** RFC 1542 section 2.1: a BOOTP message is at least 300 octets; shorter ones are padded. */
    public static final int MIN_LENGTH = 300;

    public DhcpMessage {
        Objects.requireNonNull(ciaddr, "ciaddr");
        Objects.requireNonNull(yiaddr, "yiaddr");
        Objects.requireNonNull(siaddr, "siaddr");
        Objects.requireNonNull(giaddr, "giaddr");
        Objects.requireNonNull(chaddr, "chaddr");
        Objects.requireNonNull(sname, "sname");
        Objects.requireNonNull(file, "file");
        options = List.copyOf(options);
        for (DhcpOption o : options) {
            if (o.code() == DhcpOption.OVERLOAD) {
                throw new IllegalArgumentException("option overload (52) is framing: encode() puts every option "
                        + "in the options field");
            }
        }
        if (chaddr.length != 16 || sname.length != 64 || file.length != 128) {
            throw new IllegalArgumentException("chaddr, sname and file are 16, 64 and 128 bytes: "
                    + chaddr.length + ", " + sname.length + ", " + file.length);
        }
        if ((op & ~0xFF) != 0 || (htype & ~0xFF) != 0 || (hlen & ~0xFF) != 0 || (hops & ~0xFF) != 0
                || (secs & ~0xFFFF) != 0 || (flags & ~0xFFFF) != 0) {
            throw new IllegalArgumentException("a header field does not fit its width");
        }
    }

    /** A client's message from {@code mac} (htype Ethernet), with empty addresses and the given options. */
    public static DhcpMessage request(int xid, MacAddress mac, List<DhcpOption> options) {
        byte[] ch = new byte[16];
        mac.write(ch, 0);
        return new DhcpMessage(BOOTREQUEST, HTYPE_ETHERNET, 6, 0, xid, 0, 0, Ipv4Address.ANY, Ipv4Address.ANY,
                Ipv4Address.ANY, Ipv4Address.ANY, ch, new byte[64], new byte[128], options);
    }

    // ------------------------------------------------------------------ decoding

    /** Parses the DHCP message in {@code len} bytes at {@code off} (a UDP payload). */
    public static DhcpMessage parse(byte[] b, int off, int len) {
        Bytes.checkBounds(PROTOCOL, b, off, len);
        if (len < FIXED_LENGTH + 4) {
            throw new WireFormatException(PROTOCOL, "message of " + len
                + " bytes is shorter than the " + (FIXED_LENGTH + 4) + "-byte BOOTP header and magic cookie");
        }
        int op = b[off] & 0xFF;
        if (!(op == BOOTREQUEST || op == BOOTREPLY)) {
            throw new WireFormatException(PROTOCOL, "op " + op + " is neither BOOTREQUEST (1) nor BOOTREPLY (2)");
        }
        int hlen = b[off + 2] & 0xFF;
        // RFC 2131 section 2: chaddr is 16 octets; a longer hardware address cannot be carried.
        if (hlen > 16) {
            throw new WireFormatException(PROTOCOL, "hlen " + hlen + " exceeds the 16-byte chaddr field");
        }
        int cookie = Bytes.readI32(b, off + FIXED_LENGTH);
        if (cookie != MAGIC_COOKIE) {
            throw new WireFormatException(PROTOCOL, String.format(
                "magic cookie 0x%08x is not 99.130.83.99 (RFC 2131 section 3): a BOOTP message, not DHCP", cookie));
        }
        byte[] sname = Arrays.copyOfRange(b, off + SNAME_OFFSET, off + SNAME_OFFSET + 64);
        byte[] file = Arrays.copyOfRange(b, off + FILE_OFFSET, off + FILE_OFFSET + 128);

        Map<Integer, ByteArrayOutputStream> found = new LinkedHashMap<>();
        int start = off + FIXED_LENGTH + 4;
        readOptions(b, start, off + len, "options", start - off, found);
        ByteArrayOutputStream overload = found.get(DhcpOption.OVERLOAD);
        if (overload != null) {
            byte[] v = overload.toByteArray();
            // RFC 2132 section 9.3: length 1; 1 = 'file' holds options, 2 = 'sname', 3 = both.
            if (!(v.length == 1 && v[0] >= 1 && v[0] <= 3)) {
                throw new WireFormatException(PROTOCOL,
                        "option overload must be one byte 1, 2 or 3, got " + v.length + " bytes");
            }
            found.remove(DhcpOption.OVERLOAD);
            // RFC 3396 section 5: options, then file, then sname.
            if ((v[0] & 1) != 0) {
                readOptions(b, off + FILE_OFFSET, off + FILE_OFFSET + 128, "file", FILE_OFFSET, found);
            }
            if ((v[0] & 2) != 0) {
                readOptions(b, off + SNAME_OFFSET, off + SNAME_OFFSET + 64, "sname", SNAME_OFFSET, found);
            }
            // Overload is framing, not data: the options it pointed at are now in the list, and the
            // sname/file bytes stay as raw fields, so the message re-encodes without it to the same options.
            found.remove(DhcpOption.OVERLOAD);
        }
        List<DhcpOption> options = new ArrayList<>(found.size());
        found.forEach((code, data) -> options.add(new DhcpOption(code, data.toByteArray())));
        return new DhcpMessage(op, b[off + 1] & 0xFF, hlen, b[off + 3] & 0xFF, Bytes.readI32(b, off + 4),
                Bytes.readU16(b, off + 8), Bytes.readU16(b, off + 10), Ipv4Address.read(b, off + 12),
                Ipv4Address.read(b, off + 16), Ipv4Address.read(b, off + 20), Ipv4Address.read(b, off + 24),
                Arrays.copyOfRange(b, off + 28, off + 44), sname, file, options);
    }

    private static void readOptions(byte[] b, int from, int to, String field, int fieldOffset,
                                    Map<Integer, ByteArrayOutputStream> found) {
        int i = from;
        while (i < to) {
            int code = b[i] & 0xFF;
            if (code == DhcpOption.PAD) { // RFC 2132 section 3.1: pad is one octet, no length
                i++;
                continue;
            }
            if (code == DhcpOption.END) { // RFC 2132 section 3.2: end marks the end of valid information
                return;
            }
            if (i + 1 >= to) {
                throw new WireFormatException(PROTOCOL, "option " + code + " at offset " + (fieldOffset + i - from)
                    + " of the " + field + " field has no length byte");
            }
            int length = b[i + 1] & 0xFF;
            if (i + 2 + length > to) {
                throw new WireFormatException(PROTOCOL, "option " + code + " at offset "
                    + (fieldOffset + i - from) + " of the " + field + " field claims " + length + " bytes, only "
                    + (to - i - 2) + " remain");
            }
            // RFC 3396 section 7: several instances of one code are concatenated in order.
            found.computeIfAbsent(code, k -> new ByteArrayOutputStream()).write(b, i + 2, length);
            i += 2 + length;
        }
    }

    // ------------------------------------------------------------------ encoding

    /**
     * The message bytes: header, cookie, options (each longer than 255 bytes split into several
     * instances, RFC 3396), End, padded to the 300-byte BOOTP minimum; sname and file as given.
     */
    public byte[] encode() {
        ByteArrayOutputStream opts = new ByteArrayOutputStream();
        for (DhcpOption o : options) {
            byte[] d = o.data();
            int pos = 0;
            do {
                int n = Math.min(255, d.length - pos);
                opts.write(o.code());
                opts.write(n);
                opts.write(d, pos, n);
                pos += n;
            } while (pos < d.length);
        }
        opts.write(DhcpOption.END);
        byte[] o = opts.toByteArray();
        byte[] out = new byte[Math.max(MIN_LENGTH, FIXED_LENGTH + 4 + o.length)];
        out[0] = (byte) op;
        out[1] = (byte) htype;
        out[2] = (byte) hlen;
        out[3] = (byte) hops;
        Bytes.writeI32(out, 4, xid);
        Bytes.writeU16(out, 8, secs);
        Bytes.writeU16(out, 10, flags);
        ciaddr.write(out, 12);
        yiaddr.write(out, 16);
        siaddr.write(out, 20);
        giaddr.write(out, 24);
        System.arraycopy(chaddr, 0, out, 28, 16);
        System.arraycopy(sname, 0, out, SNAME_OFFSET, 64);
        System.arraycopy(file, 0, out, FILE_OFFSET, 128);
        Bytes.writeI32(out, FIXED_LENGTH, MAGIC_COOKIE);
        System.arraycopy(o, 0, out, FIXED_LENGTH + 4, o.length);
        return out;
    }

    // ------------------------------------------------------------------ accessors

    /** The client hardware address as a MAC (first 6 bytes of chaddr). */
    public MacAddress clientMac() {
        return MacAddress.read(chaddr, 0);
    }

    public boolean broadcastFlag() {
        return (flags & FLAG_BROADCAST) != 0;
    }

    public Optional<byte[]> option(int code) {
        for (DhcpOption o : options) {
            if (o.code() == code) {
                return Optional.of(o.data());
            }
        }
        return Optional.empty();
    }

    public boolean has(int code) {
        return option(code).isPresent();
    }

    /** Option 53, or 0 when the message has none (plain BOOTP). */
    public int messageType() {
        return option(DhcpOption.MESSAGE_TYPE).filter(d -> d.length == 1).map(d -> d[0] & 0xFF).orElse(0);
    }

    /** A 4-byte address option; empty when absent or of the wrong length. */
    public Optional<Ipv4Address> address(int code) {
        return option(code).filter(d -> d.length == 4).map(d -> Ipv4Address.read(d, 0));
    }

    /** A list-of-addresses option (router, DNS servers); empty when absent or not a multiple of 4. */
    public List<Ipv4Address> addresses(int code) {
        byte[] d = option(code).orElse(null);
        if (d == null || d.length % 4 != 0) {
            return List.of();
        }
        List<Ipv4Address> l = new ArrayList<>(d.length / 4);
        for (int i = 0; i < d.length; i += 4) {
            l.add(Ipv4Address.read(d, i));
        }
        return l;
    }

    /** A 32-bit unsigned option (lease time, T1, T2). */
    public Optional<Long> unsigned32(int code) {
        return option(code).filter(d -> d.length == 4).map(d -> Bytes.readI32(d, 0) & 0xFFFFFFFFL);
    }

    public Optional<String> text(int code) {
        return option(code).map(d -> {
            int n = d.length;
            while (n > 0 && d[n - 1] == 0) { // RFC 2132 section 2: NUL termination is not required, tolerated
                n--;
            }
            return new String(d, 0, n, StandardCharsets.US_ASCII);
        });
    }

    /** This message with {@code options} replaced. */
    public DhcpMessage withOptions(List<DhcpOption> newOptions) {
        return new DhcpMessage(op, htype, hlen, hops, xid, secs, flags, ciaddr, yiaddr, siaddr, giaddr, chaddr, sname,
                file, newOptions);
    }

    public DhcpMessage withRelay(Ipv4Address newGiaddr, int newHops) {
        return new DhcpMessage(op, htype, hlen, newHops, xid, secs, flags, ciaddr, yiaddr, siaddr, newGiaddr, chaddr,
                sname, file, options);
    }

    /** Name of a DHCP message type: "DHCPDISCOVER"... */
    public static String typeName(int type) {
        return switch (type) {
            case DISCOVER -> "DHCPDISCOVER";
            case OFFER -> "DHCPOFFER";
            case REQUEST -> "DHCPREQUEST";
            case DECLINE -> "DHCPDECLINE";
            case ACK -> "DHCPACK";
            case NAK -> "DHCPNAK";
            case RELEASE -> "DHCPRELEASE";
            case INFORM -> "DHCPINFORM";
            case 0 -> "BOOTP";
            default -> "DHCP type " + type;
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DhcpMessage m && op == m.op && htype == m.htype && hlen == m.hlen && hops == m.hops
                && xid == m.xid && secs == m.secs && flags == m.flags && ciaddr.equals(m.ciaddr)
                && yiaddr.equals(m.yiaddr) && siaddr.equals(m.siaddr) && giaddr.equals(m.giaddr)
                && Arrays.equals(chaddr, m.chaddr) && Arrays.equals(sname, m.sname) && Arrays.equals(file, m.file)
                && options.equals(m.options);
    }

    @Override
    public int hashCode() {
        return Objects.hash(op, xid, yiaddr, Arrays.hashCode(chaddr), options);
    }

    @Override
    public String toString() {
        return typeName(messageType()) + String.format(" xid=0x%08x", xid) + " chaddr=" + clientMac()
                + " ciaddr=" + ciaddr + " yiaddr=" + yiaddr + " siaddr=" + siaddr + " giaddr=" + giaddr
                + " hops=" + hops + (broadcastFlag() ? " broadcast" : "") + " " + options;
    }
}
