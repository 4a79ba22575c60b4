package io.hubspoke.core.store;

import io.hubspoke.contract.json.Json;
import io.hubspoke.core.model.RunIds;
import io.hubspoke.core.model.RunSpec;
import io.hubspoke.core.model.Sharding;
import java.time.Duration;
import java.time.Instant;

/** Run specs for tests that drive the stores directly, without a run record. */
public final class TestRuns {
  private TestRuns() {}

  public static RunSpec spec(int total) {
    return spec(total, 3);
  }

  public static RunSpec spec(int total, int maxAttempts) {
    Instant now = Instant.now();
    return new RunSpec(
        RunIds.random(),
        RunIds.newIncarnation(),
        "echo",
        Json.object(),
        maxAttempts,
        60,
        total,
        Sharding.forTotal(total).shardCount(),
        50,
        now,
        now.plus(Duration.ofDays(30)));
  }

  /** The same run with another attempt limit (the claim reads it from the spec). */
  public static RunSpec withAttempts(RunSpec spec, int maxAttempts) {
    return new RunSpec(
        spec.runId(),
        spec.incarnation(),
        spec.worker(),
        spec.workerConfig(),
        maxAttempts,
        spec.taskTimeoutSeconds(),
        spec.total(),
        spec.shardCount(),
        spec.chunkSize(),
        spec.createdAt(),
        spec.expiresAt());
  }
}
