package io.hubspoke.core.service;

import io.hubspoke.contract.EventRules;
import io.hubspoke.contract.json.Json;
import io.hubspoke.core.events.EventPublisher;
import io.hubspoke.core.model.RunSpec;
import io.hubspoke.core.model.RunStatus;
import io.hubspoke.core.model.TaskStatus;
import io.hubspoke.core.store.RunRecord;
import io.hubspoke.core.store.RunStore;
import io.hubspoke.core.store.ShardCount;
import io.hubspoke.core.store.ShardCounters;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Detects, exactly once, that every task of a run is terminal, without a per-task write to the run
 * record:
 *
 * <ol>
 *   <li>each terminal task adds its position to its shard's counter (a number set: idempotent; the
 *       tasks one spoke batch finished share one write per shard);
 *   <li>the write that completes a shard adds the shard to the run's drained-shard set (one run
 *       write per shard, not per task);
 *   <li>the write that completes the set sets {@code drainedAt} conditionally; its one winner
 *       publishes {@code RunDrained}.
 * </ol>
 *
 * Every step is idempotent, so a spoke that dies between steps is repaired by the next delivery of
 * the same message (which finds the task terminal and calls {@link #recordTerminal} again).
 */
public final class CompletionTracker {
  private static final java.util.logging.Logger LOG =
      java.util.logging.Logger.getLogger(CompletionTracker.class.getName());

  private final ShardCounters counters;
  private final RunStore runs;
  private final EventPublisher events;

  public CompletionTracker(ShardCounters counters, RunStore runs, EventPublisher events) {
    this.counters = counters;
    this.runs = runs;
    this.events = events;
  }

  /** A task that reached a terminal status in redrive round {@code round} and must be counted. */
  public record Terminal(int taskIndex, TaskStatus status, int round) {
    /** A task of the run's first round. */
    public Terminal(int taskIndex, TaskStatus status) {
      this(taskIndex, status, 0);
    }
  }

  /**
   * @return true if this call detected that the run drained (and published {@code RunDrained})
   */
  public boolean recordTerminal(RunSpec spec, int taskIndex, TaskStatus status) {
    return recordTerminals(spec, List.of(new Terminal(taskIndex, status)));
  }

  /**
   * Counts terminal tasks of one run with one counter write per shard they fall in.
   *
   * @return true if this call detected that the run drained (and published {@code RunDrained})
   */
  public boolean recordTerminals(RunSpec spec, Collection<Terminal> terminals) {
    // By round, then shard: a batch may hold a late count of an earlier round beside fresh ones.
    Map<Integer, Map<Integer, Map<Integer, TaskStatus>>> byRoundAndShard = new TreeMap<>();
    for (Terminal terminal : terminals) {
      byRoundAndShard
          .computeIfAbsent(terminal.round(), r -> new TreeMap<>())
          .computeIfAbsent(spec.sharding().shardOf(terminal.taskIndex()), s -> new HashMap<>())
          .put(terminal.taskIndex(), terminal.status());
    }
    boolean drained = false;
    for (Map.Entry<Integer, Map<Integer, Map<Integer, TaskStatus>>> round :
        byRoundAndShard.entrySet()) {
      for (Map.Entry<Integer, Map<Integer, TaskStatus>> shard : round.getValue().entrySet()) {
        // Empty: the counter is in a later round, the tasks were revived since; nothing to count.
        Optional<ShardCount> count =
            counters.countTerminal(spec, shard.getKey(), round.getKey(), shard.getValue());
        if (count.isPresent()
            && spec.controls().tolerates()
            && shard.getValue().containsValue(TaskStatus.FAILED)) {
          checkTolerance(spec, round.getKey(), count.get());
        }
        if (count.isPresent() && count.get().drained()) {
          drained |= shardDrained(spec, count.get().shard(), round.getKey());
        }
      }
    }
    return drained;
  }

  /**
   * Records shards whose counters are full as drained, then the run if they all are: the sweep's
   * repair of a spoke that counted a shard's last task and died before these writes, with no
   * message left to redo them. Idempotent.
   *
   * @return true if this call detected that the run drained (and published {@code RunDrained})
   */
  public boolean recordDrainedShards(RunSpec spec, Collection<Integer> fullShards, int round) {
    boolean drained = false;
    for (int shard : fullShards) {
      drained |= shardDrained(spec, shard, round);
    }
    return drained;
  }

  /**
   * A run with a failure tolerance: records the shard's failed count on the run (one write, which
   * returns the run's total) and stops the run if its failures passed the tolerance.
   */
  private void checkTolerance(RunSpec spec, int round, ShardCount count) {
    runs.recordShardFailures(spec, round, count.shard(), count.failed())
        .ifPresent(this::stopIfIntolerable);
  }

  /**
   * Stops the run as a cancel does, with the reason, if its failures passed its tolerance: no task
   * of it starts any more (the gate is closed before this returns), waiting ones are cancelled by
   * the sweep or meet the gate, and the run ends FAILED. Idempotent; a run already cancelling or
   * finished is left alone.
   *
   * @return whether this call stopped it
   */
  public boolean stopIfIntolerable(RunRecord run) {
    RunSpec spec = run.spec();
    int failed = run.failuresRecorded();
    if (!spec.controls().exceeded(failed, spec.total())
        || !run.status().canTransitionTo(RunStatus.CANCELLING)) {
      return false;
    }
    RunStore.CancelResult result =
        runs.requestCancel(spec.runId(), spec.controls().exceededReason(failed, spec.total()));
    if (result instanceof RunStore.CancelResult.Cancelling cancelling) {
      runs.closeGate(spec, cancelling.run().round());
      if (cancelling.first()) {
        LOG.info(() -> "stopped run " + spec.runId() + ": " + cancelling.run().stopReason());
      }
      return cancelling.first();
    }
    return false;
  }

  private boolean shardDrained(RunSpec spec, int shard, int round) {
    // The run as this write left it: a discovered run's shard count is final only once discovery
    // has ended, and the end of discovery checks the shards drained before it (see runDrained).
    // Empty: the run is in a later round, which reopened the shard.
    return runs.addDrainedShard(spec, shard, round).map(this::runDrained).orElse(false);
  }

  /**
   * Marks {@code run} drained if every one of its shards is, and its shard count is final. The end
   * of a discovery calls it with the run its last write returned: shards that drained while the
   * total was unknown could not.
   *
   * @return true if this call detected that the run drained (and published {@code RunDrained})
   */
  public boolean runDrained(RunRecord run) {
    RunSpec spec = run.spec();
    if (!spec.totalKnown() || run.drainedShards().size() < spec.shardCount()) {
      return false;
    }
    if (!runs.markDrained(spec, "drain/" + UUID.randomUUID(), run.round())) {
      return false;
    }
    announceDrained(spec.runId());
    return true;
  }

  public void announceDrained(String runId) {
    events.publish(EventRules.RUN_DRAINED, Json.object().put("runId", runId));
  }
}
