package dev.wirelab.netstack.arp;

import dev.wirelab.netstack.arp.NeighborAction.QueueOverflow;
import dev.wirelab.netstack.arp.NeighborAction.Queued;
import dev.wirelab.netstack.arp.NeighborAction.Solicit;
import dev.wirelab.netstack.arp.NeighborAction.StateChange;
import dev.wirelab.netstack.arp.NeighborAction.Transmit;
import dev.wirelab.netstack.arp.NeighborAction.Unreachable;
import dev.wirelab.netstack.arp.NeighborCache.Evidence;
import dev.wirelab.netstack.wire.Ipv4Address;
import dev.wirelab.netstack.wire.MacAddress;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class NeighborCacheTest {

    private static final long S = 1_000_000_000L;
    private static final Ipv4Address GW = Ipv4Address.parse("10.0.1.1");
    private static final MacAddress GW_MAC = MacAddress.parse("02:00:00:00:01:01");
    private static final MacAddress NEW_MAC = MacAddress.parse("02:00:00:00:09:09");

    private final NeighborCache<String> cache = new NeighborCache<>(NeighborTiming.LINUX);

    private static <P> List<NeighborAction<P>> without(List<NeighborAction<P>> actions, Class<?> type) {
        return actions.stream().filter(a -> !type.isInstance(a)).toList();
    }

    private NeighborState state() {
        return cache.state(GW).orElse(NeighborState.NONE);
    }

    @Test
    void unresolvedNeighbourQueuesAndBroadcastsThreeRequestsThenFails() {
        List<NeighborAction<String>> a = cache.send(GW, "p1", 0);
        assertThat(a).containsExactly(
                new StateChange<>(GW, null, NeighborState.NONE, NeighborState.INCOMPLETE, "resolve", S),
                new Queued<>(GW, "p1", 1),
                new Solicit<>(GW, null, 1));
        // Queued behind the pending resolution, no second request.
        assertThat(cache.send(GW, "p2", 10)).containsExactly(new Queued<>(GW, "p2", 2));
        assertThat(cache.nextDeadline()).isEqualTo(S);

        assertThat(cache.poll(S - 1)).isEmpty();
        assertThat(cache.poll(S)).containsExactly(new Solicit<>(GW, null, 2));
        assertThat(cache.poll(2 * S)).containsExactly(new Solicit<>(GW, null, 3));
        List<NeighborAction<String>> fail = cache.poll(3 * S);
        assertThat(fail).contains(new Unreachable<>(GW, List.of("p1", "p2")));
        assertThat(state()).isEqualTo(NeighborState.FAILED);
        assertThat(cache.entries()).singleElement().satisfies(n -> {
            assertThat(n.mac()).isNull();
            assertThat(n.queued()).isZero();
        });

        // A new packet restarts resolution from FAILED.
        assertThat(without(cache.send(GW, "p3", 4 * S), StateChange.class))
                .containsExactly(new Queued<>(GW, "p3", 1), new Solicit<>(GW, null, 1));
        assertThat(state()).isEqualTo(NeighborState.INCOMPLETE);
    }

    @Test
    void replyFlushesTheQueueInOrderAndMakesTheEntryReachable() {
        cache.send(GW, "p1", 0);
        cache.send(GW, "p2", 0);
        List<NeighborAction<String>> a = cache.receive(GW, GW_MAC, Evidence.REPLY_TO_US, S / 2);
        assertThat(a).containsExactly(
                new StateChange<>(GW, GW_MAC, NeighborState.INCOMPLETE, NeighborState.REACHABLE, "reply", 30 * S),
                new Transmit<>("p1", GW_MAC),
                new Transmit<>("p2", GW_MAC));
        assertThat(cache.send(GW, "p3", S)).containsExactly(new Transmit<>("p3", GW_MAC));
        assertThat(cache.lookup(GW)).contains(GW_MAC);
    }

    @Test
    void reachableGoesStaleThenDelayProbeAndBackToReachable() {
        cache.send(GW, "p1", 0);
        cache.receive(GW, GW_MAC, Evidence.REPLY_TO_US, 0);
        assertThat(cache.poll(30 * S)).extracting(x -> ((StateChange<String>) x).to()).containsExactly(NeighborState.STALE);

        // Used while STALE: sent at once to the cached MAC, and DELAY starts (RFC 4861 7.3.3).
        List<NeighborAction<String>> use = cache.send(GW, "p2", 31 * S);
        assertThat(use.get(0)).isEqualTo(new Transmit<>("p2", GW_MAC));
        assertThat(state()).isEqualTo(NeighborState.DELAY);

        List<NeighborAction<String>> probe = cache.poll(36 * S);
        assertThat(probe).contains(new Solicit<>(GW, GW_MAC, 1)); // unicast probe
        assertThat(state()).isEqualTo(NeighborState.PROBE);

        cache.receive(GW, GW_MAC, Evidence.REPLY_TO_US, 36 * S + 1);
        assertThat(state()).isEqualTo(NeighborState.REACHABLE);
    }

    @Test
    void unansweredProbesEndInFailed() {
        cache.send(GW, "p1", 0);
        cache.receive(GW, GW_MAC, Evidence.REPLY_TO_US, 0);
        cache.poll(30 * S);
        cache.send(GW, "p2", 30 * S);
        cache.poll(35 * S);
        assertThat(cache.poll(36 * S)).containsExactly(new Solicit<>(GW, GW_MAC, 2));
        assertThat(cache.poll(37 * S)).containsExactly(new Solicit<>(GW, GW_MAC, 3));
        cache.poll(38 * S);
        assertThat(state()).isEqualTo(NeighborState.FAILED);
        assertThat(cache.lookup(GW)).isEmpty();
    }

    @Test
    void staleAndFailedEntriesAreGarbageCollected() {
        cache.receive(GW, GW_MAC, Evidence.REQUEST_FOR_US, 0);
        assertThat(state()).isEqualTo(NeighborState.STALE); // RFC 826: we are the target, so add
        assertThat(cache.poll(60 * S)).containsExactly(
                new StateChange<>(GW, GW_MAC, NeighborState.STALE, NeighborState.NONE, "garbage collected", 0));
        assertThat(cache.entries()).isEmpty();
    }

    @Test
    void overheardArpOnlyUpdatesExistingEntries() {
        assertThat(cache.receive(GW, GW_MAC, Evidence.OVERHEARD, 0)).isEmpty();
        assertThat(cache.entries()).isEmpty();

        cache.send(GW, "p1", 0);
        cache.receive(GW, GW_MAC, Evidence.REPLY_TO_US, 0);
        // Same address: nothing changes (still REACHABLE).
        assertThat(cache.receive(GW, GW_MAC, Evidence.OVERHEARD, S)).isEmpty();
        assertThat(state()).isEqualTo(NeighborState.REACHABLE);
        // A gratuitous ARP with a new MAC: merge (RFC 826) but unconfirmed, so STALE.
        assertThat(cache.receive(GW, NEW_MAC, Evidence.OVERHEARD, 2 * S)).containsExactly(
                new StateChange<>(GW, NEW_MAC, NeighborState.REACHABLE, NeighborState.STALE, "address changed", 60 * S));
        assertThat(cache.lookup(GW)).contains(NEW_MAC);
    }

    @Test
    void fullQueueDropsTheOldestPacket() {
        NeighborCache<String> small = new NeighborCache<>(new NeighborTiming(30 * S, 5 * S, S, 3, 3, 2, 60 * S));
        small.send(GW, "p1", 0);
        small.send(GW, "p2", 0);
        assertThat(small.send(GW, "p3", 0)).containsExactly(new QueueOverflow<>(GW, "p1"), new Queued<>(GW, "p3", 2));
        assertThat(small.receive(GW, GW_MAC, Evidence.REPLY_TO_US, 1)).filteredOn(Transmit.class::isInstance)
                .containsExactly(new Transmit<>("p2", GW_MAC), new Transmit<>("p3", GW_MAC));
    }

    @Test
    void permanentEntriesIgnoreArpAndNeverExpire() {
        cache.addPermanent(GW, GW_MAC);
        assertThat(cache.receive(GW, NEW_MAC, Evidence.REPLY_TO_US, 0)).isEmpty();
        assertThat(cache.nextDeadline()).isEqualTo(Long.MAX_VALUE);
        assertThat(cache.send(GW, "p", 100 * S)).containsExactly(new Transmit<>("p", GW_MAC));
    }
}
