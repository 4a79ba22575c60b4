package io.hubspoke.chaos;

import io.hubspoke.local.LocalRuntime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What happened to each task: every worker execution (the side effects, with task id and attempt),
 * as the workers report them, and every write DynamoDB applied to a task item, from the table's
 * change stream ({@link ChangeLog}). The invariant checker reads it.
 */
public final class Journal implements AutoCloseable {
  private final Map<String, List<String>> executions = new ConcurrentHashMap<>();
  private final List<LateCommit> lateCommits = new CopyOnWriteArrayList<>();
  private volatile ChangeLog changes;

  /**
   * Starts recording the writes applied to the runtime's table. Call it before submitting the runs
   * to check: writes made before are not seen.
   */
  public Journal watch(LocalRuntime runtime) {
    if (changes != null) {
      throw new IllegalStateException("this journal already watches a runtime");
    }
    changes = ChangeLog.attach(runtime);
    return this;
  }

  public void execution(String taskId, int attempt) {
    executions.computeIfAbsent(taskId, k -> new CopyOnWriteArrayList<>()).add("attempt " + attempt);
  }

  public Map<String, List<String>> executions() {
    return executions;
  }

  /**
   * A result a pull worker sent under a claim whose lease had ended and that another claim had
   * taken over, and the hub's answer: it must be refused (409 {@code LeaseLost}) and land nothing.
   *
   * @param owner the owner of the claim the result was sent under ({@code pull:<worker>/<uuid>})
   * @param status the HTTP status of the answer
   * @param error the answer's {@code error} (empty if none)
   */
  public record LateCommit(
      String runId, int index, int round, int attempt, String owner, int status, String error) {}

  public void lateCommit(LateCommit commit) {
    lateCommits.add(commit);
  }

  /** The late commits of the run's tasks, in the order sent. */
  public List<LateCommit> lateCommits(String runId) {
    return lateCommits.stream().filter(c -> c.runId().equals(runId)).toList();
  }

  /**
   * The writes DynamoDB applied to the run's task items, in the order applied.
   *
   * @throws IllegalStateException unless {@link #watch} was called
   */
  public List<ChangeLog.Change> taskChanges(String runId) {
    if (changes == null) {
      throw new IllegalStateException(
          "the journal does not see the table's writes: call journal.watch(runtime) before"
              + " submitting the run");
    }
    return changes.taskChanges(runId);
  }

  public void clear() {
    executions.clear();
    lateCommits.clear();
  }

  @Override
  public void close() {
    if (changes != null) {
      changes.close();
    }
  }
}
