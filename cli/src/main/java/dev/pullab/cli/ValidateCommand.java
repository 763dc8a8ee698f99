package dev.pullab.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.pullab.aws.AwsClients;
import dev.pullab.cli.lab.LabOptions;
import dev.pullab.core.config.ConfigurationException;
import dev.pullab.core.config.LabNames;
import dev.pullab.core.text.Printable;
import dev.pullab.core.validate.Check;
import dev.pullab.core.validate.KernelRpms;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pullab validate}: a lab's pre-flight; reads only, spawns nothing. */
@Command(
        name = "validate",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        description = {
            "Checks that a lab is wired right before you use it, and prints one line per check: ok, problem (with "
                    + "how to fix it) or skipped (with why). It only reads: nothing is launched, written or "
                    + "deleted, and no token is printed.",
            "",
            "Checks: the lab's tables, queues, dead-letter queues, buckets, functions, secrets and the VMs' instance "
                    + "profile exist; who the AWS caller is and (where IAM lets it simulate) that it may do what "
                    + "the operator commands do; the KernelCI API answers, accepts the token (/whoami) and lets "
                    + "its user edit nodes of KERNELCI_RUNTIME_NAME; KCIDB answers and its JWT is well formed, not "
                    + "expired and for KCIDB_ORIGIN (decoded locally); the storage bucket holds at least two "
                    + "kernel RPMs per arch under kernel-rpms/binary/<arch>/ (the regression tests' base and tip).",
            "",
            "KernelCI and KCIDB settings are the functions' own: KERNELCI_API_BASE_URI, KERNELCI_API_TOKEN (or "
                    + "UNIFIED_TOKEN, or the stack's token secret), KERNELCI_RUNTIME_NAME, KCIDB_SUBMIT_URL, "
                    + "KCIDB_JWT (or UNIFIED_TOKEN, or the stack's JWT secret), KCIDB_ORIGIN.",
            ""
        },
        footer = {
            "",
            "Output: one line per check, '<status> <check>: <what was checked>', and",
            "'  fix: ...' under a problem; then a count. --json: an array of",
            "{\"name\", \"status\", \"detail\", \"fix\"}, status one of ok, problem, skipped.",
            "",
            "Exit status: 0 no check has a problem (ok or skipped only),",
            "             1 a check has a problem,",
            "             2 bad usage (e.g. an unknown --arch).",
            "",
            "Examples:",
            "  # the deployed lab, KernelCI and KCIDB settings from the environment",
            "  export KERNELCI_API_BASE_URI=https://staging.kernelci.org:9000/latest",
            "  export KERNELCI_RUNTIME_NAME=pull-labs-demo KCIDB_ORIGIN=pull_labs_demo",
            "  pullab validate --stack pullab --region us-east-1",
            "",
            "  # a lab on an emulator, from its lab file; both arches",
            "  pullab validate --lab pullab-local.lab --arch x86_64 --arch aarch64",
            "",
            "  # in a script: the problems only",
            "  pullab validate --stack pullab --json \\",
            "    | jq '.[] | select(.status == \"problem\")'"
        })
final class ValidateCommand implements Callable<Integer> {

    static final int EXIT_PROBLEM = 1;
    static final int EXIT_USAGE = 2;
    /** The settings {@link PeerChecks} reads. */
    static final List<String> SETTINGS = List.of("KERNELCI_API_BASE_URI", "KERNELCI_API_TOKEN",
            "KERNELCI_API_TOKEN_SECRET_ARN", "KERNELCI_RUNTIME_NAME", "UNIFIED_TOKEN", "KCIDB_SUBMIT_URL", "KCIDB_JWT",
            "KCIDB_REST", "KCIDB_ORIGIN", "KCIDB_JWT_SECRET_ARN", "PULLAB_BASE_CONFIG");

    @Spec
    private CommandSpec spec;

    @Mixin
    LabOptions lab = new LabOptions();

    @Option(names = "--arch", paramLabel = "ARCH", description = "An arch the lab's tests run on, whose kernel RPMs "
            + "must be in the storage bucket: x86_64 or aarch64; repeatable (default: x86_64).")
    private List<String> arches;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "10", description = "How long the KernelCI "
            + "and KCIDB URLs have to answer (default: ${DEFAULT-VALUE}).")
    private int timeoutSeconds;

    @Option(names = "--json", description = "One JSON array of the checks instead of lines, for scripts.")
    private boolean json;

    private final UnaryOperator<String> env;
    private final Clock clock;

    ValidateCommand() {
        this(System::getenv, Clock.systemUTC());
    }

    /** For tests: the environment and the clock JWT expiry is checked against. */
    ValidateCommand(UnaryOperator<String> env, Clock clock) {
        this.env = env;
        this.clock = clock;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<String> wanted = arches == null || arches.isEmpty() ? List.of("x86_64")
                : List.copyOf(new LinkedHashSet<>(arches));
        Optional<String> badArch = wanted.stream().filter(a -> !KernelRpms.isArch(a)).findFirst();
        if (badArch.isPresent()) {
            err.println("error: --arch " + Printable.escape(badArch.get()) + " is not an arch of the kernel-rpms "
                    + "layout: use " + String.join(" or ", KernelRpms.ARCHES));
            return EXIT_USAGE;
        }
        if (timeoutSeconds < 1 || timeoutSeconds > 300) {
            err.println("error: --timeout must be 1..300 seconds, got " + timeoutSeconds);
            return EXIT_USAGE;
        }
        List<Check> checks = new ArrayList<>();
        LabOptions.Lab resolved;
        try {
            resolved = lab.resolve(env, region -> new dev.pullab.aws.CloudFormationStackOutputs(() -> AwsClients
                    .client(software.amazon.awssdk.services.cloudformation.CloudFormationClient.builder(), region,
                            "AWS_ENDPOINT_URL_CLOUDFORMATION", "aws.endpointUrlCloudformation")));
        } catch (ConfigurationException | software.amazon.awssdk.core.exception.SdkException e) {
            checks.add(Check.problem("lab", CliErrors.describe(e), "pass --stack NAME (the deployed stack) or --lab "
                    + "FILE (local-run writes one)"));
            return report(out, checks);
        }
        checks.add(Check.ok("lab", resolved.names().names().size() + " resources named by "
                + resolved.names().source()));
        Map<String, String> settings = settings(resolved.settings(env));
        LabResourceChecks resources = new LabResourceChecks(resolved);
        boolean kernelciToken = settings.containsKey("KERNELCI_API_TOKEN") || settings.containsKey("UNIFIED_TOKEN");
        boolean kcidbJwt = settings.containsKey("KCIDB_JWT") || settings.containsKey("KCIDB_REST")
                || settings.containsKey("UNIFIED_TOKEN");
        checks.addAll(resources.resources(kernelciToken, kcidbJwt));
        checks.addAll(new CallerChecks(resolved, resources).checks());
        PeerChecks peers = new PeerChecks(settings, id -> resources.secretsManager()
                .getSecretValue(b -> b.secretId(id)).secretString(),
                resolved.names().find(LabNames.KERNELCI_TOKEN_SECRET), resolved.names().find(LabNames.KCIDB_JWT_SECRET),
                Duration.ofSeconds(timeoutSeconds), clock.instant());
        checks.addAll(peers.kernelci());
        checks.addAll(peers.kcidb());
        checks.addAll(resources.kernelRpms(wanted, KernelRpms.REGRESSION_MINIMUM));
        return report(out, checks);
    }

    /** The KernelCI and KCIDB settings set in the environment. */
    static Map<String, String> settings(UnaryOperator<String> env) {
        Map<String, String> settings = new LinkedHashMap<>();
        for (String name : SETTINGS) {
            Optional.ofNullable(env.apply(name)).filter(v -> !v.isBlank()).ifPresent(v -> settings.put(name, v));
        }
        return settings;
    }

    private int report(PrintWriter out, List<Check> checks) {
        long problems = checks.stream().filter(Check::isProblem).count();
        if (json) {
            ObjectMapper mapper = new ObjectMapper();
            ArrayNode array = mapper.createArrayNode();
            for (Check check : checks) {
                array.addObject().put("name", check.name()).put("status", check.status().label())
                        .put("detail", check.detail()).put("fix", check.fix());
            }
            out.println(array.toPrettyString());
        } else {
            for (Check check : checks) {
                out.printf("%-8s %s: %s%n", check.status().label(), Printable.escape(check.name()),
                        Printable.escape(check.detail()));
                if (!check.fix().isEmpty()) {
                    out.printf("         fix: %s%n", Printable.escape(check.fix()));
                }
            }
            long skipped = checks.stream().filter(c -> c.status() == Check.Status.SKIPPED).count();
            out.printf("%d ok, %d problem%s, %d skipped%n", checks.size() - problems - skipped, problems,
                    problems == 1 ? "" : "s", skipped);
        }
        out.flush();
        return problems > 0 ? EXIT_PROBLEM : 0;
    }
}
