package dev.pullab.core.report;

import dev.pullab.core.kcidb.KcidbResource;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One reported VM, read by {@link VmReading}: what the rest of {@link RunReporting} reports of it.
 *
 * @param misc     the {@code misc} of its KCIDB tests ({@code instance_id}, and from {@code stats.json}
 *                 {@code instance_type} and {@code arch})
 * @param logUrl   the URL of its log (from the run's {@link ArtifactManifest} when there is one: its last stage's
 *                 published log, else its published console); empty when it has none or it cannot be linked
 * @param outputFiles its other published logs (KCIDB {@code output_files}), from the manifest
 * @param csvError why its benchmark CSVs cannot be read; empty when they can
 * @param errors   why it gets an ERROR test, in order (empty: none)
 * @param problems its problems, in order
 */
record ReadVm(VmOutputs outputs, VmResult result, Optional<LabResults> labResults, Map<String, Object> misc,
              Optional<URI> logUrl, List<KcidbResource> outputFiles, Optional<String> csvError, List<String> errors,
              List<VmProblem> problems) {

    /** The results of a valid {@code results.json}, by path; empty when there is none. */
    Map<String, LabResult> validResults() {
        return labResults.filter(LabResults::isValid).map(LabResults::results).orElse(Map.of());
    }
}
