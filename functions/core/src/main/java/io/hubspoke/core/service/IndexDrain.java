package io.hubspoke.core.service;

import io.hubspoke.contract.SpokeLimits;
import io.hubspoke.core.model.RunSpec;
import io.hubspoke.core.model.TaskMessage;
import io.hubspoke.core.store.TaskStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * A spoke woken by {@code WorkAvailable} (hybrid dispatch): claims its run's claimable tasks from
 * the table's claimable index, {@link #TASKS_PER_ROUND} at a time, and runs each through the same
 * claim, lease and commit as a queue message ({@link TaskExecutionService}), until none is left or
 * its invocation nears its end; then it sleeps, and polls nothing while idle.
 *
 * <p>Before it gives up, it polls a little longer ({@link #IDLE_PATIENCE}): a task released for a
 * short retry backoff, or whose owner's lease is about to end, comes due in that time. Anything
 * later is woken by the next {@code WorkAvailable}: the sweep publishes one for a run whose tasks
 * are overdue.
 */
public final class IndexDrain {
  private static final Logger LOG = Logger.getLogger(IndexDrain.class.getName());

  /**
   * Tasks a drain claims and runs at once: as many as a push invocation carries, or a queue batch
   * of the stack's default size, so one spoke invocation runs as wide in every mode.
   */
  public static final int TASKS_PER_ROUND = 10;

  /** How long a drain polls an empty index before it ends. */
  static final Duration IDLE_PATIENCE = Duration.ofSeconds(3);

  static final Duration FIRST_PAUSE = Duration.ofMillis(100);
  static final Duration MAX_PAUSE = Duration.ofSeconds(1);

  /** Time kept back from the invocation's end: no round starts later than this before it. */
  static final Duration ROUND_RESERVE = Duration.ofSeconds(SpokeLimits.COMMIT_RESERVE_SECONDS);

  private final TaskStore tasks;
  private final RunSpecCache runSpecs;
  private final TaskExecutionService execution;
  private final Clock clock;
  private final PullWork.Pause pause;

  public IndexDrain(
      TaskStore tasks,
      RunSpecCache runSpecs,
      TaskExecutionService execution,
      Clock clock,
      PullWork.Pause pause) {
    this.tasks = tasks;
    this.runSpecs = runSpecs;
    this.execution = execution;
    this.clock = clock;
    this.pause = pause;
  }

  /** What one drain did. */
  public record Drained(int rounds, int tasksRun) {}

  /**
   * Claims and runs the run's claimable tasks, starting at {@code firstShard}, until none is left
   * (for {@link #IDLE_PATIENCE}) or the invocation nears {@code invocationDeadline}.
   *
   * @param incarnation the run's incarnation the event names (a run created again under the same id
   *     is not this one's)
   */
  public Drained drain(
      String runId, String incarnation, int firstShard, Instant invocationDeadline) {
    Optional<RunSpec> found = runSpecs.get(runId);
    if (found.isPresent() && !found.get().incarnation().equals(incarnation)) {
      found = runSpecs.refresh(runId);
    }
    if (found.isEmpty() || !found.get().incarnation().equals(incarnation)) {
      LOG.info(() -> "WorkAvailable for a run that is gone: " + runId);
      return new Drained(0, 0);
    }
    RunSpec spec = found.get();
    int rounds = 0;
    int ran = 0;
    Instant idleSince = null;
    Duration nextPause = FIRST_PAUSE;
    while (clock.instant().plus(ROUND_RESERVE).isBefore(invocationDeadline)) {
      if (!spec.totalKnown()) {
        spec = runSpecs.refresh(runId).orElse(spec); // a discovered run grows: its shards too
      }
      List<Integer> claimable = claimable(spec, firstShard, TASKS_PER_ROUND);
      if (claimable.isEmpty()) {
        Instant now = clock.instant();
        if (idleSince == null) {
          idleSince = now;
        } else if (!now.isBefore(idleSince.plus(IDLE_PATIENCE))) {
          break;
        }
        try {
          pause.pause(nextPause);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
        nextPause =
            nextPause.multipliedBy(2).compareTo(MAX_PAUSE) > 0
                ? MAX_PAUSE
                : nextPause.multipliedBy(2);
        continue;
      }
      idleSince = null;
      nextPause = FIRST_PAUSE;
      List<TaskExecutionService.Message> messages = new ArrayList<>(claimable.size());
      for (int index : claimable) {
        messages.add(
            new TaskExecutionService.Message(
                "index-" + runId + "-" + index, TaskMessage.of(spec, index).toJson()));
      }
      // A task whose claim is lost, or that fails for want of AWS, stays in the index: the next
      // round, another spoke, or the sweep's next WorkAvailable takes it.
      execution.processBatch(messages, invocationDeadline);
      rounds++;
      ran += messages.size();
    }
    return new Drained(rounds, ran);
  }

  /** Up to {@code limit} claimable tasks, shard by shard from {@code firstShard}. */
  private List<Integer> claimable(RunSpec spec, int firstShard, int limit) {
    List<Integer> found = new ArrayList<>();
    int shards = spec.shardCount();
    Instant now = clock.instant();
    for (int s = 0; s < shards && found.size() < limit; s++) {
      int shard = (Math.max(0, firstShard) + s) % shards;
      found.addAll(tasks.claimable(spec, shard, now, limit - found.size()));
    }
    return found;
  }
}
