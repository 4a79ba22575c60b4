package io.hubspoke.infra.constructs;

import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import io.hubspoke.contract.Deployment;
import io.hubspoke.contract.HubspokeEnvironment;
import java.util.List;
import java.util.Objects;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.lambda.Alias;
import software.amazon.awscdk.services.lambda.eventsources.SqsEventSource;
import software.constructs.Construct;

/**
 * The spokes: one function triggered by the work queue, which claims tasks with conditional writes,
 * does the work, and reports failed messages one by one ({@code ReportBatchItemFailures}).
 */
public class SpokeFunction extends Construct {
  public static final String HANDLER = "io.hubspoke.spoke.SpokeHandler::handleRequest";

  /** DynamoDB actions of the spoke, on the table only (it never reads the runs index). */
  public static final List<String> TABLE_ACTIONS =
      List.of("dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:Query", "dynamodb:BatchGetItem");

  private final JavaFunction function;
  private final SqsEventSource eventSource;

  public SpokeFunction(Construct scope, String id, Props props) {
    super(scope, id);
    FunctionProps common = props.getFunction();
    this.function =
        new JavaFunction(
            this,
            "Spoke",
            common.javaFunction("hubspoke spoke: claims and runs tasks", HANDLER).build());
    // The spoke holds the leases; the stack checked this grace against the queue's timings.
    function
        .getFunction()
        .addEnvironment(
            HubspokeEnvironment.LEASE_GRACE_SECONDS,
            Integer.toString(props.getLeaseGraceSeconds()));
    FunctionProps.allow(
        function.getRole(), TABLE_ACTIONS, List.of(common.getTable().getTable().getTableArn()));
    // A spoke woken by WorkAvailable (hybrid runs) finds its tasks in the claimable index.
    FunctionProps.allow(
        function.getRole(),
        List.of("dynamodb:Query"),
        List.of(common.getTable().getClaimableIndexArn()));
    // Retries are re-sent to the work queue with a delay; poison messages go to the DLQ with a
    // reason.
    FunctionProps.allow(
        function.getRole(),
        List.of("sqs:SendMessage"),
        List.of(
            common.getWorkQueue().getQueue().getQueueArn(),
            common.getWorkQueue().getDeadLetterQueue().getQueueArn()));
    FunctionProps.allow(
        function.getRole(),
        List.of("events:PutEvents"),
        List.of(common.getEventBus().getBus().getEventBusArn()));

    this.eventSource =
        SqsEventSource.Builder.create(common.getWorkQueue().getQueue())
            .batchSize(props.getBatchSize())
            .maxBatchingWindow(Duration.seconds(props.getBatchingWindowSeconds()))
            .reportBatchItemFailures(true)
            .maxConcurrency(props.getMaxConcurrency())
            .build();
    function.getAlias().addEventSource(eventSource);
    NagSuppressions.addResourceSuppressions(
        function.getAlias(),
        List.of(
            NagPackSuppression.builder()
                .id("Serverless-LambdaEventSourceMappingDestination")
                .reason(
                    "SQS event source mappings take no on-failure destination: messages that keep"
                        + " failing move to the work queue's DLQ through its redrive policy"
                        + " (maxReceiveCount), which is alarmed.")
                .build()),
        true);
  }

  public JavaFunction getFunction() {
    return function;
  }

  public Alias getAlias() {
    return function.getAlias();
  }

  public SqsEventSource getEventSource() {
    return eventSource;
  }

  /** Settings of {@link SpokeFunction}. */
  public static final class Props {
    private final FunctionProps function;
    private final int batchSize;
    private final int batchingWindowSeconds;
    private final int maxConcurrency;
    private final int leaseGraceSeconds;

    private Props(Builder b) {
      this.function = Objects.requireNonNull(b.function, "function");
      if (b.maxConcurrency < 2) {
        throw new IllegalArgumentException("maxConcurrency must be at least 2 (SQS minimum)");
      }
      this.batchSize = b.batchSize;
      this.batchingWindowSeconds = b.batchingWindowSeconds;
      this.maxConcurrency = b.maxConcurrency;
      this.leaseGraceSeconds = b.leaseGraceSeconds;
    }

    public static Builder builder() {
      return new Builder();
    }

    public FunctionProps getFunction() {
      return function;
    }

    public int getBatchSize() {
      return batchSize;
    }

    public int getBatchingWindowSeconds() {
      return batchingWindowSeconds;
    }

    public int getMaxConcurrency() {
      return maxConcurrency;
    }

    public int getLeaseGraceSeconds() {
      return leaseGraceSeconds;
    }

    public static final class Builder {
      private FunctionProps function;
      private int batchSize = 10;
      private int batchingWindowSeconds = 0;
      private int maxConcurrency = 50;
      private int leaseGraceSeconds = Deployment.DEFAULT_LEASE_GRACE_SECONDS;

      public Builder function(FunctionProps function) {
        this.function = function;
        return this;
      }

      public Builder batchSize(int batchSize) {
        this.batchSize = batchSize;
        return this;
      }

      public Builder batchingWindowSeconds(int seconds) {
        this.batchingWindowSeconds = seconds;
        return this;
      }

      public Builder maxConcurrency(int maxConcurrency) {
        this.maxConcurrency = maxConcurrency;
        return this;
      }

      /** Seconds a lease outlasts the task deadline ({@code HUBSPOKE_LEASE_GRACE_SECONDS}). */
      public Builder leaseGraceSeconds(int seconds) {
        this.leaseGraceSeconds = seconds;
        return this;
      }

      public Props build() {
        return new Props(this);
      }
    }
  }
}
