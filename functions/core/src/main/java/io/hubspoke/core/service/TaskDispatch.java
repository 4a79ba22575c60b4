package io.hubspoke.core.service;

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
 *       the workers' claims find it once it is due.
 * </ul>
 */
public final class TaskDispatch {
  private static final Logger LOG = Logger.getLogger(TaskDispatch.class.getName());

  private final TaskQueue queue;
  private final SpokeInvoker spokes;

  public TaskDispatch(TaskQueue queue, SpokeInvoker spokes) {
    this.queue = queue;
    this.spokes = spokes;
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
    }
  }

  /** A task released for a retry: due after its backoff of {@code delaySeconds}. */
  public void dispatchLater(RunSpec spec, int taskIndex, int delaySeconds) {
    switch (spec.dispatch()) {
      // Lambda cannot delay an invocation: a push run's retry waits in the work queue, which the
      // spoke function drains too.
      case QUEUE, PUSH -> queue.sendDelayed(TaskMessage.of(spec, taskIndex), delaySeconds);
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
