package dev.pullab.testkit;

import java.net.URI;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.localstack.LocalStackContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * LocalStack in a container, through Testcontainers. Only loaded after {@link EmulatorChoice} found Testcontainers on
 * the class path (it is an optional dependency of the testkit: on the modules' test class paths, not in the CLI).
 */
final class LocalStackEmulator {

    private LocalStackEmulator() {
    }

    /** Whether Testcontainers reaches a Docker engine. */
    static boolean dockerAnswers() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Starts LocalStack (stopped with the JVM: Testcontainers' reaper removes the container) and returns its URL. */
    static URI start(String image) {
        @SuppressWarnings("resource") // lives as long as the JVM, like moto_server
        LocalStackContainer container = new LocalStackContainer(DockerImageName.parse(image)
                .asCompatibleSubstituteFor("localstack/localstack"));
        container.start();
        Runtime.getRuntime().addShutdownHook(new Thread(container::stop, "localstack-stop"));
        return container.getEndpoint();
    }
}
