package io.hubspoke.core.service;

import io.hubspoke.core.model.RunSpec;
import io.hubspoke.core.model.RunStatus;
import io.hubspoke.core.model.Sharding;
import io.hubspoke.core.model.TaskStatus;
import io.hubspoke.core.queue.TaskQueue;
import io.hubspoke.core.store.RunRecord;
import io.hubspoke.core.store.RunSlots;
import io.hubspoke.core.store.RunStore;
import io.hubspoke.core.store.ShardCounters;
import io.hubspoke.core.store.TaskDue;
import io.hubspoke.core.store.TaskStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The periodic safety net behind the event-driven path. It reads the open runs only (a sparse
 * index: its work grows with the runs in progress, not with history), within its invocation's time,
 * and for each it:
 *
 * <ul>
 *   <li>resumes a dispatch that made no progress for the stall margin, from the run's durable
 *       request (its chunk messages were never sent, or were dead-lettered), or fails the run if
 *       that is impossible; likewise a discovery whose message was lost;
 *   <li>summarizes a run that drained but was not summarized (its {@code RunDrained} event was
 *       lost, or its collector died and the summary lease expired), and re-publishes a lost {@code
 *       RunCompleted};
 *   <li>repairs tasks one by one, whatever the run's counters do: counts the terminal tasks missing
 *       from their shard's counter, and sends again the message of every task that is overdue, i.e.
 *       not claimed a stall margin after it became due (its message was lost or dead-lettered). A
 *       task is due when its message becomes receivable (at creation, at the end of its retry
 *       backoff) and, while RUNNING, when its lease ends. A task waiting out its backoff is not
 *       due, and a stranded task in a run whose other tasks keep finishing is found all the same. A
 *       capped run whose slots are all held is left alone: its PENDING tasks wait for a slot by
 *       design (run-lifecycle §8), and are sent again once one is free.
 * </ul>
 *
 * Every action is idempotent, so sweeps may overlap with the normal path and with each other. A
 * re-send is recorded on the task first (conditional on the state read). While the work queue has a
 * backlog, an overdue task's message may just be waiting in it: the task is sent again after a wait
 * that doubles with each re-send, so a few times, not on every sweep. With no backlog, nothing can
 * hide its message, and it is sent again one stall margin after the last time.
 */
public final class RunSweeper {
  private static final Logger LOG = Logger.getLogger(RunSweeper.class.getName());

  /** The longest interval between two re-sends of one task while the queue has a backlog. */
  static final Duration MAX_RESEND_INTERVAL = Duration.ofMinutes(15);

  /**
   * The longest a sweep keeps back from its invocation's end (a quarter of the time, if less): it
   * starts no new run after that, since one run's repair or summary may take a while.
   */
  static final Duration MAX_RESERVE = Duration.ofSeconds(60);

  /**
   * What one sweep did, for logs and tests.
   *
   * @param openRuns runs in the open-runs index
   * @param runsLeft open runs this sweep had no time for: the next sweep starts with them
   * @param tasksExamined task items read (shards whose counter is full are not read)
   */
  public record Report(
      int runsExamined,
      int summarized,
      int dispatchesResumed,
      int reconciled,
      int tasksRecounted,
      int messagesResent,
      int openRuns,
      int runsLeft,
      int tasksExamined) {}

  private final RunStore runs;
  private final TaskStore tasks;
  private final RunSlots slots;
  private final ShardCounters counters;
  private final TaskQueue queue;
  private final TaskDispatch taskDispatch;
  private final PullWork pullWork;
  private final CompletionTracker completion;
  private final RunSummarizer summarizer;
  private final RunDispatcher dispatcher;
  private final RunDiscovery discovery;
  private final RunCancellation cancellation;
  private final RunRedrive redrive;
  private final Clock clock;
  private final Duration stallMargin;

  public RunSweeper(
      RunStore runs,
      TaskStore tasks,
      RunSlots slots,
      ShardCounters counters,
      TaskQueue queue,
      TaskDispatch taskDispatch,
      PullWork pullWork,
      CompletionTracker completion,
      RunSummarizer summarizer,
      RunDispatcher dispatcher,
      RunDiscovery discovery,
      RunCancellation cancellation,
      RunRedrive redrive,
      Clock clock,
      Duration stallMargin) {
    this.runs = runs;
    this.tasks = tasks;
    this.slots = slots;
    this.counters = counters;
    this.queue = queue;
    this.taskDispatch = taskDispatch;
    this.pullWork = pullWork;
    this.completion = completion;
    this.summarizer = summarizer;
    this.dispatcher = dispatcher;
    this.discovery = discovery;
    this.cancellation = cancellation;
    this.redrive = redrive;
    this.clock = clock;
    this.stallMargin = stallMargin;
  }

  /**
   * Sweeps the open runs, newest first, starting after the run where the last sweep stopped (then
   * round to the newest), so that every open run is reached even when one sweep cannot do them all.
   * It starts no run once its deadline has passed, except the first, so each sweep makes progress.
   *
   * @param timeLeft how long this invocation may still run (Lambda's remaining time)
   */
  public Report sweep(Duration timeLeft) {
    Instant started = clock.instant();
    Duration reserve = timeLeft.dividedBy(4);
    Instant deadline =
        started.plus(timeLeft).minus(reserve.compareTo(MAX_RESERVE) < 0 ? reserve : MAX_RESERVE);
    List<RunStore.OpenRun> open = runs.openRuns();
    Optional<String> cursor = runs.sweepCursor();
    int first = 0;
    if (cursor.isPresent()) {
      // Newest first: the next run after the cursor is the first one older than it.
      while (first < open.size() && open.get(first).sortKey().compareTo(cursor.get()) >= 0) {
        first++;
      }
      if (first == open.size()) {
        first = 0;
      }
    }
    Tally tally = new Tally();
    tally.queueIdle = queueIdle();
    int examined = 0;
    String last = null;
    for (; examined < open.size(); examined++) {
      if (examined > 0 && !clock.instant().isBefore(deadline)) {
        break;
      }
      RunStore.OpenRun run = open.get((first + examined) % open.size());
      sweep(run.runId(), tally);
      last = run.sortKey();
    }
    int left = open.size() - examined;
    Optional<String> stoppedAfter = left > 0 ? Optional.of(last) : Optional.empty();
    if (!stoppedAfter.equals(cursor)) {
      runs.saveSweepCursor(stoppedAfter);
    }
    if (left > 0) {
      LOG.info(() -> "sweep out of time: " + left + " open runs left for the next sweep");
    }
    return new Report(
        examined,
        tally.summarized,
        tally.resumed,
        tally.reconciled,
        tally.recounted,
        tally.resent,
        open.size(),
        left,
        tally.tasksExamined);
  }

  private static final class Tally {
    boolean queueIdle;
    int summarized;
    int resumed;
    int reconciled;
    int recounted;
    int resent;
    int tasksExamined;
  }

  private void sweep(String runId, Tally tally) {
    Instant now = clock.instant();
    try {
      // The index holds keys only: the run is read afresh, as it is when its turn comes.
      Optional<RunRecord> found = runs.get(runId);
      if (found.isEmpty() || found.get().completedEventAt() != null) {
        return; // expired (TTL deletes it, and its index entry, later), or just finished
      }
      RunRecord run = found.get();
      if (run.status().isTerminal() || run.drainedAt() != null) {
        if (summarizer.summarize(run.runId()) == RunSummarizer.Outcome.SUMMARIZED) {
          tally.summarized++;
        }
        return;
      }
      if (run.status() == RunStatus.DISCOVERING) {
        // A discovery whose message was lost, or that stopped for good, is sent on again.
        if (discovery.resume(run, now.minus(stallMargin))) {
          tally.resumed++;
        }
      }
      if (run.spec().controls().tolerates()) {
        // The spoke that recorded the failures that passed the tolerance may have died.
        completion.stopIfIntolerable(run);
      }
      if (run.status() == RunStatus.CANCELLING) {
        // The hub's cancel message may have been lost, or a task released since.
        cancellation.cancelWaiting(run);
      }
      if (run.round() > 0
          && run.redrivenAt() != null
          && run.redrivenAt().plus(stallMargin).isBefore(now)) {
        // A redrive message may have been lost, or its hub died between revives.
        if (redrive.resume(run) > 0) {
          tally.resumed++;
        }
      }
      if ((run.status() == RunStatus.DISPATCHING
              || run.status() == RunStatus.DISCOVERING
              || (run.status() == RunStatus.CANCELLING && run.dispatchedAt() == null))
          && run.dispatchProgressAt().plus(stallMargin).isBefore(now)) {
        dispatcher.resume(run);
        tally.resumed++;
      }
      Repair repair = repairTasks(run, now, tally.queueIdle);
      tally.tasksExamined += repair.examined();
      if (repair.recounted() > 0 || repair.resent() > 0 || repair.drainedShards() > 0) {
        tally.reconciled++;
        tally.recounted += repair.recounted();
        tally.resent += repair.resent();
      }
    } catch (RuntimeException e) {
      // One broken run must not stop the sweep of the others; the next sweep tries again.
      LOG.log(Level.WARNING, "sweep of run " + runId + " failed", e);
    }
  }

  private record Repair(int examined, int recounted, int resent, int drainedShards) {}

  /**
   * Reads the tasks of every shard whose counter is not full (a full shard holds only counted,
   * terminal tasks), counts the terminal ones its counter misses, and sends again those overdue.
   */
  private Repair repairTasks(RunRecord run, Instant now, boolean queueIdle) {
    RunSpec spec = run.spec();
    Sharding sharding = spec.sharding();
    List<ShardCounters.Counted> counted = counters.counted(spec);
    List<Integer> fullShards = new ArrayList<>();
    List<CompletionTracker.Terminal> uncounted = new ArrayList<>();
    List<TaskDue> overdue = new ArrayList<>();
    int[] examined = {0};
    for (int shard = 0; shard < spec.shardCount(); shard++) {
      Set<Integer> countedHere = counted.get(shard).positions();
      int counterRound = counted.get(shard).round();
      if (counterRound < run.round() && run.redriveShards().contains(shard)) {
        continue; // the redrive has yet to reach this shard: see redriveStalled
      }
      if (countedHere.size() >= sharding.shardSize(shard)) {
        fullShards.add(shard);
        continue;
      }
      tasks.forEachDue(
          spec,
          shard,
          task -> {
            examined[0]++;
            if (task.status().isTerminal()) {
              // Its spoke counts it right after the batch; a task finished a margin ago is not.
              // One of an earlier round than its counter is stale: a redrive revives it.
              if (task.round() == counterRound
                  && !countedHere.contains(sharding.positionInShard(task.index()))
                  && (task.finishedAt() == null
                      || task.finishedAt().plus(stallMargin).isBefore(now))) {
                uncounted.add(
                    new CompletionTracker.Terminal(task.index(), task.status(), task.round()));
              }
            } else if (task.due().plus(stallMargin).isBefore(now)
                && (task.resentAt() == null
                    || task.resentAt()
                        .plus(resendSpacing(task.resends(), queueIdle))
                        .isBefore(now))) {
              overdue.add(task);
            }
          });
    }
    // A spoke that filled a shard's counter and died before recording the shard (or the run)
    // as drained leaves no message to redo it.
    int drainedShards = 0;
    if (!fullShards.isEmpty()
        && (!run.drainedShards().containsAll(fullShards)
            || fullShards.size() == spec.shardCount())) {
      completion.recordDrainedShards(spec, fullShards, run.round());
      drainedShards = fullShards.size();
    }
    if (!uncounted.isEmpty()) {
      completion.recordTerminals(spec, uncounted);
    }
    if (!overdue.isEmpty() && allSlotsHeld(spec)) {
      // Its waiting tasks are overdue by design: each has a delayed message or a place in the
      // waiting set. More copies would only wait too. Once a slot is free the sweep sends them.
      overdue.clear();
    }
    int settled = 0;
    if (!taskDispatch.resendsOverdue(spec)) {
      // Nothing to send: the claimable index offers them. A RUNNING one left by a dead worker of
      // a cancelled run, or on its last attempt, waits for a claim that may never come.
      for (TaskDue task : overdue) {
        if (task.status() == TaskStatus.RUNNING && pullWork.settleAbandoned(spec, task.index())) {
          settled++;
        }
      }
      overdue.clear();
    }
    List<Integer> resend = new ArrayList<>();
    for (TaskDue task : overdue) {
      if (tasks.markResent(spec, task)) {
        resend.add(task.index());
      }
    }
    taskDispatch.dispatch(spec, resend);
    if (!uncounted.isEmpty() || !resend.isEmpty()) {
      LOG.info(
          () ->
              "repaired run "
                  + spec.runId()
                  + ": recounted "
                  + uncounted.size()
                  + " terminal tasks, sent "
                  + resend.size()
                  + " overdue tasks again");
    }
    return new Repair(examined[0], uncounted.size() + settled, resend.size(), drainedShards);
  }

  /** Whether the run caps its concurrency and every slot is held by a hold that has not ended. */
  private boolean allSlotsHeld(RunSpec spec) {
    return spec.controls().capped() && slots.liveHolders(spec) >= spec.controls().maxConcurrency();
  }

  /**
   * How long after its last re-send an overdue task is sent again. With no message waiting in the
   * queue, nothing can be hiding its message: one stall margin. Behind a backlog its message may
   * just be waiting, so the wait doubles with each re-send (at most {@link #MAX_RESEND_INTERVAL}):
   * a few duplicates, which the claim drops, rather than one per sweep.
   */
  Duration resendSpacing(int resends, boolean queueIdle) {
    if (queueIdle) {
      return stallMargin;
    }
    Duration spacing = stallMargin.multipliedBy(1L << Math.min(resends, 20));
    return spacing.compareTo(MAX_RESEND_INTERVAL) > 0 ? MAX_RESEND_INTERVAL : spacing;
  }

  /** Whether the work queue holds no message waiting to be received; if unknown, it is not. */
  private boolean queueIdle() {
    try {
      return queue.waitingMessages() == 0;
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "could not read the work queue's backlog", e);
      return false;
    }
  }
}
