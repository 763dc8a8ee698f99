package dev.pullab.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pullab.aws.AwsClients;
import dev.pullab.poller.PollerAssembly;
import dev.pullab.core.config.ConfigSource;
import dev.pullab.core.config.ConfigurationException;
import dev.pullab.core.config.PollerSettings;
import dev.pullab.core.config.SecretLookup;
import dev.pullab.core.http.HttpCallException;
import dev.pullab.core.http.RetryPolicy;
import dev.pullab.core.job.JobTicket;
import dev.pullab.core.poll.PollCycle;
import dev.pullab.core.poll.PollReport;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pullab poll}: the poller run by hand, against the configured KernelCI API. */
@Command(
        name = "poll",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        description = {
            "Reads the KernelCI events feed for available jobs of this lab's runtime, records each in the jobs "
                    + "table, claims it in KernelCI and sends it to the jobs queue, then advances the cursor "
                    + "(what the poller function does on every scheduled invocation).",
            ""
        },
        footer = {
            "",
            // lines within 80 columns: picocli breaks longer ones anywhere, even in a URL
            "Configuration (environment first, then the kernelci block of",
            "PULLAB_BASE_CONFIG, default examples/aws/config.json):",
            "  KERNELCI_API_BASE_URI   api_base_uri   the API, e.g.",
            "                          https://staging.kernelci.org:9000/latest",
            "  KERNELCI_API_TOKEN      api_token      bearer token (UNIFIED_TOKEN as",
            "                                         fallback); needed to claim",
            "  KERNELCI_RUNTIME_NAME   runtime_name   the runtime (lab) jobs are",
            "                                         scheduled to",
            "  KERNELCI_PLATFORMS      platforms      comma-separated platform",
            "                                         allow-list (optional)",
            "  PULLAB_CURSOR_TABLE, PULLAB_JOBS_TABLE, PULLAB_JOBS_QUEUE_URL",
            "                          the AWS resources (not for --dry-run)",
            "  PULLAB_POLL_PAGE_SIZE   /events page size (default 100, at most 1000)",
            "  PULLAB_POLL_PARALLELISM jobs of a page worked on at once (default 8, 1..32)",
            "",
            "Exit status: 0 done, 1 the API or AWS failed or rejected a claim as",
            "             malformed, 2 bad usage or configuration."
        })
final class PollCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--once", description = "Run one cycle and exit (otherwise poll every PULLAB_POLL_INTERVAL_SEC "
            + "seconds until interrupted).")
    private boolean once;

    @Option(names = "--dry-run", description = "Read the feed and report the jobs found; claim, record and send "
            + "nothing, and leave the cursor where it is.")
    private boolean dryRun;

    @Option(names = "--json", description = "Print the jobs found as a JSON array of "
            + "{\"node_id\", \"name\", \"platform\", \"job_definition\"}, in event order.")
    private boolean json;

    @Option(names = "--region", paramLabel = "REGION", description = "AWS region of the tables and queue "
            + "(default: AWS_REGION or the profile's).")
    private String region;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        PollerSettings settings;
        PollCycle cycle;
        try {
            settings = PollerSettings.resolve(ConfigSource.fromEnvironment(), SecretLookup.NONE);
            cycle = dryRun ? PollerAssembly.dryRun(settings, dynamoForDryRun(settings), RetryPolicy.defaults())
                    : PollerAssembly.live(settings, AwsClients.dynamoDb(Optional.ofNullable(region)),
                            AwsClients.sqs(Optional.ofNullable(region)), RetryPolicy.defaults());
        } catch (ConfigurationException | IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return 2;
        }
        while (true) {
            PollReport report;
            try {
                report = cycle.run();
                print(report, out, err);
            } catch (HttpCallException e) {
                err.println("error: " + e.getMessage());
                return 1;
            }
            report.refused().forEach((node, answer) -> err.println("error: claim of job " + node
                    + " rejected as malformed (a defect of this lab; the job stays claimable): " + answer));
            if (once) {
                return report.hasRefusals() ? 1 : 0;
            }
            Thread.sleep(settings.pollIntervalSec() * 1000L);
        }
    }

    private Optional<software.amazon.awssdk.services.dynamodb.DynamoDbClient> dynamoForDryRun(PollerSettings s) {
        return s.cursorTable().map(t -> AwsClients.dynamoDb(Optional.ofNullable(region)));
    }

    private void print(PollReport report, PrintWriter out, PrintWriter err) {
        err.println(report.summary());
        if (json) {
            out.println(jobsJson(report.found()));
        } else {
            for (JobTicket job : report.found()) {
                out.printf("%s  %-40s %-16s %s%n", job.nodeId(), job.name(), job.platform(),
                        job.jobDefinition() == null ? "(no job definition)" : job.jobDefinition());
            }
        }
        out.flush();
        err.flush();
    }

    static String jobsJson(List<JobTicket> jobs) {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ArrayNode array = mapper.createArrayNode();
        for (JobTicket job : jobs) {
            ObjectNode o = array.addObject();
            o.put("node_id", job.nodeId());
            o.put("name", job.name());
            o.put("platform", job.platform());
            if (job.jobDefinition() == null) {
                o.putNull("job_definition");
            } else {
                o.put("job_definition", job.jobDefinition());
            }
        }
        try {
            return mapper.writeValueAsString(array);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
