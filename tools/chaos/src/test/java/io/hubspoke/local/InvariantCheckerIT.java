package io.hubspoke.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hubspoke.chaos.InvariantChecker;
import io.hubspoke.chaos.Journal;
import io.hubspoke.contract.json.Json;
import io.hubspoke.core.model.RunIds;
import io.hubspoke.core.model.TaskMessage;
import io.hubspoke.core.worker.WorkerRegistry;
import io.hubspoke.testkit.Await;
import io.hubspoke.worker.TaskOutcome;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * An invariant check is only worth something if a deliberately broken mechanism makes it fail: each
 * test here breaks one mechanism on purpose (through the SDK seam, rewriting a real request) and
 * expects the checker to name the task it harmed.
 */
class InvariantCheckerIT {
  static final Faults faults = new Faults();
  static final Journal journal = new Journal();
  static final RecordingWorker worker = new RecordingWorker();
  static LocalRuntime runtime;
  static ApiClient api;

  @BeforeAll
  static void start() {
    worker.journal = journal::execution;
    runtime =
        LocalRuntime.start(
            LocalOptions.builder()
                .spokeTimeout(Duration.ofSeconds(10))
                .visibilityTimeout(Duration.ofSeconds(12))
                .leaseGrace(Duration.ofSeconds(1))
                .summaryLease(Duration.ofSeconds(3))
                .sweepInterval(Duration.ofSeconds(1))
                .stallMargin(Duration.ofSeconds(2))
                .maxReceiveCount(3)
                .workers(new WorkerRegistry(List.of(worker)))
                .interceptor(faults.sdk())
                .pollerInterceptor(faults.poller())
                .busInterceptor(faults.bus())
                .spokeWrapper(faults::wrapSpoke)
                .build());
    journal.watch(runtime);
    api = new ApiClient(runtime.apiEndpoint());
  }

  @AfterAll
  static void stop() {
    journal.close();
    runtime.close();
  }

  @AfterEach
  void clear() {
    faults.clear();
    worker.reset();
  }

  static String submit(int tasks) throws Exception {
    return submit(tasks, 1);
  }

  static String submit(int tasks, int taskTimeoutSeconds) throws Exception {
    StringBuilder items = new StringBuilder("[");
    for (int i = 0; i < tasks; i++) {
      items.append(i == 0 ? "" : ",").append(i);
    }
    ApiClient.Reply reply =
        api.postRun(
            "{\"items\":"
                + items.append(']')
                + ",\"worker\":\"record\",\"maxAttempts\":3,\"taskTimeoutSeconds\":"
                + taskTimeoutSeconds
                + "}");
    assertEquals(202, reply.status(), reply.body().toString());
    return reply.body().get("runId").asText();
  }

  static InvariantChecker.Report check(String runId, int tasks) {
    return new InvariantChecker(runtime, journal)
        .check(runId, tasks, Optional.empty(), Duration.ZERO);
  }

  static void assertViolation(
      InvariantChecker.Report report, String invariant, String runId, int task) {
    String taskId = RunIds.taskId(runId, task);
    assertTrue(
        report.violations().stream()
            .anyMatch(v -> v.invariant().equals(invariant) && v.message().contains(taskId)),
        "expected an " + invariant + " violation naming " + taskId + ": " + report.violations());
  }

  /** A commit (complete) whose condition no longer checks owner and version: only the status. */
  static SdkRequest dropOwnerAndVersionFromCommits(SdkRequest request) {
    if (!(request instanceof UpdateItemRequest u)
        || !u.updateExpression().startsWith("SET #st = :to")) {
      return request;
    }
    String condition = u.conditionExpression();
    String broken = condition.replace(" AND version = :v AND #ow = :owner", "");
    if (broken.equals(condition)) {
      throw new IllegalStateException("the commit's condition changed: " + condition);
    }
    Map<String, AttributeValue> values = new HashMap<>(u.expressionAttributeValues());
    values.remove(":v"); // DynamoDB rejects an unused expression value
    return u.toBuilder().conditionExpression(broken).expressionAttributeValues(values).build();
  }

  static String ownerOf(SdkRequest request) {
    return ((UpdateItemRequest) request).expressionAttributeValues().get(":owner").s();
  }

  /**
   * I2. A stale owner whose lease was taken over commits anyway, because the commit no longer
   * checks owner and version: its result replaces the running takeover's, which then loses its own
   * commit. The result does not name the attempt (real workers' results do not), so only the writes
   * tell. With {@code lostResponse}, the stale commit's response is lost too: its writer never
   * learns it was applied.
   */
  @ParameterizedTest(name = "stale commit response lost: {0}")
  @ValueSource(booleans = {false, true})
  void i2FailsWhenAStaleOwnersCommitIsAppliedOverATakeover(boolean lostResponse) throws Exception {
    worker.behaviour = c -> TaskOutcome.success(Json.object().put("ok", true));
    faults.rewrite = InvariantCheckerIT::dropOwnerAndVersionFromCommits;
    AtomicLong firstLeaseUntil = new AtomicLong(Long.MAX_VALUE);
    AtomicInteger claims = new AtomicInteger();
    CountDownLatch takenOver = new CountDownLatch(1);
    AtomicReference<String> staleOwner = new AtomicReference<>();
    AtomicReference<UpdateItemRequest> staleCommit = new AtomicReference<>();
    faults.crashAfter =
        r -> {
          if (Faults.isClaim(r, 0)) {
            UpdateItemRequest claim = (UpdateItemRequest) r;
            if (claims.incrementAndGet() == 1) {
              firstLeaseUntil.set(
                  Long.parseLong(claim.expressionAttributeValues().get(":lease").n()));
            } else {
              takenOver.countDown();
            }
          }
          return false;
        };
    faults.beforeSend =
        r -> {
          if (!(r instanceof UpdateItemRequest u
              && u.updateExpression().startsWith("SET #st = :to")
              && u.key().get("sk").s().equals("T#00000000"))) {
            return;
          }
          if (staleOwner.compareAndSet(null, ownerOf(u))) {
            staleCommit.set(u);
            // The first owner stalls before committing until its task has been taken over.
            await(takenOver);
          } else if (!ownerOf(u).equals(staleOwner.get())) {
            // The takeover commits only once the stale commit was applied over its claim.
            Await.until(
                Duration.ofSeconds(20),
                () -> status(u).equals("SUCCEEDED"),
                () -> "the stale commit was not applied");
          }
        };
    faults.loseResponse =
        r ->
            lostResponse
                && r instanceof UpdateItemRequest u
                && u.updateExpression().startsWith("SET #st = :to")
                && ownerOf(u).equals(staleOwner.get());
    String runId = submit(1);
    Await.until(
        Duration.ofSeconds(20),
        () -> staleOwner.get() != null && System.currentTimeMillis() > firstLeaseUntil.get(),
        () -> "the first owner's lease did not run out while it held its commit");
    // Redeliver the task after the lease expired, as SQS does after the visibility timeout.
    runtime
        .clients()
        .sqs()
        .sendMessage(
            b ->
                b.queueUrl(runtime.queues().queueUrl())
                    .messageBody(new TaskMessage(runId, 0).toJson()));
    api.awaitFinished(runId, Duration.ofMinutes(1));
    FaultsIT.awaitCompletedEvent(runtime, runId);
    assertTrue(runtime.bus().awaitIdle(Duration.ofSeconds(30)));
    assertEquals(2, claims.get(), "the task was taken over once");
    assertEquals(
        staleOwner.get(),
        item(staleCommit.get()).get("owner").s(),
        "the broken mechanism let the stale owner's result stand");

    InvariantChecker.Report r = check(runId, 1);
    System.out.println("DEBUGV " + r.violations());
    assertViolation(r, "I2", runId, 0);
  }

  static Map<String, AttributeValue> item(UpdateItemRequest write) {
    return runtime
        .clients()
        .dynamoDb()
        .getItem(b -> b.tableName(LocalOptions.TABLE_NAME).key(write.key()).consistentRead(true))
        .item();
  }

  static String status(UpdateItemRequest write) {
    return item(write).get("status").s();
  }

  static void await(CountDownLatch latch) {
    try {
      if (!latch.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("timed out waiting on the test's cue");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * I1. The hub's task write loses one task without reporting it unprocessed: the run counts it,
   * its message is sent, but the task never exists.
   */
  @Test
  void i1FailsWhenATaskWriteIsDroppedSilently() throws Exception {
    AtomicInteger dropped = new AtomicInteger();
    faults.rewrite = r -> dropTaskWrite(r, 2, dropped);
    String runId = submit(5);
    // The spoke finds no task for the message and dead-letters it: the run cannot finish.
    Await.until(
        Duration.ofSeconds(30),
        () ->
            InvariantChecker.deadLetters(runtime).stream()
                .anyMatch(m -> isMessageOf(m.body(), runId, 2)),
        () -> "the message of the lost task was not dead-lettered");
    assertEquals(1, dropped.get(), "one task write was dropped");

    assertViolation(check(runId, 5), "I1", runId, 2);
  }

  /** Leaves the new task {@code index} out of a BatchWriteItem or PutItem, as if written. */
  static SdkRequest dropTaskWrite(SdkRequest request, int index, AtomicInteger dropped) {
    if (request instanceof BatchWriteItemRequest batch) {
      Map<String, List<WriteRequest>> kept = new HashMap<>();
      batch
          .requestItems()
          .forEach(
              (table, writes) ->
                  kept.put(
                      table,
                      writes.stream()
                          .filter(
                              w -> {
                                boolean drop =
                                    w.putRequest() != null && isTask(w.putRequest().item(), index);
                                if (drop) {
                                  dropped.incrementAndGet();
                                }
                                return !drop;
                              })
                          .toList()));
      return batch.toBuilder().requestItems(kept).build();
    }
    if (request instanceof PutItemRequest put && isTask(put.item(), index)) {
      // A conditional put that can never apply: the writer reads it as "already there".
      dropped.incrementAndGet();
      return put.toBuilder()
          .conditionExpression("attribute_exists(#pk) AND attribute_not_exists(#pk)")
          .expressionAttributeNames(Map.of("#pk", "pk"))
          .build();
    }
    return request;
  }

  /** Whether a message body names this task (a body carries the run's incarnation, or none). */
  static boolean isMessageOf(String body, String runId, int index) {
    try {
      TaskMessage message = TaskMessage.parse(body);
      return message.runId().equals(runId) && message.taskIndex() == index;
    } catch (IllegalArgumentException notATaskMessage) {
      return false;
    }
  }

  static boolean isTask(Map<String, AttributeValue> item, int index) {
    return item.containsKey("runId")
        && item.containsKey("idx")
        && item.get("idx").n().equals(Integer.toString(index));
  }

  /**
   * I3 and I7. The spoke never acknowledges (every batch response is malformed, so the whole batch
   * is retried): a task that SUCCEEDED at its first delivery is redriven to the dead-letter queue.
   */
  @Test
  void i3AndI7FailWhenASucceededTasksMessageIsNeverAcknowledged() throws Exception {
    faults.spokeFault = e -> Faults.SpokeFault.UNKNOWN_ID_AFTER;
    setVisibility("1"); // so that redeliveries come quickly
    try {
      String runId = submit(1);
      Await.until(
          Duration.ofSeconds(60),
          () ->
              InvariantChecker.deadLetters(runtime).stream()
                  .anyMatch(m -> isMessageOf(m.body(), runId, 0)),
          () -> "the message was not redriven to the dead-letter queue");
      api.awaitFinished(runId, Duration.ofMinutes(1));
      InvariantChecker.Report report = check(runId, 1);
      assertViolation(report, "I3", runId, 0);
      assertViolation(report, "I7", runId, 0);
    } finally {
      setVisibility("12");
    }
  }

  static void setVisibility(String seconds) {
    runtime
        .clients()
        .sqs()
        .setQueueAttributes(
            b ->
                b.queueUrl(runtime.queues().queueUrl())
                    .attributesWithStrings(Map.of("VisibilityTimeout", seconds)));
  }

  /** I4. The collector writes a summary that miscounts the tasks. */
  @Test
  void i4FailsWhenTheSummaryMiscounts() throws Exception {
    AtomicInteger corrupted = new AtomicInteger();
    faults.rewrite =
        r -> {
          if (!(r instanceof UpdateItemRequest u)
              || !u.updateExpression().contains("summary = :summary")) {
            return r;
          }
          Map<String, AttributeValue> values = new HashMap<>(u.expressionAttributeValues());
          ObjectNode summary = (ObjectNode) Json.parseTrusted(values.get(":summary").s());
          summary.put("succeeded", summary.path("succeeded").asInt() - 1);
          values.put(":summary", AttributeValue.fromS(Json.write(summary)));
          corrupted.incrementAndGet();
          return u.toBuilder().expressionAttributeValues(values).build();
        };
    String runId = submit(3);
    api.awaitFinished(runId, Duration.ofMinutes(1));
    FaultsIT.awaitCompletedEvent(runtime, runId);
    assertTrue(runtime.bus().awaitIdle(Duration.ofSeconds(30)));
    assertTrue(corrupted.get() > 0, "the summary was rewritten");

    InvariantChecker.Report report = check(runId, 3);
    assertTrue(
        report.violations().stream()
            .anyMatch(v -> v.invariant().equals("I4") && v.message().contains(runId)),
        "expected an I4 violation naming run " + runId + ": " + report.violations());
  }

  /**
   * I5. The claim no longer waits for a RUNNING task's lease to expire: a second delivery takes the
   * task over while its first owner still works.
   */
  @Test
  void i5FailsWhenAClaimTakesOverALiveLease() throws Exception {
    faults.rewrite =
        r -> {
          if (!Faults.isClaim(r, 0)) {
            return r;
          }
          UpdateItemRequest u = (UpdateItemRequest) r;
          String condition = u.conditionExpression();
          String broken = condition.replace(" AND leaseUntil <= :now", "");
          if (broken.equals(condition)) {
            throw new IllegalStateException("the claim's condition changed: " + condition);
          }
          return u.toBuilder().conditionExpression(broken).build();
        };
    AtomicInteger claims = new AtomicInteger();
    CountDownLatch takenOver = new CountDownLatch(1);
    faults.crashAfter =
        r -> {
          if (Faults.isClaim(r, 0) && claims.incrementAndGet() == 2) {
            takenOver.countDown();
          }
          return false;
        };
    worker.behaviour =
        c -> {
          if (c.attempt() == 1) {
            await(takenOver); // the first owner is still at work when the second claims
          }
          return RecordingWorker.succeed(c);
        };
    String runId = submit(1, 5);
    Await.until(Duration.ofSeconds(20), () -> claims.get() == 1, () -> "the task was not claimed");
    runtime
        .clients()
        .sqs()
        .sendMessage(
            b ->
                b.queueUrl(runtime.queues().queueUrl())
                    .messageBody(new TaskMessage(runId, 0).toJson()));
    api.awaitFinished(runId, Duration.ofMinutes(1));
    FaultsIT.awaitCompletedEvent(runtime, runId);
    assertTrue(runtime.bus().awaitIdle(Duration.ofSeconds(30)));
    assertEquals(2, claims.get());

    assertViolation(check(runId, 1), "I5", runId, 0);
  }
}
