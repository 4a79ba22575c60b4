package io.hubspoke.core.service;

import io.hubspoke.core.aws.TaskQueue;
import io.hubspoke.core.model.RunSpec;
import io.hubspoke.core.model.RunStatus;
import io.hubspoke.core.model.TaskMessage;
import io.hubspoke.core.model.TaskRecord;
import io.hubspoke.core.model.TaskStatus;
import io.hubspoke.core.store.RunRecord;
import io.hubspoke.core.store.RunStore;
import io.hubspoke.core.store.ShardCount;
import io.hubspoke.core.store.TaskStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The periodic safety net behind the event-driven path. For each unfinished run it:
 *
 * <ul>
 *   <li>resumes a dispatch that made no progress for the stall margin, from the run's durable
 *       request (its chunk messages were never sent, or were dead-lettered), or fails the run if
 *       that is impossible;
 *   <li>summarizes a run that drained but was not summarized (its {@code RunDrained} event was
 *       lost, or its collector died and the summary lease expired), and re-publishes a lost {@code
 *       RunCompleted};
 *   <li>reconciles a run that made no progress for longer than a task can take: counts terminal
 *       tasks missing from the counters, and re-sends the message of every PENDING task and of
 *       every RUNNING task whose lease expired (their messages were lost or dead-lettered).
 * </ul>
 *
 * Every action is idempotent, so sweeps may overlap with the normal path and with each other.
 */
public final class RunSweeper {
  private static final Logger LOG = Logger.getLogger(RunSweeper.class.getName());

  /** What one sweep did, for logs and tests. */
  public record Report(
      int runsExamined,
      int summarized,
      int dispatchesResumed,
      int reconciled,
      int tasksRecounted,
      int messagesResent) {}

  private final RunStore runs;
  private final TaskStore tasks;
  private final TaskQueue queue;
  private final CompletionTracker completion;
  private final RunSummarizer summarizer;
  private final RunDispatcher dispatcher;
  private final Clock clock;
  private final Duration lookback;
  private final Duration stallMargin;

  public RunSweeper(
      RunStore runs,
      TaskStore tasks,
      TaskQueue queue,
      CompletionTracker completion,
      RunSummarizer summarizer,
      RunDispatcher dispatcher,
      Clock clock,
      Duration lookback,
      Duration stallMargin) {
    this.runs = runs;
    this.tasks = tasks;
    this.queue = queue;
    this.completion = completion;
    this.summarizer = summarizer;
    this.dispatcher = dispatcher;
    this.clock = clock;
    this.lookback = lookback;
    this.stallMargin = stallMargin;
  }

  public Report sweep() {
    Instant now = clock.instant();
    int examined = 0;
    int summarized = 0;
    int resumed = 0;
    int reconciled = 0;
    int recounted = 0;
    int resent = 0;
    for (RunRecord run : runs.unfinishedSince(now.minus(lookback))) {
      examined++;
      try {
        if (run.status().isTerminal() || run.drainedAt() != null) {
          if (summarizer.summarize(run.runId()) == RunSummarizer.Outcome.SUMMARIZED) {
            summarized++;
          }
          continue;
        }
        if (run.status() == RunStatus.DISPATCHING
            && run.dispatchProgressAt().plus(stallMargin).isBefore(now)) {
          dispatcher.resume(run);
          resumed++;
        }
        if (stalled(run, now)) {
          int[] counts = reconcile(run.spec(), now);
          reconciled++;
          recounted += counts[0];
          resent += counts[1];
        }
      } catch (RuntimeException e) {
        // One broken run must not stop the sweep of the others; the next sweep tries again.
        LOG.log(Level.WARNING, "sweep of run " + run.runId() + " failed", e);
      }
    }
    return new Report(examined, summarized, resumed, reconciled, recounted, resent);
  }

  /** No counter moved for longer than a task may take, including its lease grace. */
  private boolean stalled(RunRecord run, Instant now) {
    Instant lastProgress =
        tasks.counts(run.spec()).stream()
            .map(ShardCount::updatedAt)
            .filter(Objects::nonNull)
            .max(Instant::compareTo)
            .orElse(run.spec().createdAt());
    if (run.dispatchedAt() != null && run.dispatchedAt().isAfter(lastProgress)) {
      lastProgress = run.dispatchedAt();
    }
    Duration quiet = Duration.ofSeconds(run.spec().taskTimeoutSeconds()).plus(stallMargin);
    return lastProgress.plus(quiet).isBefore(now);
  }

  private int[] reconcile(RunSpec spec, Instant now) {
    List<TaskRecord> terminal = new ArrayList<>();
    List<TaskMessage> resend = new ArrayList<>();
    tasks.forEachTask(
        spec,
        task -> {
          if (task.status().isTerminal()) {
            terminal.add(task);
          } else if (task.status() == TaskStatus.PENDING || task.leaseExpiredAt(now)) {
            resend.add(TaskMessage.of(spec, task.index()));
          }
        });
    if (!terminal.isEmpty()) {
      completion.recordTerminals(
          spec,
          terminal.stream()
              .map(t -> new CompletionTracker.Terminal(t.index(), t.status()))
              .toList());
    }
    queue.send(resend);
    LOG.info(
        () ->
            "reconciled stalled run "
                + spec.runId()
                + ": recounted "
                + terminal.size()
                + " terminal tasks, re-sent "
                + resend.size()
                + " messages");
    return new int[] {terminal.size(), resend.size()};
  }
}
