package dev.pullab.analyzer;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import dev.pullab.aws.S3ObjectStore;
import dev.pullab.aws.S3RunSource;
import dev.pullab.core.analysis.AnalysisReport;
import dev.pullab.aws.AwsClients;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Lambda entry point: analyses one finished run and writes {@code analysis/report.json}, {@code report.txt} and
 * the plots beside it.
 *
 * <p>Input: {@code {"bucket": "...", "run_prefix": "...", "correction": "holm|bh|none", "alpha": 0.05,
 * "min_effect": 0.5}} (the last three optional). Output: {@code {"report": "s3://.../analysis/report.json",
 * "tests": n, "tests_with_regression": k, "regression_test_names": [...]}}. Bad input (a missing field, a
 * malformed CSV, no such run) is thrown as {@link IllegalArgumentException} or
 * {@link dev.pullab.core.benchmark.InvalidInputException} with a message naming it; Lambda reports it as the error.
 */
public final class AnalyzeRunHandler implements RequestHandler<Map<String, Object>, Map<String, Object>> {

    static {
        // LOG_LEVEL (ERROR, WARN, INFO, DEBUG), before the first logger is made
        dev.pullab.core.config.LogLevel.configureFunction();
    }

    private static final Logger LOG = LoggerFactory.getLogger(AnalyzeRunHandler.class);

    private final RunReportPublisher publisher;

    /** Used by Lambda: the S3 client of the execution environment, built once during init. */
    public AnalyzeRunHandler() {
        this(DefaultClient.S3);
    }

    AnalyzeRunHandler(S3Client s3) {
        Objects.requireNonNull(s3, "s3");
        this.publisher = new RunReportPublisher(new S3ObjectStore(s3), run -> new S3RunSource(s3, run));
    }

    @Override
    public Map<String, Object> handleRequest(Map<String, Object> input, Context context) {
        long start = System.nanoTime();
        AnalyzeRunRequest request = AnalyzeRunRequest.from(input);
        RunReportPublisher.Outcome outcome = publisher.publish(request.run(), request.options());
        AnalysisReport report = outcome.report();
        LOG.info("analysed {}: {} tests, {} with regression {}, {} plots, report {} ({} ms){}", request.run(),
                report.tests().size(), report.testsWithRegression(), report.regressionTestNames(), outcome.plots(),
                outcome.reportUri(), (System.nanoTime() - start) / 1_000_000,
                context == null ? "" : " request " + context.getAwsRequestId());
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("report", outcome.reportUri());
        result.put("tests", report.tests().size());
        result.put("tests_with_regression", report.testsWithRegression());
        result.put("regression_test_names", report.regressionTestNames());
        result.put("excluded_data", report.excludedData().size()); // each listed in report.json
        return result;
    }

    /** Built on first use, so tests that pass their own client never need an AWS region. */
    private static final class DefaultClient {
        static final S3Client S3 = AwsClients.s3(Optional.empty());
    }
}
