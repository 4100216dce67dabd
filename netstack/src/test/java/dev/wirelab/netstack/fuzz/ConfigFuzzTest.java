package dev.wirelab.netstack.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.wirelab.netstack.lab.LabScript;
import dev.wirelab.netstack.lab.topology.Problem;
import dev.wirelab.netstack.lab.topology.Topologies;
import dev.wirelab.netstack.lab.topology.TopologyException;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What users write, read from hostile text: the topology reader (YAML, with anchors and aliases, and
 * JSON) and the lab script reader. A topology is refused with problems that name where they are
 * (TopologyException), never another exception; checking never throws; a script line is refused
 * with its line number. Seeds: the examples and the topology tests' broken files.
 */
class ConfigFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void topologyYaml(byte[] data) {
        String yaml = new String(data, StandardCharsets.UTF_8);
        List<Problem> problems = Topologies.checkYaml(yaml);
        try {
            Topologies.parseYaml(yaml);
            assertThat(problems).as("parsed, so no problems").isEmpty();
        } catch (TopologyException e) {
            assertThat(e.problems()).isNotEmpty();
            assertThat(problems).isNotEmpty();
        }
    }

    @FuzzTest(maxDuration = "30s")
    void topologyJson(byte[] data) {
        String json = new String(data, StandardCharsets.UTF_8);
        List<Problem> problems = Topologies.checkJson(json);
        try {
            Topologies.parseJson(json);
            assertThat(problems).isEmpty();
        } catch (TopologyException e) {
            assertThat(e.problems()).isNotEmpty();
            assertThat(problems).isNotEmpty();
        }
    }

    @FuzzTest(maxDuration = "30s")
    void labScript(byte[] data) {
        String text = new String(data, StandardCharsets.UTF_8);
        try {
            LabScript s = LabScript.parse(text);
            assertThat(s.steps()).isNotNull();
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).startsWith("line ");
        }
    }
}
