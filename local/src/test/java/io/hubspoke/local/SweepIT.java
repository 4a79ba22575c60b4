package io.hubspoke.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import io.hubspoke.core.model.RunIds;
import io.hubspoke.core.model.TaskMessage;
import io.hubspoke.core.worker.EchoWorker;
import io.hubspoke.core.worker.WorkerRegistry;
import io.hubspoke.testkit.Await;
import io.hubspoke.worker.TaskOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

/**
 * The sweep judges each task by when it is due, not a run by its counters: a task waiting out its
 * retry backoff is left alone, and one task whose message was lost is repaired while the rest of
 * its run keeps completing.
 */
class SweepIT {
  static final Faults faults = new Faults();
  static final RecordingWorker worker = new RecordingWorker();

  /**
   * Tasks ({@code runId#index}) whose next deliveries (as many as the count) the spoke acknowledges
   * without running them, as a message deleted by mistake (or dead-lettered) leaves its task with
   * no message at all.
   */
  static final Map<String, Integer> swallow = new ConcurrentHashMap<>();

  /** When each swallowed message was delivered, by task. */
  static final Map<String, List<Instant>> swallowed = new ConcurrentHashMap<>();

  static LocalRuntime runtime;
  static ApiClient api;

  @BeforeAll
  static void start() {
    runtime =
        LocalRuntime.start(
            LocalOptions.builder()
                // Long enough for a batch whose tasks finish one after another over 20 s.
                .spokeTimeout(Duration.ofSeconds(40))
                .leaseGrace(Duration.ofSeconds(1))
                .summaryLease(Duration.ofSeconds(3))
                .sweepInterval(Duration.ofSeconds(1))
                .stallMargin(Duration.ofSeconds(2))
                .workers(new WorkerRegistry(List.of(new EchoWorker(), worker)))
                .interceptor(faults.sdk())
                .spokeWrapper(SweepIT::swallowing)
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
    swallow.clear();
    swallowed.clear();
  }

  /** The spoke, except that it acknowledges a swallowed task's message without processing it. */
  static RequestHandler<SQSEvent, SQSBatchResponse> swallowing(
      RequestHandler<SQSEvent, SQSBatchResponse> spoke) {
    return (event, context) -> {
      List<SQSEvent.SQSMessage> kept =
          event.getRecords().stream()
              .filter(m -> !swallowed(key(TaskMessage.parse(m.getBody()))))
              .collect(Collectors.toList());
      if (kept.isEmpty()) {
        return SQSBatchResponse.builder().withBatchItemFailures(List.of()).build();
      }
      SQSEvent rest = new SQSEvent();
      rest.setRecords(kept);
      return spoke.handleRequest(rest, context);
    };
  }

  private static boolean swallowed(String task) {
    boolean[] swallowIt = {false};
    swallow.computeIfPresent(
        task,
        (t, left) -> {
          swallowIt[0] = true;
          return left > 1 ? left - 1 : null;
        });
    if (swallowIt[0]) {
      swallowed.computeIfAbsent(task, t -> new CopyOnWriteArrayList<>()).add(Instant.now());
    }
    return swallowIt[0];
  }

  static String key(TaskMessage message) {
    return message.runId() + "#" + message.taskIndex();
  }

  static String request(int tasks, String key, int maxAttempts, int taskTimeoutSeconds) {
    String items =
        IntStream.range(0, tasks)
            .mapToObj(i -> "{\"n\":" + i + "}")
            .collect(Collectors.joining(",", "[", "]"));
    return "{\"items\":"
        + items
        + ",\"worker\":\"record\",\"maxAttempts\":"
        + maxAttempts
        + ",\"taskTimeoutSeconds\":"
        + taskTimeoutSeconds
        + ",\"idempotencyKey\":\""
        + key
        + "\"}";
  }

  @Test
  void aTaskInRetryBackoffIsNotSentAgainBeforeItsBackoffEnds() throws Exception {
    String key = "backoff-" + UUID.randomUUID();
    String runId = RunIds.fromIdempotencyKey(key);
    List<Instant> starts = new CopyOnWriteArrayList<>();
    worker.behaviour =
        c -> {
          starts.add(Instant.now());
          return c.attempt() < 4
              ? TaskOutcome.retryable("Flaky", "attempt " + c.attempt() + " fails")
              : RecordingWorker.succeed(c);
        };
    AtomicInteger claims = new AtomicInteger();
    faults.callStarted =
        r -> {
          if (Faults.isClaim(r, runId, 0)) {
            claims.incrementAndGet();
          }
        };
    ApiClient.Reply reply = api.postRun(request(1, key, 4, 1));
    assertEquals(202, reply.status(), reply.body().toString());
    JsonNode run = api.awaitFinished(runId, Duration.ofMinutes(1));
    assertEquals("SUCCEEDED", run.get("status").asText(), run.toString());
    assertEquals(4, starts.size(), "attempts: " + starts);
    // The spoke sends a failed attempt's task again after 1 s, 2 s, then 4 s: the run makes no
    // counter progress meanwhile, yet nothing is lost, so the sweep must leave the task alone.
    int[] backoffSeconds = {1, 2, 4};
    for (int k = 1; k < 4; k++) {
      Duration gap = Duration.between(starts.get(k - 1), starts.get(k));
      assertTrue(
          gap.compareTo(Duration.ofSeconds(backoffSeconds[k - 1])) >= 0,
          "attempt "
              + (k + 1)
              + " started "
              + gap.toMillis()
              + " ms after attempt "
              + k
              + ", before its "
              + backoffSeconds[k - 1]
              + " s backoff ended: the sweep sent the task again");
    }
    assertEquals(4, claims.get(), "one claim per attempt: no message was sent during a backoff");
  }

  @Test
  void aStrandedTaskInABusyRunIsRepairedWhileTheOthersKeepCompleting() throws Exception {
    String key = "stranded-" + UUID.randomUUID();
    String runId = RunIds.fromIdempotencyKey(key);
    int total = 41;
    CountDownLatch strandedRan = new CountDownLatch(1);
    AtomicInteger othersDone = new AtomicInteger();
    AtomicInteger othersDoneWhenStrandedRan = new AtomicInteger(-1);
    // Task 0's message is lost; each other task i finishes i half-seconds in (or as soon as task
    // 0 has run), so the run's counters keep moving for 20 s.
    swallow.put(runId + "#0", 1);
    worker.behaviour =
        c -> {
          if (c.taskIndex() == 0) {
            othersDoneWhenStrandedRan.compareAndSet(-1, othersDone.get());
            strandedRan.countDown();
            return RecordingWorker.succeed(c);
          }
          try {
            strandedRan.await(c.taskIndex() * 500L, TimeUnit.MILLISECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          othersDone.incrementAndGet();
          return RecordingWorker.succeed(c);
        };
    ApiClient.Reply reply = api.postRun(request(total, key, 3, 30));
    assertEquals(202, reply.status(), reply.body().toString());
    JsonNode run = api.awaitFinished(runId, Duration.ofMinutes(2));
    assertEquals("SUCCEEDED", run.get("status").asText(), run.toString());
    assertEquals(total, run.get("summary").get("succeeded").asInt());
    assertTrue(swallow.isEmpty(), "task 0's message was never delivered");
    assertTrue(
        othersDoneWhenStrandedRan.get() < total - 1,
        "the stranded task ran only after "
            + othersDoneWhenStrandedRan.get()
            + " of the "
            + (total - 1)
            + " other tasks had finished: the sweep left it while the run's counters moved");
    assertEquals(1L, worker.executionsPerTask().get(RunIds.taskId(runId, 0)));
  }

  @Test
  void aTaskWhoseMessagesKeepGettingLostIsSentAgainPromptlyWhileTheQueueIsIdle() throws Exception {
    String key = "lost-again-" + UUID.randomUUID();
    String runId = RunIds.fromIdempotencyKey(key);
    // Its first message and the sweep's first four re-sends are all lost; nothing else is queued.
    swallow.put(runId + "#0", 5);
    List<Instant> executed = new CopyOnWriteArrayList<>();
    worker.behaviour =
        c -> {
          executed.add(Instant.now());
          return RecordingWorker.succeed(c);
        };
    ApiClient.Reply reply = api.postRun(request(1, key, 3, 1));
    assertEquals(202, reply.status(), reply.body().toString());
    JsonNode run = api.awaitFinished(runId, Duration.ofMinutes(2));
    assertEquals("SUCCEEDED", run.get("status").asText(), run.toString());
    List<Instant> lost = swallowed.get(runId + "#0");
    assertEquals(5, lost.size(), "lost deliveries: " + lost);
    assertEquals(1, executed.size());
    List<Instant> deliveries = new ArrayList<>(lost);
    deliveries.add(executed.get(0));
    // No backlog can be hiding its message: each loss is repaired within a stall margin and a
    // sweep or two, however often it happened before.
    for (int i = 1; i < deliveries.size(); i++) {
      Duration gap = Duration.between(deliveries.get(i - 1), deliveries.get(i));
      assertTrue(
          gap.compareTo(Duration.ofSeconds(9)) < 0,
          "delivery "
              + (i + 1)
              + " came "
              + gap.toMillis()
              + " ms after the previous one was lost, with an idle queue: "
              + deliveries);
    }
  }

  @Test
  void tasksWaitingBehindAnotherRunsBacklogAreSentAgainAFewTimesNotEverySweep() throws Exception {
    String busyKey = "busy-" + UUID.randomUUID();
    String waitingKey = "waiting-" + UUID.randomUUID();
    String busyRun = RunIds.fromIdempotencyKey(busyKey);
    String waitingRun = RunIds.fromIdempotencyKey(waitingKey);
    CountDownLatch backlogOver = new CountDownLatch(1);
    // The busy run's tasks hold every spoke (10 invocations) until the test lets go; the rest of
    // them, then the waiting run's, queue behind.
    worker.behaviour =
        c -> {
          if (c.runId().equals(busyRun)) {
            try {
              backlogOver.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          return RecordingWorker.succeed(c);
        };
    Map<Integer, AtomicInteger> resent = new ConcurrentHashMap<>();
    faults.callStarted =
        r -> {
          if (Thread.currentThread().getName().startsWith("hubspoke-sweep")
              && r instanceof SendMessageBatchRequest batch) {
            for (SendMessageBatchRequestEntry entry : batch.entries()) {
              TaskMessage message = TaskMessage.parse(entry.messageBody());
              if (message.runId().equals(waitingRun)) {
                resent
                    .computeIfAbsent(message.taskIndex(), i -> new AtomicInteger())
                    .incrementAndGet();
              }
            }
          }
        };
    try {
      assertEquals(202, api.postRun(request(150, busyKey, 3, 30)).status());
      Await.until(
          Duration.ofSeconds(60),
          () -> runtime.spokes().stats().inFlight() == runtime.options().maximumConcurrency(),
          () -> "the busy run holds " + runtime.spokes().stats().inFlight() + " spokes");
      assertEquals(202, api.postRun(request(20, waitingKey, 3, 1)).status());
      long sweepsBefore = sweeps();
      // Twelve sweeps while the waiting run's messages sit in the queue behind the busy run.
      Await.until(
          Duration.ofSeconds(90),
          () -> sweeps() >= sweepsBefore + 12,
          () -> "the sweep stopped running");
    } finally {
      backlogOver.countDown();
    }
    JsonNode waiting = api.awaitFinished(waitingRun, Duration.ofMinutes(2));
    assertEquals("SUCCEEDED", waiting.get("status").asText(), waiting.toString());
    api.awaitFinished(busyRun, Duration.ofMinutes(2));
    int most = resent.values().stream().mapToInt(AtomicInteger::get).max().orElse(0);
    System.out.println("behind a backlog for 12 sweeps, re-sends per task: " + resent);
    assertTrue(
        most <= 3,
        "a task that waited behind a backlog for 12 sweeps was sent again "
            + most
            + " times: "
            + resent);
  }

  private static long sweeps() {
    LocalRuntime.InvocationStats stats = runtime.invocationStats().get("hubspoke-collector");
    return stats == null ? 0 : stats.invocations();
  }
}
