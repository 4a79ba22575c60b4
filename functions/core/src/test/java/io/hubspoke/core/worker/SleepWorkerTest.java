package io.hubspoke.core.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hubspoke.contract.json.Json;
import io.hubspoke.core.model.RunIds;
import io.hubspoke.worker.TaskContext;
import io.hubspoke.worker.TaskOutcome;
import java.time.Clock;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SleepWorkerTest {
  private final SleepWorker worker = new SleepWorker();

  private TaskContext context(int index, int attempt, String config) {
    String runId = "r-0123456789abcdef01234567";
    return new TaskContext(
        runId,
        RunIds.taskId(runId, index),
        index,
        attempt,
        3,
        Json.object(),
        Json.parseTrusted(config),
        Instant.now().plusSeconds(30),
        Clock.systemUTC());
  }

  @Test
  void failRateSelectsAStableShareOfTasksThatFailOnEveryAttempt() throws Exception {
    int failing = 0;
    for (int i = 0; i < 2000; i++) {
      boolean expected =
          SleepWorker.failsEveryAttempt(RunIds.taskId("r-0123456789abcdef01234567", i), 0.05);
      for (int attempt = 1; attempt <= 3; attempt++) {
        TaskOutcome outcome = worker.execute(context(i, attempt, "{\"failRate\":0.05}"));
        assertEquals(
            expected, outcome instanceof TaskOutcome.Failure, "task " + i + " attempt " + attempt);
      }
      failing += expected ? 1 : 0;
    }
    assertTrue(failing > 60 && failing < 140, "about 5% of 2000, got " + failing);
  }

  @Test
  void flakyTasksFailOnlyTheirFirstAttempt() throws Exception {
    int flaky = 0;
    for (int i = 0; i < 500; i++) {
      boolean expected = SleepWorker.isFlaky(RunIds.taskId("r-0123456789abcdef01234567", i), 0.2);
      TaskOutcome first = worker.execute(context(i, 1, "{\"flakyRate\":0.2}"));
      TaskOutcome second = worker.execute(context(i, 2, "{\"flakyRate\":0.2}"));
      assertEquals(expected, first instanceof TaskOutcome.Failure);
      assertInstanceOf(TaskOutcome.Success.class, second);
      flaky += expected ? 1 : 0;
    }
    assertTrue(flaky > 60 && flaky < 140, "about 20% of 500, got " + flaky);
  }

  @Test
  void configIsValidatedFieldByField() {
    assertEquals(0, worker.validateConfig(Json.parseTrusted("{\"ms\":5,\"failRate\":0.1}")).size());
    var errors = worker.validateConfig(Json.parseTrusted("{\"ms\":-1,\"failRate\":2,\"speed\":1}"));
    assertEquals(
        java.util.Set.of("ms", "failRate", "speed"),
        new java.util.HashSet<>(errors.stream().map(e -> e.field()).toList()));
  }
}
