package dev.pullab.core.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("JobDefinitionSource: which job definition URLs may be downloaded")
class JobDefinitionSourceTest {

    private static final List<String> ALLOWED =
            List.of("files.kernelci.org", "storage.kernelci.org", "*.blob.core.windows.net");
    private static final String DEFINITION =
            "https://files.kernelci.org/pull_labs_jobs/20260520/3f0c9a1e5b7d4c2a8e6f1b0d9c8a7e6f.json";

    @Test
    @DisplayName("an https URL on an allowed host is accepted")
    void allowedHost() {
        assertThat(JobDefinitionSource.refuse(URI.create(DEFINITION), ALLOWED)).isEmpty();
    }

    @Test
    @DisplayName("an http URL is refused, even on an allowed host")
    void httpRefused() {
        assertThat(JobDefinitionSource.refuse(URI.create("http://files.kernelci.org/job.json"), ALLOWED))
                .contains("job definition URL must be https: http://files.kernelci.org/job.json");
    }

    @Test
    @DisplayName("an http://host entry opts that host into plain http")
    void httpOptIn() {
        URI url = URI.create("http://127.0.0.1:8080/pull_labs_jobs/job.json");

        assertThat(JobDefinitionSource.refuse(url, List.of("http://127.0.0.1"))).isEmpty();
    }

    @Test
    @DisplayName("an http://host entry does not open plain http for other hosts")
    void httpOptInIsPerHost() {
        URI url = URI.create("http://files.kernelci.org/job.json");

        assertThat(JobDefinitionSource.refuse(url, List.of("http://127.0.0.1", "files.kernelci.org")))
                .contains("job definition URL must be https: http://files.kernelci.org/job.json");
    }

    @Test
    @DisplayName("a host not on the list is refused, naming the host and the list")
    void otherHostRefused() {
        assertThat(JobDefinitionSource.refuse(URI.create("https://evil.example.com/job.json"), ALLOWED))
                .contains("job definition host 'evil.example.com' is not allowed (allowed: files.kernelci.org, "
                        + "storage.kernelci.org, *.blob.core.windows.net)");
    }

    @Test
    @DisplayName("a *.domain entry accepts a subdomain")
    void wildcardSubdomain() {
        URI url = URI.create("https://kciprod.blob.core.windows.net/pull-labs/job.json");

        assertThat(JobDefinitionSource.refuse(url, ALLOWED)).isEmpty();
    }

    @Test
    @DisplayName("a *.domain entry does not accept the domain itself")
    void wildcardNotApex() {
        assertThat(JobDefinitionSource.refuse(URI.create("https://blob.core.windows.net/job.json"), ALLOWED))
                .isPresent();
    }

    @Test
    @DisplayName("hosts compare case-insensitively, ignoring a trailing dot")
    void caseInsensitive() {
        URI url = URI.create("https://FILES.KernelCI.org./pull_labs_jobs/job.json");

        assertThat(JobDefinitionSource.refuse(url, List.of("Files.kernelci.org"))).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "https://files.kernelci.org.evil.example.com/job.json",
        "https://evilfiles.kernelci.org/job.json",
        "https://evil.example.com/files.kernelci.org/job.json",
        "https://evil.example.com/?u=https://files.kernelci.org/job.json"})
    @DisplayName("look-alike hosts are refused")
    void lookAlikes(String url) {
        assertThat(JobDefinitionSource.refuse(url, ALLOWED)).isPresent();
    }

    @Test
    @DisplayName("a URL with user info is refused without echoing the user info")
    void userInfoRefused() {
        assertThat(JobDefinitionSource.refuse("https://user:secret@files.kernelci.org/job.json", ALLOWED))
                .hasValueSatisfying(reason -> assertThat(reason).contains("user info").doesNotContain("secret"));
    }

    @Test
    @DisplayName("a missing URL is refused")
    void missingUrl() {
        assertThat(JobDefinitionSource.refuse((String) null, ALLOWED)).contains("the job has no job definition URL");
    }

    @Test
    @DisplayName("a malformed URL string is refused")
    void malformedUrl() {
        assertThat(JobDefinitionSource.refuse("https://files.kernelci.org/a b.json", ALLOWED))
                .hasValueSatisfying(reason -> assertThat(reason).startsWith("job definition URL is malformed"));
    }

    @Test
    @DisplayName("a definition over the size limit is refused, one within it is not")
    void sizeLimit() {
        assertThat(JobDefinitionSource.tooLarge(1_048_577, 1_048_576))
                .contains("job definition is larger than 1048576 bytes (read 1048577)");
        assertThat(JobDefinitionSource.tooLarge(1_048_576, 1_048_576)).isEmpty();
    }
}
