package dev.pullab.core.url;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("UrlRedaction: URLs as messages, logs and tables show them, without credentials")
class UrlRedactionTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "https://user:token@files.kernelci.org/bzImage?x=1  | https://<user info>@files.kernelci.org/bzImage?x=1",
        "https://token@files.kernelci.org                   | https://<user info>@files.kernelci.org",
        "https://u:p@ss@files.kernelci.org/k                | https://<user info>@files.kernelci.org/k",
        "ftp://u:secret@host/a b                            | ftp://<user info>@host/a b",
        "https://files.kernelci.org/bzImage?mail=a@b        | https://files.kernelci.org/bzImage?mail=a@b",
        "https://files.kernelci.org/a@b/bzImage             | https://files.kernelci.org/a@b/bzImage",
        "not a url                                          | not a url"})
    @DisplayName("shown: the user info of the URL is replaced, nothing else changes")
    void shown(String url, String expected) {
        assertThat(UrlRedaction.shown(url)).isEqualTo(expected);
    }

    @Test
    @DisplayName("shown(URI) is shown of the URI as written")
    void shownUri() {
        assertThat(UrlRedaction.shown(URI.create("http://KCIDB_TOKEN:x@127.0.0.1:9000/submit")))
                .isEqualTo("http://<user info>@127.0.0.1:9000/submit");
    }

    @Test
    @DisplayName("inText: every URL quoted in a message loses its user info")
    void inText() {
        String message = "tests[0].parameters: got \"skipfile=https://bot:tok1@a.example/s.yaml\" and "
                + "'http://u:tok2@b.example' (see https://c.example/x@y)";

        assertThat(UrlRedaction.inText(message)).isEqualTo("tests[0].parameters: got "
                + "\"skipfile=https://<user info>@a.example/s.yaml\" and 'http://<user info>@b.example' "
                + "(see https://c.example/x@y)");
    }

    @Test
    @DisplayName("hasUserInfo tells a URL with user info from one with an @ elsewhere")
    void hasUserInfo() {
        assertThat(UrlRedaction.hasUserInfo("https://t@h/k")).isTrue();
        assertThat(UrlRedaction.hasUserInfo("https://h/k?a=b@c")).isFalse();
        assertThat(UrlRedaction.hasUserInfo(null)).isFalse();
    }
}
