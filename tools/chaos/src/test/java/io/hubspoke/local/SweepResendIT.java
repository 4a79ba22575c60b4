package io.hubspoke.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import io.hubspoke.chaos.InvariantChecker;
import io.hubspoke.core.model.RunIds;
import io.hubspoke.core.model.TaskMessage;
import io.hubspoke.core.worker.EchoWorker;
import io.hubspoke.core.worker.WorkerRegistry;
import io.hubspoke.testkit.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiPredicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The sweep's re-send, seen from outside: a task whose message is lost (deleted from the queue
 * without its work being done) stays where it is until a sweep finds it and sends its message
 * again, and the run then completes with the task run exactly once. Only observable behaviour is
 * checked (what the run, the queue and the worker show), not how the sweep decides a task is
 * overdue.
 */
class SweepResendIT {
  static final Faults faults = new Faults();
  static final RecordingWorker worker = new RecordingWorker();

  /** Which message (by run and task index) the next delivery of loses, once. */
  static volatile BiPredicate<String, Integer> lose = (runId, index) -> false;

  /**
   * Whether the spoke still processes a message it loses (then its failure is hidden from the event
   * source mapping), or never sees it.
   */
  static volatile boolean spokeSeesLostMessage;

  /** The task ids whose message was lost (deleted unprocessed). */
  static final Set<String> lost = ConcurrentHashMap.newKeySet();

  /**
   * Long enough that no task of a loaded 2-core machine times out before its worker starts (that
   * would be a retry, not what this test is about), short enough that the sweep's wait (task
   * timeout + stall margin, or the lease) stays a few seconds.
   */
  static final int TASK_TIMEOUT_SECONDS = 4;

  static LocalRuntime runtime;
  static ApiClient api;

  @BeforeAll
  static void start() {
    runtime =
        LocalRuntime.start(
            LocalOptions.builder()
                .leaseGrace(Duration.ofSeconds(1))
                .stallMargin(Duration.ofSeconds(1))
                .sweepInterval(Duration.ZERO) // this test sweeps
                .workers(new WorkerRegistry(List.of(new EchoWorker(), worker)))
                .interceptor(faults.sdk())
                .spokeWrapper(SweepResendIT::losingMessages)
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
    lose = (runId, index) -> false;
    spokeSeesLostMessage = false;
  }

  /**
   * Loses a chosen message as SQS would if another consumer deleted it: the record is kept from the
   * handler, or its failure is kept from the event source mapping, so the mapping deletes it.
   */
  static RequestHandler<SQSEvent, SQSBatchResponse> losingMessages(
      RequestHandler<SQSEvent, SQSBatchResponse> spoke) {
    return (event, context) -> {
      List<SQSEvent.SQSMessage> kept = new ArrayList<>();
      Set<String> losing = new java.util.HashSet<>();
      for (SQSEvent.SQSMessage m : event.getRecords()) {
        TaskMessage task = TaskMessage.parse(m.getBody());
        if (lose.test(task.runId(), task.taskIndex())
            && lost.add(RunIds.taskId(task.runId(), task.taskIndex()))) {
          losing.add(m.getMessageId());
          if (!spokeSeesLostMessage) {
            continue;
          }
        }
        kept.add(m);
      }
      SQSEvent handled = new SQSEvent();
      handled.setRecords(kept);
      SQSBatchResponse response = spoke.handleRequest(handled, context);
      List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
      for (SQSBatchResponse.BatchItemFailure f : response.getBatchItemFailures()) {
        if (!losing.contains(f.getItemIdentifier())) {
          failures.add(f);
        }
      }
      return SQSBatchResponse.builder().withBatchItemFailures(failures).build();
    };
  }

  /**
   * A run whose id is known before it is submitted (it derives from the idempotency key), so the
   * faults can be aimed at it before its first message can reach a spoke.
   */
  static String runIdFor(String idempotencyKey) {
    return RunIds.fromIdempotencyKey(idempotencyKey);
  }

  static String submit(String idempotencyKey, int tasks) throws Exception {
    String items =
        IntStream.range(0, tasks)
            .mapToObj(i -> "{\"n\":" + i + "}")
            .collect(Collectors.joining(",", "[", "]"));
    ApiClient.Reply reply =
        api.postRun(
            "{\"items\":"
                + items
                + ",\"worker\":\"record\",\"maxAttempts\":3,\"taskTimeoutSeconds\":"
                + TASK_TIMEOUT_SECONDS
                + ","
                + "\"idempotencyKey\":\""
                + idempotencyKey
                + "\"}");
    assertEquals(202, reply.status(), reply.body().toString());
    assertEquals(runIdFor(idempotencyKey), reply.body().get("runId").asText());
    return runIdFor(idempotencyKey);
  }

  static int messagesInQueue() {
    Map<QueueAttributeName, String> a =
        runtime
            .clients()
            .sqs()
            .getQueueAttributes(
                b ->
                    b.queueUrl(runtime.queues().queueUrl())
                        .attributeNames(
                            QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                            QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                            QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED))
            .attributes();
    return a.values().stream().mapToInt(Integer::parseInt).sum();
  }

  /**
   * Waits until every other task is done and no message is left anywhere, then shows the one task
   * stuck in {@code status}: nothing but a sweep can move it now.
   */
  static void awaitStranded(String runId, int tasks, int index, String status) throws Exception {
    Await.until(
        Duration.ofSeconds(60),
        () -> worker.executionsPerTask().size() >= tasks - 1 && messagesInQueue() == 0,
        () -> "the other tasks did not finish: " + worker.executionsPerTask().size());
    assertTrue(runtime.spokes().awaitQuiescent(Duration.ofSeconds(30)));
    assertEquals(0, messagesInQueue(), "the lost message is gone from the queue");
    JsonNode stuck = api.get("/runs/" + runId + "/tasks?status=" + status + "&limit=100").body();
    assertEquals(1, stuck.get("tasks").size(), stuck.toString());
    assertEquals(index, stuck.get("tasks").get(0).get("index").asInt());
    assertEquals("RUNNING", api.get("/runs/" + runId).body().get("status").asText());
  }

  /** Sweeps (at most twice a second) until the run is finished, and returns it. */
  static JsonNode sweepUntilFinished(String runId) {
    long[] lastSweep = {0};
    JsonNode[] run = new JsonNode[1];
    Await.until(
        Duration.ofSeconds(60),
        () -> {
          try {
            if (System.nanoTime() - lastSweep[0] > 500_000_000L) {
              lastSweep[0] = System.nanoTime();
              runtime.sweep();
            }
            run[0] = api.get("/runs/" + runId).body();
          } catch (Exception e) {
            throw new AssertionError(e);
          }
          return run[0].path("status").asText().equals("SUCCEEDED")
              || run[0].path("status").asText().equals("FAILED");
        },
        () -> "the sweep did not finish the run: " + run[0]);
    return run[0];
  }

  /** The tasks claimed more than once, for a failure's message. */
  static String retried(String runId) {
    try {
      List<String> out = new ArrayList<>();
      api.get("/runs/" + runId + "/tasks?limit=100")
          .body()
          .get("tasks")
          .forEach(
              t -> {
                if (t.get("attempt").asInt() > 1) {
                  out.add(t.toString());
                }
              });
      return "claimed more than once: " + out;
    } catch (Exception e) {
      return e.toString();
    }
  }

  static void assertEachTaskRanOnce(String runId, int tasks, JsonNode run) {
    assertEquals("SUCCEEDED", run.get("status").asText(), run.toString());
    assertEquals(tasks, run.get("succeeded").asInt());
    assertEquals(tasks, run.get("summary").get("succeeded").asInt());
    assertEquals(0, run.get("counts").get("IN_PROGRESS").asInt());
    Map<String, Long> executions = worker.executionsPerTask();
    for (int i = 0; i < tasks; i++) {
      assertEquals(1L, executions.get(RunIds.taskId(runId, i)), "executions of task " + i);
    }
    assertEquals(List.of(), InvariantChecker.deadLetters(runtime), "nothing dead-lettered");
  }

  @Test
  void aPendingTasksLostMessageIsResentByTheSweepAndTheTaskRunsOnce() throws Exception {
    int tasks = 20;
    int index = 7;
    String key = "sweep-pending-" + java.util.UUID.randomUUID();
    String target = runIdFor(key);
    lose = (runId, i) -> runId.equals(target) && i == index;
    String runId = submit(key, tasks);

    awaitStranded(runId, tasks, index, "PENDING");
    assertTrue(lost.contains(RunIds.taskId(runId, index)), "its message was lost");
    assertEquals(tasks - 1, worker.executionsPerTask().size());

    JsonNode run = sweepUntilFinished(runId);
    assertEachTaskRanOnce(runId, tasks, run);
    assertEquals(
        tasks,
        run.get("summary").get("attempts").asInt(),
        "the lost task: one attempt; " + retried(runId));
  }

  @Test
  void aRunningTasksLostMessageIsResentByTheSweepAfterItsLeaseAndTheTaskRunsOnce()
      throws Exception {
    int tasks = 20;
    int index = 11;
    String key = "sweep-running-" + java.util.UUID.randomUUID();
    String target = runIdFor(key);
    AtomicBoolean crashed = new AtomicBoolean();
    // The spoke dies right after claiming task 11 (before its worker runs), and its message is
    // deleted all the same: the task is RUNNING under a lease nobody holds, with no message.
    faults.crashAfter = r -> Faults.isClaim(r, target, index) && crashed.compareAndSet(false, true);
    lose = (runId, i) -> runId.equals(target) && i == index;
    spokeSeesLostMessage = true;
    String runId = submit(key, tasks);

    awaitStranded(runId, tasks, index, "RUNNING");
    assertTrue(crashed.get(), "the claim of task " + index + " was followed by a crash");

    JsonNode run = sweepUntilFinished(runId);
    assertEachTaskRanOnce(runId, tasks, run);
    assertEquals(
        tasks + 1,
        run.get("summary").get("attempts").asInt(),
        "task 11 claimed twice; " + retried(runId));
  }
}
