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
 *   <li>I2 at most one committed result per task, committed by the owner of the claim it replaced:
 *       every applied write after a claim came from that claim's owner (or expired its lease after
 *       the lease ran out), no terminal task was written again, no claimed task was overwritten by
 *       a new one;
 *   <li>I3 no task both SUCCEEDED and dead-lettered;
 *   <li>I4 the summary equals the counts recomputed from the tasks; RunCompleted published once;
 *   <li>I5 no two overlapping live leases: a claim that took a RUNNING task over came after the
 *       previous lease (as its owner's heartbeats last extended it) expired, no lease was extended
 *       and no task released by a writer that did not hold its claim;
 *   <li>I6 once faults stopped, the run finished within the stated bound;
 *   <li>I7 nothing reached the dead-letter queue only through redrive (throttling and other
 *       transient failures must be retried, not dead-lettered).
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

  public record Report(
      String runId,
      int tasks,
      int succeeded,
      int failed,
      int lost,
      int doubleCommitted,
      boolean summaryExact,
      int deadLettered,
      List<Violation> violations) {
    public boolean ok() {
      return violations.isEmpty();
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
      return new Report(runId, 0, 0, 0, expectedTasks, 0, false, 0, violations);
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
    int succeeded =
        (int) byIndex.values().stream().filter(t -> t.status() == TaskStatus.SUCCEEDED).count();
    int failed =
        (int) byIndex.values().stream().filter(t -> t.status() == TaskStatus.FAILED).count();
    boolean summaryExact = false;
    if (run.summaryJson() == null) {
      violations.add(
          new Violation("I4", "run " + runId + " has no summary (status " + run.status() + ")"));
    } else {
      JsonNode summary = Json.parseTrusted(run.summaryJson());
      summaryExact =
          summary.path("total").asInt() == byIndex.size()
              && summary.path("succeeded").asInt() == succeeded
              && summary.path("failed").asInt() == failed
              && run.status() == (failed == 0 ? RunStatus.SUCCEEDED : RunStatus.FAILED);
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
                    + " (status "
                    + run.status()
                    + ") but the tasks say "
                    + succeeded
                    + "/"
                    + failed));
      }
    }
    long completedEvents = completedEvents(runtime, runId);
    if (completedEvents != 1) {
      summaryExact = false;
      violations.add(
          new Violation(
              "I4", "run " + runId + ": RunCompleted was published " + completedEvents + " times"));
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
    return new Report(
        runId,
        byIndex.size(),
        succeeded,
        failed,
        lost,
        doubleCommitted.size(),
        summaryExact,
        deadLettered,
        violations);
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
   * RUNNING task over only after its lease, as its last heartbeat left it; a terminal task is never
   * written again; only a new, unclaimed task may be put over an existing item.
   */
  static void checkHistory(
      String runId,
      List<ChangeLog.Change> history,
      List<Violation> violations,
      Set<String> doubleCommitted) {
    String taskId = RunIds.taskId(runId, history.get(0).index());
    int commits = 0;
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
        commits++;
      }
      if (!before.status().equals("RUNNING")) {
        if (after.terminal()) {
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
    if (commits > 1) {
      doubleCommitted.add(taskId);
      violations.add(
          new Violation("I2", "task " + taskId + " was committed " + commits + " times"));
    }
  }

  /** How many times {@code RunCompleted} was published for the run. */
  public static long completedEvents(LocalRuntime runtime, String runId) {
    return publishedEvents(runtime, runId, EventRules.RUN_COMPLETED);
  }

  /** How many events of {@code detailType} were published on the bus for the run. */
  public static long publishedEvents(LocalRuntime runtime, String runId, String detailType) {
    return runtime.bus().publishedEvents().stream()
        .map(Json::parseTrusted)
        .filter(e -> e.path("detail-type").asText().equals(detailType))
        .filter(e -> e.path("detail").path("runId").asText().equals(runId))
        .count();
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
