package io.hubspoke.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hubspoke.contract.TableSchema;
import io.hubspoke.contract.api.RunControls;
import io.hubspoke.core.aws.AwsClients;
import io.hubspoke.core.model.RunSpec;
import io.hubspoke.core.store.RunSlots.Acquisition;
import io.hubspoke.core.testing.EmbeddedEngines;
import io.hubspoke.core.testing.Engines;
import io.hubspoke.engines.LocalTables;
import io.hubspoke.testkit.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;

/**
 * A capped run's slots against DynamoDB Local: at most K holders, a hold whose end has passed freed
 * by the next spoke that needs it, a lost response recognised, and the cap holding when spokes race
 * for the slots.
 */
class RunSlotsIT {
  static final EmbeddedEngines ENGINES = new EmbeddedEngines();
  static final Duration HOLD = Duration.ofSeconds(30);

  AwsClients clients;
  TestClock clock;
  RunSlots slots;

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
    slots = new RunSlots(clients.dynamoDb(), Engines.TABLE, clock);
  }

  @AfterEach
  void closeClients() {
    clients.close();
  }

  @AfterAll
  static void stop() {
    ENGINES.close();
  }

  static RunSpec capped(int cap) {
    return TestRuns.spec(100)
        .withControls(new RunControls(Optional.empty(), Optional.empty(), cap));
  }

  Acquisition acquire(RunSpec run, String holder) {
    return slots.acquire(run, holder, clock.instant().plus(HOLD), 0);
  }

  @Test
  void atMostKHoldersAndAReleasedSlotIsTakenAgain() {
    RunSpec run = capped(3);
    for (String holder : List.of("a", "b", "c")) {
      assertInstanceOf(Acquisition.Acquired.class, acquire(run, holder));
    }
    Acquisition full = acquire(run, "d");
    assertEquals(3, assertInstanceOf(Acquisition.Full.class, full).holders());
    assertEquals(java.util.Set.of("a", "b", "c"), slots.holders(run).keySet());

    slots.release(run, "b");
    slots.release(run, "b"); // idempotent
    assertInstanceOf(Acquisition.Acquired.class, acquire(run, "d"));
    assertEquals(java.util.Set.of("a", "c", "d"), slots.holders(run).keySet());
  }

  @Test
  void theSlotsItemExpiresWithTheRun() {
    RunSpec run = capped(1);
    acquire(run, "a");
    Map<String, AttributeValue> item =
        clients
            .dynamoDb()
            .getItem(
                b ->
                    b.tableName(Engines.TABLE)
                        .key(Items.key(Items.gatePk(run), RunSlots.SLOTS_SK))
                        .consistentRead(true))
            .item();
    assertEquals(
        Long.toString(run.expiresAt().getEpochSecond()),
        item.get(TableSchema.TTL_ATTRIBUTE).n(),
        "every item of a run expires with it");
  }

  @Test
  void aReleaseWithoutASlotsItemCreatesNothing() {
    RunSpec run = capped(2);
    slots.release(run, "a");
    assertTrue(slots.holders(run).isEmpty());
    Map<String, AttributeValue> item =
        clients
            .dynamoDb()
            .getItem(
                b ->
                    b.tableName(Engines.TABLE)
                        .key(Items.key(Items.gatePk(run), RunSlots.SLOTS_SK))
                        .consistentRead(true))
            .item();
    assertTrue(item == null || item.isEmpty(), "no item without its expiry: " + item);
  }

  @Test
  void aHoldWhoseEndPassedIsFreedByTheNextSpokeThatNeedsItButALaterOneStays() {
    RunSpec run = capped(2);
    acquire(run, "dead");
    clock.advance(Duration.ofSeconds(5));
    acquire(run, "alive"); // its hold ends 5 s after the dead one's
    clock.advance(HOLD.minusSeconds(4));

    assertInstanceOf(Acquisition.Acquired.class, acquire(run, "next"));
    assertEquals(java.util.Set.of("alive", "next"), slots.holders(run).keySet());
    assertInstanceOf(Acquisition.Full.class, acquire(run, "another"));
  }

  @Test
  void aHoldWhoseEndHasNotPassedIsNeverFreed() {
    RunSpec run = capped(1);
    acquire(run, "a");
    clock.advance(HOLD.minusMillis(1));
    assertInstanceOf(Acquisition.Full.class, acquire(run, "b"));
    assertEquals(java.util.Set.of("a"), slots.holders(run).keySet());
  }

  @Test
  void aRetriedAcquireWhoseFirstWriteWasAppliedFindsItsOwnHold() {
    RunSpec run = capped(1);
    assertInstanceOf(Acquisition.Acquired.class, acquire(run, "a"));
    // The SDK retries a call whose response was lost: the run is now full, with this holder.
    assertInstanceOf(Acquisition.Acquired.class, acquire(run, "a"));
    assertEquals(1, slots.holders(run).size());
  }

  @Test
  void spokesRacingForTheSlotsNeverHoldMoreThanTheCap() throws Exception {
    RunSpec run = capped(3);
    RunSlots realTime =
        new RunSlots(clients.dynamoDb(), Engines.TABLE, java.time.Clock.systemUTC());
    AtomicInteger holding = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    AtomicInteger acquired = new AtomicInteger();
    ExecutorService spokes = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int s = 0; s < 8; s++) {
        int spoke = s;
        done.add(
            spokes.submit(
                () -> {
                  for (int i = 0; i < 25; i++) {
                    String holder = "s" + spoke + "-" + i;
                    Acquisition got =
                        realTime.acquire(
                            run, holder, Instant.now().plus(Duration.ofMinutes(5)), spoke);
                    if (got instanceof Acquisition.Acquired) {
                      acquired.incrementAndGet();
                      most.accumulateAndGet(holding.incrementAndGet(), Math::max);
                      // The work: a read of the slots item, which must never show more than 3.
                      most.accumulateAndGet(realTime.holders(run).size(), Math::max);
                      holding.decrementAndGet();
                      realTime.release(run, holder);
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      spokes.shutdownNow();
    }
    assertTrue(most.get() <= 3, "at most 3 held at once, saw " + most.get());
    assertTrue(acquired.get() >= 25, "slots were taken and given back: " + acquired.get());
    assertTrue(realTime.holders(run).isEmpty());
  }

  @Test
  void aRunAtTheLargestCapHoldsAThousandAndFreesEndedHoldsInBoundedWrites() throws Exception {
    RunSpec run = capped(RunControls.MAX_CONCURRENCY);
    ExecutorService spokes = Executors.newFixedThreadPool(4);
    try {
      List<Future<Acquisition>> taken = new ArrayList<>();
      for (int i = 0; i < RunControls.MAX_CONCURRENCY; i++) {
        String holder = String.format("%016x", i);
        taken.add(spokes.submit(() -> acquire(run, holder)));
      }
      for (Future<Acquisition> f : taken) {
        assertInstanceOf(Acquisition.Acquired.class, f.get());
      }
    } finally {
      spokes.shutdownNow();
    }
    assertEquals(
        RunControls.MAX_CONCURRENCY,
        assertInstanceOf(Acquisition.Full.class, acquire(run, "one-more")).holders());

    // Every hold ended (their spokes died): each take frees at most 25 of them with itself.
    clock.advance(HOLD.plusMillis(1));
    assertInstanceOf(Acquisition.Acquired.class, acquire(run, "after"));
    assertEquals(
        RunControls.MAX_CONCURRENCY - RunSlots.MAX_EVICTIONS_PER_WRITE + 1,
        slots.holders(run).size());
  }

  @Test
  void aTaskThatFoundTheRunFullWaitsAndAGiveBackWakesOneWaiterOnce() {
    RunSpec run = capped(1);
    assertInstanceOf(Acquisition.Acquired.class, slots.acquire(run, "a", later(), 4));
    assertInstanceOf(Acquisition.Full.class, slots.acquire(run, "b", later(), 5));
    assertTrue(slots.await(run, 5));
    assertTrue(slots.await(run, 6));
    assertTrue(slots.await(run, 6), "waiting twice is waiting once");
    assertEquals(java.util.Set.of(5, 6), slots.waiting(run));

    List<Integer> waiting = slots.release(run, "a");
    assertEquals(java.util.Set.of(5, 6), java.util.Set.copyOf(waiting));
    int woken = slots.wake(run, waiting).orElseThrow();
    int other = woken == 5 ? 6 : 5;
    assertEquals(java.util.Set.of(other), slots.waiting(run));
    assertEquals(
        Optional.of(other), slots.wake(run, waiting), "a second give-back wakes the other one");
    assertEquals(Optional.empty(), slots.wake(run, waiting), "and nobody twice");

    assertTrue(slots.await(run, 7));
    assertInstanceOf(Acquisition.Acquired.class, slots.acquire(run, "c", later(), 7));
    assertTrue(slots.waiting(run).isEmpty(), "a task that takes a slot stops waiting");
  }

  @Test
  void theWaitingSetIsBoundedAndNeedsTheSlotsItem() {
    RunSpec run = capped(1);
    assertFalse(slots.await(run, 1), "no slots item, nobody holds a slot: no waiting");
    slots.acquire(run, "a", later(), 0);
    for (int task = 1; task <= RunSlots.MAX_WAITING; task++) {
      assertTrue(slots.await(run, task));
    }
    assertFalse(slots.await(run, RunSlots.MAX_WAITING + 1), "the set is full");
    assertEquals(RunSlots.MAX_WAITING, slots.waiting(run).size());
  }

  Instant later() {
    return clock.instant().plus(HOLD);
  }
}
