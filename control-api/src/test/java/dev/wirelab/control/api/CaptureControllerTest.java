package dev.wirelab.control.api;

import dev.wirelab.control.runtime.TestRuns;
import dev.wirelab.control.store.CaptureWriter;
import dev.wirelab.control.store.LabRecord;
import dev.wirelab.control.store.LabRepository;
import dev.wirelab.control.store.RunRecord;
import dev.wirelab.control.store.RunRepository;
import dev.wirelab.netstack.trace.CaptureView;
import dev.wirelab.netstack.trace.PcapngWriter;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webflux.test.autoconfigure.WebFluxTest;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.reactive.server.WebTestClient;

import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.OffsetDateTime;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyList;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.ArgumentMatchers.isNull;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

@WebFluxTest(CaptureController.class)
@Import(SliceConfig.class)
class CaptureControllerTest {

    @Autowired
    WebTestClient web;
    @MockitoBean
    RunRepository runs;
    @MockitoBean
    LabRepository labs;
    @MockitoBean
    CaptureWriter captures;

    @BeforeEach
    void up() {
        String yaml = TestRuns.example("three-segments");
        when(runs.find(1)).thenReturn(Optional.of(new RunRecord(1, 7, "stopped", "virtual", 1, 42L,
                OffsetDateTime.now(), null, null, 1, 1, 0, 0, 0, 0, "embedded")));
        when(labs.find(7)).thenReturn(Optional.of(new LabRecord(7, "three-segments", yaml, "yaml", "{}", null,
                OffsetDateTime.now())));
        // The writer streams pcapng into the response: here a section with one frame.
        when(captures.write(eq(1L), anyLong(), anyList(), any(), any(), any(), any(), any())).thenAnswer(inv -> {
            PcapngWriter w = new PcapngWriter(inv.getArgument(7, OutputStream.class), inv.getArgument(1, Long.class));
            w.write(1000, "lan1", "pc1:eth0", new byte[60]);
            w.flush();
            return 1L;
        });
    }

    @Test
    void streamsPcapngAsAnAttachmentNamedAfterLabAndRun() {
        byte[] body = web.get().uri("/api/runs/1/capture.pcapng").exchange()
                .expectStatus().isOk()
                .expectHeader().contentType("application/x-pcapng")
                .expectHeader().valueMatches("Content-Disposition", "attachment; filename=\"three-segments-run1.pcapng\"")
                .expectBody(byte[].class).returnResult().getResponseBody();
        // draft-ietf-opsawg-pcapng: a Section Header Block first, little-endian byte-order magic.
        ByteBuffer b = ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.getInt(0)).isEqualTo(0x0A0D0D0A);
        assertThat(b.getInt(8)).isEqualTo(0x1A2B3C4D);
        // The whole run: each conversation once, from one segment (clean for Wireshark's TCP analysis).
        verify(captures).write(eq(1L), eq(42L), anyList(), isNull(), isNull(), isNull(), eq(CaptureView.CONVERSATIONS), any());
    }

    @Test
    void everyFrameOfEverySegmentOnRequest() {
        web.get().uri("/api/runs/1/capture.pcapng?view=all").exchange().expectStatus().isOk()
                .expectHeader().valueMatches("Content-Disposition", ".*three-segments-run1-all.pcapng.*")
                .expectBody(byte[].class).returnResult();
        verify(captures).write(eq(1L), eq(42L), anyList(), isNull(), isNull(), isNull(), eq(CaptureView.ALL), any());
        web.get().uri("/api/runs/1/capture.pcapng?segment=core&view=conversations").exchange().expectStatus().isOk()
                .expectHeader().valueMatches("Content-Disposition", ".*three-segments-run1-core-conversations.pcapng.*")
                .expectBody(byte[].class).returnResult();
        verify(captures).write(eq(1L), eq(42L), anyList(), eq("core"), isNull(), isNull(), eq(CaptureView.CONVERSATIONS),
                any());
        web.get().uri("/api/runs/1/capture.pcapng?view=some").exchange().expectStatus().isBadRequest()
                .expectBody().jsonPath("$.detail").value(d -> assertThat((String) d)
                        .contains("unknown capture view 'some' (views: conversations, all)"));
    }

    @Test
    void oneSegmentAndATimeRange() {
        web.get().uri("/api/runs/1/capture.pcapng?segment=core&from=5&to=10").exchange().expectStatus().isOk()
                .expectHeader().valueMatches("Content-Disposition", ".*three-segments-run1-core.pcapng.*")
                .expectBody(byte[].class).returnResult();
        // One segment: every frame of it, as tcpdump on that link.
        verify(captures).write(eq(1L), eq(42L), anyList(), eq("core"), eq(5L), eq(10L), eq(CaptureView.ALL), any());
    }

    @Test
    void badSegmentsAndRangesAre400AndUnknownRuns404() {
        web.get().uri("/api/runs/1/capture.pcapng?segment=wan").exchange().expectStatus().isBadRequest()
                .expectBody().jsonPath("$.detail").value(d -> assertThat((String) d).contains("no segment 'wan'"));
        web.get().uri("/api/runs/1/capture.pcapng?from=10&to=5").exchange().expectStatus().isBadRequest();
        when(runs.find(9)).thenReturn(Optional.empty());
        web.get().uri("/api/runs/9/capture.pcapng").exchange().expectStatus().isNotFound();
    }
}
