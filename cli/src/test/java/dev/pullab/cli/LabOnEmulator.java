package dev.pullab.cli;

import dev.pullab.aws.DynamoDbLaunchIntents;
import dev.pullab.aws.DynamoDbRunStore;
import dev.pullab.aws.LabResources;
import dev.pullab.core.launch.VmTags;
import dev.pullab.core.run.Executor;
import dev.pullab.core.run.LaunchedVm;
import dev.pullab.core.run.RunRecord;
import dev.pullab.testkit.AwsEmulator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;

/** A whole lab on the emulator (tables, queues, buckets) with its lab file, for the operator commands' ITs. */
record LabOnEmulator(AwsEmulator aws, LabResources.Created created, Path labFile, DynamoDbRunStore runs,
        DynamoDbLaunchIntents intents, Ec2Client ec2, S3Client s3) {

    static LabOnEmulator create(Path dir) throws Exception {
        AwsEmulator aws = AwsEmulator.get();
        DynamoDbClient dynamo = aws.client(DynamoDbClient.builder());
        S3Client s3 = aws.s3();
        String prefix = "lab" + UUID.randomUUID().toString().substring(0, 8);
        LabResources.Created created = LabResources.create(prefix, dynamo, aws.client(SqsClient.builder()), s3);
        Path labFile = dir.resolve("lab.env");
        Files.writeString(labFile, String.join("\n",
                "# a lab on the emulator",
                "PULLAB_RUNS_TABLE=" + created.tables().get("runs"),
                "PULLAB_LAUNCHES_TABLE=" + created.tables().get("launches"),
                "PULLAB_RESULTS_BUCKET=" + created.buckets().get("results"),
                "AWS_REGION=" + aws.region().id(),
                "AWS_ENDPOINT_URL=" + aws.endpoint()) + "\n", StandardCharsets.UTF_8);
        return new LabOnEmulator(aws, created, labFile, new DynamoDbRunStore(dynamo, created.tables().get("runs")),
                new DynamoDbLaunchIntents(dynamo, created.tables().get("launches")), aws.client(Ec2Client.builder()),
                s3);
    }

    /** The emulator's credentials (the lab file names its endpoint and region). */
    List<String> env() {
        List<String> env = new ArrayList<>();
        aws.environment().forEach((k, v) -> {
            if (k.startsWith("AWS_ACCESS") || k.startsWith("AWS_SECRET")) {
                env.add(k + "=" + v);
            }
        });
        return env;
    }

    String bucket() {
        return created.buckets().get("results");
    }

    /** A run in {@code state}, created {@code ageS} ago, deadline {@code deadlineInS} from now, with its VMs. */
    RunRecord run(String runPrefix, Optional<String> jobNode, RunRecord.RunState state, long ageS, long deadlineInS,
            int expected, List<LaunchedVm> vms) {
        long now = Instant.now().getEpochSecond();
        RunRecord record = new RunRecord(runPrefix, runPrefix.substring(4), jobNode, Executor.EC2,
                vms.stream().map(vm -> vm.test().orElseThrow()).distinct().toList(), List.of(), expected, vms,
                RunRecord.RunState.LAUNCHING, now - ageS, now + deadlineInS);
        runs.createIfAbsent(record);
        RunRecord.RunState at = RunRecord.RunState.LAUNCHING;
        for (RunRecord.RunState next : RunRecord.RunState.values()) {
            if (next.ordinal() > state.ordinal()) {
                break;
            }
            if (next != at) {
                runs.transition(runPrefix, at, next);
                at = next;
            }
        }
        return runs.find(runPrefix).orElseThrow();
    }

    /** An EC2 instance with pullab's tags for {@code run} (none when {@code run} is null: an untagged VM). */
    String vm(String run, String test) {
        return ec2.runInstances(b -> {
            b.imageId("ami-12c6146b").minCount(1).maxCount(1);
            if (run != null) {
                b.tagSpecifications(TagSpecification.builder().resourceType(ResourceType.INSTANCE).tags(
                        Tag.builder().key(VmTags.LAB).value("true").build(),
                        Tag.builder().key(VmTags.RUN).value(run).build(),
                        Tag.builder().key(VmTags.TEST).value(test).build()).build());
            }
        }).instances().get(0).instanceId();
    }

    void put(String key, String content) {
        s3.putObject(b -> b.bucket(bucket()).key(key), RequestBody.fromString(content, StandardCharsets.UTF_8));
    }

    String state(String instanceId) {
        return ec2.describeInstances(b -> b.instanceIds(instanceId)).reservations().get(0).instances().get(0).state()
                .nameAsString();
    }
}
