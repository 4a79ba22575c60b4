package io.hubspoke.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hubspoke.chaos.ChangeLog;
import io.hubspoke.chaos.InvariantChecker;
import io.hubspoke.chaos.Journal;
import io.hubspoke.core.model.RunIds;
import io.hubspoke.core.worker.WorkerRegistry;
import io.hubspoke.local.emulator.SqsEventSourcePoller.InvocationInterceptor.Decision;
import io.hubspoke.testkit.Await;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Heartbeats under the invariant checker, which reads every write DynamoDB applied to the task (its
 * change stream): a heartbeat is a RUNNING → RUNNING write by the claim's owner, and a takeover
 * must come after the lease the last heartbeat left. The scenarios are {@link HeartbeatIT}'s.
 */
class HeartbeatInvariantsIT {
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
                .spokeTimeout(HeartbeatIT.SPOKE_TIMEOUT)
                .leaseGrace(HeartbeatIT.GRACE)
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

  static String submit(String key) throws Exception {
    ApiClient.Reply reply =
        api.postRun(
            "{\"items\":[\"long\"],\"worker\":\"record\",\"maxAttempts\":3,"
                + "\"taskTimeoutSeconds\":"
                + HeartbeatIT.TASK_TIMEOUT_SECONDS
                + ",\"idempotencyKey\":\""
                + key
                + "\"}");
    assertEquals(202, reply.status(), reply.body().toString());
    return reply.body().get("runId").asText();
  }

  static void assertInvariants(String runId) throws InterruptedException {
    FaultsIT.awaitCompletedEvent(runtime, runId);
    assertTrue(runtime.bus().awaitIdle(Duration.ofSeconds(30)));
    InvariantChecker.Report report =
        new InvariantChecker(runtime, journal).check(runId, 1, Optional.empty(), Duration.ZERO);
    assertTrue(report.ok(), "invariants violated: " + report.violations());
  }

  /** Applied heartbeats: RUNNING → RUNNING writes in the same attempt. */
  static long heartbeatsApplied(String runId) {
    return journal.taskChanges(runId).stream()
        .filter(c -> c.before() != null && c.after() != null)
        .filter(c -> c.before().status().equals("RUNNING") && c.after().status().equals("RUNNING"))
        .filter(c -> c.before().attempt() == c.after().attempt())
        .count();
  }

  @Test
  void aTaskOfThreeTimesItsLeaseKeptAliveByHeartbeatsKeepsTheInvariants() throws Exception {
    String key = "long-" + UUID.randomUUID();
    String runId = RunIds.fromIdempotencyKey(key);
    AtomicBoolean duplicated = new AtomicBoolean();
    faults.pollerDecision =
        e ->
            e.getRecords().stream().anyMatch(m -> m.getBody().contains(runId))
                    && duplicated.compareAndSet(false, true)
                ? Decision.INVOKE_TWICE_CONCURRENTLY
                : Decision.INVOKE;
    AtomicInteger beats = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();
    worker.behaviour =
        c -> HeartbeatIT.workAndBeat(c, HeartbeatIT.LEASE.multipliedBy(3), beats, refused);

    submit(key);
    JsonNode run = api.awaitFinished(runId, Duration.ofSeconds(60));
    assertEquals("SUCCEEDED", run.get("status").asText(), run.toString());
    assertInvariants(runId);
    assertEquals(1, worker.executions.size(), worker.executions.toString());
    long applied = heartbeatsApplied(runId);
    assertTrue(applied >= 4, applied + " heartbeats applied: " + journal.taskChanges(runId));
  }

  @Test
  void aTakeoverAfterTheHeartbeatsStoppedAndTheStaleCommitRefusedKeepTheInvariants()
      throws Exception {
    String key = "stopped-" + UUID.randomUUID();
    String runId = RunIds.fromIdempotencyKey(key);
    AtomicInteger beats = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();
    worker.behaviour =
        c ->
            c.attempt() == 1
                ? HeartbeatIT.workAndBeat(c, HeartbeatIT.LEASE.plusSeconds(1), beats, refused)
                : RecordingWorker.succeed(c);
    AtomicReference<String> staleOwner = new AtomicReference<>();
    CountDownLatch takeoverCommitted = new CountDownLatch(1);
    AtomicReference<Throwable> staleCommitFailure = new AtomicReference<>();
    faults.callSucceeded =
        r -> {
          if (Faults.isCommit(r, runId, 0) && !HeartbeatIT.owner(r).equals(staleOwner.get())) {
            takeoverCommitted.countDown();
          }
        };
    faults.beforeSend =
        r -> {
          if (Faults.isCommit(r, runId, 0)
              && staleOwner.compareAndSet(null, HeartbeatIT.owner(r))) {
            try {
              takeoverCommitted.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        };
    faults.callFailed =
        (r, e) -> {
          if (Faults.isCommit(r, runId, 0) && HeartbeatIT.owner(r).equals(staleOwner.get())) {
            staleCommitFailure.set(e);
          }
        };

    submit(key);
    Await.until(
        Duration.ofSeconds(40),
        () -> staleCommitFailure.get() != null,
        () -> "the stale commit never answered");
    JsonNode run = api.awaitFinished(runId, Duration.ofSeconds(30));
    assertEquals("SUCCEEDED", run.get("status").asText(), run.toString());
    assertInvariants(runId);
    List<ChangeLog.Change> changes = journal.taskChanges(runId);
    assertTrue(heartbeatsApplied(runId) >= 2, changes.toString());
    assertEquals(2, worker.executions.size(), worker.executions.toString());
  }
}
