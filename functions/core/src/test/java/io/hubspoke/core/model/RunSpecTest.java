package io.hubspoke.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hubspoke.contract.json.Json;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RunSpecTest {
  static RunSpec spec(int total, int chunkSize) {
    Instant now = Instant.parse("2026-11-30T00:00:00Z");
    return RunSpec.builder()
        .runId("r-0123456789abcdef01234567")
        .incarnation("0123456789ab")
        .worker("echo")
        .workerConfig(Json.object())
        .maxAttempts(3)
        .taskTimeoutSeconds(60)
        .total(total)
        .shardCount(Sharding.forTotal(total).shardCount())
        .chunkSize(chunkSize)
        .createdAt(now)
        .expiresAt(now.plusSeconds(86_400))
        .build();
  }

  @Test
  void chunksCoverEveryTaskOnceAndTheLastMayBeShort() {
    RunSpec spec = spec(10_001, 50);
    assertEquals(201, spec.chunkCount());
    assertEquals(10_000, spec.chunkStart(200));
    assertEquals(1, spec.chunkLength(200));
    int covered = 0;
    for (int chunk = 0; chunk < spec.chunkCount(); chunk++) {
      assertEquals(covered, spec.chunkStart(chunk));
      covered += spec.chunkLength(chunk);
    }
    assertEquals(10_001, covered);
    assertEquals(51, spec.tasksIn(Set.of(0, 200)));
    assertEquals(10_001, spec.tasksIn(java.util.stream.IntStream.range(0, 201).boxed().toList()));
  }

  @Test
  void aMessageWithoutIncarnationNamesTheCurrentRunAndOneWithAnotherDoesNot() {
    RunSpec spec = spec(3, 50);
    assertTrue(spec.matches(new TaskMessage(spec.runId(), 1)));
    assertTrue(spec.matches(TaskMessage.of(spec, 1)));
    assertFalse(spec.matches(new TaskMessage(spec.runId(), 1, "ba9876543210")));
    assertFalse(spec.matches(new TaskMessage("r-ffffffffffffffffffffffff", 1)));
  }
}
