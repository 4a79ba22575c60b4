package io.hubspoke.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hubspoke.core.model.TaskStatus;
import io.hubspoke.core.service.CompletionTracker;
import io.hubspoke.core.service.Hubspoke;
import io.hubspoke.core.store.RunRecord;
import io.hubspoke.core.store.RunStore;
import io.hubspoke.core.worker.EchoWorker;
import io.hubspoke.core.worker.WorkerRegistry;
import io.hubspoke.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /runs/{runId}/redrive}: only the tasks in the statuses asked for run again, once per
 * redrive; the run keeps its id; counts and summary are exact after a redrive of a redrive; a late
 * count from an earlier round neither counts a task twice nor drains its shard early.
 */
class RedriveIT {
  static final ChoosyWorker worker = new ChoosyWorker();
  static LocalRuntime runtime;
  static ApiClient api;
  static Hubspoke core;
  static final Faults faults = new Faults();

  @BeforeAll
  static void start() {
    runtime =
        LocalRuntime.start(
            LocalOptions.builder()
                .maximumConcurrency(2)
                .sweepInterval(Duration.ZERO)
                .workers(new WorkerRegistry(List.of(new EchoWorker(), worker), List.of()))
                .interceptor(faults.sdk())
                .build());
    api = new ApiClient(runtime.apiEndpoint());
    core = Hubspoke.create(runtime.environment(), runtime.clients(), Clock.systemUTC());
  }

  @AfterAll
  static void stop() {
    runtime.close();
  }

  /** Submits a run of the choosy worker whose config key is {@code key}. */
  static String submit(String key, int items, String extra) throws Exception {
    ApiClient.Reply reply =
        api.postRun(
            "{\"items\":"
                + CancelIT.items(items)
                + ",\"worker\":\"choosy\",\"workerConfig\":{\"key\":\""
                + key
                + "\"}"
                + extra
                + "}");
    assertEquals(202, reply.status(), reply.body().toString());
    return reply.body().get("runId").asText();
  }

  static ApiClient.Reply redrive(String runId, String body) throws Exception {
    return api.send(
        "POST",
        "/runs/" + runId + "/redrive",
        body == null ? null : "application/json",
        body == null ? null : body.getBytes(StandardCharsets.UTF_8));
  }

  /** The run's tasks by status, from the table. */
  static Map<String, Long> statuses(String runId) {
    Map<String, Long> counts = new java.util.TreeMap<>();
    DurableSubmissionIT.taskItems(runtime, runId)
        .values()
        .forEach(item -> counts.merge(item.get("status").s(), 1L, Long::sum));
    return counts;
  }

  static void assertCounts(JsonNode run, int succeeded, int failed, int cancelled) {
    JsonNode summary = run.get("summary");
    assertEquals(succeeded, summary.get("succeeded").asInt(), run.toString());
    assertEquals(failed, summary.get("failed").asInt(), run.toString());
    assertEquals(cancelled, summary.path("cancelled").asInt(0), run.toString());
    assertEquals(succeeded, run.get("succeeded").asInt(), "counters: " + run);
    assertEquals(failed, run.get("failed").asInt(), "counters: " + run);
    assertEquals(cancelled, run.get("cancelled").asInt(), "counters: " + run);
    Map<String, Long> expected = new java.util.TreeMap<>();
    if (succeeded > 0) {
      expected.put("SUCCEEDED", (long) succeeded);
    }
    if (failed > 0) {
      expected.put("FAILED", (long) failed);
    }
    if (cancelled > 0) {
      expected.put("CANCELLED", (long) cancelled);
    }
    assertEquals(expected, statuses(run.get("runId").asText()), "the table");
  }

  @Test
  void failedTasksRunAgainOncePerRedriveUntilTheRunSucceeds() throws Exception {
    String key = "rounds";
    worker.failing.put(key, i -> i % 5 == 0);
    String runId = submit(key, 300, ",\"maxAttempts\":1");
    JsonNode first = api.awaitFinished(runId, Duration.ofMinutes(2));
    assertEquals("FAILED", first.get("status").asText(), first.toString());
    assertCounts(first, 240, 60, 0);

    worker.failing.put(key, i -> i % 25 == 0);
    ApiClient.Reply redriven = redrive(runId, null);
    assertEquals(202, redriven.status(), redriven.body().toString());
    assertEquals(runId, redriven.body().get("runId").asText());
    assertEquals("RUNNING", redriven.body().get("status").asText());
    assertEquals(1, redriven.body().get("redrive").get("round").asInt());
    assertEquals(60, redriven.body().get("redrive").get("tasks").asInt());
    JsonNode second = api.awaitFinished(runId, Duration.ofMinutes(2));
    assertEquals("FAILED", second.get("status").asText(), second.toString());
    assertCounts(second, 288, 12, 0);
    assertEquals(1, second.get("summary").get("redrives").asInt());

    worker.failing.put(key, i -> false);
    ApiClient.Reply again = redrive(runId, "{\"statuses\":[\"FAILED\"]}");
    assertEquals(202, again.status(), again.body().toString());
    assertEquals(12, again.body().get("redrive").get("tasks").asInt());
    JsonNode third = api.awaitFinished(runId, Duration.ofMinutes(2));
    assertEquals("SUCCEEDED", third.get("status").asText(), third.toString());
    assertCounts(third, 300, 0, 0);
    assertEquals(2, third.get("round").asInt());
    assertEquals(2, third.get("redrives").size());

    // Each task ran once per round it was in: never twice within a round.
    for (int i = 0; i < 300; i++) {
      int expected = i % 25 == 0 ? 3 : i % 5 == 0 ? 2 : 1;
      assertEquals(expected, worker.executionsOf(key, i), "executions of task " + i);
    }
    // The history keeps every round's attempts, numbered within their round.
    JsonNode task = api.get("/runs/" + runId + "/tasks/0").body();
    assertEquals("SUCCEEDED", task.get("status").asText(), task.toString());
    List<String> attempts = new ArrayList<>();
    task.get("attempts")
        .forEach(
            a ->
                attempts.add(
                    a.get("round").asInt()
                        + "/"
                        + a.get("attempt").asInt()
                        + "/"
                        + a.get("outcome").asText()));
    assertEquals(List.of("0/1/FAILED", "1/1/FAILED", "2/1/SUCCEEDED"), attempts, task.toString());

    ApiClient.Reply nothing = redrive(runId, null);
    assertEquals(409, nothing.status(), nothing.body().toString());
    assertEquals("NothingToRedrive", nothing.body().get("error").asText());
  }

  @Test
  void aCancelledRunsCancelledTasksRunWhenRedriven() throws Exception {
    String key = "cancelled";
    CountDownLatch gate = new CountDownLatch(1);
    worker.gates.put(key, gate);
    String runId = submit(key, 120, "");
    Await.until(
        Duration.ofSeconds(60),
        () -> worker.executions.keySet().stream().anyMatch(id -> id.startsWith(key + "/")),
        () -> "the run never got going");
    assertEquals(202, api.send("DELETE", "/runs/" + runId, null, null).status());
    gate.countDown();
    JsonNode cancelled = api.awaitFinished(runId, Duration.ofMinutes(2));
    assertEquals("CANCELLED", cancelled.get("status").asText(), cancelled.toString());
    int ran = cancelled.get("summary").get("succeeded").asInt();
    assertTrue(ran > 0 && ran < 120, cancelled.toString());
    assertCounts(cancelled, ran, 0, 120 - ran);

    ApiClient.Reply failedOnly = redrive(runId, "{\"statuses\":[\"FAILED\"]}");
    assertEquals(409, failedOnly.status(), failedOnly.body().toString());
    assertEquals("NothingToRedrive", failedOnly.body().get("error").asText());

    ApiClient.Reply redriven = redrive(runId, "{\"statuses\":[\"CANCELLED\"]}");
    assertEquals(202, redriven.status(), redriven.body().toString());
    assertEquals(120 - ran, redriven.body().get("redrive").get("tasks").asInt());
    // The run's gate stays closed to the cancelled round only: the revived tasks pass it.
    JsonNode done = api.awaitFinished(runId, Duration.ofMinutes(2));
    assertEquals("SUCCEEDED", done.get("status").asText(), done.toString());
    assertCounts(done, 120, 0, 0);
    assertNull(done.get("cancelRequestedAt"), done.toString());
    for (int i = 0; i < 120; i++) {
      assertEquals(1, worker.executionsOf(key, i), "executions of task " + i);
    }
  }

  /**
   * A spoke late to count a task of round 0 after a redrive revived it (its count of the FAILED
   * task and the redrive crossed) must fail the counter's round condition: counted, the shard would
   * be full and the run drained while the revived tasks still run.
   */
  @Test
  void aLateCountFromAnEarlierRoundNeitherCountsTwiceNorDrainsTheRunEarly() throws Exception {
    String key = "late";
    worker.failing.put(key, i -> true);
    String runId = submit(key, 6, ",\"maxAttempts\":1");
    JsonNode failed = api.awaitFinished(runId, Duration.ofMinutes(2));
    assertCounts(failed, 0, 6, 0);

    worker.failing.put(key, i -> false);
    CountDownLatch gate = new CountDownLatch(1);
    worker.gates.put(key, gate);
    assertEquals(202, redrive(runId, null).status());
    Await.until(
        Duration.ofSeconds(60),
        () -> statuses(runId).get("RUNNING") != null && !statuses(runId).containsKey("FAILED"),
        () -> "the tasks were not revived: " + statuses(runId));

    RunStore runs =
        new RunStore(runtime.clients().dynamoDb(), LocalOptions.TABLE_NAME, Clock.systemUTC());
    RunRecord run = runs.get(runId).orElseThrow();
    List<CompletionTracker.Terminal> late = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      late.add(new CompletionTracker.Terminal(i, TaskStatus.FAILED, 0));
    }
    assertFalse(core.completion().recordTerminals(run.spec(), late), "a late count drained it");
    JsonNode running = api.get("/runs/" + runId).body();
    assertEquals("RUNNING", running.get("status").asText(), running.toString());
    assertEquals(0, running.get("failed").asInt(), "counted again: " + running);
    assertNull(running.get("drainedAt"), running.toString());
    // A late drained-shard write of round 0 is refused too.
    assertTrue(runs.addDrainedShard(run.spec(), 0, 0).isEmpty());
    assertFalse(core.completion().recordDrainedShards(run.spec(), Set.of(0), 0));

    gate.countDown();
    JsonNode done = api.awaitFinished(runId, Duration.ofMinutes(2));
    assertEquals("SUCCEEDED", done.get("status").asText(), done.toString());
    assertCounts(done, 6, 0, 0);
  }

  /** The hub died after moving the run to its next round, before any redrive message went. */
  @Test
  void theSweepFinishesARedriveWhoseMessagesWereLost() throws Exception {
    String key = "lost";
    worker.failing.put(key, i -> i % 2 == 0);
    String runId = submit(key, 40, ",\"maxAttempts\":1");
    JsonNode failed = api.awaitFinished(runId, Duration.ofMinutes(2));
    assertCounts(failed, 20, 20, 0);
    worker.failing.put(key, i -> false);

    RunStore runs =
        new RunStore(runtime.clients().dynamoDb(), LocalOptions.TABLE_NAME, Clock.systemUTC());
    RunRecord run = runs.get(runId).orElseThrow();
    RunRecord.Redrive redrive =
        new RunRecord.Redrive(
            1, Set.of("FAILED"), 20, 1, java.time.Instant.now().minus(Duration.ofHours(1)));
    assertTrue(
        runs.startRedrive(run, redrive, Set.of(0), Map.of())
            instanceof RunStore.RedriveResult.Redriven);
    assertEquals("RUNNING", api.get("/runs/" + runId).body().get("status").asText());
    assertEquals(Map.of("SUCCEEDED", 20L, "FAILED", 20L), statuses(runId), "nothing revived yet");

    runtime.sweep();
    JsonNode done = api.awaitFinished(runId, Duration.ofMinutes(2));
    assertEquals("SUCCEEDED", done.get("status").asText(), done.toString());
    assertCounts(done, 40, 0, 0);
  }

  @Test
  void aRedriveOfARunningOrUnknownRunOrWithBadStatusesIsRefused() throws Exception {
    String key = "refused";
    CountDownLatch gate = new CountDownLatch(1);
    worker.gates.put(key, gate);
    String runId = submit(key, 5, "");
    ApiClient.Reply running = redrive(runId, null);
    assertEquals(409, running.status(), running.body().toString());
    assertEquals("RunNotFinished", running.body().get("error").asText());
    gate.countDown();
    api.awaitFinished(runId, Duration.ofMinutes(2));

    ApiClient.Reply unknown = redrive("r-0123456789abcdef01234567", null);
    assertEquals(404, unknown.status(), unknown.body().toString());

    ApiClient.Reply succeededStatus = redrive(runId, "{\"statuses\":[\"SUCCEEDED\"]}");
    assertEquals(400, succeededStatus.status(), succeededStatus.body().toString());
    assertTrue(
        succeededStatus.body().toString().contains("statuses[0]"),
        succeededStatus.body().toString());
    ApiClient.Reply unknownField = redrive(runId, "{\"status\":[\"FAILED\"]}");
    assertEquals(400, unknownField.status(), unknownField.body().toString());
    assertTrue(
        unknownField.body().toString().contains("\"status\""), unknownField.body().toString());
    ApiClient.Reply empty = redrive(runId, "{\"statuses\":[]}");
    assertEquals(400, empty.status(), empty.body().toString());
    ApiClient.Reply notJson = redrive(runId, "FAILED");
    assertEquals(400, notJson.status(), notJson.body().toString());

    ApiClient.Reply get = api.send("GET", "/runs/" + runId + "/redrive", null, null);
    assertEquals(405, get.status(), get.body().toString());
  }

  @Test
  void aRedriveWhoseAnswerWasLostIsRecognisedAsTheOneThatStartedTheRound() throws Exception {
    worker.failing.put("lost-answer", i -> i < 2);
    String runId = submit("lost-answer", 5, "");
    assertEquals("FAILED", api.awaitFinished(runId, Duration.ofMinutes(1)).get("status").asText());
    worker.failing.put("lost-answer", i -> false);
    // The write that starts the round is applied, its answer lost; the SDK sends it again.
    faults.loseResponse =
        r ->
            r instanceof software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest u
                && u.updateExpression().startsWith("SET #st = :running, #round = :next")
                && u.key().get("pk").s().endsWith(runId);
    try {
      ApiClient.Reply reply = redrive(runId, null);
      assertEquals(202, reply.status(), "not RunNotFinished: " + reply.body());
      assertEquals(1, reply.body().at("/redrive/round").asInt(), reply.body().toString());
    } finally {
      faults.loseResponse = r -> false;
    }
    JsonNode run = api.awaitFinished(runId, Duration.ofMinutes(1));
    assertCounts(run, 5, 0, 0);
    assertEquals(1L, EndToEndIT.eventsFor(runtime, "RunRedriven", runId), "announced once");
  }
}
