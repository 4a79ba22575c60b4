package io.hubspoke.local.emulator;

import io.hubspoke.contract.Deployment;
import io.hubspoke.engines.ElasticMqEngine;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The event source mapping's settings, validated against Lambda's documented ranges. {@code
 * pollers}, {@code receiveWaitTime}, {@code interceptor}, {@code clock} and {@code logSink} are
 * local knobs with no AWS counterpart.
 */
public record SqsEventSourceConfig(
    String queueUrl,
    String queueArn,
    int batchSize,
    Duration maximumBatchingWindow,
    int maximumConcurrency,
    Duration functionTimeout,
    boolean reportBatchItemFailures,
    String region,
    String functionName,
    int pollers,
    Duration receiveWaitTime,
    SqsEventSourcePoller.InvocationInterceptor interceptor,
    Clock clock,
    Consumer<String> logSink) {

  public SqsEventSourceConfig {
    Objects.requireNonNull(queueUrl, "queueUrl");
    Objects.requireNonNull(queueArn, "queueArn");
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(functionName, "functionName");
    Objects.requireNonNull(interceptor, "interceptor");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(logSink, "logSink");
    if (batchSize < 1 || batchSize > Deployment.MAX_EVENT_SOURCE_BATCH_SIZE) {
      throw new IllegalArgumentException("batchSize must be 1-10,000: " + batchSize);
    }
    if (maximumBatchingWindow.isNegative()
        || maximumBatchingWindow.compareTo(
                Duration.ofSeconds(Deployment.MAX_BATCHING_WINDOW_SECONDS))
            > 0) {
      throw new IllegalArgumentException(
          "maximumBatchingWindow must be 0-300 s: " + maximumBatchingWindow);
    }
    if (Deployment.needsBatchingWindow(batchSize) && maximumBatchingWindow.isZero()) {
      throw new IllegalArgumentException(
          "a batchSize above 10 requires a maximumBatchingWindow of at least 1 s, as on AWS");
    }
    if (!Deployment.isValidMaximumConcurrency(maximumConcurrency)) {
      throw new IllegalArgumentException(
          "maximumConcurrency must be 2-1,000: " + maximumConcurrency);
    }
    if (functionTimeout.compareTo(Duration.ofSeconds(1)) < 0
        || functionTimeout.compareTo(Duration.ofSeconds(900)) > 0) {
      throw new IllegalArgumentException("functionTimeout must be 1-900 s: " + functionTimeout);
    }
    if (pollers < 1) {
      throw new IllegalArgumentException("pollers must be at least 1: " + pollers);
    }
    if (receiveWaitTime.toSeconds() < 1 || receiveWaitTime.toSeconds() > 20) {
      throw new IllegalArgumentException("receiveWaitTime must be 1-20 s: " + receiveWaitTime);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  public static final class Builder {
    private String queueUrl;
    private String queueArn;
    private int batchSize = Deployment.DEFAULT_SPOKE_BATCH_SIZE; // Lambda's default for SQS
    private Duration maximumBatchingWindow = Duration.ZERO;
    private int maximumConcurrency = Deployment.MAX_MAXIMUM_CONCURRENCY;
    private Duration functionTimeout = Duration.ofSeconds(3);
    private boolean reportBatchItemFailures;
    private String region = "us-east-1";
    private String functionName;
    private Integer pollers;
    private Duration receiveWaitTime = Duration.ofSeconds(1);
    private SqsEventSourcePoller.InvocationInterceptor interceptor =
        SqsEventSourcePoller.InvocationInterceptor.NONE;
    private Clock clock = Clock.systemUTC();
    private Consumer<String> logSink = System.out::println;

    private Builder() {}

    public Builder queue(String queueUrl, String queueArn) {
      this.queueUrl = queueUrl;
      this.queueArn = queueArn;
      return this;
    }

    /** The work queue (not its DLQ) created by {@link ElasticMqEngine#createWorkQueues}. */
    public Builder queue(ElasticMqEngine.WorkQueues queues) {
      return queue(queues.queueUrl(), queues.queueArn());
    }

    public Builder batchSize(int batchSize) {
      this.batchSize = batchSize;
      return this;
    }

    public Builder maximumBatchingWindow(Duration window) {
      this.maximumBatchingWindow = Objects.requireNonNull(window);
      return this;
    }

    public Builder maximumConcurrency(int maximumConcurrency) {
      this.maximumConcurrency = maximumConcurrency;
      return this;
    }

    public Builder functionTimeout(Duration functionTimeout) {
      this.functionTimeout = Objects.requireNonNull(functionTimeout);
      return this;
    }

    public Builder reportBatchItemFailures(boolean on) {
      this.reportBatchItemFailures = on;
      return this;
    }

    public Builder region(String region) {
      this.region = region;
      return this;
    }

    /** Defaults to the queue's name. */
    public Builder functionName(String functionName) {
      this.functionName = functionName;
      return this;
    }

    /** Polling threads; defaults to min(5, maximumConcurrency), as Lambda starts 5 pollers. */
    public Builder pollers(int pollers) {
      this.pollers = pollers;
      return this;
    }

    /** Long-poll wait per ReceiveMessage (1-20 s, default 1 s so that close is prompt). */
    public Builder receiveWaitTime(Duration receiveWaitTime) {
      this.receiveWaitTime = Objects.requireNonNull(receiveWaitTime);
      return this;
    }

    public Builder interceptor(SqsEventSourcePoller.InvocationInterceptor interceptor) {
      this.interceptor = interceptor;
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    public Builder logSink(Consumer<String> logSink) {
      this.logSink = logSink;
      return this;
    }

    public SqsEventSourceConfig build() {
      Objects.requireNonNull(queueUrl, "queue");
      String name =
          functionName != null ? functionName : queueUrl.substring(queueUrl.lastIndexOf('/') + 1);
      return new SqsEventSourceConfig(
          queueUrl,
          queueArn,
          batchSize,
          maximumBatchingWindow,
          maximumConcurrency,
          functionTimeout,
          reportBatchItemFailures,
          region,
          name,
          pollers != null ? pollers : Math.min(5, maximumConcurrency),
          receiveWaitTime,
          interceptor,
          clock,
          logSink);
    }
  }
}
