package dev.wirelab.netstack.link;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class InMemoryLinkTest {

    @Test
    void framesCrossInBothDirectionsUnchanged() {
        InMemoryLink.Pair p = InMemoryLink.pair();
        List<byte[]> atA = new ArrayList<>();
        List<byte[]> atB = new ArrayList<>();
        p.a().setReceiver(atA::add);
        p.b().setReceiver(atB::add);
        byte[] f1 = {1, 2, 3};
        byte[] f2 = {4, 5};
        p.a().send(f1);
        p.b().send(f2);
        assertThat(atB).containsExactly(f1);
        assertThat(atA).containsExactly(f2);
        assertThat(p.a().framesSent()).isEqualTo(1);
    }

    @Test
    void withoutReceiverFramesAreDiscarded() {
        InMemoryLink.Pair p = InMemoryLink.pair();
        p.a().send(new byte[14]);
        assertThat(p.a().framesSent()).isEqualTo(1);
    }

    @Test
    void closingOneEndClosesBothAndRunsTheHooksOnce() {
        InMemoryLink.Pair p = InMemoryLink.pair("node", "bus");
        List<String> closed = new ArrayList<>();
        p.a().onClose(() -> closed.add("a"));
        p.b().onClose(() -> closed.add("b"));
        List<byte[]> atB = new ArrayList<>();
        p.b().setReceiver(atB::add);
        p.a().close();
        p.b().close();
        p.a().send(new byte[14]);
        assertThat(closed).containsExactly("a", "b");
        assertThat(p.b().isClosed()).isTrue();
        assertThat(atB).isEmpty();
        assertThat(p.a().framesDropped()).isEqualTo(1);
        assertThat(p.a().toString()).contains("node <-> bus", "closed");
    }
}
