package io.hubspoke.core.service;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hubspoke.contract.EventRules;
import io.hubspoke.contract.json.Json;
import io.hubspoke.core.events.EventPublisher;
import io.hubspoke.core.model.DispatchMessage;
import io.hubspoke.core.model.RunSpec;
import io.hubspoke.core.model.TaskStatus;
import io.hubspoke.core.queue.TaskQueue;
import io.hubspoke.core.store.RunRecord;
import io.hubspoke.core.store.RunStore;
import io.hubspoke.core.store.ShardCount;
import io.hubspoke.core.store.ShardCounters;
import io.hubspoke.core.store.TaskStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * Redrives a finished run: its tasks in the chosen statuses (FAILED, CANCELLED) run again, each
 * with a fresh set of attempts, in the run's next <em>round</em>; the run keeps its id, is RUNNING
 * again, drains, and is summarized as any run is. There is no limit on how often a run is redriven.
 *
 * <p>Counting stays exact because every count names its round:
 *
 * <ol>
 *   <li>The run record moves to the next round (conditional on the status and round read): it is
 *       RUNNING, its summary and drain are cleared, and the shards that hold tasks to redrive leave
 *       its drained set. Then one redrive message per shard goes to the dispatch queue.
 *   <li>Per shard, the counter moves to the round and drops the revived tasks' positions in one
 *       conditional write ({@link ShardCounters#beginRound}); only then are the tasks revived
 *       (FAILED/CANCELLED → PENDING in the round, conditional on their version) and their messages
 *       sent. A spoke late to count a task of an earlier round now fails the counter's round
 *       condition: a revived task is never counted twice, and its shard cannot drain before it is
 *       terminal again. A late drained-shard or drained-run write fails the run's round condition.
 *   <li>The sweep resumes a shard whose message was lost or whose hub died between revives: every
 *       step is conditional, so doing it twice does nothing.
 * </ol>
 *
 * Each task keeps its attempt history across rounds (each attempt names its round); attempts start
 * again at 1 in each round.
 */
public final class RunRedrive {
  private static final Logger LOG = Logger.getLogger(RunRedrive.class.getName());

  /**
   * What a redrive runs again when the request names no statuses: every task that did not succeed.
   */
  public static final Set<TaskStatus> DEFAULT_STATUSES =
      EnumSet.of(TaskStatus.FAILED, TaskStatus.CANCELLED);

  /** The statuses a redrive can run again. */
  public static final Set<TaskStatus> REDRIVABLE =
      EnumSet.of(TaskStatus.FAILED, TaskStatus.CANCELLED);

  private final RunStore runs;
  private final TaskStore tasks;
  private final ShardCounters counters;
  private final TaskDispatch taskDispatch;
  private final TaskQueue dispatchQueue;
  private final EventPublisher events;
  private final Clock clock;

  public RunRedrive(
      RunStore runs,
      TaskStore tasks,
      ShardCounters counters,
      TaskDispatch taskDispatch,
      TaskQueue dispatchQueue,
      EventPublisher events,
      Clock clock) {
    this.runs = runs;
    this.tasks = tasks;
    this.counters = counters;
    this.taskDispatch = taskDispatch;
    this.dispatchQueue = dispatchQueue;
    this.events = events;
    this.clock = clock;
  }

  /** What a redrive request found. */
  public sealed interface Result {
    /**
     * The run is RUNNING again in its next round.
     *
     * @param tasks how many tasks run again
     */
    record Redriven(RunRecord run, int tasks) implements Result {}

    record NotFound() implements Result {}

    /** The run has not finished: cancel it, or wait for it. */
    record NotFinished(RunRecord run) implements Result {}

    /** No task of the run is in the statuses asked for. */
    record NothingToRedrive(RunRecord run) implements Result {}

    /**
     * The run finished without all its tasks (its request could not be dispatched): there is
     * nothing consistent to run again; submit it again.
     */
    record NotRedrivable(RunRecord run, String reason) implements Result {}
  }

  /**
   * Starts the run's next round for its tasks in {@code statuses}.
   *
   * @param statuses a non-empty subset of {@link #REDRIVABLE}
   */
  public Result redrive(String runId, Set<TaskStatus> statuses) {
    if (statuses.isEmpty() || !REDRIVABLE.containsAll(statuses)) {
      throw new IllegalArgumentException("a redrive runs again FAILED or CANCELLED tasks");
    }
    for (int tries = 0; tries < 5; tries++) {
      Optional<RunRecord> found = runs.get(runId);
      if (found.isEmpty()) {
        return new Result.NotFound();
      }
      RunRecord run = found.get();
      if (!run.status().isTerminal()) {
        return new Result.NotFinished(run);
      }
      if (run.drainedAt() == null) {
        return new Result.NotRedrivable(
            run, "its request could not be dispatched, so not all of its tasks exist");
      }
      RunSpec spec = run.spec();
      Set<Integer> shards = new TreeSet<>();
      Map<Integer, Integer> failuresByShard = new TreeMap<>();
      int revivable = 0;
      for (ShardCount count : counters.counts(spec)) {
        int here =
            (statuses.contains(TaskStatus.FAILED) ? count.failed() : 0)
                + (statuses.contains(TaskStatus.CANCELLED) ? count.cancelled() : 0);
        if (here > 0) {
          shards.add(count.shard());
          revivable += here;
        }
        int failuresLeft = statuses.contains(TaskStatus.FAILED) ? 0 : count.failed();
        if (failuresLeft > 0) {
          failuresByShard.put(count.shard(), failuresLeft);
        }
      }
      if (revivable == 0) {
        return new Result.NothingToRedrive(run);
      }
      RunRecord.Redrive redrive =
          new RunRecord.Redrive(
              run.round() + 1,
              statuses.stream().map(Enum::name).collect(Collectors.toSet()),
              revivable,
              shards.size(),
              clock.instant());
      RunStore.RedriveResult result = runs.startRedrive(run, redrive, shards, failuresByShard);
      if (result instanceof RunStore.RedriveResult.Redriven redriven) {
        List<String> messages = new ArrayList<>(shards.size());
        for (int shard : shards) {
          messages.add(DispatchMessage.redrive(spec, shard, redrive.round()).toJson());
        }
        // If this fails part-way, the sweep resumes the shards whose messages never went.
        dispatchQueue.sendBodies(messages);
        publishRedriven(spec, redrive);
        return new Result.Redriven(redriven.run(), revivable);
      }
      // Changed between the read and the write (another redrive, say): read it again.
    }
    throw new IllegalStateException("run " + runId + " kept changing while it was redriven");
  }

  private void publishRedriven(RunSpec spec, RunRecord.Redrive redrive) {
    ObjectNode detail = Json.object();
    detail.put("runId", spec.runId());
    detail.put("round", redrive.round());
    ArrayNode statuses = detail.putArray("statuses");
    redrive.statuses().stream().sorted().forEach(statuses::add);
    detail.put("tasks", redrive.tasks());
    detail.put("redrivenAt", redrive.requestedAt().toString());
    try {
      events.publish(EventRules.RUN_REDRIVEN, detail);
    } catch (RuntimeException e) {
      // RunRedriven informs; the redrive itself is under way.
      LOG.log(Level.WARNING, "RunRedriven for " + spec.runId() + " was not published", e);
    }
  }

  /** The hub's redrive message: revives one shard's tasks, if the run is still in that round. */
  MessageOutcome redriveShard(DispatchMessage message) {
    Optional<RunRecord> found = runs.get(message.runId());
    if (found.isEmpty()
        || !found.get().spec().incarnation().equals(message.incarnation())
        || found.get().round() != message.round()) {
      return MessageOutcome.ACK; // gone, or a later round has taken over
    }
    redriveShard(found.get(), message.shard());
    return MessageOutcome.ACK;
  }

  /**
   * Moves one shard into the run's round and revives its tasks; idempotent.
   *
   * @return how many tasks this call revived
   */
  int redriveShard(RunRecord run, int shard) {
    RunSpec spec = run.spec();
    Set<TaskStatus> statuses = EnumSet.noneOf(TaskStatus.class);
    run.redriveStatuses().forEach(name -> statuses.add(TaskStatus.valueOf(name)));
    counters.beginRound(spec, shard, run.round(), statuses);
    List<Integer> revived = tasks.reviveShard(spec, shard, run.round(), statuses);
    taskDispatch.dispatch(spec, revived);
    return revived.size();
  }

  /**
   * The sweep's repair of a redrive: every shard of the round not yet drained is redriven again
   * (nothing happens to one already done).
   *
   * @return how many tasks it revived
   */
  int resume(RunRecord run) {
    int revived = 0;
    for (int shard : run.redriveShards()) {
      if (!run.drainedShards().contains(shard)) {
        revived += redriveShard(run, shard);
      }
    }
    if (revived > 0) {
      int count = revived;
      LOG.info(() -> "resumed the redrive of run " + run.runId() + ": revived " + count + " tasks");
    }
    return revived;
  }
}
