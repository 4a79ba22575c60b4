package io.hubspoke.infra.constructs;

import io.hubspoke.contract.EventRules;
import java.util.List;
import java.util.Objects;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.events.IEventBus;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.Schedule;
import software.amazon.awscdk.services.events.targets.LambdaFunction;
import software.amazon.awscdk.services.lambda.IFunction;
import software.amazon.awscdk.services.sqs.IQueue;
import software.constructs.Construct;

/**
 * The rules that route events to the collector: {@link EventRules#RUN_DRAINED_RULE} on the custom
 * bus, with the very pattern the local runtime uses ({@link EventRules#RUN_DRAINED_PATTERN}), and
 * the periodic sweep (a scheduled rule on the default bus; the collector recognises EventBridge
 * {@code Scheduled Event}s), and {@link EventRules#WORK_AVAILABLE_RULE}, which wakes the spoke
 * function for a hybrid run's claimable tasks. Each target has a retry policy and a dead-letter
 * queue.
 */
public class EventRoutes extends Construct {
  private final Rule runDrained;
  private final Rule sweep;
  private final Rule workAvailable;

  public EventRoutes(Construct scope, String id, Props props) {
    super(scope, id);
    this.runDrained =
        Rule.Builder.create(this, "RunDrained")
            .ruleName(EventRules.RUN_DRAINED_RULE)
            .description("RunDrained events to the collector")
            .eventBus(props.getEventBus())
            .eventPattern(EventPatterns.fromJson(EventRules.RUN_DRAINED_PATTERN))
            .targets(List.of(target(props, props.getCollector())))
            .build();
    this.sweep =
        Rule.Builder.create(this, "Sweep")
            .description("Periodic collector sweep: stalled tasks and runs whose event was lost")
            .schedule(Schedule.expression(props.getSweepSchedule()))
            .targets(List.of(target(props, props.getCollector())))
            .build();
    this.workAvailable =
        Rule.Builder.create(this, "WorkAvailable")
            .ruleName(EventRules.WORK_AVAILABLE_RULE)
            .description("WorkAvailable events of hybrid runs to the spoke")
            .eventBus(props.getEventBus())
            .eventPattern(EventPatterns.fromJson(EventRules.WORK_AVAILABLE_PATTERN))
            .targets(List.of(target(props, props.getSpoke())))
            .build();
  }

  private static LambdaFunction target(Props props, IFunction function) {
    return LambdaFunction.Builder.create(function)
        .retryAttempts(props.getRetryAttempts())
        .maxEventAge(Duration.seconds(props.getMaxEventAgeSeconds()))
        .deadLetterQueue(props.getDeadLetterQueue())
        .build();
  }

  public Rule getRunDrained() {
    return runDrained;
  }

  public Rule getSweep() {
    return sweep;
  }

  public Rule getWorkAvailable() {
    return workAvailable;
  }

  /** Settings of {@link EventRoutes}. */
  public static final class Props {
    private final IEventBus eventBus;
    private final IFunction collector;
    private final IFunction spoke;
    private final IQueue deadLetterQueue;
    private final int retryAttempts;
    private final int maxEventAgeSeconds;
    private final String sweepSchedule;

    private Props(Builder b) {
      this.eventBus = Objects.requireNonNull(b.eventBus, "eventBus");
      this.collector = Objects.requireNonNull(b.collector, "collector");
      this.spoke = Objects.requireNonNull(b.spoke, "spoke");
      this.deadLetterQueue = Objects.requireNonNull(b.deadLetterQueue, "deadLetterQueue");
      this.retryAttempts = b.retryAttempts;
      this.maxEventAgeSeconds = b.maxEventAgeSeconds;
      this.sweepSchedule = Objects.requireNonNull(b.sweepSchedule, "sweepSchedule");
    }

    public static Builder builder() {
      return new Builder();
    }

    public IEventBus getEventBus() {
      return eventBus;
    }

    public IFunction getCollector() {
      return collector;
    }

    public IFunction getSpoke() {
      return spoke;
    }

    public IQueue getDeadLetterQueue() {
      return deadLetterQueue;
    }

    public int getRetryAttempts() {
      return retryAttempts;
    }

    public int getMaxEventAgeSeconds() {
      return maxEventAgeSeconds;
    }

    public String getSweepSchedule() {
      return sweepSchedule;
    }

    public static final class Builder {
      private IEventBus eventBus;
      private IFunction collector;
      private IFunction spoke;
      private IQueue deadLetterQueue;
      private int retryAttempts = 8;
      private int maxEventAgeSeconds = 3600;
      private String sweepSchedule = "rate(5 minutes)";

      public Builder eventBus(IEventBus eventBus) {
        this.eventBus = eventBus;
        return this;
      }

      /** The collector's alias. */
      public Builder collector(IFunction collector) {
        this.collector = collector;
        return this;
      }

      /** The spoke's alias, which WorkAvailable wakes. */
      public Builder spoke(IFunction spoke) {
        this.spoke = spoke;
        return this;
      }

      /** Where events go that could not be delivered within the retry policy. */
      public Builder deadLetterQueue(IQueue deadLetterQueue) {
        this.deadLetterQueue = deadLetterQueue;
        return this;
      }

      public Builder retryAttempts(int retryAttempts) {
        this.retryAttempts = retryAttempts;
        return this;
      }

      public Builder maxEventAgeSeconds(int seconds) {
        this.maxEventAgeSeconds = seconds;
        return this;
      }

      public Builder sweepSchedule(String expression) {
        this.sweepSchedule = expression;
        return this;
      }

      public Props build() {
        return new Props(this);
      }
    }
  }
}
