package io.hubspoke.infra.constructs;

import io.hubspoke.infra.HubspokeConfig.ScheduledRun;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.events.EventField;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.RuleTargetInput;
import software.amazon.awscdk.services.events.Schedule;
import software.amazon.awscdk.services.events.targets.LambdaFunction;
import software.amazon.awscdk.services.lambda.IFunction;
import software.amazon.awscdk.services.sqs.IQueue;
import software.constructs.Construct;

/**
 * Runs on a schedule: each {@link ScheduledRun} becomes a scheduled EventBridge rule that invokes
 * the hub with an input transformer producing
 *
 * <pre>{@code
 * {"source": "hubspoke.schedule", "detail-type": "Scheduled Run", "time": <event time>,
 *  "detail": {<the run request>..., "idempotencyKey": "schedule-<name>-<event time>"}}
 * }</pre>
 *
 * The key is derived from the firing's time, so a duplicate delivery of one firing creates one run.
 */
public class ScheduledRuns extends Construct {
  /** {@code source} of the events the schedules send to the hub. */
  public static final String SOURCE = "hubspoke.schedule";

  /** {@code detail-type} of the events the schedules send to the hub. */
  public static final String DETAIL_TYPE = "Scheduled Run";

  private final List<Rule> rules = new ArrayList<>();

  public ScheduledRuns(Construct scope, String id, Props props) {
    super(scope, id);
    for (ScheduledRun run : props.getSchedules()) {
      LambdaFunction target =
          LambdaFunction.Builder.create(props.getHub())
              .event(RuleTargetInput.fromObject(input(run)))
              .retryAttempts(props.getRetryAttempts())
              .maxEventAge(Duration.seconds(props.getMaxEventAgeSeconds()))
              .deadLetterQueue(props.getDeadLetterQueue())
              .build();
      rules.add(
          Rule.Builder.create(this, "Schedule-" + run.name())
              .description("hubspoke scheduled run '" + run.name() + "'")
              .schedule(Schedule.expression(run.expression()))
              .targets(List.of(target))
              .build());
    }
  }

  /** The object the rule's input transformer renders for {@code run}. */
  static Map<String, Object> input(ScheduledRun run) {
    Map<String, Object> detail = new LinkedHashMap<>(run.request());
    detail.put("idempotencyKey", "schedule-" + run.name() + "-" + EventField.getTime());
    Map<String, Object> event = new LinkedHashMap<>();
    event.put("source", SOURCE);
    event.put("detail-type", DETAIL_TYPE);
    event.put("time", EventField.getTime());
    event.put("detail", detail);
    return event;
  }

  public List<Rule> getRules() {
    return List.copyOf(rules);
  }

  /** Settings of {@link ScheduledRuns}. */
  public static final class Props {
    private final List<ScheduledRun> schedules;
    private final IFunction hub;
    private final IQueue deadLetterQueue;
    private final int retryAttempts;
    private final int maxEventAgeSeconds;

    private Props(Builder b) {
      this.schedules = List.copyOf(b.schedules);
      this.hub = Objects.requireNonNull(b.hub, "hub");
      this.deadLetterQueue = Objects.requireNonNull(b.deadLetterQueue, "deadLetterQueue");
      this.retryAttempts = b.retryAttempts;
      this.maxEventAgeSeconds = b.maxEventAgeSeconds;
    }

    public static Builder builder() {
      return new Builder();
    }

    public List<ScheduledRun> getSchedules() {
      return schedules;
    }

    public IFunction getHub() {
      return hub;
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

    public static final class Builder {
      private List<ScheduledRun> schedules = List.of();
      private IFunction hub;
      private IQueue deadLetterQueue;
      private int retryAttempts = 8;
      private int maxEventAgeSeconds = 3600;

      public Builder schedules(List<ScheduledRun> schedules) {
        this.schedules = schedules;
        return this;
      }

      /** The hub's alias. */
      public Builder hub(IFunction hub) {
        this.hub = hub;
        return this;
      }

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

      public Props build() {
        return new Props(this);
      }
    }
  }
}
