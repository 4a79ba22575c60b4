package io.hubspoke.core.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hubspoke.core.model.TaskRecord;
import io.hubspoke.core.model.TaskStatus;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RunSummaryTest {
  private static TaskRecord task(
      int index, TaskStatus status, int attempt, long durationMs, String error) {
    return new TaskRecord(
        "r-0123456789abcdef01234567",
        index,
        status,
        attempt,
        2,
        "o",
        null,
        "1",
        null,
        error,
        error == null ? null : "boom " + error,
        null,
        null,
        durationMs,
        java.util.List.of(),
        0,
        0);
  }

  @Test
  void countsPercentilesAndGroupsFailures() {
    RunSummary summary = new RunSummary();
    for (int i = 0; i < 100; i++) {
      summary.add(
          task(
              i,
              i % 10 == 0 ? TaskStatus.FAILED : TaskStatus.SUCCEEDED,
              i % 10 == 0 ? 3 : 1,
              i + 1,
              i % 20 == 0 ? "A" : i % 10 == 0 ? "B" : null));
    }
    ObjectNode json = summary.toJson(Instant.EPOCH, Instant.EPOCH.plusSeconds(2));
    assertEquals(100, json.get("total").asInt());
    assertEquals(90, json.get("succeeded").asInt());
    assertEquals(10, json.get("failed").asInt());
    assertEquals(50, json.get("taskDurationMs").get("p50").asLong());
    assertEquals(95, json.get("taskDurationMs").get("p95").asLong());
    assertEquals(100, json.get("taskDurationMs").get("max").asLong());
    assertEquals(2, json.get("failuresByError").size());
    assertEquals(5, json.get("failuresByError").get(0).get("count").asInt());
    assertEquals(10, json.get("firstFailures").size());
    assertEquals(
        "r-0123456789abcdef01234567/000000",
        json.get("firstFailures").get(0).get("taskId").asText());
    assertEquals(2000, json.get("wallClockMs").asLong());
    assertEquals(10, json.get("retriedTasks").asInt());
  }
}
