package dev.wirelab.netstack.wire;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * One DHCP option (RFC 2132 section 2): a code and its data. Pad (0) and End (255) never appear as
 * values: they are framing. Unknown codes are kept as they came, so a message re-encodes to the same
 * option bytes. The data array is not copied: callers must not mutate it.
 */
public record DhcpOption(int code, byte[] data) {

    // RFC 2132 option codes used by this stack.
    public static final int PAD = 0;
    public static final int SUBNET_MASK = 1;
    public static final int ROUTER = 3;
    public static final int DOMAIN_NAME_SERVER = 6;
    public static final int HOST_NAME = 12;
    public static final int DOMAIN_NAME = 15;
    public static final int BROADCAST_ADDRESS = 28;
    public static final int REQUESTED_IP = 50;
    public static final int LEASE_TIME = 51;
    public static final int OVERLOAD = 52;
    public static final int MESSAGE_TYPE = 53;
    public static final int SERVER_ID = 54;
    public static final int PARAMETER_REQUEST_LIST = 55;
    public static final int MESSAGE = 56;
    public static final int MAX_MESSAGE_SIZE = 57;
    public static final int RENEWAL_TIME = 58;
    public static final int REBINDING_TIME = 59;
    public static final int VENDOR_CLASS_ID = 60;
    public static final int CLIENT_ID = 61;
    public static final int END = 255;

    public DhcpOption {
        Objects.requireNonNull(data, "data");
        if (code <= PAD || code >= END) {
            throw new IllegalArgumentException("option code must be 1..254 (0 is Pad, 255 is End): " + code);
        }
    }

    public static DhcpOption ofByte(int code, int value) {
        return new DhcpOption(code, new byte[] {(byte) value});
    }

    public static DhcpOption ofInt(int code, long value) {
        byte[] b = new byte[4];
        Bytes.writeI32(b, 0, (int) value);
        return new DhcpOption(code, b);
    }

    public static DhcpOption ofAddresses(int code, Ipv4Address... addresses) {
        byte[] b = new byte[4 * addresses.length];
        for (int i = 0; i < addresses.length; i++) {
            addresses[i].write(b, 4 * i);
        }
        return new DhcpOption(code, b);
    }

    public static DhcpOption ofText(int code, String text) {
        return new DhcpOption(code, text.getBytes(StandardCharsets.US_ASCII));
    }

    /** Short name of a known option, else "option N". */
    public static String name(int code) {
        return switch (code) {
            case SUBNET_MASK -> "subnet-mask";
            case ROUTER -> "router";
            case DOMAIN_NAME_SERVER -> "domain-name-servers";
            case HOST_NAME -> "host-name";
            case DOMAIN_NAME -> "domain-name";
            case BROADCAST_ADDRESS -> "broadcast-address";
            case REQUESTED_IP -> "requested-address";
            case LEASE_TIME -> "lease-time";
            case OVERLOAD -> "option-overload";
            case MESSAGE_TYPE -> "message-type";
            case SERVER_ID -> "server-identifier";
            case PARAMETER_REQUEST_LIST -> "parameter-request-list";
            case MESSAGE -> "message";
            case MAX_MESSAGE_SIZE -> "max-message-size";
            case RENEWAL_TIME -> "renewal-time";
            case REBINDING_TIME -> "rebinding-time";
            case VENDOR_CLASS_ID -> "vendor-class-identifier";
            case CLIENT_ID -> "client-identifier";
            default -> "option " + code;
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DhcpOption d && code == d.code && Arrays.equals(data, d.data);
    }

    @Override
    public int hashCode() {
        return 31 * code + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return name(code) + "=" + HexFormat.of().formatHex(data);
    }
}
