package io.hubspoke.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hubspoke.contract.json.Json;
import io.hubspoke.core.model.RunIds;
import io.hubspoke.core.worker.EchoWorker;
import io.hubspoke.core.worker.SleepWorker;
import io.hubspoke.core.worker.WorkerRegistry;
import io.hubspoke.testkit.Await;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;

/**
 * Accepted means done: a submission is durable before it is answered, its dispatch runs in the
 * background and heals itself, its counts never include tasks that do not exist, a dispatcher can
 * never write after its lease, and an expired run's idempotency key starts from a clean state.
 */
class DurableSubmissionIT {
  static final Faults faults = new Faults();
  static final RecordingWorker worker = new RecordingWorker();
  static LocalRuntime runtime;
  static ApiClient api;

  @BeforeAll
  static void start() {
    runtime =
        LocalRuntime.start(
            LocalOptions.builder()
                .hubTimeout(Duration.ofSeconds(10))
                .spokeTimeout(Duration.ofSeconds(3))
                .visibilityTimeout(Duration.ofSeconds(4))
                .leaseGrace(Duration.ofSeconds(1))
                .summaryLease(Duration.ofSeconds(3))
                .sweepInterval(Duration.ofSeconds(1))
                .stallMargin(Duration.ofSeconds(2))
                // A dispatcher's lease outlasts its deadline by 2 s; a failed chunk returns after
                // 15 s.
                .dispatchLeaseMargin(Duration.ofSeconds(2))
                .dispatchVisibilityTimeout(Duration.ofSeconds(15))
                .workers(new WorkerRegistry(List.of(new EchoWorker(), new SleepWorker(), worker)))
                .interceptor(faults.sdk())
                .build());
    api = new ApiClient(runtime.apiEndpoint());
  }

  @AfterAll
  static void stop() {
    runtime.close();
  }

  @AfterEach
  void clear() {
    faults.clear();
    worker.reset();
  }

  static String request(int tasks, String key) {
    String items =
        IntStream.range(0, tasks)
            .mapToObj(i -> "{\"n\":" + i + "}")
            .collect(Collectors.joining(",", "[", "]"));
    return "{\"items\":"
        + items
        + ",\"worker\":\"record\",\"maxAttempts\":3,\"taskTimeoutSeconds\":1"
        + (key == null ? "" : ",\"idempotencyKey\":\"" + key + "\"")
        + "}";
  }

  /** A BatchWriteItem that writes tasks (not run or chunk records) of {@code runId}. */
  static boolean writesTasksOf(SdkRequest r, String runId) {
    return r instanceof BatchWriteItemRequest batch
        && batch.requestItems().values().stream()
            .flatMap(List::stream)
            .anyMatch(
                w ->
                    w.putRequest() != null
                        && w.putRequest().item().get("sk").s().startsWith("T#")
                        && runId.equals(w.putRequest().item().get("runId").s()));
  }

  /** The task items of a run as they are in the table, by task index. */
  static Map<Integer, Map<String, AttributeValue>> taskItems(String runId) {
    return taskItems(runtime, runId);
  }

  /** The task items of a run of {@code runtime} as they are in the table, by task index. */
  static Map<Integer, Map<String, AttributeValue>> taskItems(LocalRuntime runtime, String runId) {
    Map<Integer, Map<String, AttributeValue>> found = new HashMap<>();
    Map<String, AttributeValue> start = null;
    do {
      Map<String, AttributeValue> from = start;
      ScanResponse page =
          runtime
              .clients()
              .dynamoDb()
              .scan(
                  ScanRequest.builder()
                      .tableName(LocalOptions.TABLE_NAME)
                      .consistentRead(true)
                      .filterExpression("runId = :r AND begins_with(sk, :t)")
                      .expressionAttributeValues(
                          Map.of(
                              ":r", AttributeValue.fromS(runId), ":t", AttributeValue.fromS("T#")))
                      .exclusiveStartKey(from)
                      .build());
      page.items().forEach(item -> found.put(Integer.parseInt(item.get("idx").n()), item));
      start =
          page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty()
              ? page.lastEvaluatedKey()
              : null;
    } while (start != null);
    return found;
  }

  static void assertCountsOnlyExistingTasks(JsonNode run, String runId) {
    int exist = taskItems(runId).size();
    JsonNode counts = run.get("counts");
    int reported =
        counts.get("IN_PROGRESS").asInt()
            + counts.get("SUCCEEDED").asInt()
            + counts.get("FAILED").asInt();
    assertTrue(
        reported <= exist,
        "the run reports " + reported + " tasks but only " + exist + " exist: " + run);
    assertTrue(run.has("tasksCreated"), "a dispatching run says how many tasks exist: " + run);
    assertTrue(run.get("tasksCreated").asInt() <= exist, run.toString());
  }

  @Test
  void theDocumentedMaximumIsAcceptedAtOnceAndCompletesExactly() throws Exception {
    int total = io.hubspoke.contract.api.Limits.MAX_ITEMS;
    Instant before = Instant.now();
    ApiClient.Reply reply = api.postRun(request(total, null));
    Duration toAccept = Duration.between(before, Instant.now());
    assertEquals(202, reply.status(), reply.body().toString());
    String runId = reply.body().get("runId").asText();
    JsonNode run = api.awaitFinished(runId, Duration.ofMinutes(5));
    assertEquals("SUCCEEDED", run.get("status").asText(), run.toString());
    assertEquals(total, run.get("succeeded").asInt());
    assertEquals(total, run.get("summary").get("succeeded").asInt());
    assertEquals(total, executionsOf(runId).size());
    System.out.println("10,000 items: 202 after " + toAccept.toMillis() + " ms");
  }

  @Test
  void aDispatchingRunCountsOnlyTasksThatExistAndARetryAnswersItsTrueStatus() throws Exception {
    String key = "counts-" + UUID.randomUUID();
    String runId = RunIds.fromIdempotencyKey(key);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger taskWrites = new AtomicInteger();
    faults.beforeSend =
        r -> {
          if (writesTasksOf(r, runId) && taskWrites.incrementAndGet() > 2) {
            awaitQuietly(release);
          }
        };
    try {
      CompletableFuture<ApiClient.Reply> first =
          CompletableFuture.supplyAsync(() -> post(request(500, key)));
      Await.until(
          Duration.ofSeconds(30),
          () -> taskWrites.get() > 2 && taskItems(runId).size() >= 50,
          () -> "the first tasks were never written");
      JsonNode run = api.get("/runs/" + runId).body();
      assertEquals("DISPATCHING", run.get("status").asText(), run.toString());
      assertCountsOnlyExistingTasks(run, runId);

      ApiClient.Reply retry = api.postRun(request(500, key));
      assertEquals(200, retry.status(), retry.body().toString());
      assertEquals("DISPATCHING", retry.body().get("status").asText());
      assertCountsOnlyExistingTasks(retry.body(), runId);
      release.countDown();
      assertEquals(202, first.get(30, TimeUnit.SECONDS).status());
    } finally {
      release.countDown();
    }
    JsonNode done = api.awaitFinished(runId, Duration.ofMinutes(2));
    assertEquals(500, done.get("succeeded").asInt(), done.toString());
  }

  @Test
  void aDispatcherThatDiesIsResumedWithoutTheClient() throws Exception {
    String key = "crash-" + UUID.randomUUID();
    String runId = RunIds.fromIdempotencyKey(key);
    AtomicInteger taskWrites = new AtomicInteger();
    faults.crashAfter = r -> writesTasksOf(r, runId) && taskWrites.incrementAndGet() == 3;
    ApiClient.Reply reply = post(request(300, key));
    // Whatever the client was told, the run must finish without its help.
    JsonNode run = api.awaitFinished(runId, Duration.ofMinutes(2));
    assertEquals("SUCCEEDED", run.get("status").asText(), reply + " / " + run);
    assertEquals(300, run.get("succeeded").asInt());
    assertEquals(300, executionsOf(runId).size());
    assertTrue(executionsOf(runId).values().stream().allMatch(n -> n == 1));
  }

  @Test
  void aDispatcherHeldPastItsLeaseNeverOverwritesATaskAnotherCreated() throws Exception {
    String key = "late-" + UUID.randomUUID();
    String runId = RunIds.fromIdempotencyKey(key);
    int total = 400;
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger taskWrites = new AtomicInteger();
    AtomicInteger inFlight = new AtomicInteger();
    faults.callStarted =
        r -> {
          if (writesTasksOf(r, runId)) {
            inFlight.incrementAndGet();
          }
        };
    faults.callEnded =
        r -> {
          if (writesTasksOf(r, runId)) {
            inFlight.decrementAndGet();
          }
        };
    // The first dispatcher's later task writes are held, as a slow network or a long GC pause
    // would hold them, until long after its lease: another dispatcher must take over meanwhile.
    faults.beforeSend =
        r -> {
          if (writesTasksOf(r, runId)
              && taskWrites.incrementAndGet() > 2
              && release.getCount() > 0) {
            awaitQuietly(release);
          }
        };
    JsonNode run;
    try {
      CompletableFuture.runAsync(() -> post(request(total, key)));
      // A client that retries (harmless when the system resumes by itself).
      JsonNode[] last = new JsonNode[1];
      Await.until(
          Duration.ofMinutes(3),
          () -> {
            last[0] = post(request(total, key)).body();
            return last[0].path("status").asText().equals("SUCCEEDED");
          },
          () -> "the run did not finish while its first dispatcher was held: " + last[0]);
      run = last[0];
    } finally {
      release.countDown();
    }
    Await.until(
        Duration.ofSeconds(60),
        () -> inFlight.get() == 0,
        () -> inFlight.get() + " held task writes never ended");
    Map<Integer, Map<String, AttributeValue>> tasks = taskItems(runId);
    assertEquals(total, tasks.size());
    List<Integer> notDone = new ArrayList<>();
    tasks.forEach(
        (index, item) -> {
          if (!item.get("status").s().equals("SUCCEEDED")) {
            notDone.add(index);
          }
        });
    assertTrue(notDone.isEmpty(), "tasks overwritten after the run succeeded: " + notDone);
    assertEquals(total, run.get("succeeded").asInt());
  }

  @Test
  void aRunWhoseRequestCanNoLongerBeDispatchedEndsFailedWithTheReason() throws Exception {
    String key = "gone-" + UUID.randomUUID();
    String runId = RunIds.fromIdempotencyKey(key);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger taskWrites = new AtomicInteger();
    faults.beforeSend =
        r -> {
          if (writesTasksOf(r, runId) && taskWrites.incrementAndGet() > 2) {
            awaitQuietly(release);
          }
        };
    try {
      assertEquals(202, api.postRun(request(2_000, key)).status());
      Await.until(
          Duration.ofSeconds(30), () -> taskWrites.get() > 2, () -> "no task was ever written");
      // The last chunk's record disappears (deleted by hand, or by a TTL far too short) before
      // any dispatcher claimed it.
      String incarnation =
          runtime
              .clients()
              .dynamoDb()
              .getItem(
                  b ->
                      b.tableName(LocalOptions.TABLE_NAME)
                          .key(
                              Map.of(
                                  "pk", AttributeValue.fromS("RUN#" + runId),
                                  "sk", AttributeValue.fromS("RUN"))))
              .item()
              .get("incarnation")
              .s();
      runtime
          .clients()
          .dynamoDb()
          .deleteItem(
              b ->
                  b.tableName(LocalOptions.TABLE_NAME)
                      .key(
                          Map.of(
                              "pk",
                                  AttributeValue.fromS("RUN#" + runId + "#" + incarnation + "#D39"),
                              "sk", AttributeValue.fromS("D"))));
    } finally {
      release.countDown();
    }
    JsonNode run = api.awaitFinished(runId, Duration.ofMinutes(2));
    assertEquals("FAILED", run.get("status").asText(), run.toString());
    assertTrue(run.get("summary").get("dispatchFailed").asBoolean(), run.toString());
    assertTrue(run.get("summary").get("reason").asText().contains("chunk 39"), run.toString());
  }

  @Test
  void aDirectOrScheduledInvocationThatHitsAnAwsErrorFailsTheInvocation() {
    faults.deny =
        r -> r.getClass().getSimpleName().startsWith("Put") || r instanceof BatchWriteItemRequest;
    String direct = request(3, null);
    assertThrows(Exception.class, () -> runtime.invokeHub(direct));
    String scheduled =
        "{\"version\":\"0\",\"id\":\""
            + UUID.randomUUID()
            + "\",\"detail-type\":\"Scheduled run\","
            + "\"source\":\"aws.events\",\"account\":\"000000000000\",\"time\":\"2026-11-30T00:00:00Z\","
            + "\"region\":\"us-east-1\",\"resources\":[],\"detail\":"
            + request(3, null)
            + "}";
    assertThrows(Exception.class, () -> runtime.invokeHub(scheduled));
    // Bad input is not retried by Lambda: it is answered, not thrown.
    faults.clear();
    JsonNode invalid = Json.parseTrusted(invokeHubQuietly("{\"items\":[],\"worker\":\"echo\"}"));
    assertEquals("ValidationError", invalid.get("error").asText());
  }

  @Test
  void aKeyReusedAfterItsRunExpiredStartsFromACleanState() throws Exception {
    String key = "expired-" + UUID.randomUUID();
    String runId = RunIds.fromIdempotencyKey(key);
    ApiClient.Reply first = api.postRun(request(30, key));
    assertEquals(202, first.status(), first.body().toString());
    // The run is deleted as TTL would delete it, then created again; then that one expires (not
    // yet deleted) and is created again.
    for (String expiry : List.of("deleted", "expired")) {
      assertEquals(
          "SUCCEEDED", api.awaitFinished(runId, Duration.ofMinutes(1)).get("status").asText());
      Map<String, AttributeValue> runKey =
          Map.of("pk", AttributeValue.fromS("RUN#" + runId), "sk", AttributeValue.fromS("RUN"));
      if (expiry.equals("deleted")) {
        // As TTL does, in the background, at any time: the run item first, the others later.
        runtime
            .clients()
            .dynamoDb()
            .deleteItem(b -> b.tableName(LocalOptions.TABLE_NAME).key(runKey));
      } else {
        // Expired, not yet deleted: TTL may take days.
        runtime
            .clients()
            .dynamoDb()
            .updateItem(
                b ->
                    b.tableName(LocalOptions.TABLE_NAME)
                        .key(runKey)
                        .updateExpression("SET expiresAt = :past")
                        .expressionAttributeValues(
                            Map.of(
                                ":past",
                                AttributeValue.fromN(
                                    Long.toString(Instant.now().getEpochSecond() - 60)))));
      }
      worker.reset();
      ApiClient.Reply again = api.postRun(request(30, key));
      assertEquals(202, again.status(), expiry + ": " + again.body());
      JsonNode run = api.awaitFinished(runId, Duration.ofMinutes(1));
      assertEquals("SUCCEEDED", run.get("status").asText(), expiry + ": " + run);
      assertEquals(30, run.get("summary").get("succeeded").asInt(), expiry + ": " + run);
      assertEquals(30, executionsOf(runId).size(), expiry);
      // The new run drained only once its own tasks were all terminal.
      Instant drained = Instant.parse(run.get("drainedAt").asText());
      JsonNode tasks = api.get("/runs/" + runId + "/tasks?limit=100").body().get("tasks");
      assertEquals(30, tasks.size());
      for (JsonNode task : tasks) {
        Instant finished = Instant.parse(task.get("finishedAt").asText());
        assertTrue(
            !finished.isAfter(drained),
            expiry
                + ": task "
                + task.get("taskId")
                + " finished at "
                + finished
                + " after the run drained at "
                + drained);
      }
    }
  }

  /**
   * Executions per task of one run (other tests' runs may still be finishing in the background).
   */
  private static Map<String, Long> executionsOf(String runId) {
    Map<String, Long> own = new HashMap<>();
    worker
        .executionsPerTask()
        .forEach(
            (task, count) -> {
              if (task.startsWith(runId + "/")) {
                own.put(task, count);
              }
            });
    return own;
  }

  private static String invokeHubQuietly(String event) {
    try {
      return runtime.invokeHub(event);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static ApiClient.Reply post(String body) {
    try {
      return api.postRun(body);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** Holds a request until released; an interrupt (an aborted attempt) ends the hold. */
  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(5, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while held", e);
    }
  }
}
