package io.hubspoke.core.service;

import io.hubspoke.contract.EventRules;
import io.hubspoke.contract.json.Json;
import io.hubspoke.core.events.EventPublisher;
import io.hubspoke.core.model.DispatchMessage;
import io.hubspoke.core.model.RunSpec;
import io.hubspoke.core.model.RunStatus;
import io.hubspoke.core.model.TaskStatus;
import io.hubspoke.core.store.RunRecord;
import io.hubspoke.core.store.RunStore;
import io.hubspoke.core.store.TaskStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Cancels a run: no task of it starts once the cancel is acknowledged; tasks running finish (or hit
 * their deadline); the rest become CANCELLED; the run is then summarized and ends CANCELLED.
 *
 * <ol>
 *   <li>The run record moves to CANCELLING (a discovering run's discovery ends there, its total
 *       what it had checkpointed).
 *   <li>The run's gate item is written. Every spoke reads it after claiming a task and before
 *       running it, so a claim that reads it after this write gives the task up unrun (RUNNING →
 *       CANCELLED); only then is the cancel answered.
 *   <li>A cancel message on the dispatch queue makes the hub walk the run's tasks and cancel the
 *       PENDING ones (a conditional write on the version read: a task claimed meanwhile is left to
 *       its spoke, which meets the gate), so that tasks waiting out a retry backoff do not hold the
 *       run open; the sweep does the same for a cancelling run, in case the message is lost.
 * </ol>
 *
 * Tasks not yet created (chunks not dispatched) are still created, so the run's total and its
 * completion counters need no special case: a chunk the dispatcher writes after the cancel has its
 * tasks written CANCELLED and counted; one already under way sends its messages, and the spokes
 * give those tasks up at their claims.
 */
public final class RunCancellation {
  private static final Logger LOG = Logger.getLogger(RunCancellation.class.getName());

  private final RunStore runs;
  private final TaskStore tasks;
  private final CompletionTracker completion;
  private final RunDispatcher dispatcher;
  private final RunDiscovery discovery;
  private final EventPublisher events;

  public RunCancellation(
      RunStore runs,
      TaskStore tasks,
      CompletionTracker completion,
      RunDispatcher dispatcher,
      RunDiscovery discovery,
      EventPublisher events) {
    this.runs = runs;
    this.tasks = tasks;
    this.completion = completion;
    this.dispatcher = dispatcher;
    this.discovery = discovery;
    this.events = events;
  }

  /** Idempotent: a run already cancelling is reported as it is. */
  public RunStore.CancelResult cancel(String runId) {
    RunStore.CancelResult result = runs.requestCancel(runId);
    if (result instanceof RunStore.CancelResult.Cancelling cancelling) {
      RunSpec spec = cancelling.run().spec();
      runs.closeGate(spec, cancelling.run().round());
      if (cancelling.first()) {
        try {
          events.publish(
              EventRules.RUN_CANCELLED,
              Json.object()
                  .put("runId", spec.runId())
                  .put("cancelRequestedAt", cancelling.run().cancelRequestedAt().toString()));
        } catch (RuntimeException e) {
          // RunCancelled informs; the cancel itself is done.
          LOG.log(Level.WARNING, "RunCancelled for " + spec.runId() + " was not published", e);
        }
      }
      dispatcher.requestCancelSweep(spec);
    }
    return result;
  }

  /** The hub's cancel message: finishes what the cancel started, from the run as it is now. */
  MessageOutcome sweep(DispatchMessage message) {
    Optional<RunRecord> found = runs.get(message.runId());
    if (found.isEmpty()
        || !found.get().spec().incarnation().equals(message.incarnation())
        || found.get().status() != RunStatus.CANCELLING) {
      return MessageOutcome.ACK;
    }
    cancelWaiting(found.get());
    return MessageOutcome.ACK;
  }

  /**
   * Cancels every PENDING task of a cancelling run and counts them; for a run whose discovery the
   * cancel ended, first does what the end of a discovery does (its total is now final). Idempotent.
   *
   * @return the tasks this call cancelled
   */
  int cancelWaiting(RunRecord run) {
    RunSpec spec = run.spec();
    runs.closeGate(spec, run.round());
    // Once drained, the end of its discovery was seen to (its writes are idempotent, not free).
    if (run.discovery() != null && run.drainedAt() == null) {
      discovery.ended(run);
    }
    List<CompletionTracker.Terminal> cancelled = new ArrayList<>();
    for (int shard = 0; shard < spec.shardCount(); shard++) {
      tasks.forEachDue(
          spec,
          shard,
          task -> {
            if (task.status() == TaskStatus.PENDING
                && tasks.cancelPending(spec, task.index(), task.version())) {
              cancelled.add(
                  new CompletionTracker.Terminal(task.index(), TaskStatus.CANCELLED, task.round()));
            }
          });
    }
    if (!cancelled.isEmpty()) {
      completion.recordTerminals(spec, cancelled);
      LOG.info(() -> "cancelled " + cancelled.size() + " waiting tasks of run " + spec.runId());
    }
    return cancelled.size();
  }
}
