package io.hubspoke.infra;

import static io.hubspoke.infra.TemplateJson.at;
import static io.hubspoke.infra.TemplateJson.properties;
import static io.hubspoke.infra.TemplateJson.resources;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hubspoke.contract.EventRules;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventsTest {
  private final Synth.Result synth = Synth.defaults();

  @Test
  void customBus() {
    synth.template().resourceCountIs("AWS::Events::EventBus", 1);
  }

  @Test
  void runDrainedRuleUsesThePatternTheLocalRuntimeUses() throws Exception {
    Map<String, Object> rule =
        properties(synth, synth.logicalId(synth.stack().getEventRoutes().getRunDrained()));
    assertEquals(EventRules.RUN_DRAINED_RULE, rule.get("Name"));
    assertEquals(synth.ref(synth.stack().getEventBus().getBus()), rule.get("EventBusName"));
    Map<String, Object> shared =
        new ObjectMapper()
            .readValue(EventRules.RUN_DRAINED_PATTERN, new TypeReference<Map<String, Object>>() {});
    assertEquals(shared, rule.get("EventPattern"));
  }

  @Test
  void runDrainedGoesToTheCollectorAliasWithRetriesAndADeadLetterQueue() {
    Map<String, Object> rule =
        properties(synth, synth.logicalId(synth.stack().getEventRoutes().getRunDrained()));
    assertCollectorTarget(rule, 8, 3600);
  }

  @Test
  void sweepScheduleInvokesTheCollector() {
    Map<String, Object> rule =
        properties(synth, synth.logicalId(synth.stack().getEventRoutes().getSweep()));
    assertEquals("rate(5 minutes)", rule.get("ScheduleExpression"));
    assertEquals(null, rule.get("EventBusName"), "schedules run on the default bus");
    assertCollectorTarget(rule, 8, 3600);

    Synth.Result custom = Synth.custom();
    Map<String, Object> customRule =
        properties(custom, custom.logicalId(custom.stack().getEventRoutes().getSweep()));
    assertEquals("rate(10 minutes)", customRule.get("ScheduleExpression"));
    assertEquals(
        Map.of("MaximumRetryAttempts", 3, "MaximumEventAgeInSeconds", 600),
        at(customRule, "Targets", 0, "RetryPolicy"));
  }

  @Test
  @SuppressWarnings("unchecked")
  void eventBridgeMayWriteToTheDeliveryDeadLetterQueueOnlyForOurRules() {
    String dlqId = synth.logicalId(synth.stack().getEventBus().getDeliveryDeadLetterQueue());
    boolean found = false;
    for (Map<String, Object> policy : resources(synth, "AWS::SQS::QueuePolicy").values()) {
      if (!((List<Object>) at(policy, "Properties", "Queues")).contains(Map.of("Ref", dlqId))) {
        continue;
      }
      for (Map<String, Object> s :
          (List<Map<String, Object>>) at(policy, "Properties", "PolicyDocument", "Statement")) {
        if ("Allow".equals(s.get("Effect"))
            && Map.of("Service", "events.amazonaws.com").equals(s.get("Principal"))) {
          assertEquals("sqs:SendMessage", s.get("Action"));
          assertTrue(
              ((Map<String, Object>) s.get("Condition")).containsKey("ArnEquals"), s.toString());
          found = true;
        }
      }
    }
    assertTrue(found, "no events.amazonaws.com statement on the delivery DLQ");
  }

  private void assertCollectorTarget(Map<String, Object> rule, int retries, int maxAge) {
    List<Map<String, Object>> targets = at(rule, "Targets");
    assertEquals(1, targets.size());
    Map<String, Object> target = targets.get(0);
    assertEquals(synth.ref(synth.stack().getCollector().getAlias()), target.get("Arn"));
    assertEquals(
        Map.of("MaximumRetryAttempts", retries, "MaximumEventAgeInSeconds", maxAge),
        target.get("RetryPolicy"));
    assertEquals(
        Map.of(
            "Arn", synth.getAtt(synth.stack().getEventBus().getDeliveryDeadLetterQueue(), "Arn")),
        target.get("DeadLetterConfig"));
  }
}
