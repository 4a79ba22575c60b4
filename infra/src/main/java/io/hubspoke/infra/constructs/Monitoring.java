package io.hubspoke.infra.constructs;

import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import io.hubspoke.contract.RunMetricNames;
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
import software.amazon.awscdk.services.cloudwatch.MathExpression;
import software.amazon.awscdk.services.cloudwatch.Metric;
import software.amazon.awscdk.services.cloudwatch.MetricOptions;
import software.amazon.awscdk.services.cloudwatch.TreatMissingData;
import software.amazon.awscdk.services.cloudwatch.actions.SnsAction;
import software.amazon.awscdk.services.dynamodb.Table;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.sns.Topic;
import software.amazon.awscdk.services.sns.subscriptions.EmailSubscription;
import software.amazon.awscdk.services.sqs.IQueue;
import software.constructs.Construct;

/**
 * Alarms on what fails, an SNS topic they notify (on alarm and on recovery), and a CloudWatch
 * dashboard. Each part of the system is watched by one method that adds its alarms and its
 * dashboard row ({@link #watchQueue}, {@link #watchRule}, ...), so a new queue or rule takes one
 * call. What each alarm means and what to do about it: docs/deploy.md.
 */
public class Monitoring extends Construct {
  private static final Duration ONE_MINUTE = Duration.minutes(1);
  private static final Duration FIVE_MINUTES = Duration.minutes(5);

  private final Topic alarmTopic;
  private final Map<String, Alarm> alarms = new LinkedHashMap<>();
  private final Dashboard dashboard;
  private final List<IMetric> eventBridge = new ArrayList<>();

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
    this.dashboard =
        Dashboard.Builder.create(this, "Dashboard").defaultInterval(Duration.hours(3)).build();

    for (QueueToWatch queue : props.getQueues()) {
      watchQueue(
          queue.name(), queue.queue(), queue.deadLetterQueue(), queue.oldestMessageAlarmSeconds());
    }
    GraphWidget eventDeadLetters =
        deadLetterQueueAlarm(
            "Event",
            props.getEventBus().getDeliveryDeadLetterQueue(),
            "EventBridge could not deliver an event to a hubspoke function within its retry"
                + " policy, or an asynchronous invocation of the hub or collector failed every"
                + " attempt");
    watchFunctions(props.getFunctions());
    watchApi(props.getApi());
    watchTable(props.getTable());
    props.getRules().forEach(this::watchRule);
    props.getSweep().ifPresent(sweep -> watchSweep(sweep.ruleName(), sweep.alarmPeriodSeconds()));
    dashboard.addWidgets(
        graph("EventBridge: failed invocations, sweeps", eventBridge), eventDeadLetters);
    watchRuns(props.getTable());
  }

  /**
   * A queue and its dead-letter queue: alarms when the DLQ holds a message and when the oldest
   * message waited longer than {@code oldestMessageAlarmSeconds}; a dashboard row of both.
   */
  public void watchQueue(
      String name, IQueue queue, IQueue deadLetterQueue, int oldestMessageAlarmSeconds) {
    GraphWidget deadLetters =
        deadLetterQueueAlarm(
            name,
            deadLetterQueue,
            "Messages of the "
                + name
                + " queue were dead-lettered: one exceeded maxReceiveCount, or a function sent a"
                + " message it cannot process there, with the reason");
    alarm(
        "Oldest" + name + "MessageTooOld",
        "The oldest message of the "
            + name
            + " queue waited more than "
            + oldestMessageAlarmSeconds
            + " s: its consumers are not keeping up or are failing",
        queue.metricApproximateAgeOfOldestMessage(max(ONE_MINUTE, null)),
        oldestMessageAlarmSeconds,
        5);
    dashboard.addWidgets(
        graph(
            name + " queue",
            List.of(
                queue.metricApproximateNumberOfMessagesVisible(max(ONE_MINUTE, "visible")),
                queue.metricApproximateNumberOfMessagesNotVisible(max(ONE_MINUTE, "in flight")))),
        graph(
            "Oldest " + name + " message (s)",
            List.of(queue.metricApproximateAgeOfOldestMessage(max(ONE_MINUTE, "oldest")))),
        deadLetters);
  }

  /** Alarms as soon as {@code deadLetterQueue} holds a message; a dashboard row of its depth. */
  public void watchDeadLetterQueue(String name, IQueue deadLetterQueue, String meaning) {
    dashboard.addWidgets(deadLetterQueueAlarm(name, deadLetterQueue, meaning));
  }

  private GraphWidget deadLetterQueueAlarm(String name, IQueue deadLetterQueue, String meaning) {
    alarm(
        name + "DeadLetterQueueNotEmpty",
        meaning,
        deadLetterQueue.metricApproximateNumberOfMessagesVisible(max(ONE_MINUTE, null)),
        0,
        1);
    return graph(
        name + " dead-letter queue",
        List.of(
            deadLetterQueue.metricApproximateNumberOfMessagesVisible(
                max(ONE_MINUTE, name + " DLQ"))));
  }

  /**
   * Alarms when the rule {@code ruleName} could not invoke its target at all (missing permission,
   * deleted target, throttled past its retry policy): EventBridge's FailedInvocations. A rule on a
   * custom bus reports under its bus's name too, so give {@code eventBusName}; null for the default
   * bus.
   */
  public void watchRule(String name, String ruleName, String eventBusName) {
    Map<String, String> dimensions = new LinkedHashMap<>();
    dimensions.put("RuleName", ruleName);
    if (eventBusName != null) {
      dimensions.put("EventBusName", eventBusName);
    }
    alarm(
        name + "FailedInvocations",
        "EventBridge could not invoke the target of the rule " + name + " (FailedInvocations)",
        eventsMetric("FailedInvocations", dimensions, null),
        0,
        1);
    eventBridge.add(eventsMetric("FailedInvocations", dimensions, name + " failed"));
  }

  private void watchRule(RuleToWatch rule) {
    watchRule(rule.name(), rule.ruleName(), rule.eventBusName());
  }

  /**
   * The sweep's schedule rule invoked the collector not once in {@code alarmPeriodSeconds}: the
   * rule is disabled or deleted, or EventBridge is not delivering. EventBridge sends Invocations
   * only when it is not zero, so missing data is the alarm.
   */
  public void watchSweep(String ruleName, int alarmPeriodSeconds) {
    Metric invocations =
        Metric.Builder.create()
            .namespace("AWS/Events")
            .metricName("Invocations")
            .dimensionsMap(Map.of("RuleName", ruleName))
            .statistic("Sum")
            .period(Duration.seconds(alarmPeriodSeconds))
            .build();
    alarm(
        "SweepNotRunning",
        "The collector's sweep was not invoked once in "
            + alarmPeriodSeconds
            + " s: stalled tasks and runs whose RunDrained event was lost are not being repaired",
        invocations,
        1,
        1,
        ComparisonOperator.LESS_THAN_THRESHOLD,
        TreatMissingData.BREACHING);
    eventBridge.add(eventsMetric("Invocations", Map.of("RuleName", ruleName), "sweeps"));
  }

  /**
   * Runs that finished FAILED, from the EMF metric the functions write when a run reaches its final
   * status ({@link RunMetricNames}), by the deployment's table.
   */
  public void watchRuns(HubspokeTable table) {
    Map<String, String> dimensions =
        Map.of(RunMetricNames.TABLE_NAME, table.getTable().getTableName());
    alarm(
        "RunsFailed",
        "A run finished FAILED: at least one of its tasks failed every attempt",
        runMetric(RunMetricNames.RUNS_FAILED, dimensions, null),
        0,
        1);
    dashboard.addWidgets(
        graph(
            "Runs finished",
            List.of(
                runMetric(RunMetricNames.RUNS_SUCCEEDED, dimensions, "SUCCEEDED"),
                runMetric(RunMetricNames.RUNS_FAILED, dimensions, "FAILED"))));
  }

  private void watchFunctions(Map<String, JavaFunction> functions) {
    List<IMetric> invocations = new ArrayList<>();
    List<IMetric> errors = new ArrayList<>();
    List<IMetric> durations = new ArrayList<>();
    List<IMetric> concurrency = new ArrayList<>();
    for (Map.Entry<String, JavaFunction> entry : functions.entrySet()) {
      String name = entry.getKey();
      Function fn = entry.getValue().getFunction();
      alarm(
          name + "Errors",
          "The " + name + " function raised errors",
          fn.metricErrors(sum(FIVE_MINUTES, null)),
          0,
          1);
      alarm(
          name + "Throttles",
          "The " + name + " function was throttled",
          fn.metricThrottles(sum(FIVE_MINUTES, null)),
          0,
          1);
      invocations.add(fn.metricInvocations(sum(ONE_MINUTE, name)));
      errors.add(fn.metricErrors(sum(ONE_MINUTE, name + " errors")));
      errors.add(fn.metricThrottles(sum(ONE_MINUTE, name + " throttles")));
      durations.add(
          fn.metricDuration(
              MetricOptions.builder()
                  .period(ONE_MINUTE)
                  .statistic("p99")
                  .label(name + " p99")
                  .build()));
      concurrency.add(fn.metric("ConcurrentExecutions", max(ONE_MINUTE, name)));
    }
    dashboard.addWidgets(
        graph("Invocations", invocations),
        graph("Errors and throttles", errors),
        graph("Duration p99 (ms)", durations),
        graph("Concurrent executions", concurrency));
  }

  /** The API answered 5xx: the hub failed, timed out or could not reach AWS. */
  private void watchApi(HubHttpApi api) {
    alarm(
        "ApiServerErrors",
        "The HTTP API answered 5xx: the hub raised, timed out, or got an AWS error (503)",
        api.getApi().metricServerError(sum(FIVE_MINUTES, null)),
        0,
        1);
    dashboard.addWidgets(
        graph(
            "HTTP API",
            List.of(
                api.getApi().metricCount(sum(ONE_MINUTE, "requests")),
                api.getApi().metricClientError(sum(ONE_MINUTE, "4xx")),
                api.getApi().metricServerError(sum(ONE_MINUTE, "5xx")))),
        graph(
            "HTTP API latency p99 (ms)",
            List.of(
                api.getApi()
                    .metricLatency(
                        MetricOptions.builder()
                            .period(ONE_MINUTE)
                            .statistic("p99")
                            .label("p99")
                            .build()))));
  }

  /**
   * DynamoDB throttled reads or writes of the table or one of its indexes. On demand this means a
   * hot partition or the table's or account's throughput limit: the functions retry and slow down,
   * and a spoke defers its message rather than fail it.
   */
  private void watchTable(HubspokeTable store) {
    Table table = store.getTable();
    Map<String, IMetric> throttles = new LinkedHashMap<>();
    throttles.put("tableRead", throttleEvents(table, "ReadThrottleEvents", null));
    throttles.put("tableWrite", throttleEvents(table, "WriteThrottleEvents", null));
    List<String> indexes = store.getIndexNames();
    for (int i = 0; i < indexes.size(); i++) {
      throttles.put(
          "index" + i + "Read", throttleEvents(table, "ReadThrottleEvents", indexes.get(i)));
      throttles.put(
          "index" + i + "Write", throttleEvents(table, "WriteThrottleEvents", indexes.get(i)));
    }
    // Throttle events are only reported when they happen: a missing series counts as 0.
    List<String> terms = throttles.keySet().stream().map(id -> "FILL(" + id + ", 0)").toList();
    MathExpression throttled =
        MathExpression.Builder.create()
            .expression(String.join(" + ", terms))
            .usingMetrics(throttles)
            .period(FIVE_MINUTES)
            .label("throttle events")
            .build();
    alarm(
        "TableThrottled",
        "DynamoDB throttled reads or writes of the table or its index (ReadThrottleEvents,"
            + " WriteThrottleEvents): runs slow down while the functions retry",
        throttled,
        0,
        1);
    dashboard.addWidgets(
        graph(
            "DynamoDB",
            List.of(
                table.metricConsumedWriteCapacityUnits(sum(ONE_MINUTE, "write units")),
                table.metricConsumedReadCapacityUnits(sum(ONE_MINUTE, "read units")))),
        graph("DynamoDB throttle events", new ArrayList<>(throttles.values())));
  }

  private static Metric throttleEvents(Table table, String metricName, String index) {
    Map<String, String> dimensions = new LinkedHashMap<>();
    dimensions.put("TableName", table.getTableName());
    if (index != null) {
      dimensions.put("GlobalSecondaryIndexName", index);
    }
    return Metric.Builder.create()
        .namespace("AWS/DynamoDB")
        .metricName(metricName)
        .dimensionsMap(dimensions)
        .statistic("Sum")
        .period(FIVE_MINUTES)
        .label(metricName + (index == null ? "" : " " + index))
        .build();
  }

  private static Metric eventsMetric(
      String metricName, Map<String, String> dimensions, String label) {
    return Metric.Builder.create()
        .namespace("AWS/Events")
        .metricName(metricName)
        .dimensionsMap(dimensions)
        .statistic("Sum")
        .period(FIVE_MINUTES)
        .label(label)
        .build();
  }

  private static Metric runMetric(String metricName, Map<String, String> dimensions, String label) {
    return sumOf(RunMetricNames.NAMESPACE, metricName, dimensions, label);
  }

  /**
   * The five-minute sum of a metric. An alarm's metric has no label: with one, CloudWatch would
   * need the metric-math form of the alarm.
   */
  private static Metric sumOf(
      String namespace, String metricName, Map<String, String> dimensions, String label) {
    Metric.Builder metric =
        Metric.Builder.create()
            .namespace(namespace)
            .metricName(metricName)
            .dimensionsMap(dimensions)
            .statistic("Sum")
            .period(FIVE_MINUTES);
    return (label == null ? metric : metric.label(label)).build();
  }

  /** Alarms when {@code metric} is above {@code threshold}; no data is no failure. */
  private void alarm(
      String id, String description, IMetric metric, int threshold, int evaluationPeriods) {
    alarm(
        id,
        description,
        metric,
        threshold,
        evaluationPeriods,
        ComparisonOperator.GREATER_THAN_THRESHOLD,
        TreatMissingData.NOT_BREACHING);
  }

  private void alarm(
      String id,
      String description,
      IMetric metric,
      int threshold,
      int evaluationPeriods,
      ComparisonOperator comparison,
      TreatMissingData missingData) {
    Alarm alarm =
        Alarm.Builder.create(this, id)
            .alarmDescription(description + " (what to do: docs/deploy.md)")
            .metric(metric)
            .threshold(threshold)
            .comparisonOperator(comparison)
            .evaluationPeriods(evaluationPeriods)
            .treatMissingData(missingData)
            .build();
    alarm.addAlarmAction(new SnsAction(alarmTopic));
    alarm.addOkAction(new SnsAction(alarmTopic));
    alarms.put(id, alarm);
  }

  private static GraphWidget graph(String title, List<? extends IMetric> metrics) {
    return GraphWidget.Builder.create().title(title).left(metrics).width(6).height(6).build();
  }

  private static MetricOptions max(Duration period, String label) {
    MetricOptions.Builder options = MetricOptions.builder().period(period).statistic("Maximum");
    return (label == null ? options : options.label(label)).build();
  }

  private static MetricOptions sum(Duration period, String label) {
    MetricOptions.Builder options = MetricOptions.builder().period(period).statistic("Sum");
    return (label == null ? options : options.label(label)).build();
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

  /** A queue watched by {@link #watchQueue}. */
  public record QueueToWatch(
      String name, IQueue queue, IQueue deadLetterQueue, int oldestMessageAlarmSeconds) {}

  /** A rule watched by {@link #watchRule}; {@code eventBusName} null for the default bus. */
  public record RuleToWatch(String name, String ruleName, String eventBusName) {}

  /** The sweep's schedule rule, watched by {@link #watchSweep}. */
  public record SweepToWatch(String ruleName, int alarmPeriodSeconds) {}

  /** Settings of {@link Monitoring}. */
  public static final class Props {
    private final HubspokeTable table;
    private final List<QueueToWatch> queues;
    private final HubspokeEventBus eventBus;
    private final Map<String, JavaFunction> functions;
    private final HubHttpApi api;
    private final List<RuleToWatch> rules;
    private final SweepToWatch sweep;
    private final String alarmEmail;

    private Props(Builder b) {
      this.table = Objects.requireNonNull(b.table, "table");
      this.queues = List.copyOf(b.queues);
      this.eventBus = Objects.requireNonNull(b.eventBus, "eventBus");
      this.functions = Objects.requireNonNull(b.functions, "functions");
      this.api = Objects.requireNonNull(b.api, "api");
      this.rules = List.copyOf(b.rules);
      this.sweep = b.sweep;
      this.alarmEmail = b.alarmEmail;
    }

    public static Builder builder() {
      return new Builder();
    }

    public HubspokeTable getTable() {
      return table;
    }

    /** The queues to watch, in order. */
    public List<QueueToWatch> getQueues() {
      return queues;
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

    /** The rules whose failed invocations alarm. */
    public List<RuleToWatch> getRules() {
      return rules;
    }

    public Optional<SweepToWatch> getSweep() {
      return Optional.ofNullable(sweep);
    }

    public Optional<String> getAlarmEmail() {
      return Optional.ofNullable(alarmEmail);
    }

    public static final class Builder {
      private HubspokeTable table;
      private final List<QueueToWatch> queues = new ArrayList<>();
      private HubspokeEventBus eventBus;
      private final Map<String, JavaFunction> functions = new LinkedHashMap<>();
      private HubHttpApi api;
      private final List<RuleToWatch> rules = new ArrayList<>();
      private SweepToWatch sweep;
      private String alarmEmail;

      public Builder table(HubspokeTable table) {
        this.table = table;
        return this;
      }

      /** Watches a queue and its dead-letter queue (see {@link Monitoring#watchQueue}). */
      public Builder queue(
          String name, IQueue queue, IQueue deadLetterQueue, int oldestMessageAlarmSeconds) {
        this.queues.add(new QueueToWatch(name, queue, deadLetterQueue, oldestMessageAlarmSeconds));
        return this;
      }

      /** The work queue, as {@code Work}. */
      public Builder workQueue(WorkQueue workQueue, int oldestMessageAlarmSeconds) {
        return queue(
            "Work",
            workQueue.getQueue(),
            workQueue.getDeadLetterQueue(),
            oldestMessageAlarmSeconds);
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

      /** A rule on the default bus whose target is a function. */
      public Builder rule(String name, String ruleName) {
        return rule(name, ruleName, null);
      }

      /** A rule whose target is a function; {@code eventBusName} null for the default bus. */
      public Builder rule(String name, String ruleName, String eventBusName) {
        this.rules.add(new RuleToWatch(name, ruleName, eventBusName));
        return this;
      }

      /** The sweep's rule: alarms when it did not fire once in {@code alarmPeriodSeconds}. */
      public Builder sweep(String ruleName, int alarmPeriodSeconds) {
        this.sweep = new SweepToWatch(ruleName, alarmPeriodSeconds);
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
