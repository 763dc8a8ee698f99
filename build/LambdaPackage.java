import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Turns a function's shaded jar into its Lambda deployment package, run by each function module at {@code package}
 * (exec-maven-plugin, {@code java build/LambdaPackage.java <shaded jar> <package zip>}; the JDK only).
 *
 * <p>The package is a zip holding the jar as {@code lib/<name>.jar}: Lambda's Java runtime puts
 * {@code /var/task/lib/*.jar} on the classpath. The jar is first rewritten in place with every entry stored (no
 * compression), its entries sorted by name, and the zip then deflates it as one stream. In a normal jar each of the
 * tens of thousands of small SDK classes is deflated on its own, and similar classes (a request, its builder and its
 * marshaller) share nothing; in one stream they do. The orchestrator's package is about 40 % smaller this way than
 * its jar, with nothing left out. The unzipped size (Lambda allows 250 MB) is the stored jar's, printed here.
 *
 * <p>Entry times are fixed, so the package changes only when its content does. The shaded jar itself is replaced by
 * the stored jar, so what the cold-start bench and the tests run is byte for byte what Lambda runs.
 */
public final class LambdaPackage {

    /** 1980-02-01: every entry's time, so that two builds of the same classes give the same bytes. */
    private static final long FIXED_TIME = 315_532_800_000L + 31L * 24 * 3600 * 1000;

    /** Lambda's limit on a function's unzipped code and layers. */
    private static final long UNZIPPED_LIMIT = 250L * 1024 * 1024;

    private LambdaPackage() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2 || !args[0].endsWith(".jar") || !args[1].endsWith(".zip")) {
            System.err.println("usage: java build/LambdaPackage.java <shaded jar> <package zip>");
            System.exit(2);
        }
        Path jar = Path.of(args[0]);
        Path zip = Path.of(args[1]);
        if (!Files.isRegularFile(jar)) {
            System.err.println("LambdaPackage: " + jar + " is missing: the shade plugin must run before this step");
            System.exit(1);
        }
        Path stored = jar.resolveSibling(jar.getFileName() + ".stored");
        int entries = storedCopy(jar, stored);
        Files.move(stored, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        long unzipped = Files.size(jar);
        if (unzipped > UNZIPPED_LIMIT) {
            System.err.printf("LambdaPackage: %s is %d bytes unzipped, over Lambda's %d: leave out what the function"
                    + " does not call%n", jar, unzipped, UNZIPPED_LIMIT);
            System.exit(1);
        }
        Path tmp = zip.resolveSibling(zip.getFileName() + ".tmp");
        try (OutputStream file = Files.newOutputStream(tmp); ZipOutputStream out = new ZipOutputStream(file);
             InputStream in = Files.newInputStream(jar)) {
            out.setLevel(Deflater.BEST_COMPRESSION);
            ZipEntry lib = new ZipEntry("lib/");
            lib.setTime(FIXED_TIME);
            out.putNextEntry(lib);
            out.closeEntry();
            ZipEntry entry = new ZipEntry("lib/" + jar.getFileName());
            entry.setTime(FIXED_TIME);
            out.putNextEntry(entry);
            in.transferTo(out);
            out.closeEntry();
        }
        Files.move(tmp, zip, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        System.out.printf("LambdaPackage: %s: %d entries, %.1f MB unzipped, %.1f MB zipped%n", zip.getFileName(),
                entries, unzipped / 1e6, Files.size(zip) / 1e6);
    }

    /** Copies {@code jar} to {@code target} with every entry stored: the manifest first, then sorted by name. */
    private static int storedCopy(Path jar, Path target) throws IOException {
        try (ZipFile in = new ZipFile(jar.toFile());
             OutputStream file = Files.newOutputStream(target);
             ZipOutputStream out = new ZipOutputStream(file)) {
            List<? extends ZipEntry> entries = new ArrayList<>(in.stream().toList());
            entries.sort(Comparator.comparing((ZipEntry e) -> !e.getName().equals("META-INF/"))
                    .thenComparing(e -> !e.getName().equals("META-INF/MANIFEST.MF"))
                    .thenComparing(ZipEntry::getName));
            for (ZipEntry e : entries) {
                byte[] bytes;
                try (InputStream data = in.getInputStream(e)) {
                    bytes = data.readAllBytes();
                }
                CRC32 crc = new CRC32();
                crc.update(bytes);
                ZipEntry copy = new ZipEntry(e.getName());
                copy.setMethod(ZipEntry.STORED);
                copy.setSize(bytes.length);
                copy.setCompressedSize(bytes.length);
                copy.setCrc(crc.getValue());
                copy.setTime(FIXED_TIME);
                out.putNextEntry(copy);
                out.write(bytes);
                out.closeEntry();
            }
            return entries.size();
        }
    }
}
