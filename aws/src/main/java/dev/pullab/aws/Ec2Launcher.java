package dev.pullab.aws;

import dev.pullab.core.launch.LaunchSettings;
import dev.pullab.core.launch.Launcher;
import dev.pullab.core.launch.UserData;
import dev.pullab.core.launch.VmLaunch;
import dev.pullab.core.launch.VmTags;
import dev.pullab.core.run.VmOptions;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Supplier;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.HttpTokensState;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceMetadataEndpointState;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;
import software.amazon.awssdk.services.ec2.model.ShutdownBehavior;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;
import software.amazon.awssdk.services.ec2.model.VolumeType;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * Launches test VMs: one {@code RunInstances} per VM with a client token from run and index, IMDSv2 required, the
 * instance profile, tags, terminate on shutdown (the client powers the VM off when the run is over), and user-data
 * that installs the client as a systemd unit. AMIs given as {@code resolve:ssm:<parameter>} are looked up in SSM.
 *
 * <p>Every VM's root volume, the AMI's root device (from DescribeImages), is gp3 and deleted with the instance, so a
 * terminated VM leaves no volume behind. A group's {@link VmOptions}: a root volume size sets its size (else the
 * AMI's own); nested virtualization sets {@code CpuOptions.NestedVirtualization}; an
 * instance profile ({@code role_name}) replaces the lab's.
 */
public final class Ec2Launcher implements Launcher {

    /** The errors RunInstances gives for an instance profile that does not exist or whose role may not be passed. */
    private static final Set<String> PROFILE_ERRORS = Set.of("InvalidParameterValue", "UnauthorizedOperation",
            "InvalidInstanceProfile.NotFound", "InvalidIamInstanceProfile.NotFound", "NoSuchEntity");

    private final Supplier<Ec2Client> ec2;
    private final Supplier<SsmClient> ssm;
    private final LaunchSettings settings;

    public Ec2Launcher(Ec2Client ec2, SsmClient ssm, LaunchSettings settings) {
        this(() -> ec2, () -> ssm, settings);
    }

    /**
     * With the clients built on first use: a run of QEMU jobs never needs them, and building the EC2 client is one of
     * the dearest steps of a cold start.
     */
    public Ec2Launcher(Supplier<Ec2Client> ec2, Supplier<SsmClient> ssm, LaunchSettings settings) {
        this.ec2 = Lazy.of(ec2);
        this.ssm = Lazy.of(ssm);
        this.settings = settings;
    }

    /**
     * The instance an earlier attempt launched for this launch, in any state: a VM that already ran its test and
     * terminated (a short test can finish within the launch lease) is that launch, not a reason to launch again.
     * EC2 lists terminated instances for about an hour, longer than a retry takes to come.
     */
    @Override
    public Optional<String> find(VmLaunch launch) {
        return ec2.get().describeInstances(b -> b.filters(
                        Filter.builder().name("tag:" + VmTags.LAUNCH).values(launch.launchId()).build()))
                .reservations().stream().flatMap(r -> r.instances().stream()).map(Instance::instanceId).findFirst();
    }

    @Override
    public String launch(VmLaunch launch) {
        String image = image(launch.group().image());
        RunInstancesRequest request = request(launch, image, rootDevice(image));
        try {
            return ec2.get().runInstances(request).instances().get(0).instanceId();
        } catch (Ec2Exception e) {
            Optional<String> role = launch.group().options().instanceProfile();
            if (role.isPresent() && PROFILE_ERRORS.contains(e.awsErrorDetails().errorCode())) {
                throw new IllegalStateException("launching with instance profile '" + role.get() + "' (the config's"
                        + " test_config.role_name) failed: " + e.awsErrorDetails().errorMessage() + ". The instance"
                        + " profile must exist, give S3 access to the results and storage buckets, and the orchestrator"
                        + " must be allowed to pass its role (deploy the stack with -c vmRoleNames=" + role.get() + ", or with"
                        + " the config as -c config=…); or drop role_name to use the lab's instance profile", e);
            }
            throw e;
        }
    }

    /**
     * The RunInstances request of a launch.
     *
     * @param imageId    the resolved AMI id
     * @param rootDevice the AMI's root device: its volume is gp3 and deleted with the instance, of the group's root
     *                   volume size or else of the AMI's
     */
    RunInstancesRequest request(VmLaunch launch, String imageId, RootDevice rootDevice) {
        VmOptions options = launch.group().options();
        String userData = UserData.script(settings.resultsBucket(), launch.plan().runPrefix(),
                launch.group().test().name(), settings.region(), launch.group().maxRuntimeS(),
                settings.stageTimeoutS());
        RunInstancesRequest.Builder request = RunInstancesRequest.builder()
                .imageId(imageId)
                .instanceType(launch.group().instanceType())
                .minCount(1)
                .maxCount(1)
                .clientToken(launch.clientToken())
                .userData(Base64.getEncoder().encodeToString(userData.getBytes(StandardCharsets.UTF_8)))
                .metadataOptions(m -> m.httpTokens(HttpTokensState.REQUIRED)
                        .httpEndpoint(InstanceMetadataEndpointState.ENABLED).httpPutResponseHopLimit(1))
                .instanceInitiatedShutdownBehavior(ShutdownBehavior.TERMINATE)
                .tagSpecifications(TagSpecification.builder().resourceType(ResourceType.INSTANCE)
                        .tags(tags(launch)).build());
        options.instanceProfile().or(settings::instanceProfile)
                .ifPresent(profile -> request.iamInstanceProfile(p -> p.name(profile)));
        OptionalInt size = options.rootVolumeGiB().isPresent() ? options.rootVolumeGiB() : rootDevice.imageSizeGiB();
        request.blockDeviceMappings(BlockDeviceMapping.builder().deviceName(rootDevice.name()).ebs(e -> {
            e.volumeType(VolumeType.GP3).deleteOnTermination(true);
            size.ifPresent(e::volumeSize);
        }).build());
        if (options.nestedVirtualization()) {
            request.cpuOptions(c -> c.nestedVirtualization("enabled"));
        }
        if (!settings.subnetIds().isEmpty()) {
            request.subnetId(settings.subnetIds().get(launch.index() % settings.subnetIds().size()));
        }
        if (!settings.securityGroupIds().isEmpty()) {
            request.securityGroupIds(settings.securityGroupIds());
        }
        return request.build();
    }

    /**
     * The root device of the AMI (e.g. {@code /dev/xvda} on Amazon Linux, {@code /dev/sda1} on Ubuntu): mapping
     * another device name would add a second volume instead of setting the root volume's type and deletion.
     */
    private RootDevice rootDevice(String imageId) {
        List<Image> images = ec2.get().describeImages(b -> b.imageIds(imageId)).images();
        if (images.isEmpty() || images.get(0).rootDeviceName() == null) {
            throw new IllegalStateException("AMI " + imageId + " not found or without a root device: cannot map its"
                    + " root volume (gp3, deleted on termination); check the image of the platform or config");
        }
        Image image = images.get(0);
        OptionalInt size = image.blockDeviceMappings().stream()
                .filter(m -> image.rootDeviceName().equals(m.deviceName()) && m.ebs() != null
                        && m.ebs().volumeSize() != null)
                .mapToInt(m -> m.ebs().volumeSize()).findFirst();
        return new RootDevice(image.rootDeviceName(), size);
    }

    /**
     * An AMI's root device.
     *
     * @param name         e.g. {@code /dev/xvda}
     * @param imageSizeGiB the size of the AMI's root volume: sent when the group sets none (EC2 accepts a root mapping
     *                     without a size, meaning the AMI's; stating it is the same request and needs no default)
     */
    record RootDevice(String name, OptionalInt imageSizeGiB) {
    }

    /** An AMI id, or pullab_cloud's {@code resolve:ssm:<public parameter>} looked up in SSM. */
    String image(String image) {
        if (!image.startsWith("resolve:ssm:")) {
            return image;
        }
        String parameter = image.substring("resolve:ssm:".length());
        return ssm.get().getParameter(b -> b.name(parameter)).parameter().value();
    }

    private static List<Tag> tags(VmLaunch launch) {
        List<Tag> tags = new ArrayList<>();
        tags.add(tag("Name", "pullab " + launch.group().test().name() + " " + launch.plan().runPrefix()));
        tags.add(tag(VmTags.LAB, "true"));
        tags.add(tag(VmTags.RUN, launch.plan().runPrefix()));
        tags.add(tag(VmTags.TEST, launch.group().test().name()));
        tags.add(tag(VmTags.LAUNCH, launch.launchId()));
        launch.plan().jobNodeId().ifPresent(node -> tags.add(tag(VmTags.JOB_NODE, node)));
        return tags;
    }

    private static Tag tag(String key, String value) {
        return Tag.builder().key(key).value(value).build();
    }
}
