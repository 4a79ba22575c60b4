package io.hubspoke.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import io.hubspoke.core.aws.Backoff;
import io.hubspoke.core.model.RunIds;
import io.hubspoke.core.model.RunSpec;
import io.hubspoke.core.model.TaskMessage;
import io.hubspoke.core.model.TaskRecord;
import io.hubspoke.core.store.ClaimResult;
import io.hubspoke.core.store.Lease;
import io.hubspoke.core.store.RunStore;
import io.hubspoke.core.store.TaskStore;
import io.hubspoke.core.worker.WorkerRegistry;
import io.hubspoke.local.emulator.SqsEventSourcePoller.InvocationInterceptor.Decision;
import io.hubspoke.testkit.Await;
import io.hubspoke.testkit.TestClock;
import io.hubspoke.worker.TaskContext;
import io.hubspoke.worker.TaskOutcome;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * Long tasks: a worker's heartbeats keep its task's lease (and its message's visibility) alive for
 * many times the task timeout, and a task whose heartbeats stop is taken over once its lease ends.
 *
 * <p>The sweep is off, so every takeover here comes from the message itself or from a duplicate's
 * check, and the queue's visibility timeout (6 × the 30 s spoke timeout) is far beyond every bound.
 */
class HeartbeatIT {
  static final Faults faults = new Faults();
  static final RecordingWorker worker = new RecordingWorker();

  static final int TASK_TIMEOUT_SECONDS = 2;
  static final Duration GRACE = Duration.ofSeconds(1);

  /** A claim's lease: the task timeout plus the grace. */
  static final Duration LEASE = Duration.ofSeconds(TASK_TIMEOUT_SECONDS).plus(GRACE);

  static final Duration SPOKE_TIMEOUT = Duration.ofSeconds(30);

  /** Between a worker's heartbeats; the spoke writes at most one per third of the task timeout. */
  static final Duration BEAT = Duration.ofMillis(100);

  /** One spoke delivery of a task message, as the Lambda runtime hands it over. */
  record Delivery(String messageId, String runId, int receiveCount, Instant at) {}

  static final Queue<Delivery> deliveries = new ConcurrentLinkedQueue<>();

  static LocalRuntime runtime;
  static ApiClient api;

  @BeforeAll
  static void start() {
    runtime =
        LocalRuntime.start(
            LocalOptions.builder()
                .spokeTimeout(SPOKE_TIMEOUT)
                .leaseGrace(GRACE)
                .summaryLease(Duration.ofSeconds(3))
                .sweepInterval(Duration.ZERO)
                .workers(new WorkerRegistry(List.of(worker)))
                .interceptor(faults.sdk())
                .pollerInterceptor(faults.poller())
                .spokeWrapper(HeartbeatIT::recording)
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
    deliveries.clear();
  }

  static RequestHandler<SQSEvent, SQSBatchResponse> recording(
      RequestHandler<SQSEvent, SQSBatchResponse> spoke) {
    return (event, context) -> {
      for (SQSEvent.SQSMessage m : event.getRecords()) {
        deliveries.add(
            new Delivery(
                m.getMessageId(),
                TaskMessage.parse(m.getBody()).runId(),
                Integer.parseInt(m.getAttributes().get("ApproximateReceiveCount")),
                Instant.now()));
      }
      return spoke.handleRequest(event, context);
    };
  }

  static String submit(String key) throws Exception {
    ApiClient.Reply reply =
        api.postRun(
            "{\"items\":[\"long\"],\"worker\":\"record\",\"maxAttempts\":3,"
                + "\"taskTimeoutSeconds\":"
                + TASK_TIMEOUT_SECONDS
                + ",\"idempotencyKey\":\""
                + key
                + "\"}");
    assertEquals(202, reply.status(), reply.body().toString());
    return reply.body().get("runId").asText();
  }

  /**
   * Works for {@code work}, heartbeating every {@link #BEAT}; the work itself is simulated. Stops
   * as a worker should when a heartbeat says the lease is lost, or when interrupted.
   */
  static TaskOutcome workAndBeat(
      TaskContext context, Duration work, AtomicInteger beats, AtomicInteger refused) {
    long end = System.nanoTime() + work.toNanos();
    while (System.nanoTime() < end) {
      beats.incrementAndGet();
      if (!context.heartbeat()) {
        refused.incrementAndGet();
        return TaskOutcome.retryable("Stopped", "a heartbeat said stop");
      }
      LockSupport.parkNanos(BEAT.toNanos());
      if (Thread.currentThread().isInterrupted()) {
        return TaskOutcome.retryable("Interrupted", "the spoke gave up waiting");
      }
    }
    return RecordingWorker.succeed(context);
  }

  static JsonNode taskDetail(String runId) throws Exception {
    ApiClient.Reply reply = api.get("/runs/" + runId + "/tasks/0");
    assertEquals(200, reply.status(), reply.body().toString());
    return reply.body();
  }

  /** The new lease end a heartbeat write asked for. */
  static Instant leaseAskedFor(SdkRequest request) {
    return Instant.ofEpochMilli(
        Long.parseLong(
            ((UpdateItemRequest) request).expressionAttributeValues().get(":lease").n()));
  }

  @Test
  void aTaskRunningThreeTimesItsLeaseWhileHeartbeatingCompletesOnceWithoutATakeover()
      throws Exception {
    String key = "long-" + UUID.randomUUID();
    String runId = RunIds.fromIdempotencyKey(key);
    // The adversary: the first delivery goes to two invocations at once. The one that loses the
    // claim sends a check to arrive just after the lease it saw ends; a check that finds the
    // lease extended sends the next. Were a lease not extended, a check would take the task over.
    AtomicBoolean duplicated = new AtomicBoolean();
    faults.pollerDecision =
        e ->
            e.getRecords().stream().anyMatch(m -> m.getBody().contains(runId))
                    && duplicated.compareAndSet(false, true)
                ? Decision.INVOKE_TWICE_CONCURRENTLY
                : Decision.INVOKE;
    AtomicInteger claims = new AtomicInteger();
    AtomicInteger writes = new AtomicInteger();
    faults.callStarted =
        r -> {
          if (Faults.isClaim(r, runId, 0)) {
            claims.incrementAndGet();
          }
        };
    faults.callSucceeded =
        r -> {
          if (Faults.isHeartbeat(r, runId, 0)) {
            writes.incrementAndGet();
          }
        };
    Duration work = LEASE.multipliedBy(3);
    AtomicInteger beats = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();
    worker.behaviour = c -> workAndBeat(c, work, beats, refused);

    submit(key);
    JsonNode run = api.awaitFinished(runId, Duration.ofSeconds(60));

    JsonNode task = taskDetail(runId);
    JsonNode attempts = task.get("attempts");
    System.out.printf(
        "heartbeat: %d heartbeats, %d lease writes, %d claims (the first delivery twice, then"
            + " checks) for a task of %d s under a %d s lease; attempts %s%n",
        beats.get(), writes.get(), claims.get(), work.toSeconds(), LEASE.toSeconds(), attempts);
    assertEquals("SUCCEEDED", run.get("status").asText(), run.toString());
    assertEquals(1, run.get("succeeded").asInt(), run.toString());
    assertEquals(1, attempts.size(), "one attempt, no takeover: " + task);
    assertEquals("SUCCEEDED", attempts.get(0).get("outcome").asText(), task.toString());
    assertEquals(1, task.get("result").get("attempt").asInt(), task.toString());
    assertEquals(1, worker.executions.size(), "the worker ran once: " + worker.executions);
    assertEquals(0, refused.get(), "no heartbeat found the lease lost");
    Duration ran =
        Duration.between(
            Instant.parse(attempts.get(0).get("startedAt").asText()),
            Instant.parse(attempts.get(0).get("endedAt").asText()));
    assertTrue(ran.compareTo(work) >= 0, "the attempt ran " + ran + ", 3 × its lease");
    assertTrue(
        claims.get() >= 3,
        "the duplicate's checks came after the first lease's end and found it extended: "
            + claims.get()
            + " claims");
    // A write per third of the task timeout at most, and at least one per task timeout (else the
    // lease would have lapsed), however often the worker calls.
    long most = work.toMillis() * 3 / (TASK_TIMEOUT_SECONDS * 1000L) + 1;
    long least = work.toMillis() / (TASK_TIMEOUT_SECONDS * 1000L);
    assertTrue(
        writes.get() >= least && writes.get() <= most,
        writes.get()
            + " lease writes for "
            + beats.get()
            + " heartbeats; expected "
            + least
            + "…"
            + most);
  }

  @Test
  void aLongTaskOfACancelledRunIsToldToStopByItsNextHeartbeat() throws Exception {
    String key = "cancelled-" + UUID.randomUUID();
    String runId = RunIds.fromIdempotencyKey(key);
    Duration work = LEASE.multipliedBy(10);
    AtomicInteger beats = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();
    worker.behaviour = c -> workAndBeat(c, work, beats, refused);
    submit(key);
    Await.until(Duration.ofSeconds(20), () -> beats.get() > 0, () -> "the long task never started");

    Instant cancelled = Instant.now();
    assertEquals(202, api.send("DELETE", "/runs/" + runId, null, null).status());
    JsonNode run = api.awaitFinished(runId, Duration.ofSeconds(30));
    Duration took = Duration.between(cancelled, Instant.now());

    JsonNode task = taskDetail(runId);
    System.out.printf("heartbeat: a cancelled run's long task stopped %s after the cancel%n", took);
    assertEquals("CANCELLED", run.get("status").asText(), run.toString());
    assertEquals(1, run.get("summary").get("cancelled").asInt(), run.toString());
    assertEquals(1, refused.get(), "a heartbeat told the worker to stop: " + task);
    assertEquals(1, worker.executions.size(), "it never ran again: " + worker.executions);
    assertEquals("RETRY", task.get("attempts").get(0).get("outcome").asText(), task.toString());
    // The heartbeat that tells it comes within a third of the task timeout of the cancel, where
    // the task would otherwise have worked on for 10 × its lease.
    assertTrue(took.compareTo(work.dividedBy(2)) < 0, "stopped " + took + " after the cancel");
  }

  @Test
  void aTaskWhoseHeartbeatsStopIsTakenOverAfterItsLeaseAndItsStaleResultIsRejected()
      throws Exception {
    String key = "stopped-" + UUID.randomUUID();
    String runId = RunIds.fromIdempotencyKey(key);
    // Attempt 1 heartbeats past its first lease's end, then stops heartbeating and returns its
    // result at once, but its spoke cannot commit: the write is held until the takeover has
    // committed, then let through.
    Duration beating = LEASE.plusSeconds(1);
    AtomicInteger beats = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();
    worker.behaviour =
        c ->
            c.attempt() == 1 ? workAndBeat(c, beating, beats, refused) : RecordingWorker.succeed(c);
    AtomicReference<Instant> lastLeaseEnd = new AtomicReference<>();
    AtomicInteger writes = new AtomicInteger();
    AtomicReference<String> staleOwner = new AtomicReference<>();
    CountDownLatch takeoverCommitted = new CountDownLatch(1);
    AtomicReference<Throwable> staleCommitFailure = new AtomicReference<>();
    AtomicBoolean staleCommitHeld = new AtomicBoolean();
    faults.callSucceeded =
        r -> {
          if (Faults.isHeartbeat(r, runId, 0)) {
            writes.incrementAndGet();
            lastLeaseEnd.set(leaseAskedFor(r));
          } else if (Faults.isCommit(r, runId, 0) && !owner(r).equals(staleOwner.get())) {
            takeoverCommitted.countDown();
          }
        };
    faults.beforeSend =
        r -> {
          if (Faults.isCommit(r, runId, 0) && staleOwner.compareAndSet(null, owner(r))) {
            staleCommitHeld.set(true);
            try {
              takeoverCommitted.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        };
    faults.callFailed =
        (r, e) -> {
          if (Faults.isCommit(r, runId, 0) && owner(r).equals(staleOwner.get())) {
            staleCommitFailure.set(e);
          }
        };

    submit(key);
    Await.until(Duration.ofSeconds(20), staleCommitHeld::get, () -> "attempt 1 never committed");
    // Without the sweep, only the message can bring the task back, and the queue would hide it
    // for 180 s: the message's visibility must follow the lease for the takeover to come sooner.
    Await.until(
        Duration.ofSeconds(30),
        () -> takeoverCommitted.getCount() == 0,
        () -> "no takeover; deliveries " + deliveries);
    Await.until(
        Duration.ofSeconds(20),
        () -> staleCommitFailure.get() != null,
        () -> "the stale commit never answered");
    JsonNode run = api.awaitFinished(runId, Duration.ofSeconds(30));

    JsonNode task = taskDetail(runId);
    JsonNode attempts = task.get("attempts");
    List<Delivery> ofRun = deliveries.stream().filter(d -> d.runId().equals(runId)).toList();
    System.out.printf(
        "heartbeat: %d heartbeats, %d lease writes, last lease end %s; deliveries %s;"
            + " attempts %s%n",
        beats.get(), writes.get(), lastLeaseEnd.get(), ofRun, attempts);
    assertInstanceOf(
        ConditionalCheckFailedException.class,
        staleCommitFailure.get(),
        "the stale owner's result is refused (a lost race)");
    assertEquals("SUCCEEDED", run.get("status").asText(), run.toString());
    assertEquals(1, run.get("succeeded").asInt(), run.toString());
    assertEquals(2, task.get("result").get("attempt").asInt(), "the takeover's result: " + task);
    assertEquals(2, attempts.size(), task.toString());
    assertEquals("ABANDONED", attempts.get(0).get("outcome").asText(), task.toString());
    assertFalse(attempts.get(0).has("endedAt"), "the stale write left no trace: " + task);
    assertEquals("SUCCEEDED", attempts.get(1).get("outcome").asText(), task.toString());
    assertEquals(2, worker.executions.size(), "one execution per attempt: " + worker.executions);
    assertEquals(0, refused.get());

    Instant firstStart = Instant.parse(attempts.get(0).get("startedAt").asText());
    Instant takeover = Instant.parse(attempts.get(1).get("startedAt").asText());
    assertTrue(
        lastLeaseEnd.get().isAfter(firstStart.plus(LEASE)),
        "the heartbeats extended the lease past the claim's: " + lastLeaseEnd.get());
    assertTrue(
        !takeover.isBefore(lastLeaseEnd.get()),
        "taken over at " + takeover + ", before the lease's end " + lastLeaseEnd.get());
    // The takeover came from the message itself, received again once its lease had ended.
    Delivery first = ofRun.get(0);
    assertTrue(
        ofRun.stream()
            .anyMatch(
                d ->
                    d.messageId().equals(first.messageId())
                        && d.receiveCount() == 2
                        && !d.at().isBefore(lastLeaseEnd.get())
                        && d.at().isBefore(first.at().plusSeconds(30))),
        "the message came back after its lease, not after the queue's visibility timeout: "
            + ofRun);
  }

  @Test
  void aWorkerWhoseTaskWasTakenOverLearnsItFromItsNextHeartbeatAndItsResultIsRejected()
      throws Exception {
    String key = "taken-" + UUID.randomUUID();
    String runId = RunIds.fromIdempotencyKey(key);
    AtomicInteger beats = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();
    worker.behaviour =
        c -> {
          if (c.attempt() > 1) {
            return RecordingWorker.succeed(c);
          }
          // Works until a heartbeat says the task is lost, then returns its (stale) result.
          TaskOutcome outcome = workAndBeat(c, Duration.ofSeconds(20), beats, refused);
          return refused.get() > 0 ? RecordingWorker.succeed(c) : outcome;
        };
    AtomicInteger writes = new AtomicInteger();
    AtomicReference<Throwable> staleCommitFailure = new AtomicReference<>();
    faults.callSucceeded =
        r -> {
          if (Faults.isHeartbeat(r, runId, 0)) {
            writes.incrementAndGet();
          }
        };
    faults.callFailed =
        (r, e) -> {
          if (Faults.isCommit(r, runId, 0)) {
            staleCommitFailure.set(e);
          }
        };

    submit(key);
    Await.until(Duration.ofSeconds(20), () -> writes.get() >= 1, () -> "no heartbeat was written");
    // Another claimer whose clock runs past the lease (skew, a pause) takes the task over.
    RunSpec spec = runs().get(runId).orElseThrow().spec();
    TaskRecord running = taskStore(Clock.systemUTC()).get(spec, 0).orElseThrow();
    TestClock skewed = new TestClock(running.leaseUntil().plusMillis(1));
    TaskStore other = taskStore(skewed);
    ClaimResult takeover =
        other.claim(spec, 0, "spoke-skewed/1", skewed.instant().plus(Duration.ofMinutes(1)));
    Lease taken = assertInstanceOf(ClaimResult.Claimed.class, takeover).lease();

    Await.until(
        Duration.ofSeconds(20),
        () -> staleCommitFailure.get() != null,
        () ->
            "the worker did not stop: " + beats.get() + " heartbeats, " + refused.get() + " lost");
    assertEquals(1, refused.get(), "the next heartbeat's write found the task taken over");
    assertInstanceOf(
        ConditionalCheckFailedException.class,
        staleCommitFailure.get(),
        "the worker's result after the takeover is refused");
    TaskRecord afterStale = taskStore(Clock.systemUTC()).get(spec, 0).orElseThrow();
    assertEquals("spoke-skewed/1", afterStale.owner(), afterStale.toString());
    assertEquals(taken.version(), afterStale.version(), "nothing of the old owner's was applied");

    // The takeover gives the task back; the spokes finish it.
    assertTrue(
        other.release(taken, "Handover", "the test's claimer gives the task back").committed());
    runtime
        .clients()
        .sqs()
        .sendMessage(
            b ->
                b.queueUrl(runtime.queues().queueUrl())
                    .messageBody(TaskMessage.of(spec, 0).toJson()));
    JsonNode run = api.awaitFinished(runId, Duration.ofSeconds(30));
    JsonNode task = taskDetail(runId);
    assertEquals("SUCCEEDED", run.get("status").asText(), run.toString());
    assertEquals(3, task.get("result").get("attempt").asInt(), task.toString());
    assertEquals("ABANDONED", task.at("/attempts/0/outcome").asText(), task.toString());
    assertEquals("RETRY", task.at("/attempts/1/outcome").asText(), task.toString());
    assertEquals(2, worker.executions.size(), "attempts 1 and 3 ran: " + worker.executions);
  }

  static RunStore runs() {
    return new RunStore(runtime.clients().dynamoDb(), LocalOptions.TABLE_NAME, Clock.systemUTC());
  }

  static TaskStore taskStore(Clock clock) {
    return new TaskStore(
        runtime.clients().dynamoDb(), LocalOptions.TABLE_NAME, clock, Backoff.standard());
  }

  static String owner(SdkRequest request) {
    return ((UpdateItemRequest) request).expressionAttributeValues().get(":owner").s();
  }
}
