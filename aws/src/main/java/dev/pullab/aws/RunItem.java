package dev.pullab.aws;

import java.util.List;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbAttribute;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbBean;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbPartitionKey;

/** Item of the runs table ({@code run_id} = the run prefix). Persistence shape only; the domain type is RunRecord. */
@DynamoDbBean
public class RunItem {
    private String runId;
    private String testId;
    private String jobNodeId;
    private String executor;
    private List<String> tests;
    private List<String> kernels;
    private Integer expectedVms;
    /** The launched VMs as {@code <test>/<instance id>} (a bare instance id in runs recorded by earlier versions). */
    private List<String> instanceIds;
    private String state;
    private Long createdAt;
    private Long deadline;
    private Long expiresAt;
    private java.util.Set<String> reported;
    private Long leaseUntil;
    private String kcidbSubmissionId;
    private String nodeFinish;
    private String verdict;

    @DynamoDbPartitionKey
    @DynamoDbAttribute("run_id")
    public String getRunId() {
        return runId;
    }

    public void setRunId(String runId) {
        this.runId = runId;
    }

    @DynamoDbAttribute("test_id")
    public String getTestId() {
        return testId;
    }

    public void setTestId(String testId) {
        this.testId = testId;
    }

    @DynamoDbAttribute("job_node_id")
    public String getJobNodeId() {
        return jobNodeId;
    }

    public void setJobNodeId(String jobNodeId) {
        this.jobNodeId = jobNodeId;
    }

    @DynamoDbAttribute("executor")
    public String getExecutor() {
        return executor;
    }

    public void setExecutor(String executor) {
        this.executor = executor;
    }

    @DynamoDbAttribute("tests")
    public List<String> getTests() {
        return tests;
    }

    public void setTests(List<String> tests) {
        this.tests = tests;
    }

    @DynamoDbAttribute("kernels")
    public List<String> getKernels() {
        return kernels;
    }

    public void setKernels(List<String> kernels) {
        this.kernels = kernels;
    }

    @DynamoDbAttribute("expected_vms")
    public Integer getExpectedVms() {
        return expectedVms;
    }

    public void setExpectedVms(Integer expectedVms) {
        this.expectedVms = expectedVms;
    }

    @DynamoDbAttribute("instance_ids")
    public List<String> getInstanceIds() {
        return instanceIds;
    }

    public void setInstanceIds(List<String> instanceIds) {
        this.instanceIds = instanceIds;
    }

    @DynamoDbAttribute("state")
    public String getState() {
        return state;
    }

    public void setState(String state) {
        this.state = state;
    }

    @DynamoDbAttribute("created_at")
    public Long getCreatedAt() {
        return createdAt;
    }

    public void setCreatedAt(Long createdAt) {
        this.createdAt = createdAt;
    }

    @DynamoDbAttribute("deadline")
    public Long getDeadline() {
        return deadline;
    }

    public void setDeadline(Long deadline) {
        this.deadline = deadline;
    }

    /** {@code <test>/<instance>} of the VMs that reported (a string set: adding twice changes nothing). */
    @DynamoDbAttribute("reported")
    public java.util.Set<String> getReported() {
        return reported;
    }

    public void setReported(java.util.Set<String> reported) {
        this.reported = reported;
    }

    @DynamoDbAttribute("lease_until")
    public Long getLeaseUntil() {
        return leaseUntil;
    }

    public void setLeaseUntil(Long leaseUntil) {
        this.leaseUntil = leaseUntil;
    }

    @DynamoDbAttribute("kcidb_submission_id")
    public String getKcidbSubmissionId() {
        return kcidbSubmissionId;
    }

    public void setKcidbSubmissionId(String kcidbSubmissionId) {
        this.kcidbSubmissionId = kcidbSubmissionId;
    }

    @DynamoDbAttribute("node_finish")
    public String getNodeFinish() {
        return nodeFinish;
    }

    public void setNodeFinish(String nodeFinish) {
        this.nodeFinish = nodeFinish;
    }

    @DynamoDbAttribute("verdict")
    public String getVerdict() {
        return verdict;
    }

    public void setVerdict(String verdict) {
        this.verdict = verdict;
    }

    /** TTL attribute (epoch seconds). */
    @DynamoDbAttribute("expires_at")
    public Long getExpiresAt() {
        return expiresAt;
    }

    public void setExpiresAt(Long expiresAt) {
        this.expiresAt = expiresAt;
    }
}
