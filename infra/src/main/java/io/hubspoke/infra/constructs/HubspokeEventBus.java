package io.hubspoke.infra.constructs;

import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import java.util.List;
import software.amazon.awscdk.services.events.EventBus;
import software.amazon.awscdk.services.sqs.Queue;
import software.amazon.awscdk.services.sqs.QueueEncryption;
import software.constructs.Construct;

/**
 * The custom EventBridge bus the functions publish to, and the dead-letter queue that receives
 * events EventBridge could not deliver to a target (for every rule of the stack).
 */
public class HubspokeEventBus extends Construct {
  private final EventBus bus;
  private final Queue deliveryDeadLetterQueue;

  public HubspokeEventBus(Construct scope, String id, Props props) {
    super(scope, id);
    this.bus = EventBus.Builder.create(this, "Bus").description(props.getDescription()).build();
    this.deliveryDeadLetterQueue =
        Queue.Builder.create(this, "DeliveryDeadLetterQueue")
            .encryption(QueueEncryption.SQS_MANAGED)
            .enforceSsl(true)
            .retentionPeriod(WorkQueue.DEAD_LETTER_RETENTION)
            .build();
    String reason =
        "This queue is a dead-letter queue: of the EventBridge rule targets and of the"
            + " functions' asynchronous invocations; it needs no DLQ of its own.";
    NagSuppressions.addResourceSuppressions(
        deliveryDeadLetterQueue,
        List.of(
            NagPackSuppression.builder().id("AwsSolutions-SQS3").reason(reason).build(),
            NagPackSuppression.builder().id("Serverless-SQSRedrivePolicy").reason(reason).build()));
  }

  public EventBus getBus() {
    return bus;
  }

  /**
   * Receives events that a rule target could not take after its retry policy ran out, and
   * asynchronous invocations of the hub and collector that failed every attempt.
   */
  public Queue getDeliveryDeadLetterQueue() {
    return deliveryDeadLetterQueue;
  }

  /** Settings of {@link HubspokeEventBus}. */
  public static final class Props {
    private final String description;

    private Props(Builder b) {
      this.description = b.description;
    }

    public static Builder builder() {
      return new Builder();
    }

    public String getDescription() {
      return description;
    }

    public static final class Builder {
      private String description = "hubspoke run lifecycle events";

      public Builder description(String description) {
        this.description = description;
        return this;
      }

      public Props build() {
        return new Props(this);
      }
    }
  }
}
