package io.hubspoke.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hubspoke.chaos.ChangeLog.Change;
import io.hubspoke.chaos.ChangeLog.Image;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The rules I2 and I5 apply to one task's applied writes, each shown passing on the protocol's own
 * histories and failing on a history the protocol forbids. InvariantCheckerIT shows the same
 * through the real store, with mechanisms broken on purpose.
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

  /** Each image after the first is the result of one write applied to the one before. */
  static List<Change> history(Image... images) {
    List<Change> changes = new ArrayList<>();
    for (int i = 0; i < images.length; i++) {
      changes.add(
          new Change(
              "pk|T#00000007",
              RUN,
              7,
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
}
