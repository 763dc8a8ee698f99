package dev.pullab.cli;

import dev.pullab.aws.S3ObjectStore;
import dev.pullab.cli.lab.LabOptions;
import dev.pullab.core.config.LabNames;
import dev.pullab.core.store.ObjectStore;
import dev.pullab.core.store.KernelRpmLayout;
import dev.pullab.core.store.StorageUploader;
import dev.pullab.core.text.Printable;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;

/** {@code pullab upload-rpms}: puts kernel RPMs into the storage bucket's kernel-rpms/ layout, where tests find them. */
@Command(
        name = "upload-rpms",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        description = {
            "Uploads kernel RPMs to the lab's storage bucket, classified by their name as pullab_cloud's "
                    + "setup upload-rpms does:",
            "  NAME.x86_64.rpm   -> kernel-rpms/binary/x86_64/NAME.x86_64.rpm",
            "  NAME.aarch64.rpm  -> kernel-rpms/binary/aarch64/NAME.aarch64.rpm",
            "  NAME.src.rpm      -> kernel-rpms/src/NAME.src.rpm",
            "A run copies them to each VM's ../shared/kernel-rpms/ when its test asks for them "
                    + "(external_requirements.json).",
            "",
            "A DIR gives its *.rpm files (not its subdirectories); a FILE is taken as given. Anything that is not "
                    + "an RPM (another suffix, or a file that does not start with the RPM lead ed ab ee db) is "
                    + "refused, naming the file, and the others are still uploaded. A file already in the bucket "
                    + "with the same size and SHA-256 is not uploaded again. Each upload is read back (size and "
                    + "recorded SHA-256) before the next.",
            ""
        },
        footer = {
            "",
            "Output: one line per file on stdout (uploaded, unchanged, would upload,",
            "refused or failed, with why), then 'uploaded N, unchanged M, refused K,",
            "failed F'. Files over 8 MiB show their progress on stderr (bytes and",
            "percent, every 2 seconds).",
            "",
            "Exit status: 0 every RPM uploaded or unchanged,",
            "             1 a file was refused or an upload failed (the others",
            "               are still uploaded), or the lab or bucket could not",
            "               be read,",
            "             2 bad usage.",
            "",
            "Examples:",
            "  # the RPMs of a kernel build, into the deployed lab's storage bucket",
            "  pullab upload-rpms --stack pullab-lab ~/rpmbuild/RPMS/x86_64 ~/rpmbuild/SRPMS",
            "",
            "  # what would be uploaded to a bucket named by hand",
            "  pullab upload-rpms --bucket kernel-ci-$USER-storage --dry-run kernel-rpms/",
        })
final class UploadRpmsCommand implements Callable<Integer> {

    static final int EXIT_REFUSED = 1;
    static final int EXIT_USAGE = 2;
    /** The bytes every RPM starts with (its lead's magic). */
    static final byte[] RPM_MAGIC = {(byte) 0xed, (byte) 0xab, (byte) 0xee, (byte) 0xdb};
    /** More files than a kernel build ever gives: a wrong directory. */
    static final int MAX_FILES = 1000;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+~^-]{0,250}");

    @Spec
    private CommandSpec spec;

    @Mixin
    private LabOptions lab;

    @Parameters(paramLabel = "DIR|FILE", arity = "1..*",
            description = "Directories of RPMs (their *.rpm files) or RPM files.")
    private List<Path> sources;

    @Option(names = "--bucket", paramLabel = "BUCKET",
            description = "The storage bucket (default: the lab's, from --stack, --lab or PULLAB_STORAGE_BUCKET).")
    private String bucket;

    @Option(names = "--dry-run", description = "Check and compare only: tell what would be uploaded, write nothing.")
    private boolean dryRun;

    private final UnaryOperator<String> env;
    private final Function<LabOptions.Lab, ObjectStore> stores;
    private final LongSupplier nanoTime;

    UploadRpmsCommand() {
        this(System::getenv, lab -> new S3ObjectStore(lab.client(S3Client.builder(), "AWS_ENDPOINT_URL_S3",
                "aws.endpointUrlS3")), System::nanoTime);
    }

    /** For tests: the environment, the object store of a lab, and the clock of the progress lines. */
    UploadRpmsCommand(UnaryOperator<String> env, Function<LabOptions.Lab, ObjectStore> stores,
            LongSupplier nanoTime) {
        this.env = env;
        this.stores = stores;
        this.nanoTime = nanoTime;
    }

    /** A file to upload and where. */
    record Rpm(Path file, String folder, String name) {
        String key() {
            return folder + name;
        }
    }

    /** A file that is not uploaded, and why. */
    record Refusal(Path file, String reason) {
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (bucket != null && (bucket.isBlank() || bucket.startsWith("s3://") || bucket.contains("/"))) {
            err.println("error: --bucket takes a bucket name, e.g. --bucket kernel-ci-storage, not '"
                    + Printable.escape(bucket) + "'");
            return EXIT_USAGE;
        }
        LabOptions.Lab resolved = lab.resolve(env, LabOptions.stackOutputs());
        String target = bucket != null ? bucket.strip() : resolved.names().require(LabNames.STORAGE_BUCKET);
        List<Rpm> rpms = new ArrayList<>();
        List<Refusal> refused = new ArrayList<>();
        collect(rpms, refused, err);
        refused.forEach(r -> line(out, "refused", r.file().toString(), r.reason()));

        ObjectStore store = stores.apply(resolved);
        store.list(target, "kernel-rpms/"); // the bucket answers (else one error line, before any upload)
        StorageUploader uploader = new StorageUploader(store);
        TransferProgress progress = new TransferProgress(err, System.console() != null, nanoTime);
        int uploaded = 0;
        int unchanged = 0;
        int failed = 0;
        for (Rpm rpm : rpms) {
            String where = "s3://" + target + "/" + rpm.key();
            try {
                StorageUploader.Summary summary = uploader.upload(target, rpm.folder(),
                        new TreeMap<>(Map.of(rpm.name(), rpm.file())), false, dryRun, StorageUploader.Progress.SILENT,
                        progress);
                String size = TransferProgress.size(summary.bytes());
                if (summary.uploaded() == 0) {
                    unchanged++;
                    line(out, "unchanged", rpm.file().toString(), "already in " + where);
                } else if (dryRun) {
                    uploaded++;
                    line(out, "would upload", rpm.file().toString(), "to " + where + " (" + size + ")");
                } else {
                    uploaded++;
                    line(out, "uploaded", rpm.file().toString(), "to " + where + " (" + size + ", verified)");
                }
            } catch (StorageUploader.NotVerifiedException | SdkException | UncheckedIOException e) {
                failed++;
                line(out, "failed", rpm.file().toString(), CliErrors.describe(e));
            }
        }
        out.printf("%s %d, unchanged %d, refused %d, failed %d; bucket s3://%s/kernel-rpms/%n",
                dryRun ? "would upload" : "uploaded", uploaded, unchanged, refused.size(), failed, target);
        out.flush();
        return refused.isEmpty() && failed == 0 ? 0 : EXIT_REFUSED;
    }

    /** The RPMs of the sources, each file once, and what is refused. */
    private void collect(List<Rpm> rpms, List<Refusal> refused, PrintWriter err) {
        Map<String, Path> byKey = new HashMap<>();
        for (Path source : sources) {
            if (Files.isDirectory(source)) {
                List<Path> files = list(source);
                long others = files.stream().filter(f -> !f.getFileName().toString().endsWith(".rpm")).count();
                if (others > 0) {
                    err.println("note: " + source + ": " + others + " file(s) not named *.rpm left out");
                }
                files.stream().filter(f -> f.getFileName().toString().endsWith(".rpm"))
                        .forEach(f -> classify(f, rpms, refused, byKey));
            } else if (Files.exists(source)) {
                classify(source, rpms, refused, byKey);
            } else {
                refused.add(new Refusal(source, "no such file or directory"));
            }
            if (rpms.size() + refused.size() > MAX_FILES) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "more than " + MAX_FILES
                        + " files given: name the directories of one kernel build");
            }
        }
    }

    private static List<Path> list(Path directory) {
        try (Stream<Path> children = Files.list(directory)) {
            return children.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted().limit(MAX_FILES + 1L).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + directory, e);
        }
    }

    private static void classify(Path file, List<Rpm> rpms, List<Refusal> refused, Map<String, Path> byKey) {
        String name = file.getFileName().toString();
        Optional<String> folder = KernelRpmLayout.folderOf(name);
        if (!Files.isRegularFile(file)) {
            refused.add(new Refusal(file, "not a regular file"));
        } else if (folder.isEmpty()) {
            refused.add(new Refusal(file, "not a kernel RPM name: expected NAME.x86_64.rpm, NAME.aarch64.rpm or "
                    + "NAME.src.rpm"));
        } else if (!NAME.matcher(name).matches()) {
            refused.add(new Refusal(file, "the name may hold letters, digits and . _ + ~ ^ - only (at most 251)"));
        } else if (!startsWithRpmLead(file)) {
            refused.add(new Refusal(file, "not an RPM: it does not start with the RPM lead (ed ab ee db)"));
        } else {
            Rpm rpm = new Rpm(file, folder.get(), name);
            Path earlier = byKey.putIfAbsent(rpm.key(), file);
            if (earlier == null) {
                rpms.add(rpm);
            } else if (!sameFile(earlier, file)) {
                refused.add(new Refusal(file, "same name as " + earlier + ", both would be " + rpm.key()));
            }
        }
    }

    static boolean startsWithRpmLead(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return Arrays.equals(in.readNBytes(RPM_MAGIC.length), RPM_MAGIC);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }

    private static void line(PrintWriter out, String status, String file, String detail) {
        out.printf("%-12s %s: %s%n", status, Printable.escape(file), Printable.escape(detail));
        out.flush();
    }
}
