package dev.wirelab.netstack.dhcp;

import dev.wirelab.netstack.wire.Ipv4Address;
import dev.wirelab.netstack.wire.MacAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The lease file as it is appended to, reloaded, and found cut short after a crash. */
class LeaseDatabaseTest {

    static final MacAddress A = MacAddress.parse("02:00:00:00:00:0a");
    static final MacAddress B = MacAddress.parse("02:00:00:00:00:0b");
    static final Ipv4Address X = Ipv4Address.parse("10.0.0.10");
    static final Ipv4Address Y = Ipv4Address.parse("10.0.0.11");

    @Test
    void appendedEntriesReloadWithTheLastEntryForAnAddressWinning(@TempDir Path dir) throws Exception {
        LeaseFile file = LeaseFile.at(dir.resolve("dhcpd.leases"));
        file.write(LeaseDatabase.write(List.of()));
        file.append(LeaseDatabase.entry(new Lease(X, A, Lease.State.OFFERED, 1000, 1060, "pc1")));
        file.append(LeaseDatabase.entry(new Lease(X, A, Lease.State.ACTIVE, 1001, 4601, "pc1")));
        file.append(LeaseDatabase.entry(new Lease(Y, B, Lease.State.ACTIVE, 1002, 4602, null)));
        file.append(LeaseDatabase.entry(new Lease(X, A, Lease.State.FREE, 1001, 2000, "pc1")));
        LeaseDatabase.Parsed p = LeaseDatabase.parse(file.read());
        assertThat(p.errors()).isEmpty();
        assertThat(p.tornTail()).isFalse();
        assertThat(p.entries()).isEqualTo(4);
        LeaseDatabase db = new LeaseDatabase();
        p.leases().forEach(db::put);
        assertThat(db.size()).isEqualTo(2);
        assertThat(db.get(X).orElseThrow().state()).isEqualTo(Lease.State.FREE);
        assertThat(db.of(A)).extracting(Lease::address).containsExactly(X);
        assertThat(db.of(B)).extracting(Lease::address).containsExactly(Y);
        // The file is text a person can read: dhcpd.leases entries, one after the other.
        assertThat(Files.readString(dir.resolve("dhcpd.leases"))).startsWith(LeaseDatabase.HEADER)
                .contains("lease 10.0.0.10 {\n  starts epoch 1001; # 1970-01-01 00:16:41 UTC\n");
    }

    @Test
    void anAddressGivenToAnotherClientLeavesTheFirstClientsIndex() {
        LeaseDatabase db = new LeaseDatabase();
        db.put(new Lease(X, A, Lease.State.FREE, 1, 2, null));
        db.put(new Lease(X, B, Lease.State.ACTIVE, 3, 4, null));
        db.put(new Lease(Y, B, Lease.State.ACTIVE, 5, 6, null));
        assertThat(db.of(A)).isEmpty();
        assertThat(db.of(B)).extracting(Lease::address).containsExactly(Y, X); // most recent first
        assertThat(db.all()).extracting(Lease::address).containsExactly(X, Y);
    }

    @Test
    void aFileCutShortAtAnyByteLosesAtMostTheEntryBeingWrittenAndSaysSo(@TempDir Path dir) throws Exception {
        String whole = LeaseDatabase.write(List.of(new Lease(X, A, Lease.State.ACTIVE, 1000, 4600, "pc1")))
                + LeaseDatabase.entry(new Lease(Y, B, Lease.State.ACTIVE, 1001, 4601, "pc2"));
        byte[] bytes = whole.getBytes(StandardCharsets.UTF_8);
        int firstEnd = whole.indexOf("}\n") + 2;
        Path f = dir.resolve("dhcpd.leases");
        for (int cut = 0; cut <= bytes.length; cut++) {
            Files.write(f, java.util.Arrays.copyOf(bytes, cut)); // what a crash mid-append leaves
            LeaseDatabase.Parsed p = LeaseDatabase.parse(LeaseFile.at(f).read());
            String at = "cut at byte " + cut;
            if (cut == bytes.length || cut == bytes.length - 1) {
                // Whole, or only the last newline missing: both entries.
                assertThat(p.leases()).as(at).extracting(Lease::address).containsExactly(X, Y);
                assertThat(p.errors()).as(at).isEmpty();
            } else if (cut >= firstEnd - 1) {
                assertThat(p.leases()).as(at).extracting(Lease::address).containsExactly(X);
                boolean tail = !whole.substring(firstEnd - 1, cut).isBlank();
                assertThat(p.tornTail()).as(at).isEqualTo(tail);
                if (tail) {
                    assertThat(p.errors()).as(at).singleElement().asString().contains("incomplete entry", "cut short");
                }
            } else {
                assertThat(p.leases()).as(at).isEmpty();
                assertThat(p.tornTail()).as(at).isEqualTo(!whole.substring(0, cut).replaceAll("#[^\n]*", "").isBlank());
            }
        }
    }

    @Test
    void aDamagedEntryInTheMiddleIsReportedAndTheRestIsRead() {
        String text = LeaseDatabase.HEADER + "lease 10.0.0.9 {\n  starts epoch 12"
                + LeaseDatabase.entry(new Lease(Y, B, Lease.State.ACTIVE, 1001, 4601, null));
        LeaseDatabase.Parsed p = LeaseDatabase.parse(text);
        assertThat(p.leases()).extracting(Lease::address).containsExactly(Y);
        assertThat(p.errors()).singleElement().asString().contains("unreadable text before lease 10.0.0.11");
        assertThat(p.entries()).isEqualTo(2);
    }
}
