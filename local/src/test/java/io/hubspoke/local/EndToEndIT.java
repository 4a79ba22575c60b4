package io.hubspoke.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hubspoke.contract.EventRules;
import io.hubspoke.contract.json.Json;
import io.hubspoke.core.model.RunIds;
import io.hubspoke.core.worker.SleepWorker;
import io.hubspoke.core.worker.WorkerRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/** Whole runs through the local runtime: HTTP API → hub → queue → spokes → bus → collector. */
class EndToEndIT {
  static final Faults faults = new Faults();
  static final RecordingWorker recorder = new RecordingWorker();
  static LocalRuntime runtime;
  static ApiClient api;

  @BeforeAll
  static void start() {
    List<io.hubspoke.worker.TaskWorker> workers = new ArrayList<>();
    workers.add(new io.hubspoke.core.worker.EchoWorker());
    workers.add(new SleepWorker());
    workers.add(recorder);
    runtime =
        LocalRuntime.start(
            LocalOptions.builder()
                .spokeTimeout(Duration.ofSeconds(4))
                .visibilityTimeout(Duration.ofSeconds(5))
                .leaseGrace(Duration.ofSeconds(1))
                .sweepInterval(Duration.ZERO)
                .workers(new WorkerRegistry(workers))
                .interceptor(faults.sdk())
                .pollerInterceptor(faults.poller())
                .busInterceptor(faults.bus())
                .build());
    api = new ApiClient(runtime.apiEndpoint());
  }

  @AfterAll
  static void stop() {
    runtime.close();
  }

  @AfterEach
  void clearFaults() {
    faults.clear();
    recorder.reset();
  }

  static String items(int n) {
    return IntStream.range(0, n)
        .mapToObj(i -> "{\"n\":" + i + "}")
        .collect(Collectors.joining(",", "[", "]"));
  }

  static long eventsFor(String detailType, String runId) {
    return eventsFor(runtime, detailType, runId);
  }

  static long eventsFor(LocalRuntime runtime, String detailType, String runId) {
    return runtime.bus().publishedEvents().stream()
        .map(Json::parseTrusted)
        .filter(e -> e.path("detail-type").asText().equals(detailType))
        .filter(e -> e.path("detail").path("runId").asText().equals(runId))
        .count();
  }

  @Test
  void fiveHundredSleepTasksWithFivePercentFailuresEndWithExactCountsAndOneSummary()
      throws Exception {
    ApiClient.Reply created =
        api.postRun(
            "{\"items\":"
                + items(500)
                + ",\"worker\":\"sleep\",\"workerConfig\":{\"ms\":1,\"failRate\":0.05},\"maxAttempts\":3}");
    assertEquals(202, created.status(), created.body().toString());
    String runId = created.body().get("runId").asText();
    int expectedFailed =
        (int)
            IntStream.range(0, 500)
                .filter(i -> SleepWorker.failsEveryAttempt(RunIds.taskId(runId, i), 0.05))
                .count();
    assertTrue(expectedFailed > 5, "the hash selects some tasks: " + expectedFailed);

    JsonNode run = api.awaitFinished(runId, Duration.ofMinutes(2));

    assertEquals("FAILED", run.get("status").asText());
    JsonNode summary = run.get("summary");
    assertEquals(500, summary.get("total").asInt());
    assertEquals(500 - expectedFailed, summary.get("succeeded").asInt());
    assertEquals(expectedFailed, summary.get("failed").asInt());
    assertEquals(500 - expectedFailed + 3L * expectedFailed, summary.get("attempts").asLong());
    assertEquals(expectedFailed, summary.get("failuresByError").get(0).get("count").asInt());
    assertEquals(
        "InjectedFailure", summary.get("failuresByError").get(0).get("errorType").asText());
    assertEquals(expectedFailed, run.get("counts").get("FAILED").asInt());
    assertEquals(0, run.get("counts").get("IN_PROGRESS").asInt());
    assertEquals(1, eventsFor(EventRules.RUN_COMPLETED, runId));
    assertEquals(1, eventsFor(EventRules.RUN_DRAINED, runId));
    assertEquals(1, eventsFor(EventRules.RUN_STARTED, runId));
  }

  @Test
  void aThousandTasksOfSleepZeroCompleteWithExactCounts() throws Exception {
    ApiClient.Reply created =
        api.postRun(
            "{\"items\":" + items(1000) + ",\"worker\":\"sleep\",\"workerConfig\":{\"ms\":0}}");
    String runId = created.body().get("runId").asText();
    JsonNode run = api.awaitFinished(runId, Duration.ofMinutes(3));
    assertEquals("SUCCEEDED", run.get("status").asText());
    assertEquals(1000, run.get("summary").get("succeeded").asInt());
    assertEquals(0, run.get("summary").get("failed").asInt());
    assertEquals(1000, run.get("summary").get("attempts").asInt());
  }

  @Test
  void theSameMessageDeliveredTwiceYieldsOneCommittedResult() throws Exception {
    faults.duplicateBatch = e -> true;
    String runId =
        api.postRun("{\"items\":" + items(60) + ",\"worker\":\"record\"}")
            .body()
            .get("runId")
            .asText();
    JsonNode run = api.awaitFinished(runId, Duration.ofMinutes(1));
    assertEquals("SUCCEEDED", run.get("status").asText());
    assertEquals(60, run.get("summary").get("attempts").asInt(), "no task was claimed twice");
    Map<String, Long> perTask = recorder.executionsPerTask();
    assertEquals(60, perTask.size());
    perTask.forEach((task, count) -> assertEquals(1L, count, task + " executed more than once"));
    assertTrue(runtime.spokes().stats().invocations() >= 2, "the poller delivered batches twice");
  }

  @Test
  void aSpokeThatDiesAfterItsClaimIsRecoveredAfterTheLeaseExpires() throws Exception {
    AtomicBoolean crashed = new AtomicBoolean();
    faults.crashAfter =
        request ->
            request instanceof UpdateItemRequest update
                && update.key().get("sk").s().equals("T#00000003")
                && ":running".equals(runningValue(update))
                && crashed.compareAndSet(false, true);
    String runId =
        api.postRun("{\"items\":" + items(5) + ",\"worker\":\"record\",\"taskTimeoutSeconds\":1}")
            .body()
            .get("runId")
            .asText();
    JsonNode run = api.awaitFinished(runId, Duration.ofMinutes(1));
    assertTrue(crashed.get(), "the claim of task 3 was interrupted");
    assertEquals("SUCCEEDED", run.get("status").asText());
    assertEquals(6, run.get("summary").get("attempts").asInt(), "task 3 took two claims");
    JsonNode task3 =
        api
            .get("/runs/" + runId + "/tasks?limit=100")
            .body()
            .get("tasks")
            .findParents("index")
            .stream()
            .filter(t -> t.get("index").asInt() == 3)
            .findFirst()
            .orElseThrow();
    assertEquals(2, task3.get("attempt").asInt());
    assertEquals(
        1L,
        recorder.executionsPerTask().get(RunIds.taskId(runId, 3)),
        "the dead claim never ran the worker");
  }

  private static String runningValue(UpdateItemRequest update) {
    AttributeValue running = update.expressionAttributeValues().get(":running");
    return running != null && update.updateExpression().startsWith("SET #st = :running")
        ? ":running"
        : null;
  }

  @Test
  void aDuplicateRunDrainedYieldsOneSummary() throws Exception {
    faults.duplicateEvent = (rule, event) -> rule.equals(EventRules.RUN_DRAINED_RULE);
    String runId =
        api.postRun("{\"items\":" + items(20) + ",\"worker\":\"echo\"}")
            .body()
            .get("runId")
            .asText();
    JsonNode run = api.awaitFinished(runId, Duration.ofMinutes(1));
    assertTrue(runtime.bus().awaitIdle(Duration.ofSeconds(30)));
    assertEquals("SUCCEEDED", run.get("status").asText());
    assertEquals(20, run.get("summary").get("succeeded").asInt());
    assertEquals(1, eventsFor(EventRules.RUN_COMPLETED, runId), "one summary, announced once");
  }
}
