package io.hubspoke.core.service;

import io.hubspoke.core.model.RunSpec;
import io.hubspoke.core.model.TaskMessage;
import io.hubspoke.core.queue.TaskQueue;
import java.util.List;

/**
 * Makes PENDING tasks reach a worker, the way their run's {@code dispatch} says: the one place the
 * dispatcher, a redrive, the sweep and a spoke's retry go through once a task is due.
 *
 * <ul>
 *   <li>queue: one message per task on the work queue, which the spokes drain;
 *   <li>pull: nothing to send: the task's own writes keep it in the table's claimable index, where
 *       the workers' claims find it once it is due.
 * </ul>
 */
public final class TaskDispatch {
  private final TaskQueue queue;

  public TaskDispatch(TaskQueue queue) {
    this.queue = queue;
  }

  /** Tasks that are due now: written, revived, or overdue. */
  public void dispatch(RunSpec spec, List<Integer> taskIndexes) {
    if (taskIndexes.isEmpty()) {
      return;
    }
    switch (spec.dispatch()) {
      case QUEUE -> queue.send(taskIndexes.stream().map(i -> TaskMessage.of(spec, i)).toList());
      case PULL -> {
        // In the claimable index since their last write.
      }
    }
  }

  /** A task released for a retry: due after its backoff of {@code delaySeconds}. */
  public void dispatchLater(RunSpec spec, int taskIndex, int delaySeconds) {
    switch (spec.dispatch()) {
      case QUEUE -> queue.sendDelayed(TaskMessage.of(spec, taskIndex), delaySeconds);
      case PULL -> {
        // The release set when the index offers it again.
      }
    }
  }

  /**
   * Whether an overdue task of the run is sent again by the sweep. A pull run's task is never lost:
   * the claimable index offers it until it is terminal, whether or not a worker comes.
   */
  public boolean resendsOverdue(RunSpec spec) {
    return !spec.dispatch().claimsFromIndex();
  }
}
