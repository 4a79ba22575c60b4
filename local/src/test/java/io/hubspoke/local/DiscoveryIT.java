package io.hubspoke.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hubspoke.contract.json.Json;
import io.hubspoke.contract.validation.FieldError;
import io.hubspoke.core.model.RunIds;
import io.hubspoke.core.worker.EchoWorker;
import io.hubspoke.core.worker.WorkerRegistry;
import io.hubspoke.testkit.Await;
import io.hubspoke.worker.ItemPage;
import io.hubspoke.worker.ItemSource;
import io.hubspoke.worker.ItemSourceException;
import io.hubspoke.worker.SourceContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequest;

/**
 * A run that names a {@code source}: the hub discovers its items after the 202, page by page, and
 * whatever dies or fails on the way, each discovered item becomes exactly one task, run once.
 */
class DiscoveryIT {
  static final Faults faults = new Faults();
  static final RecordingWorker worker = new RecordingWorker();
  static final PagedSource source = new PagedSource();
  static LocalRuntime runtime;
  static ApiClient api;

  /**
   * A test source {@code pages}: {@code pages} pages of {@code size} items {@code {"n": i}} (the
   * last holds {@code lastSize}); {@code failAt} is a page that never comes, {@code flakyAt} one
   * that fails once; {@code slowMs} a pause per page. Its cursor is the next page's number.
   */
  static final class PagedSource implements ItemSource {
    volatile BiConsumer<String, Integer> beforePage = (runId, page) -> {};
    final Set<String> flaked = ConcurrentHashMap.newKeySet();
    final AtomicInteger pagesServed = new AtomicInteger();

    @Override
    public String name() {
      return "pages";
    }

    @Override
    public List<FieldError> validateConfig(JsonNode config) {
      return config.path("pages").isInt()
          ? List.of()
          : List.of(new FieldError("pages", "is required", "give the number of pages"));
    }

    @Override
    public ItemPage page(SourceContext context) throws InterruptedException {
      JsonNode config = context.config();
      int page = context.cursor() == null ? 1 : Integer.parseInt(context.cursor());
      beforePage.accept(context.runId(), page);
      pagesServed.incrementAndGet();
      int pages = config.get("pages").asInt();
      int size = config.path("size").asInt(1000);
      if (page == config.path("failAt").asInt(-1)) {
        throw new ItemSourceException("page " + page + " is gone for good", false);
      }
      if (page == config.path("flakyAt").asInt(-1) && flaked.add(context.runId())) {
        throw new ItemSourceException("page " + page + " timed out, try again", true);
      }
      if (config.has("slowMs")) {
        Thread.sleep(config.get("slowMs").asInt());
      }
      int count = page == pages ? config.path("lastSize").asInt(size) : size;
      List<JsonNode> items = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        boolean asNull = page == config.path("nullAt").asInt(-1) && i == 3;
        items.add(
            asNull
                ? com.fasterxml.jackson.databind.node.NullNode.getInstance()
                : Json.object().put("n", (page - 1) * size + i));
      }
      return new ItemPage(items, page < pages ? Integer.toString(page + 1) : null);
    }
  }

  @BeforeAll
  static void start() {
    runtime =
        LocalRuntime.start(
            LocalOptions.builder()
                .hubTimeout(Duration.ofSeconds(5))
                .spokeTimeout(Duration.ofSeconds(3))
                .visibilityTimeout(Duration.ofSeconds(4))
                .leaseGrace(Duration.ofSeconds(1))
                .summaryLease(Duration.ofSeconds(3))
                // No sweep unless a test runs one: what the sweep would repair must not hide a
                // mechanism that fails.
                .sweepInterval(Duration.ZERO)
                .stallMargin(Duration.ofSeconds(3))
                .dispatchLeaseMargin(Duration.ofSeconds(1))
                .dispatchVisibilityTimeout(Duration.ofSeconds(6))
                .workers(new WorkerRegistry(List.of(new EchoWorker(), worker), List.of(source)))
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
    source.beforePage = (runId, page) -> {};
  }

  static String pages(String key, String config) {
    return "{\"source\":{\"type\":\"worker\",\"name\":\"pages\",\"config\":"
        + config
        + "},\"worker\":\"record\",\"idempotencyKey\":\""
        + key
        + "\"}";
  }

  static String submit(String body) throws Exception {
    ApiClient.Reply reply = api.postRun(body);
    assertEquals(202, reply.status(), reply.body().toString());
    return reply.body().get("runId").asText();
  }

  /**
   * Every task of the run ran exactly once, they are tasks 0 … total-1 of the run, and its dispatch
   * finished: every chunk its discovery recorded was dispatched.
   */
  static void assertEachTaskRanOnce(String runId, int total) throws Exception {
    JsonNode run = api.get("/runs/" + runId).body();
    assertTrue(
        run.has("dispatchedAt")
            || run.at("/dispatchProgress/chunks").asInt()
                == run.at("/dispatchProgress/chunksDispatched").asInt(),
        "chunks of the run were never dispatched: " + run);
    Map<String, Long> own = new HashMap<>();
    worker
        .executionsPerTask()
        .forEach(
            (task, count) -> {
              if (task.startsWith(runId + "/")) {
                own.put(task, count);
              }
            });
    List<String> wrong = new ArrayList<>();
    own.forEach(
        (task, count) -> {
          if (count != 1) {
            wrong.add(task + " ran " + count + " times");
          }
        });
    assertTrue(wrong.isEmpty(), wrong.toString());
    assertEquals(total, own.size(), "tasks run");
    for (int i = 0; i < total; i++) {
      assertTrue(own.containsKey(RunIds.taskId(runId, i)), "task " + i + " never ran");
    }
    assertEquals(total, DurableSubmissionIT.taskItems(runtime, runId).size(), "task items");
  }

  static JsonNode finished(String runId) throws Exception {
    return api.awaitFinished(runId, Duration.ofMinutes(3));
  }

  @Test
  void aRangeIsDiscoveredPageByPageAndEachItemIsOneTask() throws Exception {
    String runId =
        submit(
            "{\"source\":{\"type\":\"range\",\"start\":7,\"end\":5007,\"step\":2},"
                + "\"worker\":\"echo\"}");
    JsonNode run = finished(runId);
    assertEquals("SUCCEEDED", run.get("status").asText(), run.toString());
    assertEquals(2500, run.get("total").asInt());
    assertEquals(2500, run.get("summary").get("succeeded").asInt());
    assertEquals(3, run.get("summary").get("discovery").get("pages").asInt());
    assertEquals(3, run.get("discovery").get("pages").asInt());
    assertTrue(run.get("discovery").get("ended").asBoolean());
    // Task i is the i-th item: start + i * step.
    assertEquals(
        Integer.toString(7 + 1234 * 2),
        DurableSubmissionIT.taskItems(runtime, runId).get(1234).get("item").s());
    assertEquals(2500, DurableSubmissionIT.taskItems(runtime, runId).size());
  }

  @Test
  void aDiscoveringRunReportsItsCountSoFarAndTasksRunBeforeDiscoveryEnds() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    String key = "hold-" + UUID.randomUUID();
    String held = RunIds.fromIdempotencyKey(key);
    source.beforePage =
        (runId, page) -> {
          if (runId.equals(held) && page == 3) {
            awaitQuietly(release);
          }
        };
    String runId = submit(pages(key, "{\"pages\":3,\"size\":300,\"lastSize\":50}"));
    try {
      Await.until(
          Duration.ofSeconds(60),
          () -> counted(runId) == 600,
          () -> "the first two pages' tasks never ran: " + executionsOf(runId));
      JsonNode run = api.get("/runs/" + runId).body();
      assertEquals("DISCOVERING", run.get("status").asText(), run.toString());
      assertEquals(600, run.get("discovery").get("discovered").asInt(), run.toString());
      assertEquals(600, run.get("succeeded").asInt(), run.toString());
      assertTrue(!run.get("discovery").get("ended").asBoolean());
    } finally {
      release.countDown();
    }
    JsonNode run = finished(runId);
    assertEquals("SUCCEEDED", run.get("status").asText(), run.toString());
    assertEachTaskRanOnce(runId, 650);
  }

  @Test
  void shardsThatDrainedBeforeDiscoveryEndedAreCountedAtItsEnd() throws Exception {
    // 150 tasks (a partial shard) and 400 (two full ones) all finish while the last page, which
    // is empty, is held: no spoke could know its shard was the last; the end of discovery must.
    for (int first : new int[] {150, 400}) {
      CountDownLatch release = new CountDownLatch(1);
      String key = "drained-" + first + "-" + UUID.randomUUID();
      String held = RunIds.fromIdempotencyKey(key);
      source.beforePage =
          (runId, page) -> {
            if (runId.equals(held) && page == 2) {
              awaitQuietly(release);
            }
          };
      String runId = submit(pages(key, "{\"pages\":2,\"size\":" + first + ",\"lastSize\":0}"));
      try {
        Await.until(
            Duration.ofSeconds(60),
            () -> executionsOf(runId) == first,
            () -> "the first page's tasks never ran");
        // Their counters are written right after the batch; give them that moment.
        Await.until(
            Duration.ofSeconds(30),
            () -> counted(runId) == first,
            () -> "the tasks were never counted: " + counted(runId));
      } finally {
        release.countDown();
      }
      long started = System.nanoTime();
      JsonNode run = finished(runId);
      long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      assertEquals("SUCCEEDED", run.get("status").asText(), run.toString());
      assertEquals(first, run.get("summary").get("total").asInt());
      assertEachTaskRanOnce(runId, first);
      // The end of discovery finds it drained at once: no sweep (stall margin 3 s) needed.
      assertTrue(
          tookMs < 3_000, first + " tasks: the run finished " + tookMs + " ms after the end");
    }
  }

  @Test
  void aSourceWithNoItemsEndsSucceededWithNone() throws Exception {
    String runId = submit(pages("empty-" + UUID.randomUUID(), "{\"pages\":1,\"size\":0}"));
    JsonNode run = finished(runId);
    assertEquals("SUCCEEDED", run.get("status").asText(), run.toString());
    assertEquals(0, run.get("summary").get("total").asInt());
  }

  @Test
  void aPageThatNeverComesFailsTheRunAfterItsTasksAreSummarized() throws Exception {
    String runId =
        submit(pages("fail-" + UUID.randomUUID(), "{\"pages\":5,\"size\":700,\"failAt\":3}"));
    JsonNode run = finished(runId);
    assertEquals("FAILED", run.get("status").asText(), run.toString());
    JsonNode summary = run.get("summary");
    assertEquals(1400, summary.get("total").asInt(), run.toString());
    assertEquals(1400, summary.get("succeeded").asInt(), run.toString());
    assertTrue(
        summary.get("discovery").get("error").asText().contains("page 3 is gone for good"),
        run.toString());
    assertTrue(summary.get("reason").asText().startsWith("discovery failed"), run.toString());
    assertEachTaskRanOnce(runId, 1400);
  }

  @Test
  void aPageThatBreaksTheRulesFailsTheRunAtOnceNamingTheRule() throws Exception {
    String nullItem =
        submit(pages("null-" + UUID.randomUUID(), "{\"pages\":3,\"size\":100,\"nullAt\":2}"));
    String tooBig = submit(pages("big-" + UUID.randomUUID(), "{\"pages\":2,\"size\":1001}"));
    JsonNode run = finished(nullItem);
    assertEquals("FAILED", run.get("status").asText(), run.toString());
    assertEquals(
        "page 2 item 3 is null: give any JSON but null",
        run.at("/summary/discovery/error").asText(),
        run.toString());
    assertEachTaskRanOnce(nullItem, 100);
    run = finished(tooBig);
    assertEquals("FAILED", run.get("status").asText(), run.toString());
    assertTrue(
        run.at("/summary/discovery/error").asText().contains("at most 1000 items"), run.toString());
    assertEquals(0, run.at("/summary/total").asInt(), run.toString());
    // Neither was asked for again: the rule would break the same way.
    assertTrue(!run.at("/discovery").has("lastError"), run.toString());
  }

  @Test
  void aPageThatFailsOnceIsAskedForAgain() throws Exception {
    String runId =
        submit(pages("flaky-" + UUID.randomUUID(), "{\"pages\":3,\"size\":500,\"flakyAt\":2}"));
    JsonNode run = finished(runId);
    assertEquals("SUCCEEDED", run.get("status").asText(), run.toString());
    assertEachTaskRanOnce(runId, 1500);
  }

  @Test
  void aHubThatDiesAfterWritingAPageBeforeItsCheckpointIsResumedExactly() throws Exception {
    String key = "crash-chunks-" + UUID.randomUUID();
    String runId = RunIds.fromIdempotencyKey(key);
    AtomicInteger pageWrites = new AtomicInteger();
    faults.crashAfter = r -> writesChunksOf(r, runId) && pageWrites.incrementAndGet() == 2;
    submit(pages(key, "{\"pages\":4,\"size\":500}"));
    JsonNode run = finished(runId);
    assertEquals("SUCCEEDED", run.get("status").asText(), run.toString());
    assertTrue(pageWrites.get() >= 5, "page 2 was written again: " + pageWrites.get());
    assertEachTaskRanOnce(runId, 2000);
  }

  @Test
  void aHubThatDiesAfterACheckpointBeforeSendingItsChunksIsResumedExactly() throws Exception {
    String key = "crash-checkpoint-" + UUID.randomUUID();
    String runId = RunIds.fromIdempotencyKey(key);
    AtomicInteger checkpoints = new AtomicInteger();
    faults.crashAfter = r -> checkpointOf(r, runId) && checkpoints.incrementAndGet() == 2;
    submit(pages(key, "{\"pages\":4,\"size\":500}"));
    JsonNode run = finished(runId);
    assertEquals("SUCCEEDED", run.get("status").asText(), run.toString());
    assertEachTaskRanOnce(runId, 2000);
  }

  @Test
  void aCheckpointWhoseAnswerIsLostIsNotAppliedTwice() throws Exception {
    String key = "lost-checkpoint-" + UUID.randomUUID();
    String runId = RunIds.fromIdempotencyKey(key);
    AtomicInteger checkpoints = new AtomicInteger();
    // DynamoDB applies the checkpoint; the hub sees a 500 and the SDK sends it again.
    faults.loseResponse = r -> checkpointOf(r, runId) && checkpoints.incrementAndGet() == 2;
    submit(pages(key, "{\"pages\":3,\"size\":400}"));
    JsonNode run = finished(runId);
    assertEquals("SUCCEEDED", run.get("status").asText(), run.toString());
    assertEquals(1200, run.get("total").asInt(), run.toString());
    assertEachTaskRanOnce(runId, 1200);
  }

  @Test
  void aDiscoveryLongerThanOneHubInvocationGoesOnInTheNext() throws Exception {
    // 6 pages of 1.2 s each cannot fit in one 5 s hub invocation.
    String key = "long-" + UUID.randomUUID();
    String runId = RunIds.fromIdempotencyKey(key);
    AtomicInteger continuations = new AtomicInteger();
    faults.callStarted =
        r -> {
          if (r instanceof SendMessageBatchRequest send
              && send.entries().stream()
                  .anyMatch(
                      e ->
                          e.messageBody().contains("\"discover\":true")
                              && e.messageBody().contains(runId))) {
            continuations.incrementAndGet();
          }
        };
    submit(pages(key, "{\"pages\":6,\"size\":100,\"slowMs\":1200}"));
    JsonNode run = finished(runId);
    assertEquals("SUCCEEDED", run.get("status").asText(), run.toString());
    assertTrue(continuations.get() >= 2, "continuations sent: " + continuations.get());
    assertEachTaskRanOnce(runId, 600);
  }

  @Test
  void aLostFirstDiscoverMessageIsSentAgainByTheSweep() throws Exception {
    String key = "lost-message-" + UUID.randomUUID();
    String runId = RunIds.fromIdempotencyKey(key);
    AtomicInteger denied = new AtomicInteger();
    faults.deny =
        r ->
            r instanceof SendMessageBatchRequest send
                && send.entries().stream()
                    .anyMatch(
                        e ->
                            e.messageBody().contains("\"discover\":true")
                                && e.messageBody().contains(runId))
                && denied.getAndIncrement() < 1;
    api.postRun(pages(key, "{\"pages\":2,\"size\":300}")); // whatever the client is told
    Await.until(
        Duration.ofMinutes(2),
        () -> {
          try {
            runtime.sweep();
            return api.get("/runs/" + runId).body().path("status").asText().endsWith("ED");
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        },
        () -> "the sweep never resumed the discovery");
    JsonNode run = finished(runId);
    assertEquals("SUCCEEDED", run.get("status").asText(), run.toString());
    assertEquals(1, denied.get() > 0 ? 1 : 0, "the first discover message was never denied");
    assertEachTaskRanOnce(runId, 600);
  }

  /** A BatchWriteItem of chunk records of {@code runId}. */
  static boolean writesChunksOf(SdkRequest r, String runId) {
    return r instanceof BatchWriteItemRequest batch
        && batch.requestItems().values().stream()
            .flatMap(List::stream)
            .anyMatch(
                w ->
                    w.putRequest() != null
                        && w.putRequest().item().get("sk").s().equals("D")
                        && runId.equals(w.putRequest().item().get("runId").s()));
  }

  /** A checkpoint of {@code runId}'s discovery (it moves the page count on). */
  static boolean checkpointOf(SdkRequest r, String runId) {
    return r instanceof UpdateItemRequest update
        && update.key().get("pk").s().equals("RUN#" + runId)
        && update.updateExpression().contains("pages = :next");
  }

  static int executionsOf(String runId) {
    int count = 0;
    for (RecordingWorker.Execution e : worker.executions) {
      if (e.taskId().startsWith(runId + "/")) {
        count++;
      }
    }
    return count;
  }

  static int counted(String runId) {
    try {
      JsonNode run = api.get("/runs/" + runId).body();
      return run.path("succeeded").asInt() + run.path("failed").asInt();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(2, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
