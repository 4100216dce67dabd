package dev.wirelab.exercises;

import dev.wirelab.kit.client.Runtime;
import dev.wirelab.kit.trace.Events;
import dev.wirelab.kit.trace.Frames;
import dev.wirelab.kit.trace.Trace;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static dev.wirelab.exercises.Journey.COM;
import static dev.wirelab.exercises.Journey.EXAMPLE_NS;
import static dev.wirelab.exercises.Journey.NO_SUCH_NAME;
import static dev.wirelab.exercises.Journey.PC1;
import static dev.wirelab.exercises.Journey.RESOLVER;
import static dev.wirelab.exercises.Journey.ROOT;
import static dev.wirelab.kit.trace.WirelabAssertions.assertThat;

/**
 * Exercise 3, DNS. What it teaches: the laptop's stub resolver misses its cache and asks the ISP's
 * recursive resolver (RD set); the resolver walks the tree: the root refers it to com., com. to
 * example.com.'s server, which answers (RFC 1034 section 5.3.3). The second browse is a stub cache
 * hit: no query leaves pc1. A name that does not exist comes back NXDOMAIN, and the resolver keeps
 * that answer for the SOA's minimum (RFC 2308 section 5): asked again, it answers from its cache.
 */
class DnsExercise {

    @ParameterizedTest
    @EnumSource(Runtime.class)
    void theResolverWalksRootComExampleAndCachesEvenNo(Runtime runtime) {
        check(Journey.on(runtime).trace());
    }

    static void check(Trace trace) {
        String www = "www.example.com.";
        assertThat(trace).containsSubsequence(
                Events.of(PC1, "dns", "cache_miss").with("name", www),
                Frames.dnsQuery("www.example.com").sentBy(PC1).to(RESOLVER),
                Frames.dnsQuery("www.example.com").sentBy("resolver").to(ROOT),
                Frames.dnsQuery("www.example.com").sentBy("resolver").to(COM),
                Frames.dnsQuery("www.example.com").sentBy("resolver").to(EXAMPLE_NS),
                Frames.dnsResponse("www.example.com").sentBy("resolver").to("192.168.1.100")
                        .where("answering 93.184.216.34", f -> f.dnsAnswers().stream().anyMatch(a -> a.contains("93.184.216.34"))),
                Events.of(PC1, "dns", "cache_hit").with("name", www));
        // The root and com. were asked once: after the walk the resolver knows example.com.'s server.
        assertThat(trace).dnsServersAskedBy("resolver").containsExactly(ROOT, COM, EXAMPLE_NS, EXAMPLE_NS);
        // The stub asked once for www (the second browse was a cache hit).
        assertThat(trace).hasCount(Frames.dnsQuery("www.example.com").sentBy(PC1), 1);
        // NXDOMAIN, cached: the second dig is answered without asking example.com.'s server again.
        String nosuch = NO_SUCH_NAME + ".";
        assertThat(trace).containsSubsequence(
                Frames.dnsQuery(NO_SUCH_NAME).sentBy("resolver").to(EXAMPLE_NS),
                Events.of("resolver", "dns", "negative_answer").with("name", nosuch).with("rcode", "NXDOMAIN"),
                Events.of("resolver", "dns", "cache_hit").with("name", nosuch).with("negative", "NXDOMAIN"));
        assertThat(trace).hasCount(Frames.dnsQuery(NO_SUCH_NAME).sentBy("resolver"), 1)
                .hasCount(Frames.dnsQuery(NO_SUCH_NAME).sentBy(PC1), 2);
    }
}
