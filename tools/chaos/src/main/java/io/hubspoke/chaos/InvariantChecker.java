package io.hubspoke.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import io.hubspoke.contract.EventRules;
import io.hubspoke.contract.json.Json;
import io.hubspoke.core.aws.Backoff;
import io.hubspoke.core.model.RunIds;
import io.hubspoke.core.model.RunStatus;
import io.hubspoke.core.model.TaskMessage;
import io.hubspoke.core.model.TaskRecord;
import io.hubspoke.core.model.TaskStatus;
import io.hubspoke.core.store.RunRecord;
import io.hubspoke.core.store.RunStore;
import io.hubspoke.core.store.TaskStore;
import io.hubspoke.local.LocalOptions;
import io.hubspoke.local.LocalRuntime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * Reads the ground truth after a run (the table, every write DynamoDB applied to its task items as
 * the table's change stream records them, the dead-letter queue and the published events) and
 * checks hubspoke's invariants, naming the task on every violation:
 *
 * <ul>
 *   <li>I1 no task lost: one task per accepted item, each terminal or under a live lease;
 *   <li>I2 at most one committed result per task and round, committed by the owner of the claim it
 *       replaced: every applied write after a claim came from that claim's owner (or expired its
 *       lease after the lease ran out), no terminal task was written again except by a redrive's
 *       REVIVE (into the next round, attempts from 0), no claimed task was overwritten by a new
 *       one; a PENDING task may be cancelled by anyone (the hub's walk of a cancelled run);
 *   <li>I3 no task both SUCCEEDED and dead-lettered;
 *   <li>I4 the summary (total, succeeded, failed, cancelled) equals the counts recomputed from the
 *       tasks, and the run's status and round match what was done to it (cancelled: CANCELLED;
 *       otherwise SUCCEEDED unless a task failed); RunCompleted published once per round (the event
 *       names its round), RunCancelled for each cancel that started one;
 *   <li>I5 no two overlapping live leases: a claim that took a RUNNING task over came after the
 *       previous lease (as its owner's heartbeats last extended it) expired, no lease was extended
 *       and no task released by a writer that did not hold its claim;
 *   <li>I6 once faults stopped and the last operation on the run (cancel, redrive) was answered,
 *       the run finished within the stated bound;
 *   <li>I7 nothing reached the dead-letter queue only through redrive (throttling and other
 *       transient failures must be retried, not dead-lettered);
 *   <li>I8 with a {@code maxConcurrency} of K, at no instant did more than K attempts of the run
 *       run at once. Each attempt runs from its claim's {@code startedAt} to the end of the claim:
 *       its owner's terminal write ({@code finishedAt}) or release (the {@code endedAt} its owner
 *       wrote in the task's history), or, for a claim taken over, expired or still RUNNING, the end
 *       of its lease as its last heartbeat left it; and never later than its lease's end: a cap
 *       holds each slot a grace past the lease, and an attempt that overran that may lose its slot
 *       (run-lifecycle §8). An attempt that ends when another starts does not overlap it. The
 *       highest overlap is reported with or without a cap, and also counted to each attempt's end.
 * </ul>
 *
 * <p>I2 and I5 read applied writes from the store itself, not from the callers' responses: a write
 * whose response was lost is seen like any other, and a task whose current version the change log
 * does not reach is itself reported.
 */
public final class InvariantChecker {
  public record Violation(String invariant, String message) {
    @Override
    public String toString() {
      return invariant + ": " + message;
    }
  }

  /**
   * @param cancelled tasks CANCELLED at the end
   * @param round the run's redrive round at the end
   * @param maxOverlap the most attempts of the run that ran at one instant within their leases
   * @param maxOverlapAt that instant (null when no attempt ran)
   * @param maxOverlapToEnd the same, counting each attempt to its end write even past its lease:
   *     what I8 checks against the cap
   * @param lateCommitsRefused pull workers' results sent after another claim took their task over,
   *     refused as they must be (each one accepted or landed is a violation)
   */
  public record Report(
      String runId,
      int tasks,
      int succeeded,
      int failed,
      int cancelled,
      int lost,
      int doubleCommitted,
      boolean summaryExact,
      int deadLettered,
      int round,
      int maxOverlap,
      Instant maxOverlapAt,
      int maxOverlapToEnd,
      int lateCommitsRefused,
      List<Violation> violations) {
    public boolean ok() {
      return violations.isEmpty();
    }
  }

  /**
   * What was done to the run, which the checker holds it to (I4, I8).
   *
   * @param rounds the redrives that started a round (the run ends in this round)
   * @param cancels the cancels that moved the run to CANCELLING
   * @param cancelsAnsweredFirst those answered 202 (this cancel started it), each of which
   *     published RunCancelled; a cancel retried after an error may have started it without
   * @param endsCancelled whether the run's last round was cancelled
   * @param maxConcurrency the run's {@code maxConcurrency} (0: none, I8 only measures)
   */
  public record Expectations(
      int rounds,
      int cancels,
      int cancelsAnsweredFirst,
      boolean endsCancelled,
      int maxConcurrency) {
    /** A run submitted without a cap, never cancelled nor redriven. */
    public static Expectations none() {
      return new Expectations(0, 0, 0, false, 0);
    }
  }

  /** The most attempts running at one instant: when first reached, and whose they were. */
  public record Overlap(int max, Long at, List<String> attempts, List<String> described) {
    public Overlap(int max, Long at, List<String> attempts) {
      this(max, at, attempts, attempts);
    }
  }

  /**
   * One attempt of a task, from its claim to the end of that claim (I8).
   *
   * @param end when the write that left the claim says it ended
   * @param leaseEnd the end of its lease as its last heartbeat left it
   */
  record AttemptSpan(
      String taskId, int round, int attempt, long start, long end, long leaseEnd, String endedBy) {
    @Override
    public String toString() {
      return taskId + (round == 0 ? "" : " round " + round) + " attempt " + attempt;
    }

    /** The end the cap is held to: the attempt's, unless it overran its lease. */
    long endWithinLease() {
      return Math.min(end, leaseEnd);
    }

    /** With its times: {@code … attempt 1 [12:00:01.250Z, 12:00:01.900Z SUCCEEDED, lease …]}. */
    String described() {
      return this
          + " ["
          + time(start)
          + ", "
          + time(end)
          + " "
          + endedBy
          + ", lease until "
          + time(leaseEnd)
          + "]";
    }

    private static String time(long millis) {
      return Instant.ofEpochMilli(millis).toString().substring(11);
    }
  }

  /** How long the change stream may trail the table before a missing write is a violation. */
  private static final Duration CHANGE_LOG_LAG = Duration.ofSeconds(5);

  private final LocalRuntime runtime;
  private final Journal journal;

  public InvariantChecker(LocalRuntime runtime, Journal journal) {
    this.runtime = runtime;
    this.journal = journal;
  }

  /**
   * @param expectedTasks the number of items the client submitted
   * @param drainAfterFaults how long the run took to finish once faults stopped (empty: not
   *     measured), checked against {@code bound}
   */
  public Report check(
      String runId, int expectedTasks, Optional<Duration> drainAfterFaults, Duration bound) {
    return check(runId, expectedTasks, drainAfterFaults, bound, Expectations.none());
  }

  /**
   * @param expectedTasks the number of items the client submitted
   * @param drainAfterFaults how long the run took to finish once faults stopped and the last
   *     operation on it was answered (empty: not measured), checked against {@code bound}
   * @param expected what was done to the run (cancels, redrives) and its cap
   */
  public Report check(
      String runId,
      int expectedTasks,
      Optional<Duration> drainAfterFaults,
      Duration bound,
      Expectations expected) {
    List<Violation> violations = new ArrayList<>();
    RunStore runs =
        new RunStore(runtime.clients().dynamoDb(), LocalOptions.TABLE_NAME, Clock.systemUTC());
    TaskStore tasks =
        new TaskStore(
            runtime.clients().dynamoDb(),
            LocalOptions.TABLE_NAME,
            Clock.systemUTC(),
            Backoff.standard());
    Optional<RunRecord> found = runs.get(runId);
    if (found.isEmpty()) {
      violations.add(new Violation("I1", "run " + runId + " does not exist"));
      return new Report(
          runId, 0, 0, 0, 0, expectedTasks, 0, false, 0, 0, 0, null, 0, 0, violations);
    }
    RunRecord run = found.get();
    if (run.spec().total() != expectedTasks) {
      violations.add(
          new Violation(
              "I1", "run has " + run.spec().total() + " tasks for " + expectedTasks + " items"));
    }
    Map<Integer, TaskRecord> byIndex = new HashMap<>();
    tasks.forEachTask(
        run.spec(),
        task -> {
          if (byIndex.put(task.index(), task) != null) {
            violations.add(new Violation("I1", "task " + task.taskId() + " stored twice"));
          }
        });

    // I1
    Instant now = Instant.now();
    int lost = 0;
    for (int i = 0; i < expectedTasks; i++) {
      TaskRecord task = byIndex.get(i);
      if (task == null) {
        lost++;
        violations.add(new Violation("I1", "task " + RunIds.taskId(runId, i) + " is missing"));
      } else if (!task.status().isTerminal()
          && (task.status() != TaskStatus.RUNNING || task.leaseExpiredAt(now))) {
        lost++;
        violations.add(
            new Violation(
                "I1", "task " + task.taskId() + " is " + task.status() + " without a live lease"));
      }
    }
    byIndex.keySet().stream()
        .filter(i -> i >= expectedTasks)
        .forEach(
            i -> violations.add(new Violation("I1", "unexpected task " + RunIds.taskId(runId, i))));

    // I2 and I5, from every write DynamoDB applied to the run's task items
    Set<String> doubleCommitted = new TreeSet<>();
    List<ChangeLog.Change> changes = completeChanges(runId, byIndex, violations);
    Map<String, List<ChangeLog.Change>> byItem = new LinkedHashMap<>();
    for (ChangeLog.Change change : changes) {
      byItem.computeIfAbsent(change.itemKey(), k -> new ArrayList<>()).add(change);
    }
    for (List<ChangeLog.Change> history : byItem.values()) {
      checkHistory(runId, history, violations, doubleCommitted);
    }
    int lateCommitsRefused =
        checkLateCommits(runId, journal.lateCommits(runId), changes, violations, doubleCommitted);
    for (TaskRecord task : byIndex.values()) {
      if (task.status() == TaskStatus.SUCCEEDED && task.resultJson() != null) {
        JsonNode result = Json.parseTrusted(task.resultJson());
        if (result.has("attempt") && result.get("attempt").asInt() != task.attempt()) {
          doubleCommitted.add(task.taskId());
          violations.add(
              new Violation(
                  "I2",
                  "task "
                      + task.taskId()
                      + " holds the result of attempt "
                      + result.get("attempt").asInt()
                      + " but its last claim was attempt "
                      + task.attempt()));
        }
      }
    }

    // I3 and I7, from the dead-letter queue
    int deadLettered = 0;
    for (Message message : deadLetters(runtime)) {
      TaskMessage parsed;
      try {
        parsed = TaskMessage.parse(message.body());
      } catch (IllegalArgumentException e) {
        continue; // poison: not a task of any run
      }
      if (!parsed.runId().equals(runId)) {
        continue;
      }
      deadLettered++;
      TaskRecord task = byIndex.get(parsed.taskIndex());
      if (task != null && task.status() == TaskStatus.SUCCEEDED) {
        violations.add(
            new Violation(
                "I3", "task " + task.taskId() + " SUCCEEDED and is in the dead-letter queue"));
      }
      if (!message.messageAttributes().containsKey("hubspoke.reason")) {
        violations.add(
            new Violation(
                "I7",
                "the message of task "
                    + RunIds.taskId(runId, parsed.taskIndex())
                    + " was redriven to the dead-letter queue after repeated failures"));
      }
    }

    // I4
    int succeeded = count(byIndex, TaskStatus.SUCCEEDED);
    int failed = count(byIndex, TaskStatus.FAILED);
    int cancelled = count(byIndex, TaskStatus.CANCELLED);
    RunStatus expectedStatus =
        expected.endsCancelled()
            ? RunStatus.CANCELLED
            : failed == 0 ? RunStatus.SUCCEEDED : RunStatus.FAILED;
    boolean summaryExact = false;
    if (run.round() != expected.rounds()) {
      violations.add(
          new Violation(
              "I4",
              "run "
                  + runId
                  + " is in round "
                  + run.round()
                  + " but "
                  + expected.rounds()
                  + " redrive(s) started a round"));
    }
    if (run.summaryJson() == null) {
      violations.add(
          new Violation("I4", "run " + runId + " has no summary (status " + run.status() + ")"));
    } else {
      JsonNode summary = Json.parseTrusted(run.summaryJson());
      summaryExact =
          summary.path("total").asInt() == byIndex.size()
              && summary.path("succeeded").asInt() == succeeded
              && summary.path("failed").asInt() == failed
              && summary.path("cancelled").asInt(0) == cancelled
              && summary.path("redrives").asInt(0) == run.round()
              && run.status() == expectedStatus
              && run.round() == expected.rounds();
      if (!summaryExact) {
        violations.add(
            new Violation(
                "I4",
                "run "
                    + runId
                    + ": summary "
                    + summary.path("succeeded")
                    + "/"
                    + summary.path("failed")
                    + "/"
                    + summary.path("cancelled").asInt(0)
                    + " of "
                    + summary.path("total")
                    + " in round "
                    + summary.path("redrives").asInt(0)
                    + " (status "
                    + run.status()
                    + ", round "
                    + run.round()
                    + ") but the tasks say "
                    + succeeded
                    + "/"
                    + failed
                    + "/"
                    + cancelled
                    + " of "
                    + byIndex.size()
                    + " (status "
                    + expectedStatus
                    + ", round "
                    + expected.rounds()
                    + ")"));
      }
    }
    Map<Integer, List<JsonNode>> completedByRound = new TreeMap<>();
    events(runtime, runId, EventRules.RUN_COMPLETED)
        .forEach(
            e ->
                completedByRound
                    .computeIfAbsent(e.path("round").asInt(0), r -> new ArrayList<>())
                    .add(e));
    for (int round = 0; round <= Math.max(run.round(), expected.rounds()); round++) {
      int published = completedByRound.getOrDefault(round, List.of()).size();
      if (published != 1) {
        summaryExact = false;
        violations.add(
            new Violation(
                "I4",
                "run "
                    + runId
                    + ": RunCompleted of round "
                    + round
                    + " was published "
                    + published
                    + " times"));
      }
    }
    completedByRound.keySet().stream()
        .filter(round -> round > Math.max(run.round(), expected.rounds()))
        .forEach(
            round ->
                violations.add(
                    new Violation(
                        "I4",
                        "run " + runId + ": RunCompleted of round " + round + " was published")));
    List<JsonNode> lastCompleted = completedByRound.getOrDefault(run.round(), List.of());
    if (lastCompleted.size() == 1
        && !lastCompleted.get(0).path("status").asText().equals(run.status().name())) {
      violations.add(
          new Violation(
              "I4",
              "run "
                  + runId
                  + " is "
                  + run.status()
                  + " but its last RunCompleted says "
                  + lastCompleted.get(0).path("status").asText()));
    }
    long cancelledEvents = publishedEvents(runtime, runId, EventRules.RUN_CANCELLED);
    if (cancelledEvents < expected.cancelsAnsweredFirst() || cancelledEvents > expected.cancels()) {
      violations.add(
          new Violation(
              "I4",
              "run "
                  + runId
                  + ": RunCancelled was published "
                  + cancelledEvents
                  + " times for "
                  + expected.cancels()
                  + " cancel(s) ("
                  + expected.cancelsAnsweredFirst()
                  + " answered 202)"));
    }

    // I6
    if (drainAfterFaults.isPresent() && drainAfterFaults.get().compareTo(bound) > 0) {
      violations.add(
          new Violation(
              "I6",
              "the run took "
                  + drainAfterFaults.get()
                  + " to finish after faults stopped; bound "
                  + bound));
    }
    // I8
    Overlap overlap = maxOverlap(runId, byItem.values(), true);
    Overlap toEnd = maxOverlap(runId, byItem.values(), false);
    // The cap is checked to each attempt's end write: a slot is held until its spoke invocation
    // has ended, so not even a commit late past its lease may overlap another attempt.
    capViolation(runId, toEnd, expected.maxConcurrency()).ifPresent(violations::add);
    return new Report(
        runId,
        byIndex.size(),
        succeeded,
        failed,
        cancelled,
        lost,
        doubleCommitted.size(),
        summaryExact,
        deadLettered,
        run.round(),
        overlap.max(),
        overlap.at() == null ? null : Instant.ofEpochMilli(overlap.at()),
        toEnd.max(),
        lateCommitsRefused,
        violations);
  }

  /**
   * I2 for pull workers' late commits (results sent under a claim that another claim had taken over
   * once its lease ended): each must be answered 409 {@code LeaseLost}, and no write by that
   * claim's owner may be applied to the task after another owner's write replaced its claim.
   *
   * @return how many were refused as they must be
   */
  static int checkLateCommits(
      String runId,
      List<Journal.LateCommit> lateCommits,
      List<ChangeLog.Change> changes,
      List<Violation> violations,
      Set<String> doubleCommitted) {
    int refused = 0;
    for (Journal.LateCommit late : lateCommits) {
      String taskId = RunIds.taskId(runId, late.index());
      String sent =
          "task "
              + taskId
              + ": the result of attempt "
              + late.attempt()
              + (late.round() == 0 ? "" : " of round " + late.round())
              + ", sent by "
              + late.owner()
              + " after its lease ended and another claim took the task over,";
      boolean accepted = late.status() >= 200 && late.status() < 300;
      if (accepted) {
        doubleCommitted.add(taskId);
        violations.add(new Violation("I2", sent + " was accepted (HTTP " + late.status() + ")"));
      } else if (late.status() == 409 && late.error().equals("LeaseLost")) {
        refused++;
      }
      boolean held = false;
      boolean replaced = false;
      for (ChangeLog.Change change : changes) {
        ChangeLog.Image after = change.after();
        if (change.index() != late.index() || after == null) {
          continue;
        }
        boolean own = Objects.equals(after.owner(), late.owner());
        if (own && !replaced) {
          held = true;
        } else if (held && !own) {
          replaced = true;
        } else if (replaced && own) {
          doubleCommitted.add(taskId);
          violations.add(new Violation("I2", sent + " landed: " + after));
        }
      }
    }
    return refused;
  }

  private static int count(Map<Integer, TaskRecord> byIndex, TaskStatus status) {
    return (int) byIndex.values().stream().filter(t -> t.status() == status).count();
  }

  /** How many of the attempts running at once an I8 violation names. */
  private static final int K_NAMED = 20;

  /** I8: a violation if more attempts than the cap ran at once (a cap of 0: none). */
  static Optional<Violation> capViolation(String runId, Overlap overlap, int maxConcurrency) {
    if (maxConcurrency <= 0 || overlap.max() <= maxConcurrency) {
      return Optional.empty();
    }
    return Optional.of(
        new Violation(
            "I8",
            "run "
                + runId
                + ": "
                + overlap.max()
                + " attempts ran at once at "
                + Instant.ofEpochMilli(overlap.at())
                + " (maxConcurrency "
                + maxConcurrency
                + "): "
                + String.join(", ", overlap.described().stream().limit(K_NAMED).toList())
                + (overlap.described().size() > K_NAMED ? ", …" : "")));
  }

  /**
   * I8: the most attempts of the run that ran at one instant, over every task's applied writes
   * (each list one task item's, in the order applied). An attempt that ends at the instant another
   * starts does not overlap it; one that takes no time never overlaps anything.
   *
   * @param withinLease whether each attempt counts only until its lease's end (as its last
   *     heartbeat left it), reported for comparison; the check counts each to its end write, as a
   *     slot is held until its spoke invocation has ended (run-lifecycle §8)
   */
  static Overlap maxOverlap(
      String runId, java.util.Collection<List<ChangeLog.Change>> histories, boolean withinLease) {
    List<AttemptSpan> spans = new ArrayList<>();
    for (List<ChangeLog.Change> history : histories) {
      spans.addAll(attemptSpans(runId, history));
    }
    // Ends before starts at the same instant: back to back is not at once.
    List<long[]> edges = new ArrayList<>(); // {time, +1 start / -1 end, span}
    for (int i = 0; i < spans.size(); i++) {
      AttemptSpan span = spans.get(i);
      long end = withinLease ? span.endWithinLease() : span.end();
      if (end > span.start()) {
        edges.add(new long[] {span.start(), 1, i});
        edges.add(new long[] {end, -1, i});
      }
    }
    edges.sort(java.util.Comparator.<long[]>comparingLong(e -> e[0]).thenComparingLong(e -> e[1]));
    Set<Integer> running = new java.util.LinkedHashSet<>();
    int max = 0;
    Long at = null;
    List<String> attempts = List.of();
    List<String> described = List.of();
    for (long[] edge : edges) {
      if (edge[1] < 0) {
        running.remove((int) edge[2]);
        continue;
      }
      running.add((int) edge[2]);
      if (running.size() > max) {
        max = running.size();
        at = edge[0];
        attempts = running.stream().map(i -> spans.get(i).toString()).sorted().toList();
        described = running.stream().map(i -> spans.get(i).described()).sorted().toList();
      }
    }
    return new Overlap(max, at, attempts, described);
  }

  /**
   * Each claim of one task item and when it ended: at its owner's terminal write ({@code
   * finishedAt}) or release (the end its owner wrote in the history); for a claim taken over,
   * expired, deleted or still RUNNING, at the end of its lease as its last heartbeat left it.
   */
  static List<AttemptSpan> attemptSpans(String runId, List<ChangeLog.Change> history) {
    String taskId = RunIds.taskId(runId, history.get(0).index());
    List<AttemptSpan> spans = new ArrayList<>();
    ChangeLog.Image claim = null; // the open claim, as its last write (claim or heartbeat) left it
    long claimStart = 0;
    for (ChangeLog.Change change : history) {
      ChangeLog.Image after = change.after();
      boolean running = after != null && after.status().equals("RUNNING");
      if (claim != null) {
        if (running && after.attempt() == claim.attempt() && after.round() == claim.round()) {
          claim = after; // a heartbeat: the same attempt, its lease moved
          continue;
        }
        long leaseEnd = claim.leaseUntil() == null ? claimStart : claim.leaseUntil();
        long end;
        String endedBy;
        if (after == null || running) {
          end = leaseEnd; // deleted, or taken over after its lease
          endedBy = after == null ? "deleted: its lease" : "taken over: its lease";
        } else if (after.terminal()
            && Objects.equals(after.owner(), claim.owner())
            && after.finishedAt() != null) {
          end = after.finishedAt();
          endedBy = after.status();
        } else if (after.terminal()) {
          end = leaseEnd; // expired by another claimer once its lease ran out
          endedBy = "expired: its lease";
        } else if (after.attemptEndedAt() != null) {
          end = after.attemptEndedAt();
          endedBy = "released";
        } else {
          end = leaseEnd;
          endedBy = "released: its lease";
        }
        spans.add(
            new AttemptSpan(
                taskId, claim.round(), claim.attempt(), claimStart, end, leaseEnd, endedBy));
        claim = null;
      }
      if (running && after.startedAt() != null) {
        claim = after;
        claimStart = after.startedAt();
      }
    }
    if (claim != null) {
      long leaseEnd = claim.leaseUntil() == null ? claimStart : claim.leaseUntil();
      spans.add(
          new AttemptSpan(
              taskId,
              claim.round(),
              claim.attempt(),
              claimStart,
              leaseEnd,
              leaseEnd,
              "running: its lease"));
    }
    return spans;
  }

  /**
   * The run's applied writes, once the change log holds the write that left each task as the table
   * now shows it (the stream may trail the table by a moment). A task whose current version the log
   * never reaches is a violation: the checker could not see all of its writes.
   */
  private List<ChangeLog.Change> completeChanges(
      String runId, Map<Integer, TaskRecord> byIndex, List<Violation> violations) {
    long deadline = System.nanoTime() + CHANGE_LOG_LAG.toNanos();
    while (true) {
      List<ChangeLog.Change> changes = journal.taskChanges(runId);
      Set<String> written = new HashSet<>();
      for (ChangeLog.Change change : changes) {
        if (change.after() != null) {
          written.add(
              change.index() + "|" + change.after().version() + "|" + change.after().status());
        }
      }
      List<TaskRecord> unseen = new ArrayList<>();
      for (TaskRecord task : byIndex.values()) {
        if (!written.contains(task.index() + "|" + task.version() + "|" + task.status().name())) {
          unseen.add(task);
        }
      }
      if (unseen.isEmpty()) {
        return changes;
      }
      if (System.nanoTime() > deadline) {
        unseen.forEach(
            task ->
                violations.add(
                    new Violation(
                        "I2",
                        "task "
                            + task.taskId()
                            + " is "
                            + task.status()
                            + " at version "
                            + task.version()
                            + " but the table's change log never showed that write: its writes"
                            + " cannot be checked")));
        return changes;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
    }
  }

  /**
   * Checks one task item's applied writes in order. Every write after the claim must come from the
   * owner of the claim it replaces (or, for an expiry, after that claim's lease ran out); a
   * heartbeat (RUNNING to RUNNING in the same attempt) only from that owner; a claim may take a
   * RUNNING task over only after its lease, as its last heartbeat left it; a PENDING task may be
   * cancelled by anyone (its run was cancelled); a terminal task is written again only by a REVIVE
   * (FAILED or CANCELLED to PENDING in the next round, attempts from 0, no owner); a task is made
   * terminal at most once per round; only a new, unclaimed task may be put over an existing item.
   */
  static void checkHistory(
      String runId,
      List<ChangeLog.Change> history,
      List<Violation> violations,
      Set<String> doubleCommitted) {
    String taskId = RunIds.taskId(runId, history.get(0).index());
    Map<Integer, Integer> commitsByRound = new TreeMap<>();
    ChangeLog.Image previous = null;
    for (ChangeLog.Change change : history) {
      ChangeLog.Image before = change.before();
      ChangeLog.Image after = change.after();
      if (previous != null && (before == null || !before.sameState(previous))) {
        violations.add(
            new Violation(
                "I2",
                "task "
                    + taskId
                    + ": the change log misses a write between "
                    + previous
                    + " and "
                    + before));
      }
      previous = after;
      if (after == null || (before != null && after.sameState(before))) {
        continue; // deleted (expiry), or a write that left the protocol's fields alone
      }
      if (before == null || after.version() == 0) {
        // A new task written over an existing item must find it new and unclaimed.
        if (before != null && !(before.status().equals("PENDING") && before.version() == 0)) {
          doubleCommitted.add(taskId);
          violations.add(
              new Violation(
                  "I2", "task " + taskId + " (" + before + ") was overwritten by a new task"));
        }
        continue;
      }
      if (after.version() != before.version() + 1) {
        violations.add(
            new Violation(
                "I2",
                "task "
                    + taskId
                    + ": a write went from version "
                    + before.version()
                    + " to "
                    + after.version()));
      }
      boolean revive =
          after.status().equals("PENDING")
              && (before.status().equals("FAILED") || before.status().equals("CANCELLED"))
              && after.round() == before.round() + 1
              && after.attempt() == 0
              && after.owner() == null;
      if (revive) {
        continue; // a redrive: the task runs again in the next round
      }
      if (after.round() != before.round()) {
        violations.add(
            new Violation(
                "I2",
                "task "
                    + taskId
                    + ": a write other than a redrive's moved it from round "
                    + before.round()
                    + " to "
                    + after.round()
                    + " ("
                    + before
                    + " to "
                    + after
                    + ")"));
      }
      if (before.terminal()) {
        doubleCommitted.add(taskId);
        violations.add(
            new Violation(
                "I2",
                "task "
                    + taskId
                    + " was committed ("
                    + before
                    + ") and then written again ("
                    + after
                    + ")"));
        continue;
      }
      if (after.status().equals("RUNNING")) {
        if (before.status().equals("RUNNING") && after.attempt() == before.attempt()) {
          // No claim (a claim counts an attempt): a heartbeat, which only the holder may write.
          if (!Objects.equals(before.owner(), after.owner())) {
            violations.add(
                new Violation(
                    "I5",
                    "task "
                        + taskId
                        + ": "
                        + after.owner()
                        + " extended the lease of "
                        + before.owner()
                        + "'s claim ("
                        + before
                        + ")"));
          }
          continue;
        }
        if (before.status().equals("RUNNING")
            && before.leaseUntil() != null
            && after.startedAt() != null
            && after.startedAt() < before.leaseUntil()) {
          violations.add(
              new Violation(
                  "I5",
                  "task "
                      + taskId
                      + ": "
                      + after.owner()
                      + " claimed it at "
                      + Instant.ofEpochMilli(after.startedAt())
                      + " while "
                      + before.owner()
                      + "'s lease ran until "
                      + Instant.ofEpochMilli(before.leaseUntil())));
        }
        continue;
      }
      if (after.terminal()) {
        commitsByRound.merge(after.round(), 1, Integer::sum);
      }
      if (!before.status().equals("RUNNING")) {
        boolean cancelPending =
            before.status().equals("PENDING") && after.status().equals("CANCELLED");
        if (after.terminal() && !cancelPending) {
          doubleCommitted.add(taskId);
          violations.add(
              new Violation(
                  "I2",
                  "task "
                      + taskId
                      + " was made "
                      + after.status()
                      + " by "
                      + after.owner()
                      + " without a claim ("
                      + before
                      + ")"));
        }
        continue; // a PENDING task held by no one: nothing to take from anybody
      }
      boolean holder = Objects.equals(before.owner(), after.owner());
      boolean expiry =
          after.status().equals("FAILED")
              && before.leaseUntil() != null
              && after.finishedAt() != null
              && before.leaseUntil() <= after.finishedAt();
      if (!holder && !expiry) {
        if (after.terminal()) {
          doubleCommitted.add(taskId);
        }
        violations.add(
            new Violation(
                after.terminal() ? "I2" : "I5",
                "task "
                    + taskId
                    + " was made "
                    + after.status()
                    + " by "
                    + after.owner()
                    + ", which did not hold its claim ("
                    + before
                    + ")"));
      }
    }
    commitsByRound.forEach(
        (round, commits) -> {
          if (commits > 1) {
            doubleCommitted.add(taskId);
            violations.add(
                new Violation(
                    "I2",
                    "task "
                        + taskId
                        + " was committed "
                        + commits
                        + " times"
                        + (round == 0 ? "" : " in round " + round)));
          }
        });
  }

  /** How many times {@code RunCompleted} was published for the run, over all its rounds. */
  public static long completedEvents(LocalRuntime runtime, String runId) {
    return publishedEvents(runtime, runId, EventRules.RUN_COMPLETED);
  }

  /**
   * How many times {@code RunCompleted} was published for the run's redrive round {@code round}.
   */
  public static long completedEvents(LocalRuntime runtime, String runId, int round) {
    return events(runtime, runId, EventRules.RUN_COMPLETED).stream()
        .filter(e -> e.path("round").asInt(0) == round)
        .count();
  }

  /** How many events of {@code detailType} were published on the bus for the run. */
  public static long publishedEvents(LocalRuntime runtime, String runId, String detailType) {
    return events(runtime, runId, detailType).size();
  }

  /** The details of the events of {@code detailType} published on the bus for the run. */
  static List<JsonNode> events(LocalRuntime runtime, String runId, String detailType) {
    return runtime.bus().publishedEvents().stream()
        .map(Json::parseTrusted)
        .filter(e -> e.path("detail-type").asText().equals(detailType))
        .filter(e -> e.path("detail").path("runId").asText().equals(runId))
        .map(e -> e.path("detail"))
        .toList();
  }

  /**
   * Every message now in the runtime's dead-letter queue, with its attributes; left visible for
   * whoever reads next.
   */
  public static List<Message> deadLetters(LocalRuntime runtime) {
    List<Message> all = new ArrayList<>();
    while (true) {
      List<Message> page =
          runtime
              .clients()
              .sqs()
              .receiveMessage(
                  b ->
                      b.queueUrl(runtime.queues().deadLetterQueueUrl())
                          .maxNumberOfMessages(10)
                          .visibilityTimeout(60)
                          .messageAttributeNames("All")
                          .waitTimeSeconds(0))
              .messages();
      if (page.isEmpty()) {
        // Make them visible again: reading must not hide them from whoever looks next.
        for (Message message : all) {
          runtime
              .clients()
              .sqs()
              .changeMessageVisibility(
                  b ->
                      b.queueUrl(runtime.queues().deadLetterQueueUrl())
                          .receiptHandle(message.receiptHandle())
                          .visibilityTimeout(0));
        }
        return all;
      }
      all.addAll(page);
    }
  }
}
