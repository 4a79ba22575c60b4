package io.hubspoke.local.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import io.hubspoke.core.aws.Backoff;
import io.hubspoke.core.events.EventRules;
import io.hubspoke.core.json.Json;
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
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * Reads the ground truth after a run (the table, the dead-letter queue, the published events and
 * the journal of worker executions and applied writes) and checks hubspoke's invariants, naming the
 * task on every violation:
 *
 * <ul>
 *   <li>I1 no task lost: one task per accepted item, each terminal or under a live lease;
 *   <li>I2 at most one committed result per task, committed by the attempt that held the last
 *       claim;
 *   <li>I3 no task both SUCCEEDED and dead-lettered;
 *   <li>I4 the summary equals the counts recomputed from the tasks; RunCompleted published once;
 *   <li>I5 no two overlapping live leases: a claim that took over (version + 1) came after the
 *       previous lease expired;
 *   <li>I6 once faults stopped, the run finished within the stated bound;
 *   <li>I7 nothing reached the dead-letter queue only through redrive (throttling and other
 *       transient failures must be retried, not dead-lettered).
 * </ul>
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

    // I2 and I5, from the journal of applied writes
    int doubleCommitted = 0;
    String prefix = "RUN#" + runId + "#";
    for (Map.Entry<String, List<Journal.Write>> entry : journal.writes().entrySet()) {
      if (!entry.getKey().startsWith(prefix)) {
        continue;
      }
      String taskId = taskIdOf(runId, entry.getKey());
      List<Journal.Write> writes = new ArrayList<>(entry.getValue());
      long commits =
          writes.stream()
              .filter(w -> w.kind().equals("SUCCEEDED") || w.kind().equals("FAILED"))
              .count();
      if (commits > 1) {
        doubleCommitted++;
        violations.add(
            new Violation("I2", "task " + taskId + " was committed " + commits + " times"));
      }
      List<Journal.Write> claims =
          writes.stream()
              .filter(w -> w.kind().equals("CLAIM"))
              .sorted(Comparator.comparingLong(Journal.Write::version))
              .toList();
      for (int c = 1; c < claims.size(); c++) {
        Journal.Write previous = claims.get(c - 1);
        Journal.Write next = claims.get(c);
        if (next.version() == previous.version() + 1 && next.at() < previous.leaseUntil()) {
          violations.add(
              new Violation(
                  "I5",
                  "task "
                      + taskId
                      + ": "
                      + next.owner()
                      + " claimed at "
                      + next.at()
                      + " while "
                      + previous.owner()
                      + "'s lease ran until "
                      + previous.leaseUntil()));
        }
      }
    }
    for (TaskRecord task : byIndex.values()) {
      if (task.status() == TaskStatus.SUCCEEDED && task.resultJson() != null) {
        JsonNode result = Json.parseTrusted(task.resultJson());
        if (result.has("attempt") && result.get("attempt").asInt() != task.attempt()) {
          doubleCommitted++;
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
                "summary "
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
          new Violation("I4", "RunCompleted was published " + completedEvents + " times"));
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
        doubleCommitted,
        summaryExact,
        deadLettered,
        violations);
  }

  private static String taskIdOf(String runId, String taskKey) {
    int index = Integer.parseInt(taskKey.substring(taskKey.lastIndexOf("T#") + 2));
    return RunIds.taskId(runId, index);
  }

  /** How many times {@code RunCompleted} was published for the run. */
  public static long completedEvents(LocalRuntime runtime, String runId) {
    return runtime.bus().publishedEvents().stream()
        .map(Json::parseTrusted)
        .filter(e -> e.path("detail-type").asText().equals(EventRules.RUN_COMPLETED))
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
