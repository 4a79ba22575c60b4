package io.hubspoke.infra.constructs;

import static io.hubspoke.infra.TemplateJson.at;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.hubspoke.contract.RunMetricNames;
import io.hubspoke.infra.TemplateJson;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.services.cloudwatch.Alarm;
import software.amazon.awscdk.services.sqs.IQueue;

class MonitoringTest {
  private final BareStack bare = new BareStack();
  private final HubspokeTable table =
      new HubspokeTable(bare.stack, "Store", HubspokeTable.Props.builder().build());
  private final WorkQueue work =
      new WorkQueue(bare.stack, "Work", WorkQueue.Props.builder().spokeTimeoutSeconds(60).build());
  private final HubspokeEventBus events =
      new HubspokeEventBus(bare.stack, "Events", HubspokeEventBus.Props.builder().build());
  private final JavaFunction hub =
      new JavaFunction(
          bare.stack,
          "Hub",
          JavaFunction.Props.builder()
              .description("hub")
              .handler(HubFunction.HANDLER)
              .jar(BareStack.jar("hub"))
              .build());
  private final HubHttpApi api =
      new HubHttpApi(
          bare.stack,
          "Http",
          HubHttpApi.Props.builder().hub(bare.importedFunction("HubAlias", "hub")).build());

  private Monitoring monitoring(Monitoring.Props.Builder props) {
    return new Monitoring(
        bare.stack,
        "Monitoring",
        props
            .table(table)
            .workQueue(work, 120)
            .eventBus(events)
            .function("Hub", hub)
            .api(api)
            .rule("RunDrained", "run-drained", "hubspoke-bus")
            .sweep("sweep-rule", 900)
            .build());
  }

  @Test
  void oneAlarmPerFailureEachNotifyingTheTopicOnAlarmAndOnRecovery() {
    Monitoring monitoring = monitoring(Monitoring.Props.builder());
    Set<String> expected =
        Set.of(
            "WorkDeadLetterQueueNotEmpty",
            "OldestWorkMessageTooOld",
            "EventDeadLetterQueueNotEmpty",
            "HubErrors",
            "HubThrottles",
            "ApiServerErrors",
            "TableThrottled",
            "RunDrainedFailedInvocations",
            "SweepNotRunning",
            "RunsFailed");
    assertEquals(expected, monitoring.getAlarms().keySet());
    bare.template().resourceCountIs("AWS::CloudWatch::Alarm", expected.size());
    bare.template().resourceCountIs("AWS::SNS::Topic", 1);
    bare.template().resourceCountIs("AWS::SNS::Subscription", 0);
    bare.template().resourceCountIs("AWS::CloudWatch::Dashboard", 1);
    Map<String, Object> topic = bare.ref(monitoring.getAlarmTopic());
    for (Alarm alarm : monitoring.getAlarms().values()) {
      Map<String, Object> props = bare.properties(alarm);
      assertEquals(List.of(topic), props.get("AlarmActions"), alarm.getNode().getId());
      assertEquals(List.of(topic), props.get("OKActions"), alarm.getNode().getId());
    }
  }

  @Test
  void theQueuesAlarmOnADeadLetterAndOnAnOldMessage() {
    Monitoring monitoring = monitoring(Monitoring.Props.builder());
    Map<String, Object> deadLetters = alarm(monitoring, "WorkDeadLetterQueueNotEmpty");
    assertEquals("ApproximateNumberOfMessagesVisible", deadLetters.get("MetricName"));
    assertEquals(queueName(work.getDeadLetterQueue()), deadLetters.get("Dimensions"));
    assertEquals(0, deadLetters.get("Threshold"));
    assertEquals("GreaterThanThreshold", deadLetters.get("ComparisonOperator"));
    assertEquals("notBreaching", deadLetters.get("TreatMissingData"));
    Map<String, Object> oldest = alarm(monitoring, "OldestWorkMessageTooOld");
    assertEquals("ApproximateAgeOfOldestMessage", oldest.get("MetricName"));
    assertEquals(queueName(work.getQueue()), oldest.get("Dimensions"));
    assertEquals(120, oldest.get("Threshold"));
    assertEquals(5, oldest.get("EvaluationPeriods"));
    assertEquals(
        queueName(events.getDeliveryDeadLetterQueue()),
        alarm(monitoring, "EventDeadLetterQueueNotEmpty").get("Dimensions"));
  }

  @Test
  void functionsRulesTheSweepAndRunsAlarmOnTheirOwnMetrics() {
    Monitoring monitoring = monitoring(Monitoring.Props.builder());
    Map<String, Object> errors = alarm(monitoring, "HubErrors");
    assertEquals("AWS/Lambda", errors.get("Namespace"));
    assertEquals("Errors", errors.get("MetricName"));
    assertEquals("Sum", errors.get("Statistic"));
    assertEquals(
        List.of(Map.of("Name", "FunctionName", "Value", bare.ref(hub.getFunction()))),
        errors.get("Dimensions"));
    assertEquals("Throttles", alarm(monitoring, "HubThrottles").get("MetricName"));

    Map<String, Object> rule = alarm(monitoring, "RunDrainedFailedInvocations");
    assertEquals("AWS/Events", rule.get("Namespace"));
    assertEquals("FailedInvocations", rule.get("MetricName"));
    assertEquals(
        Set.of(
            Map.of("Name", "RuleName", "Value", "run-drained"),
            Map.of("Name", "EventBusName", "Value", "hubspoke-bus")),
        Set.copyOf(TemplateJson.<List<Object>>at(rule, "Dimensions")));

    // EventBridge reports no Invocations while a rule does not fire: missing data is the alarm.
    Map<String, Object> sweep = alarm(monitoring, "SweepNotRunning");
    assertEquals("Invocations", sweep.get("MetricName"));
    assertEquals(
        List.of(Map.of("Name", "RuleName", "Value", "sweep-rule")), sweep.get("Dimensions"));
    assertEquals(900, sweep.get("Period"));
    assertEquals(1, sweep.get("Threshold"));
    assertEquals("LessThanThreshold", sweep.get("ComparisonOperator"));
    assertEquals("breaching", sweep.get("TreatMissingData"));

    Map<String, Object> runs = alarm(monitoring, "RunsFailed");
    assertEquals(RunMetricNames.NAMESPACE, runs.get("Namespace"));
    assertEquals(RunMetricNames.RUNS_FAILED, runs.get("MetricName"));
    assertEquals(
        List.of(Map.of("Name", RunMetricNames.TABLE_NAME, "Value", bare.ref(table.getTable()))),
        runs.get("Dimensions"));

    Map<String, Object> api5xx = alarm(monitoring, "ApiServerErrors");
    assertEquals("AWS/ApiGateway", api5xx.get("Namespace"));
    assertEquals("5xx", api5xx.get("MetricName"));
  }

  @Test
  void theTableAlarmsOnThrottlingOfItselfAndEachIndex() {
    Monitoring monitoring = monitoring(Monitoring.Props.builder());
    List<Map<String, Object>> queries = at(alarm(monitoring, "TableThrottled"), "Metrics");
    long watched = queries.stream().filter(q -> q.get("MetricStat") != null).count();
    // Reads and writes of the table and of its two indexes.
    assertEquals(2 * (1 + table.getIndexNames().size()), watched);
    String expression =
        queries.stream()
            .filter(q -> q.get("Expression") != null)
            .map(q -> q.get("Expression").toString())
            .findFirst()
            .orElseThrow();
    assertEquals(watched, expression.split("\\+").length, expression);
  }

  @Test
  void anAlarmEmailSubscribesToTheTopic() {
    Monitoring monitoring = monitoring(Monitoring.Props.builder().alarmEmail("ops@example.com"));
    bare.template()
        .hasResourceProperties(
            "AWS::SNS::Subscription",
            Map.of(
                "Protocol",
                "email",
                "Endpoint",
                "ops@example.com",
                "TopicArn",
                bare.ref(monitoring.getAlarmTopic())));
  }

  private Map<String, Object> alarm(Monitoring monitoring, String id) {
    return bare.properties(monitoring.getAlarms().get(id));
  }

  private List<Map<String, Object>> queueName(IQueue queue) {
    return List.of(Map.of("Name", "QueueName", "Value", bare.getAtt(queue, "QueueName")));
  }
}
