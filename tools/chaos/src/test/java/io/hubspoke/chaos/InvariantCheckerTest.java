package io.hubspoke.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hubspoke.chaos.ChangeLog.Change;
import io.hubspoke.chaos.ChangeLog.Image;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The rules I2 and I5 apply to one task's applied writes (with cancels and redrive rounds), and
 * I8's measure of how many attempts ran at once, each shown passing on the protocol's own histories
 * and failing on a history the protocol forbids. InvariantCheckerIT shows the same through the real
 * store, with mechanisms broken on purpose.
 */
class InvariantCheckerTest {
  static final String RUN = "r-test";
  static final String TASK = "r-test/000007";

  static Image pending(long version) {
    return new Image("PENDING", null, version, 0, null, null, null, null, null);
  }

  /** Back to PENDING after a retryable failure: the release records its writer. */
  static Image released(String owner, long version, int attempt) {
    return new Image("PENDING", owner, version, attempt, null, 0L, null, "Flaky", null);
  }

  static Image running(String owner, long version, int attempt, long startedAt, long leaseUntil) {
    return new Image("RUNNING", owner, version, attempt, leaseUntil, startedAt, null, null, null);
  }

  static Image succeeded(String owner, long version, int attempt, long finishedAt) {
    return new Image("SUCCEEDED", owner, version, attempt, null, 0L, finishedAt, null, "{}");
  }

  static Image failed(String owner, long version, int attempt, long finishedAt, String error) {
    return new Image("FAILED", owner, version, attempt, null, 0L, finishedAt, error, null);
  }

  /** Given up unrun by the owner that claimed it: its run was cancelled. */
  static Image cancelled(String owner, long version, int attempt, long finishedAt) {
    return new Image("CANCELLED", owner, version, attempt, null, 0L, finishedAt, null, null);
  }

  /** The same image in redrive round {@code round}. */
  static Image inRound(int round, Image image) {
    return new Image(
        image.status(),
        image.owner(),
        image.version(),
        image.attempt(),
        image.leaseUntil(),
        image.startedAt(),
        image.finishedAt(),
        image.errorType(),
        image.result(),
        round,
        image.attemptEndedAt());
  }

  /** A redrive's REVIVE: PENDING in round {@code round}, attempts from 0, no owner. */
  static Image revived(long version, int round) {
    return new Image("PENDING", null, version, 0, null, null, null, null, null, round, null);
  }

  /** A release whose owner wrote the end of its attempt in the history at {@code endedAt}. */
  static Image releasedAt(String owner, long version, int attempt, long startedAt, long endedAt) {
    return new Image(
        "PENDING", owner, version, attempt, null, startedAt, null, "Flaky", null, 0, endedAt);
  }

  /** Each image after the first is the result of one write applied to the one before. */
  static List<Change> history(Image... images) {
    return historyOf(7, images);
  }

  static List<Change> historyOf(int index, Image... images) {
    List<Change> changes = new ArrayList<>();
    for (int i = 0; i < images.length; i++) {
      changes.add(
          new Change(
              "pk|T#" + String.format("%08d", index),
              RUN,
              index,
              BigInteger.valueOf(i + 1),
              i == 0 ? null : images[i - 1],
              images[i]));
    }
    return changes;
  }

  static List<InvariantChecker.Violation> check(List<Change> history) {
    List<InvariantChecker.Violation> violations = new ArrayList<>();
    Set<String> doubleCommitted = new TreeSet<>();
    InvariantChecker.checkHistory(RUN, history, violations, doubleCommitted);
    violations.forEach(v -> assertTrue(v.message().contains(TASK), v.toString()));
    return violations;
  }

  static void assertOnly(String invariant, List<InvariantChecker.Violation> violations) {
    assertTrue(!violations.isEmpty(), "expected an " + invariant + " violation");
    violations.forEach(v -> assertEquals(invariant, v.invariant(), violations.toString()));
  }

  @Test
  void theProtocolsOwnHistoriesPass() {
    // claim, release after a retryable failure, claim again, commit
    assertEquals(
        List.of(),
        check(
            history(
                pending(0),
                running("a", 1, 1, 100, 2_000),
                released("a", 2, 1),
                running("b", 3, 2, 3_000, 5_000),
                succeeded("b", 4, 2, 4_000))));
    // a takeover after the lease ran out, then an expiry of the last attempt by another claimer
    assertEquals(
        List.of(),
        check(
            history(
                pending(0),
                running("a", 1, 1, 100, 2_000),
                running("b", 2, 2, 2_000, 4_000),
                failed("c", 3, 2, 4_500, "LeaseExpired"))));
  }

  @Test
  void heartbeatsByTheHolderPassAndATakeoverWaitsForTheLeaseTheyLeft() {
    // claim, two heartbeats, commit
    assertEquals(
        List.of(),
        check(
            history(
                pending(0),
                running("a", 1, 1, 100, 2_000),
                running("a", 2, 1, 100, 4_000),
                running("a", 3, 1, 100, 6_000),
                succeeded("a", 4, 1, 5_000))));
    // heartbeats, then the holder died: a takeover after the last lease
    assertEquals(
        List.of(),
        check(
            history(
                pending(0),
                running("a", 1, 1, 100, 2_000),
                running("a", 2, 1, 100, 4_000),
                running("b", 3, 2, 4_100, 6_000),
                succeeded("b", 4, 2, 5_000))));
  }

  @Test
  void aTakeoverBeforeTheEndOfAnExtendedLeaseFailsI5() {
    assertOnly(
        "I5",
        check(
            history(
                pending(0),
                running("a", 1, 1, 100, 2_000),
                running("a", 2, 1, 100, 4_000),
                running("b", 3, 2, 2_100, 5_000))));
  }

  @Test
  void aHeartbeatByAWriterThatDoesNotHoldTheClaimFailsI5() {
    assertOnly(
        "I5",
        check(history(pending(0), running("a", 1, 1, 100, 2_000), running("b", 2, 1, 100, 4_000))));
  }

  @Test
  void aCommitByAnOwnerWhoseClaimWasTakenOverFailsI2() {
    assertOnly(
        "I2",
        check(
            history(
                pending(0),
                running("a", 1, 1, 100, 2_000),
                running("b", 2, 2, 2_100, 4_000),
                succeeded("a", 3, 2, 2_500))));
  }

  @Test
  void anExpiryBeforeTheLeaseRanOutFailsI2() {
    assertOnly(
        "I2",
        check(
            history(
                pending(0),
                running("a", 1, 3, 100, 2_000),
                failed("c", 2, 3, 1_500, "LeaseExpired"))));
  }

  @Test
  void aTerminalTaskWrittenAgainFailsI2() {
    assertOnly(
        "I2",
        check(
            history(
                pending(0),
                running("a", 1, 1, 100, 2_000),
                succeeded("a", 2, 1, 500),
                failed("a", 3, 1, 600, "Late"))));
  }

  @Test
  void aClaimedTaskOverwrittenByANewTaskAndCommittedAgainFailsI2() {
    List<InvariantChecker.Violation> violations =
        check(
            history(
                pending(0),
                running("a", 1, 1, 100, 2_000),
                succeeded("a", 2, 1, 500),
                pending(0),
                running("b", 1, 1, 600, 2_600),
                succeeded("b", 2, 1, 900)));
    assertOnly("I2", violations);
    assertTrue(
        violations.stream().anyMatch(v -> v.message().contains("committed 2 times")),
        violations.toString());
  }

  @Test
  void aCommitWithoutAClaimFailsI2() {
    assertOnly("I2", check(history(pending(0), succeeded("a", 1, 0, 100))));
  }

  @Test
  void aTakeoverOfALiveLeaseFailsI5() {
    assertOnly(
        "I5",
        check(
            history(pending(0), running("a", 1, 1, 100, 2_000), running("b", 2, 2, 1_000, 3_000))));
  }

  @Test
  void aReleaseByAWriterThatLostItsClaimFailsI5() {
    assertOnly(
        "I5",
        check(
            history(
                pending(0),
                running("a", 1, 1, 100, 2_000),
                running("b", 2, 2, 2_100, 4_000),
                released("a", 3, 2))));
  }

  @Test
  void aGapInTheChangeLogIsReported() {
    List<Change> changes =
        history(
            pending(0),
            running("a", 1, 1, 100, 2_000),
            released("a", 2, 1),
            running("b", 3, 2, 3_000, 5_000),
            succeeded("b", 4, 2, 4_000));
    changes.remove(2); // the release's record never arrived
    List<InvariantChecker.Violation> violations = check(changes);
    assertTrue(
        violations.stream().anyMatch(v -> v.message().contains("misses a write")),
        violations.toString());
  }

  @Test
  void cancelsByTheHubsWalkAndByTheClaimingSpokePass() {
    // PENDING -> CANCELLED by the hub (no claim, the releaser's owner left as it was)
    assertEquals(
        List.of(),
        check(
            history(
                pending(0),
                running("a", 1, 1, 100, 2_000),
                released("a", 2, 1),
                new Image("CANCELLED", "a", 3, 1, null, 0L, 2_500L, "Flaky", null))));
    // RUNNING -> CANCELLED by the owner that claimed it and met the closed gate
    assertEquals(
        List.of(),
        check(history(pending(0), running("a", 1, 1, 100, 2_000), cancelled("a", 2, 1, 150))));
  }

  @Test
  void aCancelByAWriterThatDoesNotHoldTheClaimFailsI2() {
    assertOnly(
        "I2",
        check(history(pending(0), running("a", 1, 1, 100, 2_000), cancelled("b", 2, 1, 150))));
  }

  @Test
  void aRedriveRevivesIntoTheNextRoundAndTheTaskCommitsOncePerRound() {
    assertEquals(
        List.of(),
        check(
            history(
                pending(0),
                running("a", 1, 1, 100, 2_000),
                failed("a", 2, 1, 500, "Chosen"),
                revived(3, 1),
                inRound(1, running("b", 4, 1, 3_000, 5_000)),
                inRound(1, cancelled("b", 5, 1, 3_100)),
                revived(6, 2),
                inRound(2, running("c", 7, 1, 6_000, 8_000)),
                inRound(2, succeeded("c", 8, 1, 6_500)))));
  }

  @Test
  void aRedriveThatKeepsTheRoundOrRevivesASucceededTaskFailsI2() {
    assertOnly(
        "I2",
        check(
            history(
                pending(0),
                running("a", 1, 1, 100, 2_000),
                failed("a", 2, 1, 500, "Chosen"),
                revived(3, 0),
                running("b", 4, 1, 3_000, 5_000),
                succeeded("b", 5, 1, 3_500))));
    assertOnly(
        "I2",
        check(
            history(
                pending(0),
                running("a", 1, 1, 100, 2_000),
                succeeded("a", 2, 1, 500),
                revived(3, 1))));
    // attempts not reset: the revived task would have fewer attempts than its round allows
    assertOnly(
        "I2",
        check(
            history(
                pending(0),
                running("a", 1, 1, 100, 2_000),
                failed("a", 2, 1, 500, "Chosen"),
                new Image("PENDING", null, 3, 1, null, null, null, null, null, 1, null))));
  }

  @Test
  void aWriteOtherThanARedriveThatChangesTheRoundFailsI2() {
    assertOnly(
        "I2",
        check(
            history(
                pending(0),
                running("a", 1, 1, 100, 2_000),
                inRound(1, succeeded("a", 2, 1, 500)))));
  }

  /** Four attempts of four tasks that overlap in [400, 500); the fifth starts when one ends. */
  static List<List<Change>> fourAtOnce() {
    return List.of(
        historyOf(0, pending(0), running("a", 1, 1, 100, 2_000), succeeded("a", 2, 1, 500)),
        historyOf(
            1,
            pending(0),
            running("b", 1, 1, 200, 2_000),
            releasedAt("b", 2, 1, 200, 600),
            running("b2", 3, 2, 900, 3_000),
            succeeded("b2", 4, 2, 1_000)),
        // taken over after its lease: the first attempt ends at its lease (as its heartbeat left
        // it)
        historyOf(
            2,
            pending(0),
            running("c", 1, 1, 300, 400),
            running("c", 2, 1, 300, 700),
            running("c2", 3, 2, 800, 2_000),
            succeeded("c2", 4, 2, 850)),
        // expired by another claimer: ends at its lease, not at the expiry's finishedAt
        historyOf(
            3, pending(0), running("d", 1, 1, 400, 650), failed("x", 2, 1, 5_000, "LeaseExpired")),
        // starts exactly when task 0's attempt ends: back to back, not at once
        historyOf(4, pending(0), running("e", 1, 1, 500, 2_000), succeeded("e", 2, 1, 550)));
  }

  @Test
  void theOverlapCountsEachAttemptFromItsClaimToItsEnd() {
    InvariantChecker.Overlap overlap = InvariantChecker.maxOverlap(RUN, fourAtOnce(), true);
    assertEquals(4, overlap.max(), overlap.toString());
    assertEquals(400L, overlap.at(), overlap.toString());
    assertEquals(
        List.of(
            "r-test/000000 attempt 1",
            "r-test/000001 attempt 1",
            "r-test/000002 attempt 1",
            "r-test/000003 attempt 1"),
        overlap.attempts());
    assertEquals(Optional.empty(), InvariantChecker.capViolation(RUN, overlap, 4));
    assertEquals(Optional.empty(), InvariantChecker.capViolation(RUN, overlap, 0), "no cap");
  }

  @Test
  void moreAttemptsAtOnceThanTheCapFailI8() {
    InvariantChecker.Overlap overlap = InvariantChecker.maxOverlap(RUN, fourAtOnce(), true);
    Optional<InvariantChecker.Violation> violation = InvariantChecker.capViolation(RUN, overlap, 3);
    assertTrue(violation.isPresent(), overlap.toString());
    assertEquals("I8", violation.get().invariant());
    assertTrue(
        violation.get().message().contains("4 attempts ran at once")
            && violation.get().message().contains("r-test/000003 attempt 1"),
        violation.get().toString());
  }

  @Test
  void attemptsBackToBackDoNotOverlap() {
    // a release at 500 (its history's end) and a claim of another task at 500; a commit at 900
    // and a claim at 900; a cancel that took no time
    InvariantChecker.Overlap overlap =
        InvariantChecker.maxOverlap(
            RUN,
            List.of(
                historyOf(
                    0, pending(0), running("a", 1, 1, 100, 2_000), releasedAt("a", 2, 1, 100, 500)),
                historyOf(1, pending(0), running("b", 1, 1, 500, 2_000), succeeded("b", 2, 1, 900)),
                historyOf(
                    2, pending(0), running("c", 1, 1, 900, 2_000), succeeded("c", 2, 1, 1_200)),
                historyOf(
                    3, pending(0), running("d", 1, 1, 1_000, 3_000), cancelled("d", 2, 1, 1_000))),
            true);
    assertEquals(1, overlap.max(), overlap.toString());
    assertEquals(Optional.empty(), InvariantChecker.capViolation(RUN, overlap, 1));
  }

  @Test
  void anAttemptStillRunningEndsAtItsLeaseAndRoundsCountTogether() {
    InvariantChecker.Overlap overlap =
        InvariantChecker.maxOverlap(
            RUN,
            List.of(
                historyOf(
                    0,
                    pending(0),
                    running("a", 1, 1, 100, 400),
                    failed("a", 2, 1, 300, "Chosen"),
                    revived(3, 1),
                    inRound(1, running("a2", 4, 1, 1_000, 3_000))),
                historyOf(1, pending(0), running("b", 1, 1, 2_900, 5_000))),
            true);
    assertEquals(2, overlap.max(), overlap.toString());
    assertEquals(2_900L, overlap.at());
    assertEquals(
        List.of("r-test/000000 round 1 attempt 1", "r-test/000001 attempt 1"), overlap.attempts());
  }

  @Test
  void anAttemptCountsTowardsTheCapOnlyWithinItsLease() {
    // a commit that came 1.5 s after its lease ran out (its spoke stalled): its slot may have gone
    // to the attempt that started at 2_500
    List<List<Change>> histories =
        List.of(
            historyOf(0, pending(0), running("a", 1, 1, 100, 2_000), succeeded("a", 2, 1, 3_500)),
            historyOf(
                1, pending(0), running("b", 1, 1, 2_500, 4_000), succeeded("b", 2, 1, 3_000)));
    assertEquals(1, InvariantChecker.maxOverlap(RUN, histories, true).max());
    InvariantChecker.Overlap toEnd = InvariantChecker.maxOverlap(RUN, histories, false);
    assertEquals(2, toEnd.max());
    assertTrue(
        toEnd.described().get(0).contains("SUCCEEDED, lease until 00:00:02Z"),
        toEnd.described().toString());
  }

  static final String DEAD = "pull:soak-0.0/6f1c2a90-0d8e-4f43-9a8b-1b2c3d4e5f60";
  static final String RESCUER = "pull:soak-1.0/0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d";

  /** A pull worker that died holding its lease, and the claim that took the task over after it. */
  static List<Change> pullTakeover(Image last) {
    return history(
        pending(0),
        running(DEAD, 1, 1, 100, 2_100),
        running(DEAD, 2, 1, 100, 2_600), // its heartbeat
        running(RESCUER, 3, 2, 2_700, 4_700),
        last);
  }

  static Journal.LateCommit lateCommit(int status, String error) {
    return new Journal.LateCommit(RUN, 7, 0, 1, DEAD, status, error);
  }

  static List<InvariantChecker.Violation> checkLate(
      List<Change> history, Journal.LateCommit... late) {
    List<InvariantChecker.Violation> violations = new ArrayList<>();
    Set<String> doubleCommitted = new TreeSet<>();
    InvariantChecker.checkHistory(RUN, history, violations, doubleCommitted);
    InvariantChecker.checkLateCommits(RUN, List.of(late), history, violations, doubleCommitted);
    violations.forEach(v -> assertTrue(v.message().contains(TASK), v.toString()));
    return violations;
  }

  @Test
  void aPullTakeoverAndTheDeadWorkersRefusedLateCommitPass() {
    List<Change> history = pullTakeover(succeeded(RESCUER, 4, 2, 3_000));
    assertEquals(List.of(), check(history));
    assertEquals(List.of(), checkLate(history, lateCommit(409, "LeaseLost")));
    assertEquals(
        1,
        InvariantChecker.checkLateCommits(
            RUN, List.of(lateCommit(409, "LeaseLost")), history, new ArrayList<>(), Set.of()));
  }

  @Test
  void aLateCommitAcceptedOrLandedIsAViolation() {
    // The hub answered 200 to the dead worker's result, though the write went under the rescuer's
    // claim (a result taken without checking its token's claim): the answer alone betrays it.
    List<InvariantChecker.Violation> accepted =
        checkLate(pullTakeover(succeeded(RESCUER, 4, 2, 3_000)), lateCommit(200, ""));
    assertOnly("I2", accepted);
    assertTrue(accepted.get(0).message().contains("was accepted (HTTP 200)"), accepted.toString());
    // Refused in its answer, but its write landed after the takeover.
    List<InvariantChecker.Violation> landed =
        checkLate(pullTakeover(succeeded(DEAD, 4, 1, 3_000)), lateCommit(409, "LeaseLost"));
    assertOnly("I2", landed);
    assertTrue(landed.stream().anyMatch(v -> v.message().contains(" landed: ")), landed.toString());
  }
}
