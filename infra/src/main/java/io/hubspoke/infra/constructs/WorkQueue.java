package io.hubspoke.infra.constructs;

import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import io.hubspoke.contract.Deployment;
import java.util.List;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.sqs.DeadLetterQueue;
import software.amazon.awscdk.services.sqs.Queue;
import software.amazon.awscdk.services.sqs.QueueEncryption;
import software.constructs.Construct;

/**
 * The work queue (one message per task) and its dead-letter queue. Both are encrypted (SSE-SQS) and
 * refuse non-TLS requests. The visibility timeout is computed from the spoke timeout and batching
 * window so a message cannot become visible again while a spoke still works on it.
 */
public class WorkQueue extends Construct {
  /** How long the DLQ keeps poison messages: the SQS maximum. */
  public static final Duration DEAD_LETTER_RETENTION = Duration.days(14);

  private final Queue queue;
  private final Queue deadLetterQueue;
  private final int spokeTimeoutSeconds;

  public WorkQueue(Construct scope, String id, Props props) {
    super(scope, id);
    this.spokeTimeoutSeconds = props.getSpokeTimeoutSeconds();
    this.deadLetterQueue =
        Queue.Builder.create(this, "DeadLetterQueue")
            .encryption(QueueEncryption.SQS_MANAGED)
            .enforceSsl(true)
            .retentionPeriod(DEAD_LETTER_RETENTION)
            .build();
    this.queue =
        Queue.Builder.create(this, "Queue")
            .encryption(QueueEncryption.SQS_MANAGED)
            .enforceSsl(true)
            .visibilityTimeout(Duration.seconds(props.getVisibilityTimeoutSeconds()))
            .retentionPeriod(Duration.days(4))
            .deadLetterQueue(
                DeadLetterQueue.builder()
                    .queue(deadLetterQueue)
                    .maxReceiveCount(props.getMaxReceiveCount())
                    .build())
            .build();
    NagSuppressions.addResourceSuppressions(
        deadLetterQueue,
        List.of(
            NagPackSuppression.builder()
                .id("Serverless-SQSRedrivePolicy")
                .reason(
                    "This queue is the dead-letter queue of the work queue; it has none itself.")
                .build()));
  }

  public Queue getQueue() {
    return queue;
  }

  public Queue getDeadLetterQueue() {
    return deadLetterQueue;
  }

  /** The timeout of the spoke this queue's visibility timeout is sized for. */
  public int getSpokeTimeoutSeconds() {
    return spokeTimeoutSeconds;
  }

  /** Settings of {@link WorkQueue}. */
  public static final class Props {
    private final int spokeTimeoutSeconds;
    private final int batchingWindowSeconds;
    private final int maxReceiveCount;

    private Props(Builder b) {
      if (b.spokeTimeoutSeconds <= 0) {
        throw new IllegalArgumentException("spokeTimeoutSeconds is required");
      }
      if (b.maxReceiveCount < 5) {
        throw new IllegalArgumentException("maxReceiveCount must be at least 5");
      }
      this.spokeTimeoutSeconds = b.spokeTimeoutSeconds;
      this.batchingWindowSeconds = b.batchingWindowSeconds;
      this.maxReceiveCount = b.maxReceiveCount;
    }

    public static Builder builder() {
      return new Builder();
    }

    public int getSpokeTimeoutSeconds() {
      return spokeTimeoutSeconds;
    }

    public int getBatchingWindowSeconds() {
      return batchingWindowSeconds;
    }

    public int getMaxReceiveCount() {
      return maxReceiveCount;
    }

    /** 6 x the spoke timeout + the batching window (the AWS recommendation for SQS triggers). */
    public int getVisibilityTimeoutSeconds() {
      return Deployment.visibilityTimeoutSeconds(spokeTimeoutSeconds, batchingWindowSeconds);
    }

    public static final class Builder {
      private int spokeTimeoutSeconds;
      private int batchingWindowSeconds;
      private int maxReceiveCount = 8;

      public Builder spokeTimeoutSeconds(int seconds) {
        this.spokeTimeoutSeconds = seconds;
        return this;
      }

      public Builder batchingWindowSeconds(int seconds) {
        this.batchingWindowSeconds = seconds;
        return this;
      }

      /** Receives before a message moves to the DLQ (at least 5; default 8). */
      public Builder maxReceiveCount(int count) {
        this.maxReceiveCount = count;
        return this;
      }

      public Props build() {
        return new Props(this);
      }
    }
  }
}
