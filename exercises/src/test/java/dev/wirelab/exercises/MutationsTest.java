package dev.wirelab.exercises;

import dev.wirelab.kit.client.Runtime;
import dev.wirelab.kit.trace.Trace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.ThrowingConsumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The exercises' assertions bite: each exercise, on a journey broken in the one place it is about,
 * fails, and its message shows what happened instead (a timeline slice, not only a stack trace).
 */
class MutationsTest {

    static Journey.Lived broken(String what, String from, String to) {
        String yaml = Journey.topology();
        assertThat(yaml).as("the journey has the text to break (" + what + ")").contains(from);
        return Journey.live(yaml.replace(from, to).replace("name: journey", "name: journey-" + what), Runtime.EMBEDDED);
    }

    static String failure(Journey.Lived lived, ThrowingConsumer<Trace> check) {
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> check.accept(lived.trace()));
        assertThat(t).as("the exercise must fail on the broken lab").isInstanceOf(AssertionError.class);
        System.out.println("---- " + t.getMessage());
        return t.getMessage();
    }

    @Test
    void dhcpPoolWithoutAGateway() {
        Journey.Lived l = broken("no-gateway", "gateway: 192.168.1.1,", "");
        assertThat(failure(l, DhcpExercise::check)).contains("gateway (router option 3)");
    }

    @Test
    void aPoolWithTheWrongMaskPutsTheGatewayElsewhere() {
        Journey.Lived l = broken("wide-mask", "subnet: 192.168.1.0/24", "subnet: 192.168.0.0/16");
        assertThat(failure(l, OnLinkOrGatewayExercise::check)).contains("destination_and_mask=192.168.1.0 mask=255.255.255.0")
                .contains("\"mask\":\"255.255.0.0\",\"route\":\"192.168.0.0/16\""); // what pc1 did instead
    }

    @Test
    void comDoesNotDelegateExampleCom() {
        Journey.Lived l = broken("no-delegation", "        example NS  ns1.example.com.\n", "");
        assertThat(failure(l, DnsExercise::check)).contains("a DNS query for www.example.com sent by resolver to 93.184.216.53")
                .contains("frame  #");
    }

    @Test
    void theIspHasNoRouteToTheDataCentre() {
        Journey.Lived l = broken("no-route", "      - { to: 93.184.216.0/24, via: 198.18.0.2 }\n", "");
        // Without that route the resolver cannot reach example.com.'s server either: no name, no SYN at all.
        assertThat(failure(l, ArpAndForwardingExercise::check)).contains("   --> a TCP [S] on home to 93.184.216.34")
                .contains("What the trace has of a TCP segment:\n      (none)");
    }

    @Test
    void theWebServerCannotRouteItsAnswersBack() {
        // The web server's own default route is the last 'routes' line of its node: drop it there.
        String yaml = Journey.topology();
        String webBlock = yaml.substring(yaml.indexOf("  web:"));
        String fixedBlock = webBlock.replace("    routes: [ { to: default, via: 93.184.216.1 } ]\n", "");
        assertThat(fixedBlock).isNotEqualTo(webBlock);
        Journey.Lived noRoute = Journey.live(yaml.replace(webBlock, fixedBlock).replace("name: journey", "name: journey-web-no-route"),
                Runtime.EMBEDDED);
        assertThat(failure(noRoute, TcpExercise::check)).contains("a TCP [SA] on home from 93.184.216.34");
    }

    @Test
    void theWebServerHasNoIndexPage() {
        Journey.Lived l = broken("no-index", "/var/www/index.html:", "/var/www/other.html:");
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> HttpExercise.check(l.trace(), l.result("browse", 0)));
        assertThat(t).isInstanceOf(AssertionError.class);
        System.out.println("---- " + t.getMessage());
        assertThat(t.getMessage()).contains("page title: Example Domain").contains("404");
    }

    static String failure(org.assertj.core.api.ThrowableAssert.ThrowingCallable check) {
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(check);
        assertThat(t).as("the exercise must fail on the broken lab").isInstanceOf(AssertionError.class);
        System.out.println("---- " + t.getMessage());
        return t.getMessage();
    }

    static String mutate(String yaml, String from, String to) {
        assertThat(yaml).as("the lab has the text to break").contains(from);
        return yaml.replace(from, to);
    }

    @Test
    void aCoreWideEnoughForEveryDatagramFragmentsNothing() throws Exception {
        String wide = mutate(FragmentationExercise.topology(), "{ name: core, mtu: 576 }", "{ name: core, mtu: 1500 }");
        var o = FragmentationExercise.live(Runtime.EMBEDDED, wide);
        assertThat(failure(() -> FragmentationExercise.check(o.trace())))
                .contains("fragments of the first echo request on core");
    }

    @Test
    void synCookiesOffKeepTheClientOutDuringTheFlood() {
        var a = ListenQueueExercise.flood(Runtime.EMBEDDED, 0);
        assertThat(failure(() -> ListenQueueExercise.checkCookiesLetTheClientIn(a))).contains("curl")
                .contains("exit 28");
    }

    @Test
    void anIterativeServerThatIsReallyAThreadPool() {
        String yaml = mutate(IoModelsExercise.topology(), "httpd: \"-q --mode single\"", "httpd: \"-q --mode threads --workers 3\"");
        var load = IoModelsExercise.load(Runtime.EMBEDDED, yaml);
        assertThat(failure(() -> IoModelsExercise.checkSingle(load.trace()))).contains("the single server's threads");
    }

    @Test
    void aWebServerWithoutSendfile() {
        String yaml = mutate(SendingExercise.TOPOLOGY, "httpd: \"-q\"\n", "httpd: \"-q --mode uring\"\n");
        var sent = SendingExercise.send(Runtime.EMBEDDED, yaml);
        assertThat(failure(() -> SendingExercise.checkSendfile(sent.trace()))).contains("bytes httpd sent with sendfile");
    }

    @Test
    void aServerWithoutDirectoryListings() {
        String yaml = mutate(HttpExercise.LISTING_TOPOLOGY, "httpd: \"-q --autoindex\"", "httpd: \"-q\"");
        var l = HttpExercise.listing(Runtime.EMBEDDED, yaml);
        assertThat(failure(() -> HttpExercise.checkChunked(l.trace(), l.listing(), l.file()))).contains("404");
    }
}
