package io.hubspoke.core.service;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hubspoke.contract.EventRules;
import io.hubspoke.contract.json.Json;
import io.hubspoke.core.events.EventPublisher;
import io.hubspoke.core.model.RunSpec;
import io.hubspoke.core.model.TaskMessage;
import io.hubspoke.core.queue.SpokeInvoker;
import io.hubspoke.core.queue.TaskQueue;
import java.util.List;
import java.util.logging.Logger;

/**
 * Makes PENDING tasks reach a worker, the way their run's {@code dispatch} says: the one place the
 * dispatcher, a redrive, the sweep and a spoke's retry go through once a task is due.
 *
 * <ul>
 *   <li>queue: one message per task on the work queue, which the spokes drain;
 *   <li>push: the spoke function invoked asynchronously, ten tasks per invocation ({@link
 *       SpokeInvoker}). A delayed re-dispatch (a retry's backoff) is a delayed message on the work
 *       queue, which the spokes drain as well: Lambda cannot delay an invocation, SQS can;
 *   <li>pull: nothing to send: the task's own writes keep it in the table's claimable index, where
 *       the workers' claims find it once it is due;
 *   <li>hybrid: one {@code WorkAvailable} event per call, naming the run and the shards that hold
 *       the tasks; the spoke it wakes claims from the claimable index until none is left.
 * </ul>
 */
public final class TaskDispatch {
  private static final Logger LOG = Logger.getLogger(TaskDispatch.class.getName());

  private final TaskQueue queue;
  private final SpokeInvoker spokes;
  private final EventPublisher events;

  public TaskDispatch(TaskQueue queue, SpokeInvoker spokes, EventPublisher events) {
    this.queue = queue;
    this.spokes = spokes;
    this.events = events;
  }

  /** Tasks that are due now: written, revived, or overdue. */
  public void dispatch(RunSpec spec, List<Integer> taskIndexes) {
    if (taskIndexes.isEmpty()) {
      return;
    }
    switch (spec.dispatch()) {
      case QUEUE -> queue.send(taskIndexes.stream().map(i -> TaskMessage.of(spec, i)).toList());
      case PUSH -> {
        // Not thrown: the tasks are written, PENDING and due, which is all the sweep needs to
        // find them overdue and push them again; failing the caller (a chunk's dispatch) would
        // only repeat the invocations that were accepted.
        List<Integer> left = spokes.push(spec, taskIndexes);
        if (!left.isEmpty()) {
          LOG.warning(
              () ->
                  "push run "
                      + spec.runId()
                      + ": "
                      + left.size()
                      + " of "
                      + taskIndexes.size()
                      + " tasks were not handed to the spoke function and are left to the sweep: "
                      + left);
        }
      }
      case PULL -> {
        // In the claimable index since their last write.
      }
      case HYBRID -> events.publish(EventRules.WORK_AVAILABLE, workAvailable(spec, taskIndexes));
    }
  }

  /**
   * {@code {runId, incarnation, count, shards: {from, to}}}: the shards that hold the tasks, where
   * the woken spoke starts claiming.
   */
  static ObjectNode workAvailable(RunSpec spec, List<Integer> taskIndexes) {
    int from = Integer.MAX_VALUE;
    int to = 0;
    for (int index : taskIndexes) {
      int shard = spec.sharding().shardOf(index);
      from = Math.min(from, shard);
      to = Math.max(to, shard);
    }
    ObjectNode detail =
        Json.object()
            .put("runId", spec.runId())
            .put("incarnation", spec.incarnation())
            .put("count", taskIndexes.size());
    detail.putObject("shards").put("from", from).put("to", to);
    return detail;
  }

  /**
   * A task released for a retry: due after its backoff of {@code delaySeconds}. A hybrid run's
   * spoke keeps claiming while a task of its run comes due within its invocation, and the sweep
   * wakes one for a task that came due later.
   */
  public void dispatchLater(RunSpec spec, int taskIndex, int delaySeconds) {
    switch (spec.dispatch()) {
      // Lambda cannot delay an invocation: a push run's retry waits in the work queue, which the
      // spoke function drains too.
      case QUEUE, PUSH -> queue.sendDelayed(TaskMessage.of(spec, taskIndex), delaySeconds);
      case PULL, HYBRID -> {
        // The release set when the index offers it again.
      }
    }
  }

  /**
   * Whether an overdue task of the run is dispatched again by the sweep. A pull run's task is never
   * lost: the claimable index offers it until it is terminal, whether or not a worker comes.
   */
  public boolean resendsOverdue(RunSpec spec) {
    return spec.dispatch() != io.hubspoke.contract.api.Dispatch.PULL;
  }
}
