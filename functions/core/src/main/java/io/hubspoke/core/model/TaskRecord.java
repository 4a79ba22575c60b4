package io.hubspoke.core.model;

import java.time.Instant;

/**
 * A task item as stored. Fields that a state does not use are null.
 *
 * @param attempt the attempt number within the current round
 * @param round the redrive round the task's current attempts belong to (0 until a redrive revives
 *     it)
 * @param historyBase where the current round's attempts start in {@code history}
 */
public record TaskRecord(
    String runId,
    int index,
    TaskStatus status,
    int attempt,
    long version,
    String owner,
    Instant leaseUntil,
    String itemJson,
    String resultJson,
    String errorType,
    String errorMessage,
    Instant startedAt,
    Instant finishedAt,
    Long durationMs,
    java.util.List<TaskAttempt> history,
    int round,
    int historyBase) {

  public TaskRecord {
    history = history == null ? java.util.List.of() : java.util.List.copyOf(history);
  }

  public String taskId() {
    return RunIds.taskId(runId, index);
  }

  public boolean leaseExpiredAt(Instant now) {
    return leaseUntil == null || !leaseUntil.isAfter(now);
  }
}
