package io.hubspoke.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * The immutable part of a run: what to do for each task, fixed when the run is created.
 *
 * @param incarnation random per created run: every item of the run other than the run record is
 *     keyed by run id and incarnation, so a run created again under the same id (its idempotency
 *     key reused after the first run expired) never meets the items of the first
 * @param chunkSize items per dispatch chunk (the last chunk may hold fewer)
 * @param expiresAt when DynamoDB TTL may delete every item of the run (the same for all of them)
 */
public record RunSpec(
    String runId,
    String incarnation,
    String worker,
    JsonNode workerConfig,
    int maxAttempts,
    int taskTimeoutSeconds,
    int total,
    int shardCount,
    int chunkSize,
    Instant createdAt,
    Instant expiresAt) {

  public Sharding sharding() {
    return new Sharding(total, shardCount);
  }

  /** Whether a message names this run (a message without an incarnation names the current one). */
  public boolean matches(TaskMessage message) {
    return runId.equals(message.runId())
        && (message.incarnation() == null || incarnation.equals(message.incarnation()));
  }

  public int chunkCount() {
    return (total + chunkSize - 1) / chunkSize;
  }

  /** Index of the first task of {@code chunk}. */
  public int chunkStart(int chunk) {
    return chunk * chunkSize;
  }

  /** Tasks in {@code chunk}. */
  public int chunkLength(int chunk) {
    return Math.min(total, chunkStart(chunk) + chunkSize) - chunkStart(chunk);
  }

  /** The tasks that exist once the chunks in {@code dispatched} are dispatched. */
  public int tasksIn(java.util.Collection<Integer> dispatched) {
    return dispatched.stream().mapToInt(this::chunkLength).sum();
  }
}
