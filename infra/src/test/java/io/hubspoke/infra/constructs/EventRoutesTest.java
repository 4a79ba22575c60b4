package io.hubspoke.infra.constructs;

import static io.hubspoke.infra.TemplateJson.at;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hubspoke.contract.EventRules;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.services.events.EventBus;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.sqs.Queue;

class EventRoutesTest {
  private final BareStack bare = new BareStack();
  private final EventBus bus = new EventBus(bare.stack, "Bus");
  private final Queue deadLetters = new Queue(bare.stack, "DeadLetters");

  private EventRoutes routes(EventRoutes.Props.Builder props) {
    return new EventRoutes(
        bare.stack,
        "Routes",
        props
            .eventBus(bus)
            .collector(bare.importedFunction("Collector", "collector"))
            .spoke(bare.importedFunction("Spoke", "spoke"))
            .deadLetterQueue(deadLetters)
            .build());
  }

  @Test
  void runDrainedOnTheBusWithThePatternTheLocalRuntimeUses() throws Exception {
    EventRoutes routes = routes(EventRoutes.Props.builder());
    bare.template().resourceCountIs("AWS::Events::Rule", 3);
    Map<String, Object> rule = bare.properties(routes.getRunDrained());
    assertEquals(EventRules.RUN_DRAINED_RULE, rule.get("Name"));
    assertEquals(bare.ref(bus), rule.get("EventBusName"));
    assertEquals(
        new ObjectMapper()
            .readValue(EventRules.RUN_DRAINED_PATTERN, new TypeReference<Map<String, Object>>() {}),
        rule.get("EventPattern"));
    assertCollectorTarget(rule, 8, 3600);
  }

  @Test
  void workAvailableWakesTheSpokeWithThePatternTheLocalRuntimeUses() throws Exception {
    EventRoutes routes = routes(EventRoutes.Props.builder());
    Map<String, Object> rule = bare.properties(routes.getWorkAvailable());
    assertEquals(EventRules.WORK_AVAILABLE_RULE, rule.get("Name"));
    assertEquals(bare.ref(bus), rule.get("EventBusName"));
    assertEquals(
        new ObjectMapper()
            .readValue(
                EventRules.WORK_AVAILABLE_PATTERN, new TypeReference<Map<String, Object>>() {}),
        rule.get("EventPattern"));
    assertTarget(rule, "spoke", 8, 3600);
    bare.assertMayInvoke(
        BareStack.functionArn("spoke"), "events.amazonaws.com", routes.getWorkAvailable());
  }

  @Test
  void theSweepIsAScheduleOnTheDefaultBus() {
    EventRoutes routes = routes(EventRoutes.Props.builder());
    Map<String, Object> rule = bare.properties(routes.getSweep());
    assertEquals("rate(5 minutes)", rule.get("ScheduleExpression"));
    assertNull(rule.get("EventBusName"), "schedules run on the default bus");
    assertNull(rule.get("EventPattern"));
    assertCollectorTarget(rule, 8, 3600);
  }

  @Test
  void retriesMaximumAgeAndSweepScheduleAreProps() {
    EventRoutes routes =
        routes(
            EventRoutes.Props.builder()
                .retryAttempts(3)
                .maxEventAgeSeconds(600)
                .sweepSchedule("rate(10 minutes)"));
    assertCollectorTarget(bare.properties(routes.getRunDrained()), 3, 600);
    Map<String, Object> sweep = bare.properties(routes.getSweep());
    assertEquals("rate(10 minutes)", sweep.get("ScheduleExpression"));
    assertCollectorTarget(sweep, 3, 600);
  }

  @Test
  void eachRuleMayInvokeTheCollectorAndWriteToTheDeadLetterQueue() {
    EventRoutes routes = routes(EventRoutes.Props.builder());
    for (Rule rule : List.of(routes.getRunDrained(), routes.getSweep())) {
      bare.assertMayInvoke(BareStack.functionArn("collector"), "events.amazonaws.com", rule);
    }
    bare.template().resourceCountIs("AWS::Lambda::Permission", 3);
    assertEventBridgeMaySendFor(
        List.of(routes.getRunDrained(), routes.getSweep(), routes.getWorkAvailable()));
  }

  private void assertCollectorTarget(Map<String, Object> rule, int retries, int maxAge) {
    assertTarget(rule, "collector", retries, maxAge);
  }

  private void assertTarget(Map<String, Object> rule, String function, int retries, int maxAge) {
    List<Map<String, Object>> targets = at(rule, "Targets");
    assertEquals(1, targets.size());
    Map<String, Object> target = targets.get(0);
    assertEquals(BareStack.functionArn(function), target.get("Arn"));
    assertEquals(
        Map.of("MaximumRetryAttempts", retries, "MaximumEventAgeInSeconds", maxAge),
        target.get("RetryPolicy"));
    assertEquals(Map.of("Arn", bare.getAtt(deadLetters, "Arn")), target.get("DeadLetterConfig"));
  }

  /** EventBridge may send to the dead-letter queue, for {@code rules} only. */
  @SuppressWarnings("unchecked")
  private void assertEventBridgeMaySendFor(List<Rule> rules) {
    Map<String, Object> policy = bare.onlyResource("AWS::SQS::QueuePolicy");
    assertEquals(List.of(bare.ref(deadLetters)), policy.get("Queues"));
    List<Object> sources =
        ((List<Map<String, Object>>) at(policy, "PolicyDocument", "Statement"))
            .stream()
                .filter(s -> Map.of("Service", "events.amazonaws.com").equals(s.get("Principal")))
                .filter(s -> "sqs:SendMessage".equals(s.get("Action")))
                .map(s -> at(s, "Condition", "ArnEquals", "aws:SourceArn"))
                .toList();
    assertEquals(rules.stream().map(r -> (Object) bare.getAtt(r, "Arn")).toList(), sources);
  }
}
