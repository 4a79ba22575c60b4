package io.hubspoke.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import io.hubspoke.contract.api.RetryPolicy;
import io.hubspoke.contract.api.RunControls;
import io.hubspoke.contract.api.RunSource;
import java.time.Instant;
import java.util.List;

/**
 * The immutable part of a run: what to do for each task, fixed when the run is created. A
 * discovered run ({@link #discovery}) also learns its items after creation: each checkpoint of its
 * discovery adds chunks, and the end fixes its total; what a spec has said never changes.
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
    Instant expiresAt,
    Discovery discovery,
    RetryPolicy retry,
    RunControls controls) {

  public RunSpec {
    retry = retry == null ? RetryPolicy.DEFAULT : retry;
    controls = controls == null ? RunControls.NONE : controls;
  }

  /** A run with no failure tolerance nor concurrency cap. */
  public RunSpec(
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
      Instant expiresAt,
      Discovery discovery,
      RetryPolicy retry) {
    this(
        runId,
        incarnation,
        worker,
        workerConfig,
        maxAttempts,
        taskTimeoutSeconds,
        total,
        shardCount,
        chunkSize,
        createdAt,
        expiresAt,
        discovery,
        retry,
        RunControls.NONE);
  }

  /** A discovered run, or one of given items ({@code discovery} null), with today's backoff. */
  public RunSpec(
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
      Instant expiresAt,
      Discovery discovery) {
    this(
        runId,
        incarnation,
        worker,
        workerConfig,
        maxAttempts,
        taskTimeoutSeconds,
        total,
        shardCount,
        chunkSize,
        createdAt,
        expiresAt,
        discovery,
        RetryPolicy.DEFAULT);
  }

  /** The same run held in by {@code controls} instead. */
  public RunSpec withControls(RunControls controls) {
    return new RunSpec(
        runId,
        incarnation,
        worker,
        workerConfig,
        maxAttempts,
        taskTimeoutSeconds,
        total,
        shardCount,
        chunkSize,
        createdAt,
        expiresAt,
        discovery,
        retry,
        controls);
  }

  /**
   * A discovered run's progress, as far as the read that made this spec saw it. Until discovery
   * ends, {@code total} counts the tasks discovered so far and {@code shardCount} the shards that
   * hold them; both are final once {@code ended}.
   *
   * @param source where the items come from
   * @param chunkStarts the first task index of each chunk written so far, in chunk order
   * @param ended whether discovery is over (the total is final)
   */
  public record Discovery(RunSource source, List<Integer> chunkStarts, boolean ended) {
    public Discovery {
      chunkStarts = List.copyOf(chunkStarts);
    }
  }

  /** A run of given items: everything is known at creation. */
  public RunSpec(
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
    this(
        runId,
        incarnation,
        worker,
        workerConfig,
        maxAttempts,
        taskTimeoutSeconds,
        total,
        shardCount,
        chunkSize,
        createdAt,
        expiresAt,
        null);
  }

  public boolean discovered() {
    return discovery != null;
  }

  /** Whether {@code total}, {@code shardCount} and {@link #chunkCount} are final. */
  public boolean totalKnown() {
    return discovery == null || discovery.ended();
  }

  public Sharding sharding() {
    return discovery == null
        ? new Sharding(total, shardCount)
        : Sharding.contiguous(discovery.ended() ? total : Sharding.UNKNOWN, total);
  }

  /** Whether a message names this run (a message without an incarnation names the current one). */
  public boolean matches(TaskMessage message) {
    return runId.equals(message.runId())
        && (message.incarnation() == null || incarnation.equals(message.incarnation()));
  }

  public int chunkCount() {
    return discovery != null ? discovery.chunkStarts().size() : (total + chunkSize - 1) / chunkSize;
  }

  /** Index of the first task of {@code chunk}. */
  public int chunkStart(int chunk) {
    return discovery != null ? discovery.chunkStarts().get(chunk) : chunk * chunkSize;
  }

  /** Tasks in {@code chunk}. */
  public int chunkLength(int chunk) {
    if (discovery != null) {
      int end = chunk + 1 < chunkCount() ? chunkStart(chunk + 1) : total;
      return end - chunkStart(chunk);
    }
    return Math.min(total, chunkStart(chunk) + chunkSize) - chunkStart(chunk);
  }

  /** The tasks that exist once the chunks in {@code dispatched} are dispatched. */
  public int tasksIn(java.util.Collection<Integer> dispatched) {
    return dispatched.stream().filter(c -> c < chunkCount()).mapToInt(this::chunkLength).sum();
  }
}
