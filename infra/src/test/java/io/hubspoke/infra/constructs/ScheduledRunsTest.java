package io.hubspoke.infra.constructs;

import static io.hubspoke.infra.TemplateJson.at;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.sqs.Queue;

class ScheduledRunsTest {
  private static final ScheduledRun NIGHTLY =
      new ScheduledRun(
          "nightly", "cron(0 2 * * ? *)", Map.of("worker", "echo", "items", List.of("a", "b")));
  private static final ScheduledRun HOURLY =
      new ScheduledRun("hourly", "rate(1 hour)", Map.of("worker", "echo", "items", List.of(1)));

  private final BareStack bare = new BareStack();
  private final Queue deadLetters = new Queue(bare.stack, "DeadLetters");

  private ScheduledRuns schedules(ScheduledRuns.Props.Builder props) {
    return new ScheduledRuns(
        bare.stack,
        "Schedules",
        props.hub(bare.importedFunction("Hub", "hub")).deadLetterQueue(deadLetters).build());
  }

  @Test
  void oneRulePerScheduleInvokingTheHubWithRetriesAndADeadLetterQueue() {
    ScheduledRuns runs =
        schedules(
            ScheduledRuns.Props.builder()
                .schedules(List.of(NIGHTLY, HOURLY))
                .retryAttempts(3)
                .maxEventAgeSeconds(600));

    bare.template().resourceCountIs("AWS::Events::Rule", 2);
    assertEquals(List.of("nightly", "hourly"), List.copyOf(runs.getRulesByName().keySet()));
    Rule nightly = runs.getRulesByName().get("nightly");
    Map<String, Object> rule = bare.properties(nightly);
    assertEquals("cron(0 2 * * ? *)", rule.get("ScheduleExpression"));
    assertEquals(
        "rate(1 hour)",
        bare.properties(runs.getRulesByName().get("hourly")).get("ScheduleExpression"));
    Map<String, Object> target = at(rule, "Targets", 0);
    assertEquals(BareStack.functionArn("hub"), target.get("Arn"));
    assertEquals(
        Map.of("MaximumRetryAttempts", 3, "MaximumEventAgeInSeconds", 600),
        target.get("RetryPolicy"));
    assertEquals(Map.of("Arn", bare.getAtt(deadLetters, "Arn")), target.get("DeadLetterConfig"));
    for (Rule each : runs.getRules()) {
      bare.assertMayInvoke(BareStack.functionArn("hub"), "events.amazonaws.com", each);
    }
  }

  @Test
  void theInputIsTheRunRequestWithAnIdempotencyKeyPerFiring() throws Exception {
    ScheduledRuns runs = schedules(ScheduledRuns.Props.builder().schedules(List.of(NIGHTLY)));
    Map<String, Object> transformer =
        at(bare.properties(runs.getRules().get(0)), "Targets", 0, "InputTransformer");
    assertEquals(Map.of("time", "$.time"), transformer.get("InputPathsMap"));
    // EventBridge renders <time> as a JSON string where it stands as a value, as text inside one.
    String rendered =
        ((String) transformer.get("InputTemplate"))
            .replace(":<time>", ":\"<time>\"")
            .replace("<time>", "2026-11-23T02:00:00Z");
    Map<String, Object> event =
        new ObjectMapper().readValue(rendered, new TypeReference<Map<String, Object>>() {});
    assertEquals(ScheduledRuns.SOURCE, event.get("source"));
    assertEquals(ScheduledRuns.DETAIL_TYPE, event.get("detail-type"));
    assertEquals("2026-11-23T02:00:00Z", event.get("time"));
    assertEquals(
        Map.of(
            "worker",
            "echo",
            "items",
            List.of("a", "b"),
            "idempotencyKey",
            "schedule-nightly-2026-11-23T02:00:00Z"),
        event.get("detail"));
  }

  @Test
  void noSchedulesNoRules() {
    ScheduledRuns runs = schedules(ScheduledRuns.Props.builder());
    assertEquals(List.of(), runs.getRules());
    bare.template().resourceCountIs("AWS::Events::Rule", 0);
    bare.template().resourceCountIs("AWS::Lambda::Permission", 0);
  }

  @Test
  void aRequestTheHubWouldRejectFailsNamingTheScheduleTheSettingAndTheField() {
    ScheduledRun unknownWorker =
        new ScheduledRun("nightly", "rate(1 day)", Map.of("worker", "report", "items", List.of(1)));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> schedules(ScheduledRuns.Props.builder().schedules(List.of(unknownWorker))));
    assertTrue(
        e.getMessage().startsWith("schedule 'nightly' in hubspoke:schedules: "), e.getMessage());
    assertTrue(e.getMessage().contains("request.worker: unknown worker 'report'"), e.getMessage());
  }

  @Test
  void theInputTemplateKeepsTheRequestsFieldOrderSoTwoSynthesesAgree() {
    Map<String, Object> request = new LinkedHashMap<>();
    request.put("worker", "sleep");
    request.put("workerConfig", Map.of("ms", 5));
    request.put("maxAttempts", 2);
    request.put("taskTimeoutSeconds", 30);
    request.put("items", List.of(1, 2));
    ScheduledRuns runs =
        schedules(
            ScheduledRuns.Props.builder()
                .schedules(List.of(new ScheduledRun("ordered", "rate(1 day)", request))));
    Map<String, Object> transformer =
        at(bare.properties(runs.getRules().get(0)), "Targets", 0, "InputTransformer");
    String template = (String) transformer.get("InputTemplate");
    List<Integer> positions =
        request.keySet().stream().map(key -> template.indexOf("\"" + key + "\"")).toList();
    assertEquals(
        positions.stream().sorted().toList(),
        positions,
        "fields in the request's order " + request.keySet() + ": " + template);
  }

  @Test
  void aNullRequestFieldIsRefusedWithItsName() {
    Map<String, Object> request = new LinkedHashMap<>();
    request.put("worker", "echo");
    request.put("workerConfig", null);
    IllegalArgumentException error =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class,
            () -> new ScheduledRun("nulls", "rate(1 day)", request));
    assertEquals(
        "schedule 'nulls': request field 'workerConfig' is null; give it a value or leave it out",
        error.getMessage());
  }
}
