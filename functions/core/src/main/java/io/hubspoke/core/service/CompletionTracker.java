package io.hubspoke.core.service;

import io.hubspoke.contract.EventRules;
import io.hubspoke.contract.json.Json;
import io.hubspoke.core.events.EventPublisher;
import io.hubspoke.core.model.RunSpec;
import io.hubspoke.core.model.TaskStatus;
import io.hubspoke.core.store.RunRecord;
import io.hubspoke.core.store.RunStore;
import io.hubspoke.core.store.ShardCount;
import io.hubspoke.core.store.ShardCounters;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
  private final ShardCounters counters;
  private final RunStore runs;
  private final EventPublisher events;

  public CompletionTracker(ShardCounters counters, RunStore runs, EventPublisher events) {
    this.counters = counters;
    this.runs = runs;
    this.events = events;
  }

  /** A task that reached a terminal status and must be counted. */
  public record Terminal(int taskIndex, TaskStatus status) {}

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
    Map<Integer, Map<Integer, TaskStatus>> byShard = new TreeMap<>();
    for (Terminal terminal : terminals) {
      byShard
          .computeIfAbsent(spec.sharding().shardOf(terminal.taskIndex()), s -> new HashMap<>())
          .put(terminal.taskIndex(), terminal.status());
    }
    boolean drained = false;
    for (Map.Entry<Integer, Map<Integer, TaskStatus>> shard : byShard.entrySet()) {
      ShardCount count = counters.countTerminal(spec, shard.getKey(), shard.getValue());
      if (count.drained()) {
        drained |= shardDrained(spec, count.shard());
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
  public boolean recordDrainedShards(RunSpec spec, Collection<Integer> fullShards) {
    boolean drained = false;
    for (int shard : fullShards) {
      drained |= shardDrained(spec, shard);
    }
    return drained;
  }

  private boolean shardDrained(RunSpec spec, int shard) {
    // The run as this write left it: a discovered run's shard count is final only once discovery
    // has ended, and the end of discovery checks the shards drained before it (see runDrained).
    return runDrained(runs.addDrainedShard(spec, shard));
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
    if (!runs.markDrained(spec, "drain/" + UUID.randomUUID())) {
      return false;
    }
    announceDrained(spec.runId());
    return true;
  }

  public void announceDrained(String runId) {
    events.publish(EventRules.RUN_DRAINED, Json.object().put("runId", runId));
  }
}
