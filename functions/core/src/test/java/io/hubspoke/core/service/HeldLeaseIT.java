package io.hubspoke.core.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hubspoke.core.aws.AwsClients;
import io.hubspoke.core.aws.Backoff;
import io.hubspoke.core.model.RunSpec;
import io.hubspoke.core.model.TaskRecord;
import io.hubspoke.core.store.ClaimResult;
import io.hubspoke.core.store.CommitResult;
import io.hubspoke.core.store.HeartbeatResult;
import io.hubspoke.core.store.Lease;
import io.hubspoke.core.store.TaskStore;
import io.hubspoke.core.store.TestRuns;
import io.hubspoke.core.testing.EmbeddedEngines;
import io.hubspoke.core.testing.Engines;
import io.hubspoke.engines.LocalTables;
import io.hubspoke.testkit.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;

/**
 * The spoke's side of heartbeats against DynamoDB Local, with a clock the test moves: how often a
 * heartbeat writes, how far it extends, what it answers once the task is lost or the spoke stopped
 * waiting, and that the commit takes the latest lease.
 */
class HeldLeaseIT {
  static final EmbeddedEngines ENGINES = new EmbeddedEngines();
  static final Duration TASK_TIMEOUT = Duration.ofSeconds(30);
  static final Duration GRACE = Duration.ofSeconds(10);

  AwsClients clients;
  TestClock clock;
  TaskStore store;
  RunSpec run;

  @BeforeEach
  void setUp() {
    clients = ENGINES.clients(Engines.Service.DYNAMODB);
    ENGINES.once(
        "table",
        () -> {
          try {
            clients.dynamoDb().describeTable(b -> b.tableName(Engines.TABLE));
          } catch (ResourceNotFoundException e) {
            LocalTables.create(clients.dynamoDb(), Engines.TABLE);
          }
        });
    clock = new TestClock(Instant.now().truncatedTo(ChronoUnit.MILLIS));
    store = new TaskStore(clients.dynamoDb(), Engines.TABLE, clock, Backoff.standard());
    run = TestRuns.spec(1, 3);
    store.putNew(run, 0, List.of("\"item\""));
  }

  @AfterEach
  void closeClients() {
    clients.close();
  }

  @AfterAll
  static void stop() {
    ENGINES.close();
  }

  /** Claims the task as the spoke does and holds its lease, extensible up to {@code latest}. */
  HeldLease claim(String owner, Instant latest) {
    return hold(claimLease(owner), latest);
  }

  Lease claimLease(String owner) {
    Instant deadline = clock.instant().plus(TASK_TIMEOUT);
    return assertInstanceOf(
            ClaimResult.Claimed.class, store.claim(run, 0, owner, deadline.plus(GRACE)))
        .lease();
  }

  HeldLease hold(Lease lease, Instant latest) {
    Instant deadline = lease.leaseUntil().minus(GRACE);
    return new HeldLease(
        store,
        null,
        clock,
        lease,
        deadline,
        latest,
        TASK_TIMEOUT,
        GRACE,
        /* receiptHandle */ null,
        () -> true);
  }

  TaskRecord stored() {
    return store.get(run, 0).orElseThrow();
  }

  @Test
  void aHeartbeatWritesAtMostOncePerThirdOfTheTaskTimeoutAndMovesTheDeadlineAndTheLease() {
    Instant claimedAt = clock.instant();
    HeldLease held = claim("owner", claimedAt.plus(Duration.ofMinutes(10)));
    for (int i = 0; i < 100; i++) {
      assertTrue(held.heartbeat());
    }
    assertEquals(1, stored().version(), "no write before a third of the task timeout");
    assertEquals(claimedAt.plus(TASK_TIMEOUT), held.deadline());

    clock.advance(TASK_TIMEOUT.dividedBy(3));
    assertTrue(held.heartbeat());
    Instant now = clock.instant();
    assertEquals(2, stored().version());
    assertEquals(now.plus(TASK_TIMEOUT), held.deadline(), "the task timeout from now");
    assertEquals(now.plus(TASK_TIMEOUT).plus(GRACE), stored().leaseUntil());

    clock.advance(TASK_TIMEOUT.dividedBy(3).minusMillis(1));
    assertTrue(held.heartbeat());
    assertEquals(2, stored().version(), "still within a third of the last extension");

    Lease latest = held.stop();
    assertEquals(2, latest.version(), "the commit takes the heartbeat's version");
    assertFalse(held.heartbeat(), "no heartbeat once the spoke stopped waiting");
    assertTrue(store.complete(latest, latest.startedAt(), "\"done\"").committed());
  }

  @Test
  void aHeartbeatNeverExtendsPastTheInvocationsDeadlineLessTheCommitReserve() {
    Instant latest = clock.instant().plus(TASK_TIMEOUT).plusSeconds(5);
    HeldLease held = claim("owner", latest);
    clock.advance(Duration.ofSeconds(10));
    assertTrue(held.heartbeat());
    assertEquals(latest, held.deadline(), "capped by the invocation");
    assertEquals(latest.plus(GRACE), stored().leaseUntil());
    clock.advance(Duration.ofSeconds(15));
    assertTrue(held.heartbeat(), "the lease still holds");
    assertEquals(2, stored().version(), "nothing left to give: no write");
    assertEquals(latest, held.deadline());
  }

  @Test
  void aWorkerWhoseTaskWasTakenOverLearnsItAndTheCommitIsALostRace() {
    HeldLease held = claim("first", clock.instant().plus(Duration.ofMinutes(10)));
    clock.advance(TASK_TIMEOUT.plus(GRACE).plusSeconds(1)); // no heartbeat: the lease ran out
    assertInstanceOf(ClaimResult.Claimed.class, store.claim(run, 0, "second", clock.instant()));
    assertFalse(held.heartbeat(), "the next heartbeat finds the takeover");
    assertTrue(held.lost());
    assertFalse(held.heartbeat());
    assertEquals("second", stored().owner());
    Lease stale = held.stop();
    assertInstanceOf(
        CommitResult.LostRace.class, store.complete(stale, stale.startedAt(), "\"stale\""));
  }

  @Test
  void aHeartbeatAppliedThoughItsCallFailedIsAdoptedByTheNext() {
    Lease claimed = claimLease("owner");
    HeldLease held = hold(claimed, clock.instant().plus(Duration.ofMinutes(10)));
    // A heartbeat of this claim that DynamoDB applied while its caller saw only an error.
    assertInstanceOf(
        HeartbeatResult.Extended.class,
        store.heartbeat(claimed, clock.instant().plus(TASK_TIMEOUT).plus(GRACE)));
    clock.advance(TASK_TIMEOUT.dividedBy(3));
    assertTrue(held.heartbeat(), "our own applied write is no takeover");
    assertFalse(held.lost());
    Lease latest = held.stop();
    assertEquals(3, latest.version(), "the claim, the unseen heartbeat, this one");
    assertEquals(stored().version(), latest.version());
    assertTrue(store.complete(latest, latest.startedAt(), "\"done\"").committed());
  }

  @Test
  void theSpokeStopsWaitingOnlyOnceTheDeadlineAsHeartbeatsLeftItHasPassed() {
    HeldLease held = claim("owner", clock.instant().plus(Duration.ofMinutes(10)));
    clock.advance(TASK_TIMEOUT.minusSeconds(1));
    assertTrue(held.heartbeat());
    clock.advance(Duration.ofSeconds(2)); // past the claim's deadline, not the extended one
    assertFalse(held.stopIfPast(clock.instant()));
    assertTrue(held.heartbeat());
    clock.advance(TASK_TIMEOUT);
    assertTrue(held.stopIfPast(clock.instant()));
    assertFalse(held.heartbeat(), "a worker that outlived its deadline is told to stop");
    assertEquals(2, stored().version(), "and writes nothing");
  }

  @Test
  void aHeartbeatOfARunThatWasStoppedTellsTheWorkerToStopAndDoesNotExtend() {
    Lease lease = claimLease("owner");
    AtomicBoolean runGoesOn = new AtomicBoolean(true);
    HeldLease held =
        new HeldLease(
            store,
            null,
            clock,
            lease,
            lease.leaseUntil().minus(GRACE),
            clock.instant().plus(Duration.ofMinutes(10)),
            TASK_TIMEOUT,
            GRACE,
            /* receiptHandle */ null,
            runGoesOn::get);

    clock.advance(TASK_TIMEOUT.dividedBy(3));
    assertTrue(held.heartbeat());
    assertEquals(2, stored().version(), "extended while the run goes on");

    runGoesOn.set(false); // the run was cancelled
    clock.advance(TASK_TIMEOUT.dividedBy(3));
    assertFalse(held.heartbeat(), "the worker is told to stop");
    assertFalse(held.heartbeat(), "and stays told");
    assertEquals(2, stored().version(), "the lease is not extended");
    assertFalse(held.lost(), "the task was not taken over");
  }
}
