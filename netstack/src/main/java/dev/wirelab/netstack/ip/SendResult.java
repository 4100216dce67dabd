package dev.wirelab.netstack.ip;

/**
 * Outcome of handing a locally originated datagram to IP, named after the errno a Linux sendto()
 * would return. {@link #mtu} is set for {@link Status#MESSAGE_TOO_LONG}.
 */
public record SendResult(Status status, int mtu) {

    public enum Status {
        OK("Success"),
        NETWORK_UNREACHABLE("Network is unreachable"),
        MESSAGE_TOO_LONG("Message too long"),
        PERMISSION_DENIED("Permission denied"),
        ADDRESS_NOT_AVAILABLE("Cannot assign requested address"),
        INVALID_ARGUMENT("Invalid argument"),
        NOT_RUNNING("Network is down");

        private final String message;

        Status(String message) {
            this.message = message;
        }

        public String message() {
            return message;
        }
    }

    public static final SendResult OK = new SendResult(Status.OK, 0);

    public static SendResult of(Status status) {
        return new SendResult(status, 0);
    }

    public boolean ok() {
        return status == Status.OK;
    }
}
