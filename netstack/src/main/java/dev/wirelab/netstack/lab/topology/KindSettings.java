package dev.wirelab.netstack.lab.topology;

/**
 * Fields that only one node kind has (a DHCP server's pool, a DNS server's role and zones). Each
 * {@link NodeKind} reads its own; host and router have none.
 */
public interface KindSettings {

    /** The settings of kinds without kind-specific fields. */
    KindSettings NONE = new None();

    record None() implements KindSettings {
    }
}
