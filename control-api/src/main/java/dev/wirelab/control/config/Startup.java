package dev.wirelab.control.config;

import dev.wirelab.control.labs.LabService;
import dev.wirelab.control.security.ApiGuard;
import dev.wirelab.control.store.LabRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

import java.util.List;

/** At start: the example labs become labs (once), and the address is printed for the person who started us. */
@Component
public class Startup {

    private static final Logger log = LoggerFactory.getLogger(Startup.class);

    private final LabService labs;
    private final WirelabProperties props;
    private final Environment env;
    private final ApiGuard guard;

    public Startup(LabService labs, WirelabProperties props, Environment env, ApiGuard guard) {
        this.labs = labs;
        this.props = props;
        this.env = env;
        this.guard = guard;
    }

    @EventListener
    public void started(WebServerInitializedEvent e) {
        if (props.importExamples()) {
            try {
                List<LabRecord> created = labs.importExamples();
                if (!created.isEmpty()) {
                    log.info("Example labs ready: {}", created.stream().map(LabRecord::name).toList());
                }
            } catch (RuntimeException ex) {
                log.warn("Example labs not imported: {}", ex.getMessage());
            }
        }
        String host = env.getProperty("server.address", "127.0.0.1");
        String base = "http://" + (host.equals("0.0.0.0") ? "127.0.0.1" : host) + ":" + e.getWebServer().getPort();
        // Printed on stdout on purpose: this is the line a person starting ./wirelab-server looks for.
        System.out.println();
        // With the token on, the dashboard line carries it once, as Jupyter's does: opening it sets
        // the browser's cookie. It is printed for the person who started the server, never logged.
        System.out.println("Wirelab control API and dashboard: " + base + "/"
                + (guard.tokenRequired() ? "?token=" + guard.token() : ""));
        System.out.println("  API docs (Swagger UI):            " + base + "/swagger-ui.html");
        System.out.println("  labs:                             " + base + "/api/labs");
        System.out.println();
        System.out.flush();
    }
}
