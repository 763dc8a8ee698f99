package dev.pullab.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

class AwsEmulatorIT {

    @Test
    @DisplayName("the emulator this JVM chose answers S3 and DynamoDB, and says which one it is")
    void chosenEmulatorAnswers() {
        AwsEmulator aws = AwsEmulator.get();

        String bucket = aws.createBucket("testkit-probe");
        String table = aws.createTable("testkit-probe-" + bucket.substring(bucket.length() - 8), "id");

        assertThat(aws.s3().listBuckets().buckets()).anyMatch(b -> b.name().equals(bucket));
        try (DynamoDbClient dynamo = aws.client(DynamoDbClient.builder())) {
            assertThat(dynamo.listTables().tableNames()).contains(table);
        }
        assertThat(aws.toString()).matches("(emulator from AWS_ENDPOINT_URL|LocalStack \\(.*\\)|moto_server.*) at http.*");
    }
}
