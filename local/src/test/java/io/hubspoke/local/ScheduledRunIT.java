package io.hubspoke.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hubspoke.contract.json.Json;
import io.hubspoke.local.emulator.InputTransformer;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A scheduled run from the stack's own rule target to a finished run: the target input the CDK
 * synthesizes for a schedule ({@code scheduled-runs/nightly-target.json}, kept equal to the
 * synthesized template by infra's {@code ScheduledRunFixtureTest}) is installed on the local bus as
 * a scheduled rule whose target is the hub, and each firing goes through the bus's input
 * transformer and its at-least-once delivery to the hub, then through the queue, the spokes and the
 * collector.
 */
class ScheduledRunIT {
  static final Instant FIRST = Instant.parse("2026-11-23T02:00:00Z");
  static final Instant SECOND = Instant.parse("2026-11-24T02:00:00Z");
  static LocalRuntime runtime;
  static ApiClient api;
  static JsonNode fixture;

  @BeforeAll
  static void start() throws Exception {
    try (InputStream in =
        ScheduledRunIT.class.getResourceAsStream("/scheduled-runs/nightly-target.json")) {
      fixture = Json.parse(in);
    }
    runtime = LocalRuntime.start(LocalOptions.builder().sweepInterval(Duration.ZERO).build());
    api = new ApiClient(runtime.apiEndpoint());
  }

  @AfterAll
  static void stop() {
    runtime.close();
  }

  static List<JsonNode> allRuns() throws Exception {
    List<JsonNode> runs = new ArrayList<>();
    api.get("/runs?limit=100").body().get("runs").forEach(runs::add);
    return runs;
  }

  @Test
  void eachFiringOfTheSynthesizedScheduleIsOneRunThatCompletesWithExactCounts() throws Exception {
    String name = fixture.get("name").asText();
    runtime.addScheduledRun(name, InputTransformer.fromTemplate(fixture.get("InputTransformer")));

    // One firing delivered twice (EventBridge delivers at least once), then the next day's.
    runtime.fireSchedule(name, FIRST);
    runtime.fireSchedule(name, FIRST);
    assertTrue(runtime.bus().awaitIdle(Duration.ofSeconds(30)), "the bus delivered the firings");
    assertEquals(List.of(), runtime.bus().deadLetters(), "no firing failed its delivery");
    assertEquals(2, runtime.invocationStats().get("hubspoke-hub").invocations(), "both reached it");
    List<JsonNode> afterFirst = allRuns();
    assertEquals(1, afterFirst.size(), "a duplicate delivery of one firing makes one run");

    runtime.fireSchedule(name, SECOND);
    assertTrue(runtime.bus().awaitIdle(Duration.ofSeconds(30)));
    List<JsonNode> runs = allRuns();
    assertEquals(2, runs.size(), "the next firing makes the next run: " + runs);
    assertNotEquals(runs.get(0).get("runId"), runs.get(1).get("runId"));
    assertEquals(3, runtime.invocationStats().get("hubspoke-hub").invocations());

    for (JsonNode listed : runs) {
      String runId = listed.get("runId").asText();
      JsonNode run = api.awaitFinished(runId, Duration.ofMinutes(1));
      assertEquals("SUCCEEDED", run.get("status").asText(), run.toString());
      assertEquals(2, run.get("total").asInt());
      assertEquals(2, run.get("succeeded").asInt());
      assertEquals(0, run.get("failed").asInt());
      JsonNode summary = run.get("summary");
      assertEquals(2, summary.get("succeeded").asInt());
      assertEquals(2, summary.get("attempts").asInt(), "maxAttempts 3, nothing retried");
      assertEquals("echo", listed.get("worker").asText());
      JsonNode tasks = api.get("/runs/" + runId + "/tasks?limit=10").body().get("tasks");
      List<String> results = new ArrayList<>();
      tasks.forEach(t -> results.add(t.get("result").asText()));
      assertEquals(List.of("a", "b"), results, "the schedule's items, echoed");
    }
  }

  @Test
  void theTransformerRendersTheFiringTimeAsTheStackDeclaresIt() throws Exception {
    InputTransformer transformer = InputTransformer.fromTemplate(fixture.get("InputTransformer"));
    String event =
        "{\"version\":\"0\",\"id\":\"e\",\"detail-type\":\"Scheduled Event\",\"source\":\"aws.events\","
            + "\"time\":\"2026-11-23T02:00:00Z\",\"resources\":[],\"detail\":{}}";
    JsonNode input = Json.parse(transformer.render(event, "nightly", "arn:aws:events:::rule/n"));
    assertEquals("hubspoke.schedule", input.get("source").asText());
    assertEquals("Scheduled Run", input.get("detail-type").asText());
    assertEquals("2026-11-23T02:00:00Z", input.get("time").asText());
    assertEquals(
        "schedule-nightly-2026-11-23T02:00:00Z",
        input.get("detail").get("idempotencyKey").asText());
    assertEquals(Json.parse("[\"a\",\"b\"]"), input.get("detail").get("items"));
  }
}
