package io.hubspoke.worker;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * What a worker knows about the task it runs, and its one call back to the spoke: {@link
 * #heartbeat()}.
 *
 * <p>A task has until {@link #deadline()} (the run's {@code taskTimeoutSeconds}, or less if the
 * spoke invocation has less time left); the spoke interrupts the worker then. A worker that needs
 * longer calls {@link #heartbeat()} as it goes: each call that finds a third of the task timeout
 * passed since the last extension extends the task's lease, and the deadline with it, by the task
 * timeout again, up to what the spoke invocation has left. Calls in between cost nothing, so a
 * worker may call it in a loop. A {@code false} answer means stop: the task was taken over by
 * another spoke (whatever this attempt returns is discarded), or its run was cancelled or stopped
 * (what it returns is recorded; a retryable failure lets the run cancel the task).
 *
 * <p>It was a record; the accessors and the constructor without a lease are kept, so code written
 * against the record compiles unchanged.
 */
public final class TaskContext {
  private final String runId;
  private final String taskId;
  private final int taskIndex;
  private final int attempt;
  private final int maxAttempts;
  private final JsonNode item;
  private final JsonNode config;
  private final TaskLease lease;
  private final Clock clock;

  /** A context whose deadline never moves and whose heartbeats always hold (tests, tools). */
  public TaskContext(
      String runId,
      String taskId,
      int taskIndex,
      int attempt,
      int maxAttempts,
      JsonNode item,
      JsonNode config,
      Instant deadline,
      Clock clock) {
    this(
        runId,
        taskId,
        taskIndex,
        attempt,
        maxAttempts,
        item,
        config,
        TaskLease.fixed(Objects.requireNonNull(deadline, "deadline")),
        clock);
  }

  /** The spoke's context: the deadline and the heartbeats are the lease's. */
  public TaskContext(
      String runId,
      String taskId,
      int taskIndex,
      int attempt,
      int maxAttempts,
      JsonNode item,
      JsonNode config,
      TaskLease lease,
      Clock clock) {
    this.runId = runId;
    this.taskId = taskId;
    this.taskIndex = taskIndex;
    this.attempt = attempt;
    this.maxAttempts = maxAttempts;
    this.item = item;
    this.config = config;
    this.lease = Objects.requireNonNull(lease, "lease");
    this.clock = clock;
  }

  public String runId() {
    return runId;
  }

  public String taskId() {
    return taskId;
  }

  public int taskIndex() {
    return taskIndex;
  }

  /** 1 for the first attempt. */
  public int attempt() {
    return attempt;
  }

  public int maxAttempts() {
    return maxAttempts;
  }

  public JsonNode item() {
    return item;
  }

  public JsonNode config() {
    return config;
  }

  /** When the spoke stops waiting for this attempt, as it stands now: heartbeats move it. */
  public Instant deadline() {
    return lease.deadline();
  }

  public Clock clock() {
    return clock;
  }

  public Duration remaining() {
    Duration left = Duration.between(clock.instant(), deadline());
    return left.isNegative() ? Duration.ZERO : left;
  }

  /**
   * Tells the spoke this attempt is still at work: extends the task's lease (and its deadline) when
   * a third of the task timeout has passed since the last extension, never past what the spoke
   * invocation has left; otherwise only answers.
   *
   * @return true while this attempt holds the task and its run goes on; false: stop
   */
  public boolean heartbeat() {
    return lease.heartbeat();
  }

  @Override
  public String toString() {
    return "TaskContext[runId="
        + runId
        + ", taskId="
        + taskId
        + ", taskIndex="
        + taskIndex
        + ", attempt="
        + attempt
        + "/"
        + maxAttempts
        + ", deadline="
        + deadline()
        + "]";
  }
}
