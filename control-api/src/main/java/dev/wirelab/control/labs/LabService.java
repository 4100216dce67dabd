package dev.wirelab.control.labs;

import dev.wirelab.control.config.WirelabProperties;
import dev.wirelab.control.errors.BadRequestException;
import dev.wirelab.control.errors.ConflictException;
import dev.wirelab.control.errors.NotFoundException;
import dev.wirelab.control.runtime.RunManager;
import dev.wirelab.control.store.LabRecord;
import dev.wirelab.control.store.LabRepository;
import dev.wirelab.netstack.lab.topology.Problem;
import dev.wirelab.netstack.lab.topology.Topologies;
import dev.wirelab.netstack.lab.topology.Topology;
import dev.wirelab.netstack.lab.topology.TopologyException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Labs from topology text: YAML or JSON, read and checked by netstack's {@link Topologies} (which
 * reports every problem with its path, line and column: the text is never bound to the topology
 * records by a generic JSON binder, which would lose that precision), or from an example file.
 */
@Service
public class LabService {

    private static final Logger log = LoggerFactory.getLogger(LabService.class);
    private static final Pattern EXAMPLE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    /** How a topology text is written. */
    public enum Format { YAML, JSON }

    private final LabRepository labs;
    private final RunManager runs;
    private final Path examplesDir;
    private final VtepPolicy vteps;

    public LabService(LabRepository labs, RunManager runs, WirelabProperties props, VtepPolicy vteps) {
        this.labs = labs;
        this.runs = runs;
        this.examplesDir = Path.of(props.examples());
        this.vteps = vteps;
    }

    /** An example topology file. */
    public record Example(String name, String file, String labName, List<Problem> problems) {
    }

    /** YAML unless the text starts like a JSON object (for requests without a content type). */
    public static Format guess(String text) {
        return text != null && text.stripLeading().startsWith("{") ? Format.JSON : Format.YAML;
    }

    /**
     * Every problem of the text, and once it is a valid topology, every VTEP or bind address this
     * server would not use ({@link VtepPolicy}); empty when it can run here.
     */
    public List<Problem> check(String text, Format format) {
        List<Problem> problems = format == Format.JSON ? Topologies.checkJson(text) : Topologies.checkYaml(text);
        if (!problems.isEmpty()) {
            return problems;
        }
        return vteps.check(format == Format.JSON ? Topologies.parseJson(text) : Topologies.parseYaml(text));
    }

    /** Parses and stores a lab; {@link TopologyException} lists every problem. */
    public LabRecord create(String text, Format format) {
        return create(text, format, null);
    }

    private LabRecord create(String text, Format format, String example) {
        Topology t = format == Format.JSON ? Topologies.parseJson(text) : Topologies.parseYaml(text);
        try {
            return labs.create(t, text, format.name().toLowerCase(), example);
        } catch (LabRepository.NameTakenException e) {
            throw new ConflictException(e.getMessage() + " (labs are known by their topology's name)");
        }
    }

    /** Creates a lab from {@code examples/NAME.yaml}. */
    public LabRecord createFromExample(String name) {
        return create(readExample(name), Format.YAML, name);
    }

    public List<LabRecord> list() {
        return labs.list();
    }

    public LabRecord get(long id) {
        return labs.find(id).orElseThrow(() -> new NotFoundException("no lab " + id));
    }

    public Optional<LabRecord> byName(String name) {
        return labs.findByName(name);
    }

    public void delete(long id) {
        runs.deleteLab(id);
    }

    /** The example topologies: NAME.yaml files of the examples directory, each checked. */
    public List<Example> examples() {
        List<Example> out = new ArrayList<>();
        if (!Files.isDirectory(examplesDir)) {
            return out;
        }
        try (Stream<Path> files = Files.list(examplesDir)) {
            for (Path p : files.filter(f -> f.getFileName().toString().endsWith(".yaml")).sorted().toList()) {
                String file = p.getFileName().toString();
                String name = file.substring(0, file.length() - ".yaml".length());
                String text = Files.readString(p, StandardCharsets.UTF_8);
                List<Problem> problems = Topologies.checkYaml(text);
                String labName = problems.isEmpty() ? Topologies.parseYaml(text).name() : null;
                out.add(new Example(name, file, labName, problems));
            }
        } catch (IOException e) {
            log.warn("Cannot list examples in {}: {}", examplesDir, e.getMessage());
        }
        return out;
    }

    private String readExample(String name) {
        if (name == null || !EXAMPLE_NAME.matcher(name).matches()) {
            throw new BadRequestException("example", "'" + name + "' is not an example name (letters, digits, . _ -)");
        }
        Path p = examplesDir.resolve(name + ".yaml");
        if (!Files.isRegularFile(p)) {
            throw new NotFoundException("no example '" + name + "' (have: "
                    + String.join(", ", examples().stream().map(Example::name).toList()) + ")");
        }
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new NotFoundException("example '" + name + "' cannot be read: " + e.getMessage());
        }
    }

    /** Makes a lab of every valid example that has none yet (the labs a fresh start offers). */
    public List<LabRecord> importExamples() {
        List<LabRecord> created = new ArrayList<>();
        for (Example e : examples()) {
            if (!e.problems().isEmpty()) {
                log.warn("Example {} is not a valid topology: {}", e.file(), e.problems());
                continue;
            }
            if (labs.findByName(e.labName()).isPresent()) {
                continue;
            }
            try {
                created.add(createFromExample(e.name()));
            } catch (RuntimeException ex) {
                log.warn("Example {} not imported: {}", e.file(), ex.getMessage());
            }
        }
        return created;
    }
}
