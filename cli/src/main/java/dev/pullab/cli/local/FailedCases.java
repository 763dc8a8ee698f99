package dev.pullab.cli.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pullab.core.text.Printable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The test cases of each job that failed, read from the KCIDB submissions of a local run: a test whose status is
 * FAIL or ERROR, under the job node id its {@code misc.job_id} names. local-run's end summary names them, so that
 * "done, fail" says which cases failed without opening the KCIDB JSON.
 */
final class FailedCases {

    /** At most this many names per job in the summary line; the rest are counted. */
    static final int SHOWN = 8;
    private static final int MAX_PATH = 200;

    private FailedCases() {
    }

    /** Job node id to the paths of its failed cases, in submission order, each path once. */
    static Map<String, List<String>> byJob(Iterable<JsonNode> submissionBodies) {
        Map<String, List<String>> failed = new LinkedHashMap<>();
        for (JsonNode body : submissionBodies) {
            for (JsonNode test : body.path("tests")) {
                String status = test.path("status").asText("");
                String job = test.at("/misc/job_id").asText("");
                String path = test.path("path").asText("");
                if ((status.equals("FAIL") || status.equals("ERROR")) && !job.isEmpty() && !path.isEmpty()) {
                    List<String> paths = failed.computeIfAbsent(job, k -> new ArrayList<>());
                    if (!paths.contains(path)) {
                        paths.add(path);
                    }
                }
            }
        }
        return failed;
    }

    /** {@code " — failed: a, b (+3 more)"}, escaped and bounded; empty when nothing failed. */
    static String summary(List<String> paths) {
        if (paths.isEmpty()) {
            return "";
        }
        List<String> shown = paths.stream().limit(SHOWN)
                .map(p -> Printable.escape(p.length() > MAX_PATH ? p.substring(0, MAX_PATH) + "…" : p)).toList();
        return " \u2014 failed: " + String.join(", ", shown)
                + (paths.size() > SHOWN ? " (+" + (paths.size() - SHOWN) + " more)" : "");
    }
}
