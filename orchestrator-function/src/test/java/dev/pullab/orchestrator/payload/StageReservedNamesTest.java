package dev.pullab.orchestrator.payload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pullab.core.run.StageParams;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The reserved stage variable names are kept twice: in {@link StageParams} (the orchestrator refuses them) and in the
 * VM client's {@code stage_reserved} (what reaches a stage). The two lists must be the same.
 */
@DisplayName("reserved stage variable names: the orchestrator's list is the VM client's")
class StageReservedNamesTest {

    /** The patterns of the case arms of {@code stage_reserved()} in the client as shipped. */
    private static Set<String> clientPatterns() {
        String client = new String(VmTestBundle.fromClasspath().client(), StandardCharsets.UTF_8);
        Matcher function = Pattern.compile("(?s)\nstage_reserved\\(\\) \\{\n  case \"\\$1\" in\n(.*?)\n  esac")
                .matcher(client);
        assertThat(function.find()).as("stage_reserved() in test-vm-client.sh").isTrue();
        Set<String> patterns = new TreeSet<>();
        for (String arm : function.group(1).split("\n")) {
            String list = arm.trim().replaceFirst("\\).*$", "");
            patterns.addAll(Arrays.asList(list.split("\\|")));
        }
        return patterns;
    }

    @Test
    @DisplayName("every reserved name and prefix of StageParams, and nothing else, is in the client's stage_reserved")
    void sameLists() {
        Set<String> expected = Stream.concat(StageParams.RESERVED.stream(),
                StageParams.RESERVED_PREFIXES.stream().map(prefix -> prefix + "*"))
                .collect(Collectors.toCollection(TreeSet::new));

        assertThat(clientPatterns()).isEqualTo(expected);
    }
}
