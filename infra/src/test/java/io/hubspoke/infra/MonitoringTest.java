package io.hubspoke.infra;

import static io.hubspoke.infra.TemplateJson.at;
import static io.hubspoke.infra.TemplateJson.resources;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
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
    assertEquals(9, alarms.size());
    for (Map<String, Object> alarm : alarms.values()) {
      assertEquals(List.of(topicRef), at(alarm, "Properties", "AlarmActions"));
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
