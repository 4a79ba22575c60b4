package io.hubspoke.infra.constructs;

import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.cloudwatch.Alarm;
import software.amazon.awscdk.services.cloudwatch.ComparisonOperator;
import software.amazon.awscdk.services.cloudwatch.Dashboard;
import software.amazon.awscdk.services.cloudwatch.GraphWidget;
import software.amazon.awscdk.services.cloudwatch.IMetric;
import software.amazon.awscdk.services.cloudwatch.IWidget;
import software.amazon.awscdk.services.cloudwatch.Metric;
import software.amazon.awscdk.services.cloudwatch.MetricOptions;
import software.amazon.awscdk.services.cloudwatch.TreatMissingData;
import software.amazon.awscdk.services.cloudwatch.actions.SnsAction;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.sns.Topic;
import software.amazon.awscdk.services.sns.subscriptions.EmailSubscription;
import software.amazon.awscdk.services.sqs.Queue;
import software.constructs.Construct;

/**
 * Alarms (work and delivery DLQ depth above 0, each function's errors and throttles, age of the
 * oldest work message), an SNS topic they notify, and a CloudWatch dashboard of the system.
 */
public class Monitoring extends Construct {
  private static final Duration ONE_MINUTE = Duration.minutes(1);
  private static final Duration FIVE_MINUTES = Duration.minutes(5);

  private final Topic alarmTopic;
  private final Map<String, Alarm> alarms = new LinkedHashMap<>();
  private final Dashboard dashboard;

  public Monitoring(Construct scope, String id, Props props) {
    super(scope, id);
    this.alarmTopic =
        Topic.Builder.create(this, "AlarmTopic")
            .displayName("hubspoke alarms")
            .enforceSsl(true)
            .build();
    props
        .getAlarmEmail()
        .ifPresent(
            email ->
                NagSuppressions.addResourceSuppressions(
                    alarmTopic.addSubscription(new EmailSubscription(email)),
                    List.of(
                        NagPackSuppression.builder()
                            .id("Serverless-SNSRedrivePolicy")
                            .reason(
                                "E-mail copy of alarm notifications: an undeliverable e-mail is"
                                    + " not worth a DLQ, the alarm state stays in CloudWatch and"
                                    + " on the dashboard.")
                            .build())));

    Queue queue = props.getWorkQueue().getQueue();
    Queue dlq = props.getWorkQueue().getDeadLetterQueue();
    Queue deliveryDlq = props.getEventBus().getDeliveryDeadLetterQueue();

    alarm(
        "WorkDeadLetterQueueNotEmpty",
        "Tasks were dead-lettered: a message exceeded maxReceiveCount or a spoke sent a poison"
            + " message there",
        dlq.metricApproximateNumberOfMessagesVisible(max(ONE_MINUTE)),
        0,
        1);
    alarm(
        "EventDeadLetterQueueNotEmpty",
        "EventBridge could not deliver an event to a hubspoke function within its retry policy",
        deliveryDlq.metricApproximateNumberOfMessagesVisible(max(ONE_MINUTE)),
        0,
        1);
    alarm(
        "OldestWorkMessageTooOld",
        "The oldest task message waited more than "
            + props.getOldestMessageAlarmSeconds()
            + " s: the spokes are not keeping up or are failing",
        queue.metricApproximateAgeOfOldestMessage(max(ONE_MINUTE)),
        props.getOldestMessageAlarmSeconds(),
        5);
    for (Map.Entry<String, JavaFunction> entry : props.getFunctions().entrySet()) {
      Function fn = entry.getValue().getFunction();
      alarm(
          entry.getKey() + "Errors",
          "The " + entry.getKey() + " function raised errors",
          fn.metricErrors(sum(FIVE_MINUTES)),
          0,
          1);
      alarm(
          entry.getKey() + "Throttles",
          "The " + entry.getKey() + " function was throttled",
          fn.metricThrottles(sum(FIVE_MINUTES)),
          0,
          1);
    }

    List<List<? extends IWidget>> rows = new ArrayList<>();
    rows.add(
        List.of(
            graph(
                "Work queue",
                List.of(
                    queue.metricApproximateNumberOfMessagesVisible(max(ONE_MINUTE)),
                    queue.metricApproximateNumberOfMessagesNotVisible(max(ONE_MINUTE)))),
            graph(
                "Oldest work message (s)",
                List.of(queue.metricApproximateAgeOfOldestMessage(max(ONE_MINUTE)))),
            graph(
                "Dead-letter queues",
                List.of(
                    dlq.metricApproximateNumberOfMessagesVisible(max(ONE_MINUTE)),
                    deliveryDlq.metricApproximateNumberOfMessagesVisible(max(ONE_MINUTE))))));
    List<IMetric> invocations = new ArrayList<>();
    List<IMetric> errors = new ArrayList<>();
    List<IMetric> durations = new ArrayList<>();
    List<IMetric> concurrency = new ArrayList<>();
    for (Map.Entry<String, JavaFunction> entry : props.getFunctions().entrySet()) {
      Function fn = entry.getValue().getFunction();
      invocations.add(fn.metricInvocations(sum(ONE_MINUTE, entry.getKey())));
      errors.add(fn.metricErrors(sum(ONE_MINUTE, entry.getKey() + " errors")));
      errors.add(fn.metricThrottles(sum(ONE_MINUTE, entry.getKey() + " throttles")));
      durations.add(
          fn.metricDuration(
              MetricOptions.builder()
                  .period(ONE_MINUTE)
                  .statistic("p99")
                  .label(entry.getKey() + " p99")
                  .build()));
      concurrency.add(
          fn.metric(
              "ConcurrentExecutions",
              MetricOptions.builder()
                  .period(ONE_MINUTE)
                  .statistic("Maximum")
                  .label(entry.getKey())
                  .build()));
    }
    rows.add(
        List.of(
            graph("Invocations", invocations),
            graph("Errors and throttles", errors),
            graph("Duration p99 (ms)", durations),
            graph("Concurrent executions", concurrency)));
    String apiId = props.getApi().getApi().getApiId();
    rows.add(
        List.of(
            graph(
                "HTTP API",
                List.of(
                    apiMetric(apiId, "Count", "Sum"),
                    apiMetric(apiId, "4xx", "Sum"),
                    apiMetric(apiId, "5xx", "Sum"))),
            graph("HTTP API latency p99 (ms)", List.of(apiMetric(apiId, "Latency", "p99"))),
            graph(
                "DynamoDB",
                List.of(
                    props
                        .getTable()
                        .getTable()
                        .metricConsumedWriteCapacityUnits(sum(ONE_MINUTE, "write units")),
                    props
                        .getTable()
                        .getTable()
                        .metricConsumedReadCapacityUnits(sum(ONE_MINUTE, "read units"))))));
    Dashboard.Builder builder =
        Dashboard.Builder.create(this, "Dashboard").defaultInterval(Duration.hours(3));
    this.dashboard = builder.widgets(rows).build();
  }

  private void alarm(
      String id, String description, IMetric metric, int threshold, int evaluationPeriods) {
    Alarm alarm =
        Alarm.Builder.create(this, id)
            .alarmDescription(description)
            .metric(metric)
            .threshold(threshold)
            .comparisonOperator(ComparisonOperator.GREATER_THAN_THRESHOLD)
            .evaluationPeriods(evaluationPeriods)
            .treatMissingData(TreatMissingData.NOT_BREACHING)
            .build();
    alarm.addAlarmAction(new SnsAction(alarmTopic));
    alarm.addOkAction(new SnsAction(alarmTopic));
    alarms.put(id, alarm);
  }

  private static Metric apiMetric(String apiId, String name, String statistic) {
    return Metric.Builder.create()
        .namespace("AWS/ApiGateway")
        .metricName(name)
        .dimensionsMap(Map.of("ApiId", apiId))
        .statistic(statistic)
        .period(ONE_MINUTE)
        .label(name)
        .build();
  }

  private static GraphWidget graph(String title, List<? extends IMetric> metrics) {
    return GraphWidget.Builder.create().title(title).left(metrics).width(6).height(6).build();
  }

  private static MetricOptions max(Duration period) {
    return MetricOptions.builder().period(period).statistic("Maximum").build();
  }

  private static MetricOptions sum(Duration period) {
    return MetricOptions.builder().period(period).statistic("Sum").build();
  }

  private static MetricOptions sum(Duration period, String label) {
    return MetricOptions.builder().period(period).statistic("Sum").label(label).build();
  }

  public Topic getAlarmTopic() {
    return alarmTopic;
  }

  /** The alarms by id (e.g. {@code WorkDeadLetterQueueNotEmpty}, {@code HubErrors}). */
  public Map<String, Alarm> getAlarms() {
    return Map.copyOf(alarms);
  }

  public Dashboard getDashboard() {
    return dashboard;
  }

  /** Settings of {@link Monitoring}. */
  public static final class Props {
    private final HubspokeTable table;
    private final WorkQueue workQueue;
    private final HubspokeEventBus eventBus;
    private final Map<String, JavaFunction> functions;
    private final HubHttpApi api;
    private final int oldestMessageAlarmSeconds;
    private final String alarmEmail;

    private Props(Builder b) {
      this.table = Objects.requireNonNull(b.table, "table");
      this.workQueue = Objects.requireNonNull(b.workQueue, "workQueue");
      this.eventBus = Objects.requireNonNull(b.eventBus, "eventBus");
      this.functions = Objects.requireNonNull(b.functions, "functions");
      this.api = Objects.requireNonNull(b.api, "api");
      this.oldestMessageAlarmSeconds = b.oldestMessageAlarmSeconds;
      this.alarmEmail = b.alarmEmail;
    }

    public static Builder builder() {
      return new Builder();
    }

    public HubspokeTable getTable() {
      return table;
    }

    public WorkQueue getWorkQueue() {
      return workQueue;
    }

    public HubspokeEventBus getEventBus() {
      return eventBus;
    }

    /** The functions to watch, by display name, in order. */
    public Map<String, JavaFunction> getFunctions() {
      return functions;
    }

    public HubHttpApi getApi() {
      return api;
    }

    public int getOldestMessageAlarmSeconds() {
      return oldestMessageAlarmSeconds;
    }

    public Optional<String> getAlarmEmail() {
      return Optional.ofNullable(alarmEmail);
    }

    public static final class Builder {
      private HubspokeTable table;
      private WorkQueue workQueue;
      private HubspokeEventBus eventBus;
      private final Map<String, JavaFunction> functions = new LinkedHashMap<>();
      private HubHttpApi api;
      private int oldestMessageAlarmSeconds = 900;
      private String alarmEmail;

      public Builder table(HubspokeTable table) {
        this.table = table;
        return this;
      }

      public Builder workQueue(WorkQueue workQueue) {
        this.workQueue = workQueue;
        return this;
      }

      public Builder eventBus(HubspokeEventBus eventBus) {
        this.eventBus = eventBus;
        return this;
      }

      public Builder function(String name, JavaFunction function) {
        this.functions.put(name, function);
        return this;
      }

      public Builder api(HubHttpApi api) {
        this.api = api;
        return this;
      }

      public Builder oldestMessageAlarmSeconds(int seconds) {
        this.oldestMessageAlarmSeconds = seconds;
        return this;
      }

      /** Subscribes this address to the alarm topic (optional). */
      public Builder alarmEmail(String alarmEmail) {
        this.alarmEmail = alarmEmail;
        return this;
      }

      public Props build() {
        return new Props(this);
      }
    }
  }
}
