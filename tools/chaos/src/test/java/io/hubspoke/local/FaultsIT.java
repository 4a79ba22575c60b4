package io.hubspoke.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hubspoke.chaos.InvariantChecker;
import io.hubspoke.chaos.Journal;
import io.hubspoke.contract.EventRules;
import io.hubspoke.core.model.RunIds;
import io.hubspoke.core.model.TaskMessage;
import io.hubspoke.core.worker.EchoWorker;
import io.hubspoke.core.worker.SleepWorker;
import io.hubspoke.core.worker.WorkerRegistry;
import io.hubspoke.local.emulator.SqsEventSourcePoller.InvocationInterceptor.Decision;
import io.hubspoke.testkit.Await;
import io.hubspoke.worker.TaskOutcome;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * One test per fault the cloud can throw (F1–F12 of the reliability doc; F13 is the soak), each
 * injected through a real seam and each ending with the invariant checker green.
 */
class FaultsIT {
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
                .spokeTimeout(Duration.ofSeconds(3))
                .visibilityTimeout(Duration.ofSeconds(4))
                .leaseGrace(Duration.ofSeconds(1))
                .summaryLease(Duration.ofSeconds(3))
                .sweepInterval(Duration.ofSeconds(1))
                .stallMargin(Duration.ofSeconds(2))
                .workers(new WorkerRegistry(List.of(new EchoWorker(), new SleepWorker(), worker)))
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
    String items =
        IntStream.range(0, tasks)
            .mapToObj(i -> "{\"n\":" + i + "}")
            .collect(Collectors.joining(",", "[", "]"));
    ApiClient.Reply reply =
        api.postRun(
            "{\"items\":"
                + items
                + ",\"worker\":\"record\",\"maxAttempts\":3,\"taskTimeoutSeconds\":1}");
    assertEquals(202, reply.status(), reply.body().toString());
    return reply.body().get("runId").asText();
  }

  /** Waits for the run, then checks every invariant; returns the finished run. */
  static JsonNode finishAndCheck(String runId, int tasks) throws Exception {
    JsonNode run = api.awaitFinished(runId, Duration.ofMinutes(2));
    awaitCompletedEvent(runtime, runId);
    assertTrue(runtime.bus().awaitIdle(Duration.ofSeconds(30)));
    InvariantChecker.Report report =
        new InvariantChecker(runtime, journal).check(runId, tasks, Optional.empty(), Duration.ZERO);
    assertTrue(report.ok(), "invariants violated: " + report.violations());
    assertEquals(tasks, report.tasks());
    return run;
  }

  /** RunCompleted follows the final status; a failed publish is retried or re-sent by the sweep. */
  static void awaitCompletedEvent(LocalRuntime local, String runId) {
    Await.until(
        Duration.ofSeconds(30),
        () -> InvariantChecker.completedEvents(local, runId) > 0,
        () -> "RunCompleted was never published for " + runId);
  }

  /** A claim of task {@code index} of any run (tests run one after another). */
  long executions(String runId, int index) {
    return worker.executionsPerTask().getOrDefault(RunIds.taskId(runId, index), 0L);
  }

  @Test
  void f1TheSameMessageDeliveredTwiceAndConcurrentlyToTwoSpokes() throws Exception {
    faults.duplicateBatch = e -> true;
    String runId = submit(40);
    // A second copy of every message, as SQS may deliver one twice to two pollers at once: a copy
    // of a message that was sent, so once the run's tasks (and their messages) exist.
    api.awaitDispatched(runId, Duration.ofSeconds(30));
    for (int i = 0; i < 40; i++) {
      String body = new TaskMessage(runId, i).toJson();
      runtime
          .clients()
          .sqs()
          .sendMessage(b -> b.queueUrl(runtime.queues().queueUrl()).messageBody(body));
    }
    JsonNode run = finishAndCheck(runId, 40);
    assertEquals(40, run.get("summary").get("attempts").asInt());
    for (int i = 0; i < 40; i++) {
      assertEquals(1, executions(runId, i), "task " + i);
    }
  }

  @Test
  void f2ASpokeDiesRightAfterItsClaimAndTheTaskIsTakenOverAfterTheLease() throws Exception {
    AtomicBoolean crashed = new AtomicBoolean();
    faults.crashAfter = r -> Faults.isClaim(r, 2) && crashed.compareAndSet(false, true);
    String runId = submit(5);
    JsonNode run = finishAndCheck(runId, 5);
    assertTrue(crashed.get());
    assertEquals(6, run.get("summary").get("attempts").asInt(), "task 2 was claimed twice");
    assertEquals(1, executions(runId, 2), "the dead claim never ran the worker");
  }

  @Test
  void f3ASpokeDiesAfterRecordingTheResultBeforeTheAck() throws Exception {
    Set<String> crashedOnce = ConcurrentHashMap.newKeySet();
    faults.pollerDecision =
        e ->
            crashedOnce.add(e.getRecords().get(0).getBody())
                ? Decision.CRASH_AFTER
                : Decision.INVOKE;
    String runId = submit(30);
    JsonNode run = finishAndCheck(runId, 30);
    assertEquals(30, run.get("summary").get("attempts").asInt());
    for (int i = 0; i < 30; i++) {
      assertEquals(
          1, executions(runId, i), "task " + i + " ran again after its result was recorded");
    }
  }

  @Test
  void f4ALeaseExpiresWhileTheFirstOwnerWorksAndItsLateCommitIsRejected() throws Exception {
    CountDownLatch takenOver = new CountDownLatch(1);
    AtomicBoolean firstCommitHeld = new AtomicBoolean();
    // Tests run one after another, so the only task 0 committing now is this test's.
    faults.beforeSend =
        r -> {
          boolean commitOfTask0 =
              r instanceof UpdateItemRequest u
                  && u.updateExpression().startsWith("SET #st = :to")
                  && u.key().get("sk").s().equals("T#00000000");
          if (!commitOfTask0) {
            return;
          }
          if (firstCommitHeld.compareAndSet(false, true)) {
            try {
              takenOver.await(30, TimeUnit.SECONDS); // the first owner stalls before committing
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          } else {
            takenOver.countDown(); // the second owner commits: now let the first one try
          }
        };
    String id = submit(1);
    Await.until(
        Duration.ofSeconds(20), firstCommitHeld::get, () -> "the first commit never started");
    Await.until(
        Duration.ofSeconds(20),
        () ->
            journal.taskChanges(id).stream()
                .map(c -> c.after())
                .anyMatch(
                    t ->
                        t != null
                            && t.status().equals("RUNNING")
                            && t.leaseUntil() < System.currentTimeMillis()),
        () -> "the first lease did not expire");
    // Redeliver the task after the lease expired, as SQS does after the visibility timeout.
    runtime
        .clients()
        .sqs()
        .sendMessage(
            b ->
                b.queueUrl(runtime.queues().queueUrl())
                    .messageBody(new TaskMessage(id, 0).toJson()));
    JsonNode run = finishAndCheck(id, 1);
    JsonNode task = api.get("/runs/" + id + "/tasks").body().get("tasks").get(0);
    assertEquals(2, task.get("attempt").asInt(), "the second owner committed");
    assertEquals(2, task.get("result").get("attempt").asInt());
    assertEquals(2, executions(id, 0), "both owners ran; only one result counts");
    assertEquals("SUCCEEDED", run.get("status").asText());
  }

  @Test
  void f5AConditionalWriteIsAppliedButItsResponseIsLost() throws Exception {
    faults.loseResponse =
        r -> r instanceof UpdateItemRequest u && u.key().get("sk").s().startsWith("T#");
    String runId = submit(20);
    JsonNode run = finishAndCheck(runId, 20);
    assertEquals("SUCCEEDED", run.get("status").asText());
    assertEquals(
        20,
        run.get("summary").get("attempts").asInt(),
        "no lost response was misread as a lost race");
  }

  @Test
  void f7ThrottlingOnEveryPathIsRetriedAndNeverDeadLettered() throws Exception {
    Map<String, Integer> throttled = new ConcurrentHashMap<>();
    // The first attempt of every request is throttled, on DynamoDB, SQS and EventBridge.
    faults.throttle =
        r ->
            throttled.merge(
                    r.getClass().getSimpleName() + System.identityHashCode(r), 1, Integer::sum)
                <= 1;
    String runId = submit(20);
    JsonNode run = finishAndCheck(runId, 20);
    assertEquals("SUCCEEDED", run.get("status").asText());
    assertTrue(throttled.size() > 60, "throttled requests: " + throttled.size());
  }

  @Test
  void f7ThrottlingThatOutlastsTheInvocationIsDeferredBeforeTheSpokeTimesOut() throws Exception {
    // Every claim of task 0 is throttled for 7 s, more than twice the spoke's 3 s timeout: the
    // SDK's backoff alone would sleep through the invocation's end and fail its batch.
    long throttleUntil = System.currentTimeMillis() + 7_000;
    AtomicInteger throttledClaims = new AtomicInteger();
    faults.throttle =
        r -> {
          if (!Faults.isClaim(r, 0) || System.currentTimeMillis() >= throttleUntil) {
            return false;
          }
          throttledClaims.incrementAndGet();
          return true;
        };
    long timedOutBefore = runtime.spokes().stats().invocationsTimedOut();
    String runId = submit(3);
    JsonNode run = finishAndCheck(runId, 3);
    assertEquals("SUCCEEDED", run.get("status").asText());
    assertTrue(throttledClaims.get() >= 2, "throttled claims: " + throttledClaims.get());
    assertEquals(
        timedOutBefore,
        runtime.spokes().stats().invocationsTimedOut(),
        "a spoke ran into its timeout while the SDK was still retrying");
    assertEquals(1, executions(runId, 0));
  }

  @Test
  void f8PoisonMessagesEndInTheDeadLetterQueueAndFlakyTasksSucceed() throws Exception {
    worker.behaviour =
        c ->
            c.attempt() == 1 && c.taskIndex() % 2 == 0
                ? TaskOutcome.retryable("Flaky", "first attempt fails")
                : RecordingWorker.succeed(c);
    runtime
        .clients()
        .sqs()
        .sendMessage(b -> b.queueUrl(runtime.queues().queueUrl()).messageBody("poison: not json"));
    String runId = submit(10);
    JsonNode run = finishAndCheck(runId, 10);
    assertEquals("SUCCEEDED", run.get("status").asText());
    assertEquals(15, run.get("summary").get("attempts").asInt());
    Await.until(
        Duration.ofSeconds(10),
        () ->
            InvariantChecker.deadLetters(runtime).stream()
                .anyMatch(
                    m ->
                        m.body().equals("poison: not json")
                            && m.messageAttributes()
                                .get("hubspoke.reason")
                                .stringValue()
                                .startsWith("unparseable message")),
        () -> "poison with its reason: " + InvariantChecker.deadLetters(runtime));
  }

  @Test
  void f9PartialBatchResponsesThrownErrorsAndMalformedResponsesRetryTheBatch() throws Exception {
    Set<String> seen = ConcurrentHashMap.newKeySet();
    faults.spokeFault =
        e -> {
          String first = e.getRecords().get(0).getBody();
          if (!seen.add(first)) {
            return Faults.SpokeFault.NONE;
          }
          int kind = Math.floorMod(first.hashCode(), 3);
          return kind == 0
              ? Faults.SpokeFault.THROW_BEFORE
              : kind == 1 ? Faults.SpokeFault.UNKNOWN_ID_AFTER : Faults.SpokeFault.EMPTY_ID_AFTER;
        };
    worker.behaviour =
        c ->
            c.taskIndex() % 3 == 0 && c.attempt() == 1
                ? TaskOutcome.retryable("Mixed", "one of a batch fails")
                : RecordingWorker.succeed(c);
    String runId = submit(30);
    JsonNode run = finishAndCheck(runId, 30);
    assertEquals("SUCCEEDED", run.get("status").asText());
    assertTrue(runtime.spokes().stats().batchesFailed() > 0, "whole batches were retried");
  }

  @Test
  void f10LastTasksFinishTogetherInDistinctInvocationsRunDrainedTwiceAndTheCollectorCrashes()
      throws Exception {
    // Two shards, so the last invocations race on both shard counters and the drained-shard set.
    int tasks = 201;
    int last = 4;
    FinishLine finishLine = new FinishLine(tasks, last);
    Journal ownJournal = new Journal();
    RecordingWorker racing = new RecordingWorker();
    racing.journal = ownJournal::execution;
    racing.behaviour = finishLine::run;
    faults.beforeSend = finishLine::beforeSend;
    faults.duplicateEvent = (rule, event) -> rule.equals(EventRules.RUN_DRAINED_RULE);
    AtomicBoolean collectorCrashed = new AtomicBoolean();
    faults.failBefore =
        r ->
            r instanceof UpdateItemRequest u
                && u.updateExpression().contains("summary = :summary")
                && collectorCrashed.compareAndSet(false, true);
    // Its own runtime: the held tasks wait for the rest of the run, far longer than the 3 s spoke
    // timeout of the shared one allows on a loaded machine.
    try (LocalRuntime local =
            LocalRuntime.start(
                LocalOptions.builder()
                    .spokeTimeout(Duration.ofSeconds(90))
                    .leaseGrace(Duration.ofSeconds(1))
                    .summaryLease(Duration.ofSeconds(3))
                    .sweepInterval(Duration.ofSeconds(1))
                    .stallMargin(Duration.ofSeconds(2))
                    .workers(new WorkerRegistry(List.of(racing)))
                    .interceptor(faults.sdk())
                    .busInterceptor(faults.bus())
                    .spokeWrapper(spoke -> finishLine.wrap(faults.wrapSpoke(spoke)))
                    .build());
        Journal watching = ownJournal.watch(local)) {
      ApiClient client = new ApiClient(local.apiEndpoint());
      String items =
          IntStream.range(0, tasks)
              .mapToObj(Integer::toString)
              .collect(Collectors.joining(",", "[", "]"));
      ApiClient.Reply reply =
          client.postRun(
              "{\"items\":" + items + ",\"worker\":\"record\",\"taskTimeoutSeconds\":60}");
      assertEquals(202, reply.status(), reply.body().toString());
      String runId = reply.body().get("runId").asText();
      JsonNode run = client.awaitFinished(runId, Duration.ofMinutes(2));
      awaitCompletedEvent(local, runId);
      assertTrue(local.bus().awaitIdle(Duration.ofSeconds(30)));

      assertEquals(List.of(), finishLine.failures());
      Map<Integer, Integer> held = finishLine.held();
      assertEquals(last, held.size(), "held tasks: " + held);
      List<FinishLine.Invocation> lastInvocations =
          held.values().stream().map(finishLine.invocations()::get).toList();
      assertEquals(
          last,
          Set.copyOf(held.values()).size(),
          "the last tasks ran in distinct invocations: " + held);
      long latestStart =
          lastInvocations.stream().mapToLong(FinishLine.Invocation::startNanos).max().orElseThrow();
      long earliestEnd =
          lastInvocations.stream().mapToLong(i -> i.endNanos().get()).min().orElseThrow();
      assertTrue(latestStart < earliestEnd, "the last invocations overlapped");
      assertTrue(
          finishLine.invocations().values().stream()
              .filter(i -> !held.containsValue(i.id()))
              .allMatch(i -> i.endNanos().get() < finishLine.releasedAtNanos()),
          "every other invocation had ended when the last tasks were released");
      assertEquals(
          last,
          finishLine.counterWritesTogether(),
          "the last invocations' counter writes were in flight together");
      assertEquals(
          1,
          InvariantChecker.publishedEvents(local, runId, EventRules.RUN_DRAINED),
          "RunDrained was published once");

      InvariantChecker.Report report =
          new InvariantChecker(local, ownJournal)
              .check(runId, tasks, Optional.empty(), Duration.ZERO);
      assertTrue(report.ok(), "invariants violated: " + report.violations());
      assertTrue(report.summaryExact());
      assertTrue(collectorCrashed.get(), "the collector crashed once");
      assertEquals(tasks, run.get("summary").get("succeeded").asInt());
      assertEquals(tasks, run.get("summary").get("total").asInt());
    }
  }

  @Test
  void
      f6TheHubCrashesMidDispatchAndBatchCallsPartlyFailYetTheRunIsResumedAndLosesAndDuplicatesNothing()
          throws Exception {
    io.hubspoke.chaos.FaultInjector injector =
        new io.hubspoke.chaos.FaultInjector(
            6,
            Map.of(
                io.hubspoke.chaos.FaultKind.PARTIAL_BATCH, 0.5,
                io.hubspoke.chaos.FaultKind.HUB_CRASH, 0.25));
    Journal ownJournal = new Journal();
    try (LocalRuntime local =
            LocalRuntime.start(
                LocalOptions.builder()
                    .sweepInterval(Duration.ofSeconds(1))
                    .hubTimeout(Duration.ofSeconds(10))
                    .dispatchLeaseMargin(Duration.ofSeconds(2))
                    .dispatchVisibilityTimeout(Duration.ofSeconds(15))
                    .interceptor(injector.sdk())
                    .build());
        Journal watching = ownJournal.watch(local)) {
      ApiClient client = new ApiClient(local.apiEndpoint());
      String items =
          IntStream.range(0, 300)
              .mapToObj(Integer::toString)
              .collect(Collectors.joining(",", "[", "]"));
      String request =
          "{\"items\":" + items + ",\"worker\":\"echo\",\"idempotencyKey\":\"f6-resume\"}";
      // The client retries only while the submission itself fails (the hub may die writing the
      // request's chunks); once accepted, the dispatch is resumed by the system, not the client.
      String runId = null;
      int attempts = 0;
      while (runId == null && attempts++ < 20) {
        ApiClient.Reply reply = client.postRun(request);
        if (reply.status() < 300) {
          runId = reply.body().get("runId").asText();
        }
      }
      assertTrue(runId != null, "the submission went through within 20 attempts");
      client.awaitFinished(runId, Duration.ofMinutes(2));
      assertTrue(
          injector.injected().get(io.hubspoke.chaos.FaultKind.HUB_CRASH) > 0,
          "the hub crashed at least once");
      assertTrue(injector.injected().get(io.hubspoke.chaos.FaultKind.PARTIAL_BATCH) > 0);
      awaitCompletedEvent(local, runId);
      assertTrue(local.bus().awaitIdle(Duration.ofSeconds(30)));
      InvariantChecker.Report report =
          new InvariantChecker(local, ownJournal)
              .check(runId, 300, Optional.empty(), Duration.ZERO);
      assertTrue(report.ok(), "invariants violated: " + report.violations());
      assertEquals(300, report.succeeded());
    }
  }

  @Test
  void f11AVisibilityTimeoutShorterThanTheWorkRedeliversAMessageWhileItsFirstAttemptRuns()
      throws Exception {
    Journal ownJournal = new Journal();
    RecordingWorker slow = new RecordingWorker();
    slow.journal = ownJournal::execution;
    Map<String, Integer> deliveries = new ConcurrentHashMap<>();
    // Each first attempt holds on until the queue (its visibility lowered to 1 s below) has
    // delivered the same message again, while the attempt still runs.
    slow.behaviour =
        c -> {
          String task = RunIds.taskId(c.runId(), c.taskIndex());
          Await.until(
              Duration.ofSeconds(4),
              () -> deliveries.getOrDefault(task, 0) >= 2,
              () -> "task " + c.taskIndex() + " was not delivered again while it ran");
          return RecordingWorker.succeed(c);
        };
    try (LocalRuntime local =
            LocalRuntime.start(
                LocalOptions.builder()
                    .spokeTimeout(Duration.ofSeconds(6))
                    .leaseGrace(Duration.ofSeconds(2))
                    .sweepInterval(Duration.ZERO)
                    .workers(new WorkerRegistry(List.of(slow)))
                    .pollerInterceptor(
                        event -> {
                          event
                              .getRecords()
                              .forEach(
                                  m -> {
                                    TaskMessage delivered = TaskMessage.parse(m.getBody());
                                    deliveries.merge(
                                        RunIds.taskId(delivered.runId(), delivered.taskIndex()),
                                        1,
                                        Integer::sum);
                                  });
                          return Decision.INVOKE;
                        })
                    .build());
        Journal watching = ownJournal.watch(local)) {
      // Lowered after the trigger was created, as an operator might: AWS checks it only at
      // creation.
      local
          .clients()
          .sqs()
          .setQueueAttributes(
              b ->
                  b.queueUrl(local.queues().queueUrl())
                      .attributesWithStrings(Map.of("VisibilityTimeout", "1")));
      ApiClient client = new ApiClient(local.apiEndpoint());
      String runId =
          client
              .postRun("{\"items\":[1,2,3],\"worker\":\"record\",\"taskTimeoutSeconds\":5}")
              .body()
              .get("runId")
              .asText();
      client.awaitFinished(runId, Duration.ofMinutes(1));
      awaitCompletedEvent(local, runId);
      assertTrue(local.bus().awaitIdle(Duration.ofSeconds(30)));
      InvariantChecker.Report report =
          new InvariantChecker(local, ownJournal).check(runId, 3, Optional.empty(), Duration.ZERO);
      assertTrue(report.ok(), "invariants violated: " + report.violations());
      assertTrue(
          local.spokes().stats().messagesDelivered() > 3,
          "messages were redelivered while running");
      slow.executionsPerTask()
          .forEach((task, count) -> assertEquals(1L, count, task + " ran twice"));
    }
  }

  @Test
  void f12DroppedRunDrainedEventsAreRecoveredByTheSweep() throws Exception {
    faults.dropEvent = (rule, event) -> rule.equals(EventRules.RUN_DRAINED_RULE);
    String runId = submit(6);
    JsonNode run = finishAndCheck(runId, 6);
    assertEquals("SUCCEEDED", run.get("status").asText());
  }
}
