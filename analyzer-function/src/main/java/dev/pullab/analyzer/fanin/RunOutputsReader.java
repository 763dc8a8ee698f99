package dev.pullab.analyzer.fanin;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/** Reads the outputs every VM of a run uploaded (one listing of the run, then the small files). */
public final class RunOutputsReader {

    private static final Pattern OUTPUT = Pattern.compile("^test_([^/]+)/output/([^/]+)/([^/]+)$");
    private static final Pattern LOG = Pattern.compile("^run-(\\d+)-output\\.log$");

    private final S3Client s3;

    public RunOutputsReader(S3Client s3) {
        this.s3 = s3;
    }

    public List<VmFiles> read(String bucket, String runPrefix) {
        Map<String, Map<String, byte[]>> contents = new TreeMap<>();
        Map<String, List<String>> logs = new LinkedHashMap<>();
        String root = runPrefix + "/";
        for (S3Object object : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(root)).contents()) {
            Matcher m = OUTPUT.matcher(object.key().substring(root.length()));
            if (!m.matches()) {
                continue;
            }
            String vm = m.group(1) + "/" + m.group(2);
            String name = m.group(3);
            contents.computeIfAbsent(vm, k -> new TreeMap<>());
            if (LOG.matcher(name).matches()) {
                logs.computeIfAbsent(vm, k -> new ArrayList<>()).add(object.key());
            } else if (wanted(name)) {
                contents.get(vm).put(name, s3.getObjectAsBytes(b -> b.bucket(bucket).key(object.key())).asByteArray());
            }
        }
        List<VmFiles> vms = new ArrayList<>();
        contents.forEach((vm, files) -> {
            List<String> logKeys = new ArrayList<>(logs.getOrDefault(vm, List.of()));
            logKeys.sort(Comparator.comparingInt(RunOutputsReader::stage));
            vms.add(new VmFiles(vm.substring(0, vm.indexOf('/')), vm.substring(vm.indexOf('/') + 1), files, logKeys));
        });
        return vms;
    }

    private static boolean wanted(String name) {
        return name.equals("result.txt") || name.equals("stats.json") || name.equals("results.json")
                || name.startsWith("benchmark-") && name.endsWith(".csv");
    }

    private static int stage(String key) {
        Matcher m = LOG.matcher(key.substring(key.lastIndexOf('/') + 1));
        return m.matches() ? Integer.parseInt(m.group(1)) : 0;
    }
}
