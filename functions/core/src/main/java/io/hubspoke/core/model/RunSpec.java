package io.hubspoke.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import io.hubspoke.contract.api.Dispatch;
import io.hubspoke.contract.api.RetryPolicy;
import io.hubspoke.contract.api.RunControls;
import io.hubspoke.contract.api.RunSource;
import io.hubspoke.contract.json.Json;
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
 * @param dispatch how its tasks reach their workers
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
    RunControls controls,
    Dispatch dispatch) {

  public RunSpec {
    retry = retry == null ? RetryPolicy.DEFAULT : retry;
    controls = controls == null ? RunControls.NONE : controls;
    dispatch = dispatch == null ? Dispatch.QUEUE : dispatch;
  }

  /** A spec built field by field: the record's canonical constructor, with names and defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Builds a {@link RunSpec}. Required: run id, incarnation, worker, createdAt, expiresAt.
   * Defaults: an empty worker config, 3 attempts, a 60 s task timeout, no tasks, the shards {@code
   * total} needs, chunks of 50, items given (no discovery), the default retry policy, no controls,
   * queue dispatch.
   */
  public static final class Builder {
    private String runId;
    private String incarnation;
    private String worker;
    private JsonNode workerConfig = Json.object();
    private int maxAttempts = 3;
    private int taskTimeoutSeconds = 60;
    private int total;
    private Integer shardCount;
    private int chunkSize = 50;
    private Instant createdAt;
    private Instant expiresAt;
    private Discovery discovery;
    private RetryPolicy retry = RetryPolicy.DEFAULT;
    private RunControls controls = RunControls.NONE;
    private Dispatch dispatch = Dispatch.QUEUE;

    private Builder() {}

    public Builder runId(String runId) {
      this.runId = runId;
      return this;
    }

    public Builder incarnation(String incarnation) {
      this.incarnation = incarnation;
      return this;
    }

    public Builder worker(String worker) {
      this.worker = worker;
      return this;
    }

    public Builder workerConfig(JsonNode workerConfig) {
      this.workerConfig = workerConfig;
      return this;
    }

    public Builder maxAttempts(int maxAttempts) {
      this.maxAttempts = maxAttempts;
      return this;
    }

    public Builder taskTimeoutSeconds(int taskTimeoutSeconds) {
      this.taskTimeoutSeconds = taskTimeoutSeconds;
      return this;
    }

    public Builder total(int total) {
      this.total = total;
      return this;
    }

    public Builder shardCount(int shardCount) {
      this.shardCount = shardCount;
      return this;
    }

    public Builder chunkSize(int chunkSize) {
      this.chunkSize = chunkSize;
      return this;
    }

    public Builder createdAt(Instant createdAt) {
      this.createdAt = createdAt;
      return this;
    }

    public Builder expiresAt(Instant expiresAt) {
      this.expiresAt = expiresAt;
      return this;
    }

    public Builder discovery(Discovery discovery) {
      this.discovery = discovery;
      return this;
    }

    public Builder retry(RetryPolicy retry) {
      this.retry = retry;
      return this;
    }

    public Builder controls(RunControls controls) {
      this.controls = controls;
      return this;
    }

    public Builder dispatch(Dispatch dispatch) {
      this.dispatch = dispatch;
      return this;
    }

    public RunSpec build() {
      requireGiven(runId, "runId");
      requireGiven(incarnation, "incarnation");
      requireGiven(worker, "worker");
      requireGiven(createdAt, "createdAt");
      requireGiven(expiresAt, "expiresAt");
      return new RunSpec(
          runId,
          incarnation,
          worker,
          workerConfig,
          maxAttempts,
          taskTimeoutSeconds,
          total,
          shardCount != null ? shardCount : Sharding.forTotal(total).shardCount(),
          chunkSize,
          createdAt,
          expiresAt,
          discovery,
          retry,
          controls,
          dispatch);
    }

    private static void requireGiven(Object value, String field) {
      if (value == null) {
        throw new IllegalStateException("a run spec needs its " + field);
      }
    }
  }

  /** A builder holding this spec's fields, to build a changed copy. */
  public Builder toBuilder() {
    return builder()
        .runId(runId)
        .incarnation(incarnation)
        .worker(worker)
        .workerConfig(workerConfig)
        .maxAttempts(maxAttempts)
        .taskTimeoutSeconds(taskTimeoutSeconds)
        .total(total)
        .shardCount(shardCount)
        .chunkSize(chunkSize)
        .createdAt(createdAt)
        .expiresAt(expiresAt)
        .discovery(discovery)
        .retry(retry)
        .controls(controls)
        .dispatch(dispatch);
  }

  /** The same run held in by {@code controls} instead. */
  public RunSpec withControls(RunControls controls) {
    return toBuilder().controls(controls).build();
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
