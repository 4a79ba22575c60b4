package io.hubspoke.core.store;

import io.hubspoke.core.model.RunIds;
import io.hubspoke.core.model.RunSpec;
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
    return RunSpec.builder()
        .runId(RunIds.random())
        .incarnation(RunIds.newIncarnation())
        .worker("echo")
        .maxAttempts(maxAttempts)
        .total(total)
        .createdAt(now)
        .expiresAt(now.plus(Duration.ofDays(30)))
        .build();
  }

  /** The same run with another attempt limit (the claim reads it from the spec). */
  public static RunSpec withAttempts(RunSpec spec, int maxAttempts) {
    return spec.toBuilder().maxAttempts(maxAttempts).build();
  }
}
