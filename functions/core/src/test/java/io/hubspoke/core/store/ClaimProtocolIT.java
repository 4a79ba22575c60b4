package io.hubspoke.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hubspoke.contract.HubspokeEnvironment;
import io.hubspoke.core.aws.AwsClients;
import io.hubspoke.core.aws.Backoff;
import io.hubspoke.core.model.RunSpec;
import io.hubspoke.core.model.Sharding;
import io.hubspoke.core.model.TaskStatus;
import io.hubspoke.engines.DynamoDbLocalEngine;
import io.hubspoke.engines.LocalTables;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/** The claim protocol against DynamoDB Local, with a clock the test moves. */
class ClaimProtocolIT {
  static final String TABLE = "claims-test";
  static DynamoDbLocalEngine engine;
  static AwsClients clients;
  static final MutableClock clock = new MutableClock();

  /** When set, the next UpdateItem's response is replaced by a 500, after DynamoDB applied it. */
  static final AtomicBoolean loseNextUpdateResponse = new AtomicBoolean();

  static TaskStore store;
  static ShardCounters counters;

  static final class MutableClock extends Clock {
    final AtomicReference<Instant> now =
        new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now.get();
    }

    void advance(Duration d) {
      now.updateAndGet(t -> t.plus(d));
    }
  }

  /** Loses the response of a write that DynamoDB applied: the SDK sees a 500 and retries. */
  static final class LoseResponse implements ExecutionInterceptor {
    @Override
    public SdkHttpResponse modifyHttpResponse(
        Context.ModifyHttpResponse context, ExecutionAttributes attributes) {
      if (context.request() instanceof UpdateItemRequest
          && loseNextUpdateResponse.compareAndSet(true, false)) {
        return context.httpResponse().toBuilder().statusCode(500).build();
      }
      return context.httpResponse();
    }

    @Override
    public java.util.Optional<java.io.InputStream> modifyHttpResponseContent(
        Context.ModifyHttpResponse context, ExecutionAttributes attributes) {
      if (context.httpResponse().statusCode() == 500) {
        return java.util.Optional.of(
            AbortableInputStream.create(
                new ByteArrayInputStream(
                    "{\"__type\":\"com.amazonaws.dynamodb.v20120810#InternalServerError\",\"message\":\"response lost\"}"
                        .getBytes(StandardCharsets.UTF_8))));
      }
      return context.responseBody();
    }
  }

  @BeforeAll
  static void start() {
    engine = DynamoDbLocalEngine.start();
    clients =
        AwsClients.fromEnvironment(
            new HubspokeEnvironment(
                Map.of(
                    HubspokeEnvironment.AWS_REGION,
                    "us-east-1",
                    "AWS_ACCESS_KEY_ID",
                    "local",
                    "AWS_SECRET_ACCESS_KEY",
                    "local",
                    HubspokeEnvironment.ENDPOINT_DYNAMODB,
                    engine.endpoint().toString(),
                    HubspokeEnvironment.ENDPOINT_SQS,
                    "http://127.0.0.1:1",
                    HubspokeEnvironment.ENDPOINT_EVENTBRIDGE,
                    "http://127.0.0.1:1")),
            List.of(new LoseResponse()));
    LocalTables.create(clients.dynamoDb(), TABLE);
    store = new TaskStore(clients.dynamoDb(), TABLE, clock, Backoff.standard());
    counters = new ShardCounters(clients.dynamoDb(), TABLE, clock, Backoff.standard());
  }

  @AfterAll
  static void stop() {
    clients.close();
    engine.close();
  }

  private static RunSpec newRun(int tasks) {
    RunSpec run = TestRuns.spec(tasks);
    List<String> items = new ArrayList<>();
    for (int i = 0; i < tasks; i++) {
      items.add("{\"i\":" + i + "}");
    }
    store.putNew(run, 0, items);
    return run;
  }

  private Instant lease(int seconds) {
    return clock.instant().plusSeconds(seconds);
  }

  @Test
  void manyConcurrentClaimersOneWinner() throws Exception {
    RunSpec run = newRun(1);
    int threads = 16;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<ClaimResult>> results = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      String owner = "owner-" + i;
      Callable<ClaimResult> claim =
          () -> {
            start.await();
            return store.claim(TestRuns.withAttempts(run, 3), 0, owner, lease(30));
          };
      results.add(pool.submit(claim));
    }
    start.countDown();
    int winners = 0;
    for (Future<ClaimResult> result : results) {
      ClaimResult r = result.get();
      if (r instanceof ClaimResult.Claimed) {
        winners++;
      } else {
        assertInstanceOf(ClaimResult.LeasedByOther.class, r);
      }
    }
    pool.shutdown();
    assertEquals(1, winners);
    assertEquals(1, store.get(run, 0).orElseThrow().attempt());
  }

  @Test
  void aStaleOwnerCannotCommitAfterItsLeaseWasTakenOver() {
    RunSpec run = newRun(1);
    ClaimResult.Claimed first =
        (ClaimResult.Claimed) store.claim(TestRuns.withAttempts(run, 3), 0, "first", lease(5));
    assertInstanceOf(
        ClaimResult.LeasedByOther.class,
        store.claim(TestRuns.withAttempts(run, 3), 0, "second", lease(5)));
    clock.advance(Duration.ofSeconds(6));
    ClaimResult.Claimed second =
        (ClaimResult.Claimed) store.claim(TestRuns.withAttempts(run, 3), 0, "second", lease(5));
    assertEquals(2, second.lease().attempt());

    CommitResult stale = store.complete(first.lease(), first.task().startedAt(), "\"late\"");
    assertInstanceOf(CommitResult.LostRace.class, stale);
    assertEquals("second", ((CommitResult.LostRace) stale).current().owner());
    assertInstanceOf(CommitResult.LostRace.class, store.release(first.lease(), "E", "late"));
    assertInstanceOf(
        CommitResult.LostRace.class,
        store.fail(first.lease(), first.task().startedAt(), "E", "late"));

    assertTrue(store.complete(second.lease(), second.task().startedAt(), "\"ok\"").committed());
    assertEquals(TaskStatus.SUCCEEDED, store.get(run, 0).orElseThrow().status());
    assertInstanceOf(
        ClaimResult.AlreadyTerminal.class,
        store.claim(TestRuns.withAttempts(run, 3), 0, "third", lease(5)));
  }

  @Test
  void aRetriedWriteWhoseResponseWasLostIsRecognisedAsOurs() {
    RunSpec run = newRun(1);
    loseNextUpdateResponse.set(true);
    ClaimResult claim = store.claim(TestRuns.withAttempts(run, 3), 0, "owner", lease(30));
    assertInstanceOf(ClaimResult.Claimed.class, claim, "the claim's retry saw its own write");
    assertTrue(!loseNextUpdateResponse.get(), "a response was lost");
    Lease lease = ((ClaimResult.Claimed) claim).lease();
    assertEquals(1, lease.attempt());

    loseNextUpdateResponse.set(true);
    HeartbeatResult beat = store.heartbeat(lease, lease.leaseUntil().plusSeconds(30));
    assertInstanceOf(
        HeartbeatResult.Extended.class, beat, "the heartbeat's retry saw its own write");
    assertTrue(!loseNextUpdateResponse.get(), "a response was lost");
    lease = ((HeartbeatResult.Extended) beat).lease();
    assertEquals(2, lease.version(), "the claim's version, then the heartbeat's");
    assertEquals(lease.leaseUntil(), store.get(run, 0).orElseThrow().leaseUntil());

    loseNextUpdateResponse.set(true);
    CommitResult commit = store.complete(lease, clock.instant(), "\"done\"");
    assertTrue(commit.committed(), "the commit's retry saw its own write, not a lost race");
    assertEquals(TaskStatus.SUCCEEDED, store.get(run, 0).orElseThrow().status());
  }

  @Test
  void theFinalAttemptsExpiredLeaseFailsTheTaskOnce() {
    RunSpec run = newRun(1);
    store.claim(TestRuns.withAttempts(run, 1), 0, "a", lease(1));
    clock.advance(Duration.ofSeconds(2));
    ClaimResult exhausted = store.claim(TestRuns.withAttempts(run, 1), 0, "b", lease(1));
    assertInstanceOf(ClaimResult.AttemptsExhausted.class, exhausted);
    var observed = ((ClaimResult.AttemptsExhausted) exhausted).task();
    assertTrue(store.expire(observed, run, "b").committed());
    assertInstanceOf(CommitResult.LostRace.class, store.expire(observed, run, "c"));
    assertEquals("LeaseExpired", store.get(run, 0).orElseThrow().errorType());
  }

  @Test
  void aReleasedTaskIsClaimedAgainWithTheNextAttempt() {
    RunSpec run = newRun(1);
    ClaimResult.Claimed first =
        (ClaimResult.Claimed) store.claim(TestRuns.withAttempts(run, 2), 0, "a", lease(30));
    assertTrue(store.release(first.lease(), "Flaky", "try again").committed());
    ClaimResult.Claimed second =
        (ClaimResult.Claimed) store.claim(TestRuns.withAttempts(run, 2), 0, "b", lease(30));
    assertEquals(2, second.lease().attempt());
    assertEquals("Flaky", second.task().errorType(), "the last error stays visible");
  }

  @Test
  void countingATerminalTaskIsIdempotentAndDrainsTheShard() {
    int total = 450;
    RunSpec run = newRun(total);
    Sharding sharding = run.sharding();
    assertEquals(3, sharding.shardCount());
    ShardCount last = null;
    for (int i = 0; i < total; i += sharding.shardCount()) {
      last = counters.countTerminal(run, i, i % 2 == 0 ? TaskStatus.SUCCEEDED : TaskStatus.FAILED);
      counters.countTerminal(run, i, i % 2 == 0 ? TaskStatus.SUCCEEDED : TaskStatus.FAILED);
    }
    assertTrue(last.drained());
    assertEquals(150, last.succeeded() + last.failed());
    List<ShardCount> counts = counters.counts(run);
    assertEquals(150, counts.get(0).succeeded() + counts.get(0).failed());
    assertEquals(0, counts.get(1).succeeded() + counts.get(1).failed());
  }

  @Test
  void tasksAreListedPageByPageAcrossShards() {
    int total = 450;
    RunSpec run = newRun(total);
    Sharding sharding = run.sharding();
    java.util.Set<Integer> seen = new java.util.HashSet<>();
    java.util.Optional<String> token = java.util.Optional.empty();
    int pages = 0;
    do {
      var page = store.listTasks(run, java.util.Optional.empty(), 100, token);
      page.items().forEach(t -> assertTrue(seen.add(t.index()), "listed twice: " + t.index()));
      token = page.nextToken();
      pages++;
    } while (token.isPresent());
    assertEquals(total, seen.size());
    assertTrue(pages >= 5);
  }
}
