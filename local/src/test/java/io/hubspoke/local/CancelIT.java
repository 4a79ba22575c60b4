package io.hubspoke.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hubspoke.contract.json.Json;
import io.hubspoke.contract.validation.FieldError;
import io.hubspoke.core.model.RunIds;
import io.hubspoke.core.worker.EchoWorker;
import io.hubspoke.core.worker.SleepWorker;
import io.hubspoke.core.worker.WorkerRegistry;
import io.hubspoke.testkit.Await;
import io.hubspoke.worker.TaskContext;
import io.hubspoke.worker.TaskOutcome;
import io.hubspoke.worker.TaskWorker;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code DELETE /runs/{runId}}: once the cancel is answered no task of the run starts; the tasks
 * running finish; the run ends CANCELLED with exact counts of what ran and what did not.
 */
class CancelIT {
  /** Records when each task started, and sleeps {@code ms}. */
  static final class TimedWorker implements TaskWorker {
    final Map<String, List<Instant>> starts = new ConcurrentHashMap<>();

    @Override
    public String name() {
      return "timed";
    }

    @Override
    public List<FieldError> validateConfig(JsonNode config) {
      return List.of();
    }

    @Override
    public TaskOutcome execute(TaskContext context) throws InterruptedException {
      starts
          .computeIfAbsent(
              context.taskId(), id -> new java.util.concurrent.CopyOnWriteArrayList<>())
          .add(Instant.now());
      Thread.sleep(context.config().path("ms").asLong(200));
      return TaskOutcome.success(Json.object().put("ok", true));
    }

    long startedOf(String runId) {
      return starts.entrySet().stream()
          .filter(e -> e.getKey().startsWith(runId + "/"))
          .mapToLong(e -> e.getValue().size())
          .sum();
    }
  }

  static final TimedWorker worker = new TimedWorker();
  static final DiscoveryIT.PagedSource source = new DiscoveryIT.PagedSource();
  static final Faults faults = new Faults();
  static LocalRuntime runtime;
  static ApiClient api;

  @BeforeAll
  static void start() {
    runtime =
        LocalRuntime.start(
            LocalOptions.builder()
                .maximumConcurrency(2)
                .sweepInterval(Duration.ZERO)
                .workers(
                    new WorkerRegistry(
                        List.of(new EchoWorker(), new SleepWorker(), worker), List.of(source)))
                .interceptor(faults.sdk())
                .build());
    api = new ApiClient(runtime.apiEndpoint());
  }

  @AfterAll
  static void stop() {
    runtime.close();
  }

  static String submit(String body) throws Exception {
    ApiClient.Reply reply = api.postRun(body);
    assertEquals(202, reply.status(), reply.body().toString());
    return reply.body().get("runId").asText();
  }

  static String items(int n) {
    StringBuilder items = new StringBuilder("[");
    for (int i = 0; i < n; i++) {
      items.append(i == 0 ? "" : ",").append(i);
    }
    return items.append("]").toString();
  }

  /** The run's tasks by status, from the table. */
  static Map<String, Long> statuses(String runId) {
    Map<String, Long> counts = new java.util.TreeMap<>();
    DurableSubmissionIT.taskItems(runtime, runId)
        .values()
        .forEach(item -> counts.merge(item.get("status").s(), 1L, Long::sum));
    return counts;
  }

  @Test
  void noTaskStartsOnceTheCancelIsAnsweredAndTheRunEndsCancelledWithExactCounts() throws Exception {
    String runId =
        submit("{\"items\":" + items(300) + ",\"worker\":\"timed\",\"workerConfig\":{\"ms\":150}}");
    Await.until(
        Duration.ofSeconds(60),
        () -> worker.startedOf(runId) >= 20,
        () -> "the run never got going");
    ApiClient.Reply cancel = api.send("DELETE", "/runs/" + runId, null, null);
    Instant answered = Instant.now();
    assertEquals(202, cancel.status(), cancel.body().toString());
    assertEquals("CANCELLING", cancel.body().get("status").asText());
    ApiClient.Reply again = api.send("DELETE", "/runs/" + runId, null, null);
    assertTrue(again.status() == 200 || again.status() == 409, again.body().toString());

    JsonNode run = api.awaitFinished(runId, Duration.ofMinutes(2));
    assertEquals("CANCELLED", run.get("status").asText(), run.toString());
    long startedLate =
        worker.starts.entrySet().stream()
            .filter(e -> e.getKey().startsWith(runId + "/"))
            .flatMap(e -> e.getValue().stream())
            .filter(started -> started.isAfter(answered))
            .count();
    assertEquals(0, startedLate, "tasks started after the cancel was answered");
    long started = worker.startedOf(runId);
    JsonNode summary = run.get("summary");
    assertEquals(300, summary.get("total").asInt(), run.toString());
    assertEquals(started, summary.get("succeeded").asInt(), "every started task finished");
    assertEquals(300 - started, summary.get("cancelled").asInt(), run.toString());
    assertEquals(0, summary.get("failed").asInt(), run.toString());
    assertTrue(started < 300, "the cancel came too late to show anything: " + started);
    assertEquals(
        Map.of("SUCCEEDED", started, "CANCELLED", 300 - started), statuses(runId), run.toString());
    for (List<Instant> starts : worker.starts.values()) {
      assertEquals(1, starts.size(), "a task ran twice");
    }
    assertEquals(300 - started, run.at("/counts/CANCELLED").asInt(), run.toString());
  }

  @Test
  void tasksWaitingOutARetryBackoffAreCancelledAtOnce() throws Exception {
    // Every first attempt fails and the retry would wait a minute.
    String runId =
        submit(
            "{\"items\":"
                + items(40)
                + ",\"worker\":\"sleep\",\"workerConfig\":{\"ms\":1,\"flakyRate\":1},"
                + "\"retry\":{\"initialDelaySeconds\":60}}");
    Await.until(
        Duration.ofSeconds(60),
        () ->
            statuses(runId).getOrDefault("PENDING", 0L) == 40
                && DurableSubmissionIT.taskItems(runtime, runId).values().stream()
                    .allMatch(t -> t.get("attempt") != null && t.get("attempt").n().equals("1")),
        () -> "the first attempts never all failed: " + statuses(runId));
    Instant cancelledAt = Instant.now();
    assertEquals(202, api.send("DELETE", "/runs/" + runId, null, null).status());
    JsonNode run = api.awaitFinished(runId, Duration.ofSeconds(30));
    assertTrue(
        Duration.between(cancelledAt, Instant.now()).toSeconds() < 30,
        "the run waited for the backoff");
    assertEquals("CANCELLED", run.get("status").asText(), run.toString());
    assertEquals(40, run.at("/summary/cancelled").asInt(), run.toString());
    assertEquals(Map.of("CANCELLED", 40L), statuses(runId));
  }

  @Test
  void aDiscoveringRunStopsDiscoveringAndEndsWithTheTasksItHad() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    String key = "cancel-discovery-" + UUID.randomUUID();
    String held = RunIds.fromIdempotencyKey(key);
    source.beforePage =
        (runId, page) -> {
          if (runId.equals(held) && page == 3) {
            try {
              release.await(1, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        };
    try {
      String runId =
          submit(
              "{\"source\":{\"type\":\"worker\",\"name\":\"pages\",\"config\":{\"pages\":5,"
                  + "\"size\":150}},\"worker\":\"echo\",\"idempotencyKey\":\""
                  + key
                  + "\"}");
      Await.until(
          Duration.ofSeconds(60),
          () -> {
            try {
              return api.get("/runs/" + runId).body().at("/discovery/discovered").asInt() == 300;
            } catch (Exception e) {
              throw new AssertionError(e);
            }
          },
          () -> "two pages were never discovered");
      assertEquals(202, api.send("DELETE", "/runs/" + runId, null, null).status());
      release.countDown();
      JsonNode run = api.awaitFinished(runId, Duration.ofMinutes(1));
      assertEquals("CANCELLED", run.get("status").asText(), run.toString());
      JsonNode summary = run.get("summary");
      assertEquals(300, summary.get("total").asInt(), run.toString());
      assertEquals(
          300, summary.get("succeeded").asInt() + summary.get("cancelled").asInt(), run.toString());
      assertEquals(300, DurableSubmissionIT.taskItems(runtime, runId).size());
    } finally {
      release.countDown();
      source.beforePage = (runId, page) -> {};
    }
  }

  @Test
  void aFinishedRunCannotBeCancelledAndAnUnknownOneIsNotFound() throws Exception {
    String runId = submit("{\"items\":[1,2],\"worker\":\"echo\"}");
    api.awaitFinished(runId, Duration.ofMinutes(1));
    ApiClient.Reply finished = api.send("DELETE", "/runs/" + runId, null, null);
    assertEquals(409, finished.status(), finished.body().toString());
    assertEquals("RunFinished", finished.body().get("error").asText());
    assertEquals("SUCCEEDED", api.get("/runs/" + runId).body().get("status").asText(), "unchanged");
    assertEquals(404, api.send("DELETE", "/runs/r-000000000000000000000000", null, null).status());
  }

  @Test
  void aCancelWhoseAnswerWasLostIsRecognisedAsTheCancelAndAnnouncedOnce() throws Exception {
    String runId =
        submit("{\"items\":" + items(40) + ",\"worker\":\"timed\",\"workerConfig\":{\"ms\":200}}");
    Await.until(
        Duration.ofSeconds(60), () -> worker.startedOf(runId) >= 2, () -> "the run never started");
    // The write that makes the run CANCELLING is applied, its answer lost; the SDK sends it again.
    faults.loseResponse =
        r ->
            r instanceof software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest u
                && u.updateExpression().startsWith("SET #st = :cancelling")
                && u.key().get("pk").s().endsWith(runId);
    ApiClient.Reply cancel;
    try {
      cancel = api.send("DELETE", "/runs/" + runId, null, null);
    } finally {
      faults.loseResponse = r -> false;
    }
    assertEquals(202, cancel.status(), "the first cancel, not a repeat: " + cancel.body());
    JsonNode run = api.awaitFinished(runId, Duration.ofMinutes(2));
    assertEquals("CANCELLED", run.get("status").asText(), run.toString());
    assertTrue(runtime.bus().awaitIdle(Duration.ofSeconds(30)));
    assertEquals(1L, EndToEndIT.eventsFor(runtime, "RunCancelled", runId), "announced once");
  }

  @Test
  void chunksDispatchedAfterTheCancelAreWrittenCancelledAndNeverClaimed() throws Exception {
    // 10,000 items, the most a request takes: its dispatch goes on for a while after the answer.
    String runId =
        submit(
            "{\"items\":" + items(10_000) + ",\"worker\":\"timed\",\"workerConfig\":{\"ms\":50}}");
    ApiClient.Reply cancel = api.send("DELETE", "/runs/" + runId, null, null);
    assertEquals(202, cancel.status(), cancel.body().toString());
    int createdAtCancel = cancel.body().get("tasksCreated").asInt();
    JsonNode run = api.awaitFinished(runId, Duration.ofMinutes(3));
    assertEquals("CANCELLED", run.get("status").asText(), run.toString());
    JsonNode summary = run.get("summary");
    int cancelled = summary.get("cancelled").asInt();
    assertEquals(
        10_000,
        summary.get("succeeded").asInt() + summary.get("failed").asInt() + cancelled,
        run.toString());
    assertTrue(createdAtCancel < 10_000, "the cancel came during the dispatch: " + run);
    // Every task written after the cancel is CANCELLED without a claim: only the tasks written
    // before it, or by chunks already past their gate read, are claimed (to run, or to be given
    // up), a small share of the run. Claimed one by one, all 10,000 would be attempts.
    int attempts = summary.get("attempts").asInt();
    System.out.printf(
        "cancel during dispatch: %d tasks created at the cancel, %d cancelled, %d attempts%n",
        createdAtCancel, cancelled, attempts);
    assertTrue(
        attempts < 1_000, attempts + " attempts; " + createdAtCancel + " tasks at the cancel");
  }
}
