package io.hubspoke.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hubspoke.core.aws.AwsClients;
import io.hubspoke.core.aws.Backoff;
import io.hubspoke.core.model.RunIds;
import io.hubspoke.core.model.RunSpec;
import io.hubspoke.core.model.Sharding;
import io.hubspoke.core.model.TaskAttempt;
import io.hubspoke.core.model.TaskRecord;
import io.hubspoke.core.model.TaskStatus;
import io.hubspoke.core.testing.Engines;
import io.hubspoke.engines.LocalTables;
import io.hubspoke.testkit.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;

/**
 * What hubspoke relies on from DynamoDB, through {@link TaskStore} and {@link ShardCounters}:
 * conditional claims with one winner, owner- and version-conditional commits, recognition of a
 * write whose response was lost ({@code ReturnValuesOnConditionCheckFailure}), idempotent
 * number-set counters and paged queries. Written once; each subclass names the engines.
 */
abstract class TaskStoreContract {
  static final Duration LEASE = Duration.ofSeconds(30);

  /** The engines under test; the subclass starts and closes them. */
  protected abstract Engines engines();

  AwsClients clients;
  TestClock clock;
  TaskStore store;
  ShardCounters counters;
  String runId;
  String incarnation;

  @BeforeEach
  void setUp() {
    clients = engines().clients(Engines.Service.DYNAMODB);
    engines()
        .once(
            "table",
            () -> {
              try {
                clients.dynamoDb().describeTable(b -> b.tableName(Engines.TABLE));
              } catch (ResourceNotFoundException e) {
                LocalTables.create(clients.dynamoDb(), Engines.TABLE);
              }
            });
    clock = new TestClock(Instant.now());
    store = new TaskStore(clients.dynamoDb(), Engines.TABLE, clock, Backoff.standard());
    counters = new ShardCounters(clients.dynamoDb(), Engines.TABLE, clock, Backoff.standard());
    runId = RunIds.random();
    incarnation = RunIds.newIncarnation();
  }

  @AfterEach
  void closeClients() {
    clients.close();
  }

  /** The run's spec for a sharding; the incarnation is fixed per test, like the run id. */
  RunSpec spec(Sharding sharding) {
    return spec(sharding, 3);
  }

  RunSpec spec(Sharding sharding, int maxAttempts) {
    return RunSpec.builder()
        .runId(runId)
        .incarnation(incarnation)
        .worker("echo")
        .workerConfig(io.hubspoke.contract.json.Json.object())
        .maxAttempts(maxAttempts)
        .taskTimeoutSeconds(60)
        .total(sharding.total())
        .shardCount(sharding.shardCount())
        .chunkSize(50)
        .createdAt(clock.instant())
        .expiresAt(clock.instant().plus(java.time.Duration.ofDays(30)))
        .build();
  }

  Sharding oneTask() {
    Sharding sharding = new Sharding(1, 1);
    store.putNew(spec(sharding), 0, List.of("\"a\""));
    return sharding;
  }

  ClaimResult claim(Sharding sharding, String owner, int maxAttempts) {
    return store.claim(spec(sharding, maxAttempts), 0, owner, clock.instant().plus(LEASE));
  }

  TaskRecord stored(Sharding sharding) {
    return store.get(spec(sharding), 0).orElseThrow();
  }

  @Test
  void concurrentClaimersOfOneTaskHaveExactlyOneWinner() throws Exception {
    Sharding sharding = oneTask();
    int claimers = 8;
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(claimers);
    try {
      List<Future<ClaimResult>> results = new ArrayList<>();
      for (int i = 0; i < claimers; i++) {
        String owner = "owner-" + i;
        Callable<ClaimResult> claim =
            () -> {
              go.await();
              return claim(sharding, owner, 3);
            };
        results.add(pool.submit(claim));
      }
      go.countDown();
      List<ClaimResult.Claimed> winners = new ArrayList<>();
      for (Future<ClaimResult> result : results) {
        ClaimResult r = result.get();
        if (r instanceof ClaimResult.Claimed claimed) {
          winners.add(claimed);
        } else {
          assertInstanceOf(ClaimResult.LeasedByOther.class, r, "a loser sees the live lease");
        }
      }
      assertEquals(1, winners.size(), "exactly one claimer wins");
      TaskRecord task = stored(sharding);
      assertEquals(TaskStatus.RUNNING, task.status());
      assertEquals(winners.get(0).lease().owner(), task.owner());
      assertEquals(1, task.attempt());
      assertEquals(1, task.version());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aStaleOwnerCannotCommitOnceItsLeaseWasTakenOver() {
    Sharding sharding = oneTask();
    Lease stale = ((ClaimResult.Claimed) claim(sharding, "first", 3)).lease();
    clock.advance(LEASE.plusSeconds(1));
    ClaimResult takeover = claim(sharding, "second", 3);
    Lease current = assertInstanceOf(ClaimResult.Claimed.class, takeover).lease();
    assertEquals(2, current.attempt());

    Instant startedAt = clock.instant();
    assertInstanceOf(
        CommitResult.LostRace.class, store.complete(stale, startedAt, "\"stale result\""));
    assertInstanceOf(CommitResult.LostRace.class, store.fail(stale, startedAt, "E", "stale"));
    assertInstanceOf(CommitResult.LostRace.class, store.release(stale, "E", "stale"));
    assertTrue(store.complete(current, startedAt, "\"fresh result\"").committed());

    TaskRecord task = stored(sharding);
    assertEquals(TaskStatus.SUCCEEDED, task.status());
    assertEquals("\"fresh result\"", task.resultJson());
    assertEquals("second", task.owner());
    assertNull(task.leaseUntil());
    assertInstanceOf(ClaimResult.AlreadyTerminal.class, claim(sharding, "third", 3));
  }

  @Test
  void eachAttemptIsKeptInTheTasksHistoryWithItsOwnerTimesAndOutcome() {
    Sharding sharding = oneTask();
    Instant first = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    Lease one = ((ClaimResult.Claimed) claim(sharding, "spoke-a/1", 3)).lease();
    assertEquals(1, stored(sharding).history().size(), "the claim opens the attempt");
    assertNull(stored(sharding).history().get(0).endedAt());
    clock.advance(Duration.ofSeconds(2));
    Instant released = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    assertTrue(store.release(one, "Throttled", "try later").committed());
    clock.advance(Duration.ofSeconds(1));
    Lease two = ((ClaimResult.Claimed) claim(sharding, "spoke-b/2", 3)).lease();
    // The second attempt's owner dies; the third claim takes the task over after its lease.
    clock.advance(LEASE.plusSeconds(1));
    Instant third = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    Lease three = ((ClaimResult.Claimed) claim(sharding, "spoke-c/3", 3)).lease();
    clock.advance(Duration.ofMillis(500));
    Instant done = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    assertTrue(store.complete(three, third, "\"done\"").committed());
    assertInstanceOf(CommitResult.LostRace.class, store.complete(two, third, "\"late\""));

    List<TaskAttempt> history = stored(sharding).history();
    assertEquals(3, history.size(), history.toString());
    TaskAttempt a = history.get(0);
    assertEquals(
        new TaskAttempt(1, "spoke-a/1", first, released, "RETRY", "Throttled", "try later"), a);
    TaskAttempt b = history.get(1);
    assertEquals("spoke-b/2", b.owner());
    assertNull(b.endedAt(), "an attempt whose owner died has no end");
    assertEquals(
        new TaskAttempt(3, "spoke-c/3", third, done, "SUCCEEDED", null, null), history.get(2));
  }

  @Test
  void aRevivedTaskRunsANewRoundOfAttemptsWithItsHistoryKept() {
    Sharding sharding = oneTask();
    Lease first = ((ClaimResult.Claimed) claim(sharding, "spoke-a/1", 1)).lease();
    assertTrue(store.fail(first, first.startedAt(), "Boom", "no").committed());
    assertEquals(
        List.of(), store.reviveShard(spec(sharding, 1), 0, 1, Set.of(TaskStatus.CANCELLED)));
    assertEquals(List.of(0), store.reviveShard(spec(sharding, 1), 0, 1, Set.of(TaskStatus.FAILED)));
    TaskRecord revived = stored(sharding);
    assertEquals(TaskStatus.PENDING, revived.status());
    assertEquals(0, revived.attempt());
    assertEquals(1, revived.round());
    assertEquals(1, revived.historyBase());
    assertNull(revived.errorType());
    // Revived once per round: a second redriver of the same round finds nothing to do.
    assertEquals(List.of(), store.reviveShard(spec(sharding, 1), 0, 1, Set.of(TaskStatus.FAILED)));

    Lease second = ((ClaimResult.Claimed) claim(sharding, "spoke-b/2", 1)).lease();
    assertEquals(1, second.attempt(), "attempts start again in a new round");
    assertEquals(1, second.round());
    assertTrue(store.complete(second, second.startedAt(), "\"ok\"").committed());
    List<TaskAttempt> history = stored(sharding).history();
    assertEquals(2, history.size(), history.toString());
    assertEquals(0, history.get(0).round());
    assertEquals("FAILED", history.get(0).outcome());
    assertEquals(1, history.get(0).attempt());
    assertEquals(1, history.get(1).round());
    assertEquals("SUCCEEDED", history.get(1).outcome());
    assertEquals(1, history.get(1).attempt());
  }

  @Test
  void aCounterInANewRoundDropsTheRevivedTasksAndRefusesLateCountsOfEarlierRounds() {
    Sharding sharding = new Sharding(3, 1);
    RunSpec spec = spec(sharding);
    counters.countTerminal(
        spec, 0, Map.of(0, TaskStatus.SUCCEEDED, 1, TaskStatus.FAILED, 2, TaskStatus.CANCELLED));
    assertEquals(Set.of(1), counters.beginRound(spec, 0, 1, Set.of(TaskStatus.FAILED)));
    ShardCount reopened = counters.counts(spec).get(0);
    assertEquals(1, reopened.round());
    assertFalse(reopened.drained(), reopened.toString());
    assertEquals(0, reopened.failed());
    assertEquals(1, reopened.cancelled(), "a status not redriven stays counted");
    assertEquals(Set.of(), counters.beginRound(spec, 0, 1, Set.of(TaskStatus.FAILED)));

    assertTrue(
        counters.countTerminal(spec, 0, 0, Map.of(1, TaskStatus.FAILED)).isEmpty(),
        "a late count of round 0 must be refused");
    assertFalse(counters.counts(spec).get(0).drained());
    ShardCount done =
        counters.countTerminal(spec, 0, 1, Map.of(1, TaskStatus.SUCCEEDED)).orElseThrow();
    assertTrue(done.drained());
    assertEquals(2, done.succeeded());
    assertEquals(new ShardCounters.Counted(Set.of(0, 1, 2), 1), counters.counted(spec).get(0));
  }

  @Test
  void anExpiredLastAttemptIsRecordedAsItsOwnersWithLeaseExpired() {
    Sharding sharding = oneTask();
    Instant started = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    claim(sharding, "spoke-a/1", 1);
    clock.advance(LEASE.plusSeconds(1));
    ClaimResult exhausted = claim(sharding, "spoke-b/2", 1);
    TaskRecord observed = assertInstanceOf(ClaimResult.AttemptsExhausted.class, exhausted).task();
    assertTrue(store.expire(observed, spec(sharding, 1), "spoke-b/2").committed());
    List<TaskAttempt> history = stored(sharding).history();
    assertEquals(1, history.size(), history.toString());
    assertEquals("spoke-a/1", history.get(0).owner());
    assertEquals(started, history.get(0).startedAt());
    assertEquals("LEASE_EXPIRED", history.get(0).outcome());
    assertEquals("LeaseExpired", history.get(0).errorType());
  }

  @Test
  void aRetriedWriteWhoseFirstResponseWasLostIsRecognisedAsItsOwn() {
    Sharding sharding = oneTask();
    Lease lease = ((ClaimResult.Claimed) claim(sharding, "owner", 3)).lease();
    // The SDK retries a request whose response was lost: the same claim, the same owner token.
    ClaimResult retried = claim(sharding, "owner", 3);
    assertEquals(lease, assertInstanceOf(ClaimResult.Claimed.class, retried).lease());

    CommitResult first = store.complete(lease, clock.instant(), "\"r\"");
    CommitResult again = store.complete(lease, clock.instant(), "\"r\"");
    assertTrue(first.committed());
    assertTrue(again.committed(), "the applied write is recognised, not misread as a lost race");
    assertEquals(lease.version() + 1, stored(sharding).version(), "applied once");

    Lease impostor =
        new Lease(
            runId,
            incarnation,
            0,
            0,
            "someone-else",
            lease.version(),
            lease.attempt(),
            lease.leaseUntil(),
            lease.startedAt());
    assertFalse(store.complete(impostor, clock.instant(), "\"x\"").committed());
  }

  @Test
  void aHeartbeatExtendsTheLeaseSoNoClaimTakesTheTaskUntilItsNewEnd() {
    Sharding sharding = oneTask();
    Lease claimed = ((ClaimResult.Claimed) claim(sharding, "owner", 3)).lease();
    clock.advance(LEASE.minusSeconds(10));
    Instant newEnd = clock.instant().plus(LEASE).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    HeartbeatResult beat = store.heartbeat(claimed, newEnd);
    Lease extended = assertInstanceOf(HeartbeatResult.Extended.class, beat).lease();
    assertEquals(claimed.version() + 1, extended.version(), "a heartbeat is a versioned write");
    assertEquals(newEnd, extended.leaseUntil());
    assertEquals(
        claimed.extended(extended.version(), extended.leaseUntil()),
        extended,
        "the same claim: owner, attempt and start unchanged");
    TaskRecord task = stored(sharding);
    assertEquals(TaskStatus.RUNNING, task.status());
    assertEquals("owner", task.owner());
    assertEquals(newEnd, task.leaseUntil());
    assertEquals(extended.version(), task.version());
    assertEquals(1, task.attempt(), "a heartbeat is no new attempt");
    assertEquals(1, task.history().size());

    clock.advance(Duration.ofSeconds(11)); // past the claim's lease, before the heartbeat's
    assertInstanceOf(ClaimResult.LeasedByOther.class, claim(sharding, "other", 3));
    assertInstanceOf(
        CommitResult.LostRace.class,
        store.complete(claimed, claimed.startedAt(), "\"stale version\""),
        "the owner's next write must name the heartbeat's version");
    assertTrue(store.complete(extended, extended.startedAt(), "\"done\"").committed());
    assertEquals(TaskStatus.SUCCEEDED, stored(sharding).status());
    assertInstanceOf(
        HeartbeatResult.Lost.class,
        store.heartbeat(extended, newEnd.plus(LEASE)),
        "a finished task cannot be heartbeat back to RUNNING");
  }

  @Test
  void aHeartbeatAfterATakeoverOrUnderAnotherOwnerOrVersionIsALostRace() {
    Sharding sharding = oneTask();
    Lease first = ((ClaimResult.Claimed) claim(sharding, "first", 3)).lease();
    Lease impostor =
        new Lease(
            runId,
            incarnation,
            0,
            0,
            "someone-else",
            first.version(),
            first.attempt(),
            first.leaseUntil(),
            first.startedAt());
    HeartbeatResult wrongOwner = store.heartbeat(impostor, clock.instant().plus(LEASE));
    assertEquals(
        "first", assertInstanceOf(HeartbeatResult.Lost.class, wrongOwner).current().owner());
    HeartbeatResult wrongVersion =
        store.heartbeat(
            first.extended(first.version() + 5, first.leaseUntil()), first.leaseUntil());
    assertInstanceOf(HeartbeatResult.Lost.class, wrongVersion);
    assertEquals(first.version(), stored(sharding).version(), "neither was applied");
    assertEquals(first.leaseUntil(), stored(sharding).leaseUntil());

    clock.advance(LEASE.plusSeconds(1));
    Lease second = ((ClaimResult.Claimed) claim(sharding, "second", 3)).lease();
    HeartbeatResult stale = store.heartbeat(first, clock.instant().plus(LEASE));
    TaskRecord current = assertInstanceOf(HeartbeatResult.Lost.class, stale).current();
    assertEquals("second", current.owner(), "the loser learns who holds the task");
    assertEquals(second.leaseUntil(), stored(sharding).leaseUntil(), "the takeover's lease stands");
    assertTrue(store.complete(second, second.startedAt(), "\"second\"").committed());
  }

  @Test
  void aRetriedHeartbeatWhoseFirstResponseWasLostIsRecognisedAsItsOwn() {
    Sharding sharding = oneTask();
    Lease lease = ((ClaimResult.Claimed) claim(sharding, "owner", 3)).lease();
    Instant newEnd = clock.instant().plus(LEASE).plusSeconds(5);
    // The SDK retries a request whose response was lost: the same lease, the same new end.
    HeartbeatResult first = store.heartbeat(lease, newEnd);
    HeartbeatResult again = store.heartbeat(lease, newEnd);
    Lease applied = assertInstanceOf(HeartbeatResult.Extended.class, first).lease();
    assertEquals(
        applied,
        assertInstanceOf(HeartbeatResult.Extended.class, again).lease(),
        "the applied write is recognised, not misread as a lost race");
    assertEquals(lease.version() + 1, stored(sharding).version(), "applied once");
    // The same old version asking for another end finds an earlier write of its claim, not this
    // one: no lease it asked for, so no extension (the caller re-reads its version).
    HeartbeatResult other = store.heartbeat(lease, newEnd.plusSeconds(5));
    TaskRecord found = assertInstanceOf(HeartbeatResult.Lost.class, other).current();
    assertEquals("owner", found.owner());
    assertEquals(applied.version(), found.version());
    assertEquals(newEnd.truncatedTo(java.time.temporal.ChronoUnit.MILLIS), found.leaseUntil());
    assertTrue(store.complete(applied, applied.startedAt(), "\"r\"").committed());
  }

  @Test
  void anExpiredFinalAttemptIsFailedOnceAndNotRunAgain() {
    Sharding sharding = oneTask();
    claim(sharding, "only", 1);
    clock.advance(LEASE.plusSeconds(1));
    ClaimResult exhausted = claim(sharding, "late", 1);
    TaskRecord observed = assertInstanceOf(ClaimResult.AttemptsExhausted.class, exhausted).task();
    assertTrue(store.expire(observed, spec(sharding, 1), "late").committed());
    assertTrue(
        store.expire(observed, spec(sharding, 1), "late").committed(), "a retry is recognised");
    assertFalse(store.expire(observed, spec(sharding, 1), "other").committed());
    TaskRecord task = stored(sharding);
    assertEquals(TaskStatus.FAILED, task.status());
    assertEquals("LeaseExpired", task.errorType());
  }

  @Test
  void countingATerminalTaskTwiceCountsItOnce() {
    Sharding sharding = new Sharding(3, 1);
    ShardCount first = counters.countTerminal(spec(sharding), 0, TaskStatus.SUCCEEDED);
    ShardCount repeat = counters.countTerminal(spec(sharding), 0, TaskStatus.SUCCEEDED);
    assertEquals(1, first.succeeded());
    assertEquals(1, repeat.succeeded());
    assertFalse(repeat.drained());
    counters.countTerminal(spec(sharding), 1, TaskStatus.FAILED);
    ShardCount last = counters.countTerminal(spec(sharding), 2, TaskStatus.SUCCEEDED);
    assertTrue(last.drained());
    assertEquals(
        List.of(new ShardCount(0, 2, 1, 0, 3, last.updatedAt(), 0)),
        counters.counts(spec(sharding)));
  }

  @Test
  void aBatchOfTerminalTasksIsCountedInOneWritePerShardAndRepeatsCountOnce() {
    Sharding sharding = new Sharding(7, 3); // shards: {0, 3, 6}, {1, 4}, {2, 5}
    ShardCount mixed =
        counters.countTerminal(
            spec(sharding), 0, Map.of(0, TaskStatus.SUCCEEDED, 6, TaskStatus.FAILED));
    assertEquals(new ShardCount(0, 1, 1, 0, 3, mixed.updatedAt(), 0), mixed);
    ShardCount repeated =
        counters.countTerminal(
            spec(sharding),
            0,
            Map.of(0, TaskStatus.SUCCEEDED, 3, TaskStatus.SUCCEEDED, 6, TaskStatus.FAILED));
    assertEquals(2, repeated.succeeded());
    assertEquals(1, repeated.failed());
    assertTrue(repeated.drained());
    assertThrows(
        IllegalArgumentException.class,
        () -> counters.countTerminal(spec(sharding), 1, Map.of(3, TaskStatus.SUCCEEDED)),
        "a task outside the shard");
    assertThrows(
        IllegalArgumentException.class,
        () -> counters.countTerminal(spec(sharding), 1, Map.of(1, TaskStatus.RUNNING)),
        "a task that is not terminal");
    assertThrows(
        IllegalArgumentException.class, () -> counters.countTerminal(spec(sharding), 1, Map.of()));
  }

  @Test
  void aRunsTasksArePagedAcrossShardsEachExactlyOnce() {
    Sharding sharding = new Sharding(7, 3);
    store.putNew(
        spec(sharding), 0, IntStream.range(0, 7).mapToObj(i -> "\"item-" + i + "\"").toList());
    List<Integer> seen = new ArrayList<>();
    Optional<String> token = Optional.empty();
    int pages = 0;
    do {
      Page<TaskRecord> page = store.listTasks(spec(sharding), Optional.empty(), 3, token);
      assertTrue(page.items().size() <= 3, "a page holds at most the limit");
      page.items().forEach(t -> seen.add(t.index()));
      token = page.nextToken();
      pages++;
    } while (token.isPresent() && pages < 20);
    assertEquals(List.of(0, 3, 6, 1, 4, 2, 5), seen, "shard by shard, each task once");

    Lease lease =
        ((ClaimResult.Claimed) store.claim(spec(sharding), 4, "owner", clock.instant().plus(LEASE)))
            .lease();
    store.complete(lease, clock.instant(), "\"done\"");
    Page<TaskRecord> succeeded =
        store.listTasks(spec(sharding), Optional.of(TaskStatus.SUCCEEDED), 10, Optional.empty());
    assertEquals(List.of(4), succeeded.items().stream().map(TaskRecord::index).toList());
    List<Integer> visited = new ArrayList<>();
    store.forEachTask(spec(sharding), t -> visited.add(t.index()));
    assertEquals(7, visited.size());
  }

  TaskDue due(Sharding sharding) {
    List<TaskDue> found = new ArrayList<>();
    store.forEachDue(spec(sharding), 0, found::add);
    assertEquals(1, found.size());
    return found.get(0);
  }

  @Test
  void aTaskIsDueWhenItsMessageIsReceivableAndTheSweepMarksOnlyWhatItRead() {
    Instant created = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    Sharding sharding = oneTask();
    assertEquals(
        new TaskDue(0, TaskStatus.PENDING, 0, created, null, 0, null, null), due(sharding));
    assertEquals(created, due(sharding).due());

    Lease lease = ((ClaimResult.Claimed) claim(sharding, "owner", 3)).lease();
    assertEquals(lease.leaseUntil(), due(sharding).due(), "a RUNNING task is due at its lease end");

    clock.advance(Duration.ofSeconds(5));
    Instant released = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    assertTrue(store.release(lease, "Flaky", "again", Duration.ofSeconds(8)).committed());
    TaskDue backoff = due(sharding);
    assertEquals(TaskStatus.PENDING, backoff.status());
    assertEquals(released.plusSeconds(8), backoff.due(), "due when its delayed message is");

    clock.advance(Duration.ofSeconds(20));
    Instant resent = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    assertTrue(store.markResent(spec(sharding), backoff));
    assertEquals(released.plusSeconds(8), due(sharding).due(), "still due when it was");
    assertEquals(resent, due(sharding).resentAt());
    assertEquals(1, due(sharding).resends());
    assertEquals(backoff.version(), due(sharding).version(), "an owner's version is left alone");

    claim(sharding, "next", 3);
    assertFalse(store.markResent(spec(sharding), backoff), "the task moved on");

    assertEquals(List.of(Set.of()), counters.countedPositions(spec(sharding)));
    counters.countTerminal(spec(sharding), 0, TaskStatus.FAILED);
    assertEquals(List.of(Set.of(0)), counters.countedPositions(spec(sharding)));
  }
}
