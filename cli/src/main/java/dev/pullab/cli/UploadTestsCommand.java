package dev.pullab.cli;

import dev.pullab.aws.AwsClients;
import dev.pullab.aws.S3ObjectStore;
import dev.pullab.core.store.ObjectStore;
import dev.pullab.core.store.StorageUploader;
import dev.pullab.core.text.Printable;
import dev.pullab.core.vmtest.VmTestRules;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pullab upload-tests}: puts a lab's own vm-tests into the storage bucket, where runs look first. */
@Command(
        name = "upload-tests",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        description = {
            "Uploads test directories to s3://<storage bucket>/tests/<name>/, one object per file. A run looks a "
                    + "test up there first, then among the tests bundled with pullab, so a test of your own (or "
                    + "your version of a bundled one) runs without rebuilding anything.",
            "",
            "Each test passes the checks every run applies: a run.sh or run*.sh at its top, file names of "
                    + "letters, digits, '.', '_', '+' and '-', at most " + VmTestRules.MAX_FILES + " files and "
                    + VmTestRules.MAX_BYTES / (1024 * 1024) + " MiB in all, external_requirements.json "
                    + "(optional) a JSON object of "
                    + "storage folder -> true/false. Symbolic links are refused, except a top-level lib link, "
                    + "which is left out: a test uploaded without lib/ gets the bundled lib/ when it runs.",
            "",
            "Files already in the bucket with the same content (same size and SHA-256) are not uploaded again; "
                    + "objects under tests/<name>/ that the directory no longer has are deleted, so the bucket "
                    + "holds exactly the directory.",
            ""
        },
        footer = {
            "",
            "Output: one line per test on stdout (uploaded, unchanged, would upload,",
            "refused with why, skipped: not a test), one line per file on stderr",
            "([n/total] and what became of it).",
            "",
            "Exit status: 0 every test uploaded or unchanged,",
            "             1 a test was refused (the others are still uploaded)",
            "               or an AWS call failed,",
            "             2 bad usage (no bucket, no such directory).",
            "",
            "Examples:",
            "  # every test under ./vm-tests (one subdirectory per test, as pullab_cloud)",
            "  pullab upload-tests --bucket kernel-ci-$USER-storage",
            "",
            "  # two tests of my-tests/, bucket from the environment, what would change",
            "  export PULLAB_STORAGE_BUCKET=kernel-ci-$USER-storage",
            "  pullab upload-tests --test-dir my-tests --test my-ltp --test my-boot \\",
            "                      --dry-run",
            "",
            "  # one test directory (it has a run*.sh itself)",
            "  pullab upload-tests --test-dir my-tests/my-ltp",
            "",
            "Then name it in a config: \"test_config\": {\"vms\": [{\"test\": [\"my-ltp\"], ...}]}"
        })
final class UploadTestsCommand implements Callable<Integer> {

    static final String BUCKET_VARIABLE = "PULLAB_STORAGE_BUCKET";
    static final int EXIT_REFUSED = 1;
    static final int EXIT_USAGE = 2;

    @Spec
    private CommandSpec spec;

    @Option(names = "--test-dir", paramLabel = "DIR", defaultValue = "vm-tests",
            description = "A directory whose subdirectories are tests, or one test directory (default: "
                    + "${DEFAULT-VALUE}).")
    private Path testDir;

    @Option(names = "--bucket", paramLabel = "BUCKET",
            description = "The lab's storage bucket (default: " + BUCKET_VARIABLE + ").")
    private String bucket;

    @Option(names = "--test", paramLabel = "NAME", arity = "1..*",
            description = "Only these tests (subdirectories of DIR); repeatable. Default: every subdirectory with a "
                    + "run*.sh.")
    private List<String> only;

    @Option(names = "--dry-run", description = "Check and compare only: tell what would be uploaded, write nothing.")
    private boolean dryRun;

    @Option(names = "--region", paramLabel = "REGION", description = "AWS region (default: AWS_REGION).")
    private String region;

    private final UnaryOperator<String> env;
    private final Function<Optional<String>, ObjectStore> stores;

    UploadTestsCommand() {
        this(System::getenv, region -> new S3ObjectStore(AwsClients.s3(region)));
    }

    /** For tests: the environment and the object store (built for the region) to use. */
    UploadTestsCommand(UnaryOperator<String> env, Function<Optional<String>, ObjectStore> stores) {
        this.env = env;
        this.stores = stores;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String target = bucket != null && !bucket.isBlank() ? bucket.strip() : env.apply(BUCKET_VARIABLE);
        if (target == null || target.isBlank()) {
            err.println("error: no storage bucket: pass --bucket BUCKET or set " + BUCKET_VARIABLE
                    + " (the lab's storage bucket, where runs look for tests/<name>/)");
            return EXIT_USAGE;
        }
        if (target.startsWith("s3://")) {
            err.println("error: --bucket takes a bucket name, not a URI: use --bucket "
                    + Printable.escape(target.substring(5).replaceAll("/.*", "")));
            return EXIT_USAGE;
        }
        if (!Files.isDirectory(testDir)) {
            err.println("error: " + testDir + " is not a directory (--test-dir: a directory whose subdirectories "
                    + "are tests, or one test directory)");
            return EXIT_USAGE;
        }
        List<Path> directories = testDirectories();
        List<String> missing = missing(directories);
        ObjectStore store = stores.apply(Optional.ofNullable(region));
        StorageUploader uploader = new StorageUploader(store);
        int refused = missing.size();
        int changed = 0;
        int unchanged = 0;
        for (String name : missing) {
            line(out, "refused", name, "no directory " + testDir.resolve(name));
        }
        for (Path directory : directories) {
            String name = directory.getFileName().toString();
            if (only == null && VmTestRules.NOT_TESTS.contains(name)) {
                line(out, "skipped", name, "never a test (a vm-tests tree's bats tests or build output)");
                continue;
            }
            if (only == null && !TestDirectory.isTest(directory)) {
                line(out, "skipped", name, "not a test: no run.sh or run*.sh at its top");
                continue;
            }
            TestDirectory test = TestDirectory.read(directory);
            if (!test.problems().isEmpty()) {
                line(out, "refused", name, String.join("; ", test.problems()));
                refused++;
                continue;
            }
            String prefix = "tests/" + name + "/";
            String where = "s3://" + target + "/" + prefix;
            StorageUploader.Summary summary = uploader.upload(target, prefix, test.files(), true, dryRun,
                    (done, total, key, outcome) -> {
                        err.printf("  %s [%d/%d] %s %s%n", name, done, total, outcome.label(),
                                key.substring(prefix.length()));
                        err.flush();
                    });
            String notes = test.notes().isEmpty() ? "" : "; " + String.join("; ", test.notes());
            if (summary.changed()) {
                changed++;
                line(out, dryRun ? "would upload" : "uploaded", name, files(test.files().size()) + " to " + where + " ("
                        + summary.uploaded() + (dryRun ? " to write, " : " written, ") + summary.unchanged()
                        + " unchanged, " + summary.removed() + (dryRun ? " stale to delete)" : " stale deleted)")
                        + notes);
            } else {
                unchanged++;
                line(out, "unchanged", name, files(test.files().size()) + " already in " + where + notes);
            }
        }
        out.printf("%d test(s) %s, %d unchanged, %d refused; bucket s3://%s/tests/%n", changed,
                dryRun ? "to upload" : "uploaded", unchanged, refused, target);
        out.flush();
        return refused > 0 ? EXIT_REFUSED : 0;
    }

    /** DIR itself when it is a test, else its subdirectories (hidden ones left out; only --test ones when given). */
    private List<Path> testDirectories() {
        if (TestDirectory.isTest(testDir)) {
            Path test = testDir.toAbsolutePath().normalize();
            return only == null || only.contains(test.getFileName().toString()) ? List.of(test) : List.of();
        }
        List<Path> directories = new ArrayList<>();
        try (Stream<Path> children = Files.list(testDir)) {
            children.filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
                    .filter(p -> !p.getFileName().toString().startsWith("."))
                    .filter(p -> only == null || only.contains(p.getFileName().toString()))
                    .sorted()
                    .forEach(directories::add);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + testDir, e);
        }
        return directories;
    }

    /** The --test names with no directory to upload. */
    private List<String> missing(List<Path> directories) {
        if (only == null) {
            return List.of();
        }
        Set<String> found = new LinkedHashSet<>();
        directories.forEach(d -> found.add(d.getFileName().toString()));
        return new LinkedHashSet<>(only).stream().filter(name -> !found.contains(name)).toList();
    }

    private static String files(int count) {
        return count + (count == 1 ? " file" : " files");
    }

    private static void line(PrintWriter out, String status, String test, String detail) {
        out.printf("%-12s %s: %s%n", status, Printable.escape(test), Printable.escape(detail));
        out.flush();
    }
}
