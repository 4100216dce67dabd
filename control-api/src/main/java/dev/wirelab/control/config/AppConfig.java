package dev.wirelab.control.config;

import dev.wirelab.control.decode.FrameDecoder;
import dev.wirelab.control.decode.LayerDecoder;
import dev.wirelab.control.ingest.IngestPipeline;
import io.micrometer.core.instrument.MeterRegistry;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import javax.sql.DataSource;
import java.util.ArrayList;
import java.util.List;

/** The frame decoder (built-in layers plus any {@link LayerDecoder} beans), the ingest pipeline, OpenAPI info. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(WirelabProperties.class)
public class AppConfig {

    /** Decoders contributed as beans come first, so they can also replace a built-in one. */
    @Bean
    public FrameDecoder frameDecoder(ObjectProvider<LayerDecoder> extra) {
        List<LayerDecoder> all = new ArrayList<>(extra.orderedStream().toList());
        all.addAll(FrameDecoder.standardDecoders());
        return new FrameDecoder(all);
    }

    @Bean(destroyMethod = "close")
    public IngestPipeline ingestPipeline(DataSource dataSource, FrameDecoder decoder, WirelabProperties props,
                                         MeterRegistry metrics, dev.wirelab.control.db.DatabaseServer database) {
        WirelabProperties.Ingest i = props.ingest();
        java.nio.file.Path root = i.spoolDir().isBlank() ? database.defaultSpoolDir() : java.nio.file.Path.of(i.spoolDir());
        database.lowerPriority(i.nice());
        return new IngestPipeline(dataSource, decoder, new IngestPipeline.Spooling(root, i.spoolBudget().toBytes()),
                i.batchRows(), i.retryMax(), metrics, i.nice());
    }

    @Bean
    public OpenAPI wirelabOpenApi() {
        return new OpenAPI().info(new Info().title("Wirelab control API").version("0.1.0")
                .description("Labs over REST: topologies, runs in the embedded runtime, node state and programs, link "
                        + "impairments, frames and events stored in PostgreSQL, pcapng export, live streams."));
    }
}
