package dev.pullab.core.validate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pullab.core.config.LabNames;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("which of a lab's resources validate checks, and what a resource the lab does not name means")
class LabCheckRulesTest {

    private final LabNames stack = LabNames.fromStackOutputs(Map.of("RunsTableName", "pullab-runs"), "stack pullab");

    @Test
    @DisplayName("every resource the commands know has a check")
    void everyResourceHasAKind() {
        LabNames.ALL.forEach(resource -> assertThat(LabCheckRules.kind(resource)).isNotNull());
    }

    @Test
    @DisplayName("an ECS cluster the lab does not name is skipped as optional, even from a stack")
    void givenUnnamedCluster_thenSkippedAsOptional() {
        Check check = LabCheckRules.whenUnnamed(LabNames.ECS_CLUSTER, stack, false, false).orElseThrow();

        assertThat(check.status()).isEqualTo(Check.Status.SKIPPED);
        assertThat(check.name()).isEqualTo("ecs cluster PULLAB_ECS_CLUSTER");
        assertThat(check.detail()).contains("optional");
    }

    @Test
    @DisplayName("a named resource is checked")
    void givenNamed_thenChecked() {
        assertThat(LabCheckRules.whenUnnamed(LabNames.RUNS_TABLE, stack, false, false)).isEmpty();
    }

    @Test
    @DisplayName("a table a stack does not name is a problem naming the stack output and the variable")
    void givenUnnamedTable_thenProblemNamingOutputAndVariable() {
        Check check = LabCheckRules.whenUnnamed(LabNames.JOBS_TABLE, stack, false, false).orElseThrow();

        assertThat(check.isProblem()).isTrue();
        assertThat(check.name()).isEqualTo("table PULLAB_JOBS_TABLE");
        assertThat(check.detail()).isEqualTo("the lab's jobs table is not named by stack pullab");
        assertThat(check.fix()).contains("output JobsTableName", "PULLAB_JOBS_TABLE");
    }

    @Test
    @DisplayName("on an emulator, functions and the instance profile are skipped with why; from a stack, a problem")
    void givenUnnamedFunction_thenSkippedOnEmulatorOnly() {
        assertThat(LabCheckRules.whenUnnamed(LabNames.TRIGGER_FUNCTION, stack, true, false).orElseThrow().status())
                .isEqualTo(Check.Status.SKIPPED);
        assertThat(LabCheckRules.whenUnnamed(LabNames.INSTANCE_PROFILE, stack, true, false).orElseThrow().detail())
                .contains("emulator");
        assertThat(LabCheckRules.whenUnnamed(LabNames.TRIGGER_FUNCTION, stack, false, false).orElseThrow()
                .isProblem()).isTrue();
    }

    @Test
    @DisplayName("a secret is not needed when its token is given in the environment")
    void givenTokenInEnvironment_thenSecretSkipped() {
        assertThat(LabCheckRules.whenUnnamed(LabNames.KCIDB_JWT_SECRET, stack, false, true).orElseThrow().status())
                .isEqualTo(Check.Status.SKIPPED);
        assertThat(LabCheckRules.whenUnnamed(LabNames.KCIDB_JWT_SECRET, stack, false, false).orElseThrow()
                .isProblem()).isTrue();
    }
}
