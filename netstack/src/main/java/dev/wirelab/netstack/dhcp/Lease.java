package dev.wirelab.netstack.dhcp;

import dev.wirelab.netstack.wire.Ipv4Address;
import dev.wirelab.netstack.wire.MacAddress;

import java.util.Objects;

/**
 * What a DHCP server knows about one address (a dhcpd.leases entry).
 *
 * @param starts   when the binding began, seconds since 1970
 * @param ends     when it ends, seconds since 1970 (an offer is held briefly; an abandoned address is
 *                 kept out of use until then)
 * @param hostname the client's option 12, or null
 */
public record Lease(Ipv4Address address, MacAddress mac, State state, long starts, long ends, String hostname) {

    /** Binding states, as dhcpd.leases names them. */
    public enum State {
        /** Offered in a DHCPOFFER, waiting for the client's DHCPREQUEST. */
        OFFERED("offered"),
        /** Bound: the client holds it until {@code ends}. */
        ACTIVE("active"),
        /** Released by the client (RFC 2131 section 4.3.4) or expired: free, remembered for the client. */
        FREE("free"),
        /** Declined by a client that found it in use (RFC 2131 section 4.3.3): not handed out until {@code ends}. */
        ABANDONED("abandoned");

        private final String text;

        State(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }

        public static State of(String text) {
            for (State s : values()) {
                if (s.text.equals(text)) {
                    return s;
                }
            }
            throw new IllegalArgumentException("unknown binding state '" + text + "' (active, offered, free, abandoned)");
        }
    }

    public Lease {
        Objects.requireNonNull(address);
        Objects.requireNonNull(mac);
        Objects.requireNonNull(state);
    }

    public Lease with(State newState, long newStarts, long newEnds) {
        return new Lease(address, mac, newState, newStarts, newEnds, hostname);
    }

    /** True when the address cannot go to another client at {@code now} (seconds since 1970). */
    public boolean holds(long now) {
        return state != State.FREE && now < ends;
    }
}
