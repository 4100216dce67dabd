package dev.wirelab.netstack.node;

/**
 * When a dynamic address (a DHCP lease) stops being valid and preferred, in loop nanoseconds, as
 * {@code ip addr} shows with {@code valid_lft} and {@code preferred_lft}.
 */
public record AddressLifetime(long validUntilNanos, long preferredUntilNanos) {

    /** Seconds of validity left at {@code now} (never negative). */
    public long validSecondsLeft(long now) {
        return Math.max(0, (validUntilNanos - now) / 1_000_000_000L);
    }

    public long preferredSecondsLeft(long now) {
        return Math.max(0, (preferredUntilNanos - now) / 1_000_000_000L);
    }
}
