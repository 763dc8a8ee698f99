package dev.pullab.core.report.html;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pullab.core.run.Executor;
import dev.pullab.core.run.RunRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The lab's run index. */
class RunsIndexTest {

    private static RunRecord run(String prefix, long created, RunRecord.RunState state) {
        return new RunRecord(prefix, "unixbench", Optional.of("6825f9c0"), Executor.EC2, List.of("unixbench"),
                List.of(), 3, List.of(), state, created, created + 3600);
    }

    @Test
    @DisplayName("runs are listed newest first; a closed run links its report and shows its verdict's words")
    void newestFirst() {
        String html = RunsIndex.render(List.of(
                new RunsIndex.Entry(run("run_a", 1_000, RunRecord.RunState.DONE),
                        Optional.of("regression (unixbench); VMs: 3/3 spawned, 3 successful, 0 failed, 0 missing")),
                new RunsIndex.Entry(run("run_b", 2_000, RunRecord.RunState.RUNNING), Optional.empty())));

        assertThat(html).containsSubsequence("run_b", "run_a")
                .contains("<a href=\"run_a/analysis/report.html\">run_a</a>")
                .contains(">regression (unixbench)</span>")
                .doesNotContain("href=\"run_b/");
    }

    @Test
    @DisplayName("a run name is one path segment of the link and escaped as text")
    void escaped() {
        String html = RunsIndex.render(List.of(new RunsIndex.Entry(run("run_<b>x\"", 1, RunRecord.RunState.DONE),
                Optional.of("pass; VMs: 1/1"))));

        assertThat(html).contains("href=\"run_%3Cb%3Ex%22/analysis/report.html\"").contains(">run_&lt;b&gt;x&quot;</a>")
                .doesNotContain("<b>x");
    }

    @Test
    @DisplayName("at most the newest 500 runs are listed, and the page says so")
    void bounded() {
        List<RunsIndex.Entry> runs = new ArrayList<>();
        IntStream.range(0, 520).forEach(i -> runs.add(new RunsIndex.Entry(run("run_" + i, i, RunRecord.RunState.DONE),
                Optional.of("pass"))));

        String html = RunsIndex.render(runs);

        assertThat(html).contains("the newest 500 of 520").contains(">run_519<").doesNotContain(">run_19<");
    }
}
