package io.hubspoke.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hubspoke.chaos.InvariantChecker;
import io.hubspoke.chaos.Journal;
import io.hubspoke.core.model.RunIds;
import io.hubspoke.core.worker.WorkerRegistry;
import io.hubspoke.local.emulator.SqsEventSourcePoller.InvocationInterceptor.Decision;
import io.hubspoke.testkit.Await;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The spoke under SQS's own semantics rather than the hub's: a redelivery is the same message (one
 * message id, one copy in the queue), so whatever one receiver does to it, it does for all.
 *
 * <p>The sweep is off: whatever these tests show finished, the spoke's own mechanism finished.
 */
class SpokeUnderSqsIT {
  static final Faults faults = new Faults();
  static final Journal journal = new Journal();
  static final RecordingWorker worker = new RecordingWorker();
  static LocalRuntime runtime;
  static ApiClient api;

  /** The spoke timeout; the visibility timeout is 6 × this, as the stack computes it. */
  static final Duration SPOKE_TIMEOUT = Duration.ofSeconds(3);

  @BeforeAll
  static void start() {
    worker.journal = journal::execution;
    runtime =
        LocalRuntime.start(
            LocalOptions.builder()
                .spokeTimeout(SPOKE_TIMEOUT)
                .leaseGrace(Duration.ofSeconds(1))
                .summaryLease(Duration.ofSeconds(3))
                .sweepInterval(Duration.ZERO)
                .workers(new WorkerRegistry(List.of(worker)))
                .interceptor(faults.sdk())
                .pollerInterceptor(faults.poller())
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

  @Test
  void theSameReceivedMessageInTwoInvocationsWhoseOwnerDiesIsFinishedWithoutTheSweep()
      throws Exception {
    // The first delivery goes to two invocations at once; whichever claims first is the owner
    // and dies right after its claim (its message is not acknowledged); the other finds the
    // lease live.
    AtomicBoolean duplicated = new AtomicBoolean();
    faults.pollerDecision =
        e ->
            duplicated.compareAndSet(false, true)
                ? Decision.INVOKE_TWICE_CONCURRENTLY
                : Decision.INVOKE;
    AtomicBoolean ownerDied = new AtomicBoolean();
    long[] diedAt = new long[1];
    faults.crashAfter =
        r -> {
          if (Faults.isClaim(r, 0) && ownerDied.compareAndSet(false, true)) {
            diedAt[0] = System.nanoTime();
            return true;
          }
          return false;
        };

    ApiClient.Reply reply =
        api.postRun(
            "{\"items\":[\"only\"],\"worker\":\"record\",\"maxAttempts\":3,"
                + "\"taskTimeoutSeconds\":1}");
    assertEquals(202, reply.status(), reply.body().toString());
    String runId = reply.body().get("runId").asText();
    Await.until(Duration.ofSeconds(20), ownerDied::get, () -> "the owner never claimed");

    // The owner's lease ends about 2 s after its claim (task timeout 1 s + grace 1 s). The
    // bound stays under the 18 s visibility timeout, so not even a copy the owner left
    // unacknowledged could finish the task in time: only a message that is still there can.
    Duration bound = Duration.ofSeconds(12);
    JsonNode[] task = new JsonNode[1];
    Await.until(
        bound,
        () -> {
          task[0] = task(runId);
          return task[0].path("status").asText().equals("SUCCEEDED");
        },
        () -> "the task is stranded: " + task[0] + ", queue " + queueDepths());
    System.out.printf(
        "F14: the task succeeded %d ms after its owner died%n",
        (System.nanoTime() - diedAt[0]) / 1_000_000);

    JsonNode run = api.awaitFinished(runId, Duration.ofSeconds(30));
    FaultsIT.awaitCompletedEvent(runtime, runId);
    assertTrue(runtime.bus().awaitIdle(Duration.ofSeconds(30)));
    InvariantChecker.Report report =
        new InvariantChecker(runtime, journal).check(runId, 1, Optional.empty(), Duration.ZERO);
    assertTrue(report.ok(), "invariants violated: " + report.violations());
    assertEquals("SUCCEEDED", run.get("status").asText());
    assertEquals(2, task[0].get("attempt").asInt(), "the dead owner's claim, then a takeover");
    assertEquals(
        1L,
        worker.executionsPerTask().getOrDefault(RunIds.taskId(runId, 0), 0L),
        "the worker ran once: the dead owner never reached it");
  }

  static JsonNode task(String runId) {
    try {
      return api.get("/runs/" + runId + "/tasks").body().get("tasks").get(0);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** Visible, in flight and delayed messages of the work queue. */
  static Map<QueueAttributeName, String> queueDepths() {
    return runtime
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
  }
}
