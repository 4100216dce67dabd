package dev.wirelab.control.api;

import dev.wirelab.control.config.WirelabProperties;
import dev.wirelab.control.decode.FrameDecoder;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/** What controller slices need besides their mocks: settings and the (pure) frame decoder. */
@TestConfiguration
@EnableConfigurationProperties(WirelabProperties.class)
class SliceConfig {

    @Bean
    FrameDecoder frameDecoder() {
        return FrameDecoder.standard();
    }
}
