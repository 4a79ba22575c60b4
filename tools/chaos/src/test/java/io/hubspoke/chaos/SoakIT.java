package io.hubspoke.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * F13: a randomized mix of every fault, on runs that are cancelled and redriven while the faults go
 * on (at points drawn from the seed), or redriven once ended, one of them capped, ends with every
 * invariant holding: nothing lost or committed twice in any round, each round summarized exactly
 * once, the cap never exceeded.
 */
class SoakIT {
  @Test
  void twoThousandTasksUnderEveryFaultCancelledAndRedrivenTwiceLoseAndDoubleNothing()
      throws Exception {
    // Cancelled at a drawn point, redriven; that redrive cancelled in turn and redriven again.
    Soak.Result result =
        Soak.run(
            new Soak.Options(
                2000,
                7,
                Duration.ofMinutes(8),
                false,
                Soak.Operations.CANCEL_REDRIVE_TWICE,
                0,
                Soak.DispatchChoice.QUEUE),
            line -> {});
    String figures = assertNothingLostOrDoubled(result, 2000);
    assertTrue(
        result.faults().values().stream().mapToLong(Long::longValue).sum() > 200,
        "faults were injected: " + figures);
    assertTrue(result.drainAfterFaults().isPresent(), figures);
    assertOperations(List.of(CANCEL, redrive(1), CANCEL, redrive(2)), result);
    // Both cancels took, both redrives started a round; the last round ran to its end.
    assertEquals(2, result.expected().cancels(), figures);
    assertEquals(2, result.expected().rounds(), figures);
    assertTrue(!result.expected().endsCancelled(), figures);
    assertEquals(2, result.report().round(), figures);
    assertEquals(0, result.report().cancelled(), figures);
    assertEquals(2000, result.report().succeeded() + result.report().failed(), figures);
    System.out.println("soak: " + figures);
  }

  @Test
  void twoThousandDiscoveredTasksUnderEveryFaultRedrivenOnceEndedLoseAndDoubleNothing()
      throws Exception {
    // The hub discovers the items (a range, 1,000 per page) while every fault goes on: hub
    // crashes after a page's chunks or its checkpoint, lost responses, throttling, duplicates.
    // Once the run ended, its FAILED tasks (if any) are redriven.
    Soak.Result result =
        Soak.run(
            new Soak.Options(
                2000,
                13,
                Duration.ofMinutes(8),
                true,
                Soak.Operations.REDRIVE,
                0,
                Soak.DispatchChoice.QUEUE),
            line -> {});
    String figures = assertNothingLostOrDoubled(result, 2000);
    assertTrue(result.drainAfterFaults().isPresent(), figures);
    assertOperations(List.of(redrive(1) + "|redrive:nothing in FAILED"), result);
    assertEquals(0, result.expected().cancels(), figures);
    assertEquals(result.expected().rounds(), result.report().round(), figures);
    System.out.println("discovered soak: " + figures);
  }

  @Test
  void aCappedRunUnderEveryFaultCancelledAndRedrivenNeverRunsMoreThanItsCap() throws Exception {
    // Capped at 8 attempts at once, across both rounds: I8 measures it from the applied writes.
    Soak.Result result =
        Soak.run(
            new Soak.Options(
                600,
                5,
                Duration.ofMinutes(6),
                false,
                Soak.Operations.CANCEL_REDRIVE,
                8,
                Soak.DispatchChoice.QUEUE),
            line -> {});
    String figures = assertNothingLostOrDoubled(result, 600);
    assertTrue(result.drainAfterFaults().isPresent(), figures);
    assertOperations(List.of(CANCEL, redrive(1)), result);
    assertEquals(1, result.expected().cancels(), figures);
    assertEquals(1, result.expected().rounds(), figures);
    assertEquals(8, result.expected().maxConcurrency(), figures);
    assertEquals(1, result.report().round(), figures);
    // At most 8 at once to each attempt's end write (a violation otherwise), and the cap reached.
    assertEquals(8, result.report().maxOverlapToEnd(), figures);
    System.out.println("capped soak: " + figures);
  }

  @Test
  void aCappedPushRunUnderEveryFaultWithLostInvocationsLosesAndDoublesNothing() throws Exception {
    // The hub invokes the spoke itself, ten tasks an invocation, at most 8 attempts at once; some
    // invocations are accepted and never run. Nothing cancels the run, so their tasks can only be
    // brought by the sweep, which pushes them again once overdue. Its FAILED tasks, if any, are
    // redriven once it ended.
    Soak.Result result =
        Soak.run(
            new Soak.Options(
                300,
                21,
                Duration.ofMinutes(3),
                false,
                Soak.Operations.REDRIVE,
                8,
                Soak.DispatchChoice.PUSH),
            line -> {});
    String figures = assertNothingLostOrDoubled(result, 300);
    assertEquals("push", result.toJson().path("dispatch").asText(), figures);
    assertTrue(result.faults().get(FaultKind.PUSH_LOST_INVOCATION) > 0, figures);
    assertTrue(result.drainAfterFaults().isPresent(), figures);
    assertOperations(List.of(redrive(1) + "|redrive:nothing in FAILED"), result);
    assertEquals(0, result.expected().cancels(), figures);
    assertEquals(result.expected().rounds(), result.report().round(), figures);
    assertEquals(8, result.expected().maxConcurrency(), figures);
    // At most 8 at once to each attempt's end write (a violation otherwise), and the cap reached.
    assertEquals(8, result.report().maxOverlapToEnd(), figures);
    System.out.println("push soak: " + figures);
  }

  @Test
  void aHybridRunUnderEveryFaultWithLostWorkAvailableRedrivenOnceEndedLosesAndDoublesNothing()
      throws Exception {
    // WorkAvailable wakes the spokes, which claim from the table's index; some of those wake-ups
    // are lost (the sweep publishes again for the run's overdue tasks).
    Soak.Result result =
        Soak.run(
            new Soak.Options(
                500,
                22,
                Duration.ofMinutes(3),
                false,
                Soak.Operations.REDRIVE,
                Soak.CAP_FROM_SEED,
                Soak.DispatchChoice.HYBRID),
            line -> {});
    String figures = assertNothingLostOrDoubled(result, 500);
    assertEquals("hybrid", result.toJson().path("dispatch").asText(), figures);
    assertEquals(0, result.plan().maxConcurrency(), "a hybrid run draws no cap: " + figures);
    assertTrue(result.faults().get(FaultKind.WORK_AVAILABLE_DROP) > 0, figures);
    assertTrue(result.drainAfterFaults().isPresent(), figures);
    assertOperations(List.of(redrive(1) + "|redrive:nothing in FAILED"), result);
    assertEquals(result.expected().rounds(), result.report().round(), figures);
    System.out.println("hybrid soak: " + figures);
  }

  @Test
  void aPullRunWhoseWorkersDieHoldingLeasesAndCommitLateCancelledAndRedrivenLosesAndDoublesNothing()
      throws Exception {
    // Pull workers in this process claim over the HTTP API; some die holding a lease (taken over
    // after it), some send their result after another claim took their task (refused, counted
    // for nothing), with every fault on the hub's side going on.
    Soak.Result result =
        Soak.run(
            new Soak.Options(
                400,
                23,
                Duration.ofMinutes(3),
                false,
                Soak.Operations.CANCEL_REDRIVE,
                Soak.CAP_FROM_SEED,
                Soak.DispatchChoice.PULL),
            line -> {});
    String figures = assertNothingLostOrDoubled(result, 400);
    assertEquals("pull", result.toJson().path("dispatch").asText(), figures);
    assertEquals(0, result.plan().maxConcurrency(), "a pull run draws no cap: " + figures);
    assertTrue(result.faults().get(FaultKind.PULL_WORKER_DIES) > 0, figures);
    assertTrue(result.faults().get(FaultKind.PULL_LATE_COMMIT) > 0, figures);
    // Each late result that met a takeover was refused (409 LeaseLost); none landed.
    assertTrue(result.report().lateCommitsRefused() > 0, figures);
    assertTrue(result.drainAfterFaults().isPresent(), figures);
    assertOperations(List.of(CANCEL, redrive(1)), result);
    assertEquals(1, result.report().round(), figures);
    assertEquals(0, result.report().cancelled(), figures);
    assertEquals(400, result.report().succeeded() + result.report().failed(), figures);
    System.out.println("pull soak: " + figures);
  }

  /** Every invariant held, no task lost or committed twice, the summary exact: the figures. */
  static String assertNothingLostOrDoubled(Soak.Result result, int tasks) {
    String figures = result.toJson().toString();
    assertTrue(result.report().ok(), "invariants violated: " + figures);
    assertEquals(0, result.report().lost(), figures);
    assertEquals(0, result.report().doubleCommitted(), figures);
    assertTrue(result.report().summaryExact(), figures);
    assertEquals(tasks, result.report().tasks(), figures);
    return figures;
  }

  /** A cancel that took (answered 202, or 200 or an error after which the run was cancelling). */
  static final String CANCEL = "cancel@\\d+%(\\(.*\\))?";

  /** A redrive that started round {@code n} (its answer may have been lost). */
  static String redrive(int n) {
    return "redrive#" + n + "\\(\\d+ tasks(, answer lost)?\\)";
  }

  /** The operations made, in order, each matching its pattern (none missed or too late). */
  static void assertOperations(List<String> patterns, Soak.Result result) {
    String figures = result.toJson().toString();
    assertEquals(patterns.size(), result.operations().size(), figures);
    for (int i = 0; i < patterns.size(); i++) {
      assertTrue(
          result.operations().get(i).matches(patterns.get(i)),
          result.operations().get(i) + " is not " + patterns.get(i) + ": " + figures);
    }
  }
}
