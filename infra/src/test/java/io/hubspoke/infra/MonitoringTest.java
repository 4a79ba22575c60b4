package io.hubspoke.infra;

import static io.hubspoke.infra.TemplateJson.at;
import static io.hubspoke.infra.TemplateJson.resources;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hubspoke.contract.EventRules;
import io.hubspoke.contract.TableSchema;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.sqs.Queue;

class MonitoringTest {
  private final Synth.Result synth = Synth.defaults();

  @Test
  void deadLetterQueueDepthAboveZeroAlarms() {
    for (Queue dlq :
        List.of(
            synth.stack().getWorkQueue().getDeadLetterQueue(),
            synth.stack().getEventBus().getDeliveryDeadLetterQueue())) {
      Map<String, Object> alarm =
          alarm(
              "ApproximateNumberOfMessagesVisible",
              Map.of("Name", "QueueName", "Value", synth.getAtt(dlq, "QueueName")));
      assertEquals(0, alarm.get("Threshold"));
      assertEquals("GreaterThanThreshold", alarm.get("ComparisonOperator"));
      assertEquals("AWS/SQS", alarm.get("Namespace"));
    }
  }

  @Test
  void theDispatchQueueIsWatchedLikeTheWorkQueue() {
    Map<String, Object> deadLetters =
        alarm(
            "ApproximateNumberOfMessagesVisible",
            Map.of(
                "Name",
                "QueueName",
                "Value",
                synth.getAtt(synth.stack().getDispatchQueue().getDeadLetterQueue(), "QueueName")));
    assertEquals(0, deadLetters.get("Threshold"));
    assertEquals("GreaterThanThreshold", deadLetters.get("ComparisonOperator"));
    assertEquals("notBreaching", deadLetters.get("TreatMissingData"));
    Map<String, Object> oldest =
        alarm(
            "ApproximateAgeOfOldestMessage",
            Map.of(
                "Name",
                "QueueName",
                "Value",
                synth.getAtt(synth.stack().getDispatchQueue().getQueue(), "QueueName")));
    assertEquals(900, oldest.get("Threshold"));
    assertEquals("GreaterThanThreshold", oldest.get("ComparisonOperator"));
    assertEquals("notBreaching", oldest.get("TreatMissingData"));
  }

  @Test
  void oldestMessageAgeAlarms() {
    Map<String, Object> alarm =
        alarm(
            "ApproximateAgeOfOldestMessage",
            Map.of(
                "Name",
                "QueueName",
                "Value",
                synth.getAtt(synth.stack().getWorkQueue().getQueue(), "QueueName")));
    assertEquals(900, alarm.get("Threshold"));
    assertEquals("GreaterThanThreshold", alarm.get("ComparisonOperator"));
  }

  @Test
  void everyFunctionAlarmsOnErrorsAndThrottles() {
    for (Function fn :
        List.of(
            synth.stack().getHub().getFunction().getFunction(),
            synth.stack().getSpoke().getFunction().getFunction(),
            synth.stack().getCollector().getFunction().getFunction())) {
      for (String metric : List.of("Errors", "Throttles")) {
        Map<String, Object> alarm =
            alarm(metric, Map.of("Name", "FunctionName", "Value", synth.ref(fn)));
        assertEquals(0, alarm.get("Threshold"));
        assertEquals("AWS/Lambda", alarm.get("Namespace"));
        assertEquals("Sum", alarm.get("Statistic"));
      }
    }
  }

  @Test
  void alarmsNotifyTheTopic() {
    Map<String, Object> topicRef = synth.ref(synth.stack().getMonitoring().getAlarmTopic());
    Map<String, Map<String, Object>> alarms = resources(synth, "AWS::CloudWatch::Alarm");
    // 9 on queues and functions, 2 on the dispatch queue; API 5xx, table throttles,
    // FailedInvocations of the RunDrained and WorkAvailable rules, the sweep and the one
    // schedule, the sweep not running, runs FAILED.
    assertEquals(19, alarms.size(), alarms.keySet().toString());
    for (Map<String, Object> alarm : alarms.values()) {
      assertEquals(List.of(topicRef), at(alarm, "Properties", "AlarmActions"));
      assertEquals(List.of(topicRef), at(alarm, "Properties", "OKActions"));
    }
    synth.template().hasResourceProperties("AWS::SNS::TopicPolicy", Map.of()); // enforceSsl policy
    Synth.Result custom = Synth.custom();
    custom
        .template()
        .hasResourceProperties(
            "AWS::SNS::Subscription", Map.of("Protocol", "email", "Endpoint", "ops@example.com"));
  }

  @Test
  void dashboard() {
    Map<String, Map<String, Object>> dashboards = resources(synth, "AWS::CloudWatch::Dashboard");
    assertEquals(1, dashboards.size());
    String body =
        at(dashboards.values().iterator().next(), "Properties", "DashboardBody").toString();
    for (String metric :
        List.of("ApproximateAgeOfOldestMessage", "Invocations", "Errors", "Throttles", "5xx")) {
      assertTrue(body.contains(metric), metric);
    }
  }

  @Test
  void outputsNameTheApiTableQueuesAndBus() {
    Map<String, Object> outputs = at(synth.json(), "Outputs");
    assertTrue(
        outputs
            .keySet()
            .containsAll(
                Set.of(
                    "ApiUrl",
                    "TableName",
                    "WorkQueueName",
                    "WorkQueueUrl",
                    "DeadLetterQueueName",
                    "EventBusName")),
        outputs.keySet().toString());
    assertEquals(synth.ref(synth.stack().getTable().getTable()), at(outputs, "TableName", "Value"));
    assertEquals(
        synth.ref(synth.stack().getEventBus().getBus()), at(outputs, "EventBusName", "Value"));
    assertEquals(
        synth.getAtt(synth.stack().getWorkQueue().getDeadLetterQueue(), "QueueName"),
        at(outputs, "DeadLetterQueueName", "Value"));
    assertTrue(
        at(outputs, "ApiUrl", "Value")
            .toString()
            .contains(synth.logicalId(synth.stack().getHttpApi().getApi())));
  }

  @Test
  void httpApiServerErrorsAlarm() {
    Map<String, Object> alarm =
        alarm(
            "5xx",
            Map.of("Name", "ApiId", "Value", synth.ref(synth.stack().getHttpApi().getApi())));
    assertEquals("AWS/ApiGateway", alarm.get("Namespace"));
    assertOnAnyInFiveMinutes(alarm);
  }

  @Test
  void tableThrottlingAlarmsOnReadAndWriteThrottleEventsOfTheTableAndItsIndex() {
    Map<String, Object> table = synth.ref(synth.stack().getTable().getTable());
    Map<String, Object> alarm = mathAlarm("ReadThrottleEvents");
    List<Map<String, Object>> metrics = at(alarm, "Metrics");
    Set<List<Object>> watched = new HashSet<>();
    for (Map<String, Object> query : metrics) {
      if (query.get("MetricStat") == null) {
        String expression = (String) query.get("Expression");
        assertEquals(true, query.get("ReturnData"));
        for (Map<String, Object> other : metrics) {
          if (other.get("MetricStat") != null) {
            assertTrue(expression.contains((String) other.get("Id")), expression);
          }
        }
        continue;
      }
      assertEquals("AWS/DynamoDB", (Object) at(query, "MetricStat", "Metric", "Namespace"));
      assertEquals("Sum", (Object) at(query, "MetricStat", "Stat"));
      assertEquals(300, (Object) at(query, "MetricStat", "Period"));
      List<Map<String, Object>> dimensions = at(query, "MetricStat", "Metric", "Dimensions");
      assertTrue(
          dimensions.contains(Map.of("Name", "TableName", "Value", table)), query.toString());
      Object index =
          dimensions.stream()
              .filter(d -> "GlobalSecondaryIndexName".equals(d.get("Name")))
              .map(d -> d.get("Value"))
              .findFirst()
              .orElse("table");
      watched.add(List.of(at(query, "MetricStat", "Metric", "MetricName"), index));
    }
    assertEquals(
        Set.of(
            List.of("ReadThrottleEvents", "table"),
            List.of("WriteThrottleEvents", "table"),
            List.of("ReadThrottleEvents", TableSchema.RUNS_INDEX),
            List.of("WriteThrottleEvents", TableSchema.RUNS_INDEX),
            List.of("ReadThrottleEvents", TableSchema.OPEN_RUNS_INDEX),
            List.of("WriteThrottleEvents", TableSchema.OPEN_RUNS_INDEX),
            List.of("ReadThrottleEvents", TableSchema.CLAIMABLE_INDEX),
            List.of("WriteThrottleEvents", TableSchema.CLAIMABLE_INDEX)),
        watched);
    assertEquals(0, alarm.get("Threshold"));
    assertEquals("GreaterThanThreshold", alarm.get("ComparisonOperator"));
    assertEquals("notBreaching", alarm.get("TreatMissingData"));
    assertEquals(1, alarm.get("EvaluationPeriods"));
  }

  @Test
  void failedInvocationsOfEveryRuleThatInvokesAFunctionAlarm() {
    HubspokeStack stack = synth.stack();
    List<Map<String, Object>> rules = new ArrayList<>();
    rules.add(Map.of("Name", "RuleName", "Value", synth.ref(stack.getEventRoutes().getSweep())));
    for (Rule schedule : stack.getScheduledRuns().getRules()) {
      rules.add(Map.of("Name", "RuleName", "Value", synth.ref(schedule)));
    }
    for (Map<String, Object> rule : rules) {
      Map<String, Object> alarm = alarm("FailedInvocations", rule);
      assertEquals("AWS/Events", alarm.get("Namespace"));
      assertOnAnyInFiveMinutes(alarm);
    }
    // A rule on the custom bus reports with the bus's name as a second dimension.
    for (String onTheBus : List.of(EventRules.RUN_DRAINED_RULE, EventRules.WORK_AVAILABLE_RULE)) {
      Map<String, Object> alarm =
          alarm(
              "FailedInvocations",
              Set.of(
                  Map.of("Name", "RuleName", "Value", onTheBus),
                  Map.of(
                      "Name", "EventBusName", "Value", synth.ref(stack.getEventBus().getBus()))));
      assertOnAnyInFiveMinutes(alarm);
    }
  }

  @Test
  void theSweepNotRunningAlarmsOnMissingInvocationsOfItsRule() {
    Map<String, Object> alarm =
        alarm(
            "Invocations",
            Map.of(
                "Name", "RuleName", "Value", synth.ref(synth.stack().getEventRoutes().getSweep())));
    assertEquals("AWS/Events", alarm.get("Namespace"));
    assertEquals("Sum", alarm.get("Statistic"));
    // Three intervals of rate(5 minutes) without one invocation.
    assertEquals(900, alarm.get("Period"));
    assertEquals(1, alarm.get("EvaluationPeriods"));
    assertEquals(1, alarm.get("Threshold"));
    assertEquals("LessThanThreshold", alarm.get("ComparisonOperator"));
    assertEquals("breaching", alarm.get("TreatMissingData"));

    // rate(10 minutes) in the custom configuration: 30 minutes.
    Synth.Result custom = Synth.custom();
    Map<String, Object> customAlarm =
        alarm(
            custom,
            "Invocations",
            Set.of(
                Map.of(
                    "Name",
                    "RuleName",
                    "Value",
                    custom.ref(custom.stack().getEventRoutes().getSweep()))));
    assertEquals(1800, customAlarm.get("Period"));
  }

  @Test
  void runsFailedAlarmsOnTheMetricTheFunctionsEmit() {
    Map<String, Object> alarm =
        alarm(
            "RunsFailed",
            Map.of("Name", "TableName", "Value", synth.ref(synth.stack().getTable().getTable())));
    assertEquals("Hubspoke", alarm.get("Namespace"));
    assertOnAnyInFiveMinutes(alarm);
  }

  @Test
  void existingAlarmsTreatMissingDataAsOk() {
    for (Map<String, Object> alarm :
        List.of(
            alarm(
                "ApproximateNumberOfMessagesVisible",
                Map.of(
                    "Name",
                    "QueueName",
                    "Value",
                    synth.getAtt(synth.stack().getWorkQueue().getDeadLetterQueue(), "QueueName"))),
            alarm(
                "Errors",
                Map.of(
                    "Name",
                    "FunctionName",
                    "Value",
                    synth.ref(synth.stack().getSpoke().getFunction().getFunction()))))) {
      assertEquals("notBreaching", alarm.get("TreatMissingData"));
    }
  }

  @Test
  void dashboardShowsRunsAndTheNewFailureSignals() {
    String body =
        at(
                resources(synth, "AWS::CloudWatch::Dashboard").values().iterator().next(),
                "Properties",
                "DashboardBody")
            .toString();
    for (String metric :
        List.of(
            "RunsSucceeded",
            "RunsFailed",
            "ReadThrottleEvents",
            "WriteThrottleEvents",
            "FailedInvocations")) {
      assertTrue(body.contains(metric), metric);
    }
  }

  /** Any occurrence within five minutes raises the alarm; no data is no failure. */
  private static void assertOnAnyInFiveMinutes(Map<String, Object> alarm) {
    assertEquals("Sum", alarm.get("Statistic"));
    assertEquals(300, alarm.get("Period"));
    assertEquals(1, alarm.get("EvaluationPeriods"));
    assertEquals(0, alarm.get("Threshold"));
    assertEquals("GreaterThanThreshold", alarm.get("ComparisonOperator"));
    assertEquals("notBreaching", alarm.get("TreatMissingData"));
  }

  /** The one metric-math alarm that reads {@code metric}. */
  private Map<String, Object> mathAlarm(String metric) {
    List<Map<String, Object>> found =
        resources(synth, "AWS::CloudWatch::Alarm").values().stream()
            .map(a -> TemplateJson.<Map<String, Object>>at(a, "Properties"))
            .filter(p -> p.get("Metrics") != null && p.get("Metrics").toString().contains(metric))
            .toList();
    assertEquals(1, found.size(), "metric-math alarms on " + metric);
    return found.get(0);
  }

  private Map<String, Object> alarm(String metric, Set<Map<String, Object>> dimensions) {
    return alarm(synth, metric, dimensions);
  }

  /** The one alarm on {@code metric} with exactly these dimensions, in any order. */
  private static Map<String, Object> alarm(
      Synth.Result synth, String metric, Set<Map<String, Object>> dimensions) {
    List<Map<String, Object>> found =
        resources(synth, "AWS::CloudWatch::Alarm").values().stream()
            .map(a -> TemplateJson.<Map<String, Object>>at(a, "Properties"))
            .filter(p -> metric.equals(p.get("MetricName")))
            .filter(
                p ->
                    p.get("Dimensions") instanceof List<?> l
                        && l.size() == dimensions.size()
                        && dimensions.containsAll(l))
            .toList();
    assertEquals(1, found.size(), "alarms on " + metric + " " + dimensions);
    return found.get(0);
  }

  /** The one alarm on {@code metric} with exactly this dimension. */
  private Map<String, Object> alarm(String metric, Map<String, Object> dimension) {
    List<Map<String, Object>> found =
        resources(synth, "AWS::CloudWatch::Alarm").values().stream()
            .map(a -> TemplateJson.<Map<String, Object>>at(a, "Properties"))
            .filter(p -> metric.equals(p.get("MetricName")))
            .filter(p -> List.of(dimension).equals(p.get("Dimensions")))
            .toList();
    assertEquals(1, found.size(), "alarms on " + metric + " " + dimension);
    return found.get(0);
  }
}
