package dev.pullab.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class FixturesTest {

    @Test
    @DisplayName("a fixture folder lists its files, sorted, without sub-folders")
    void listsFiles() {
        assertThat(Fixtures.list("kcidb-fixtures")).isSorted().contains("invalid_null_value.json")
                .allMatch(name -> !name.contains("/"));
    }

    @Test
    @DisplayName("a folder that is not there is named in the error")
    void missingFolderNamed() {
        assertThatThrownBy(() -> Fixtures.list("no-such-folder")).hasMessageContaining("no-such-folder");
    }
}
