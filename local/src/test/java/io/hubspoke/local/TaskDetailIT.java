package io.hubspoke.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hubspoke.core.model.RunIds;
import io.hubspoke.core.worker.SleepWorker;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code GET /runs/{runId}/tasks/{taskNumber}}: one task and each of its attempts. */
class TaskDetailIT {
  static LocalRuntime runtime;
  static ApiClient api;
  static String runId;

  @BeforeAll
  static void startAndRun() throws Exception {
    runtime = LocalRuntime.start(LocalOptions.builder().sweepInterval(Duration.ZERO).build());
    api = new ApiClient(runtime.apiEndpoint());
    // Half the tasks fail their first attempt (retryable) and succeed on the second; task ids
    // decide which; a fifth fail on every attempt (failRate). The run id comes from the key, chosen
    // so that both kinds are among its 12 tasks (a random id leaves out one ~7 % of the time).
    String key = keyWithFlakyAndFailingTasks();
    ApiClient.Reply reply =
        api.postRun(
            "{\"items\":[0,1,2,3,4,5,6,7,8,9,10,11],\"worker\":\"sleep\","
                + "\"workerConfig\":{\"ms\":5,\"flakyRate\":0.5,\"failRate\":0.2},"
                + "\"maxAttempts\":2,\"idempotencyKey\":\""
                + key
                + "\"}");
    assertEquals(202, reply.status(), reply.body().toString());
    runId = reply.body().get("runId").asText();
    api.awaitFinished(runId, Duration.ofMinutes(2));
  }

  static String keyWithFlakyAndFailingTasks() {
    for (int n = 0; ; n++) {
      String runId = RunIds.fromIdempotencyKey("task-detail-" + n);
      boolean failing = false;
      boolean flaky = false;
      for (int index = 0; index < 12; index++) {
        String taskId = RunIds.taskId(runId, index);
        if (SleepWorker.failsEveryAttempt(taskId, 0.2)) {
          failing = true;
        } else if (SleepWorker.isFlaky(taskId, 0.5)) {
          flaky = true;
        }
      }
      if (failing && flaky) {
        return "task-detail-" + n;
      }
    }
  }

  @AfterAll
  static void stop() {
    runtime.close();
  }

  @Test
  void eachTaskShowsEveryAttemptWithItsSpokeTimesAndOutcome() throws Exception {
    int flaky = 0;
    int failing = 0;
    for (int index = 0; index < 12; index++) {
      String taskId = RunIds.taskId(runId, index);
      ApiClient.Reply reply = api.get("/runs/" + runId + "/tasks/" + index);
      assertEquals(200, reply.status(), reply.body().toString());
      JsonNode task = reply.body();
      assertEquals(taskId, task.get("taskId").asText());
      JsonNode attempts = task.get("attempts");
      assertEquals(task.get("attempt").asInt(), attempts.size(), task.toString());
      for (int a = 0; a < attempts.size(); a++) {
        JsonNode attempt = attempts.get(a);
        assertEquals(a + 1, attempt.get("attempt").asInt(), task.toString());
        assertTrue(attempt.get("spoke").asText().startsWith("spoke-"), task.toString());
        Instant started = Instant.parse(attempt.get("startedAt").asText());
        Instant ended = Instant.parse(attempt.get("endedAt").asText());
        assertTrue(!ended.isBefore(started), task.toString());
      }
      String last = attempts.get(attempts.size() - 1).get("outcome").asText();
      if (SleepWorker.failsEveryAttempt(taskId, 0.2)) {
        failing++;
        assertEquals("FAILED", task.get("status").asText(), task.toString());
        assertEquals(2, attempts.size(), task.toString());
        assertEquals("RETRY", attempts.get(0).get("outcome").asText(), task.toString());
        assertEquals("InjectedFailure", attempts.get(0).get("errorType").asText());
        assertEquals("FAILED", last, task.toString());
      } else if (SleepWorker.isFlaky(taskId, 0.5)) {
        flaky++;
        assertEquals("SUCCEEDED", task.get("status").asText(), task.toString());
        assertEquals(2, attempts.size(), task.toString());
        assertEquals("RETRY", attempts.get(0).get("outcome").asText(), task.toString());
        assertEquals("FlakyFailure", attempts.get(0).get("errorType").asText());
        assertEquals("SUCCEEDED", last, task.toString());
      } else {
        assertEquals(1, attempts.size(), task.toString());
        assertEquals("SUCCEEDED", last, task.toString());
      }
    }
    assertTrue(flaky > 0 && failing > 0, "flaky " + flaky + ", failing " + failing);
    // A task id's number works with its zeros too.
    assertEquals(200, api.get("/runs/" + runId + "/tasks/000003").status());
  }

  @Test
  void anUnknownTaskRunOrNumberIsNamed() throws Exception {
    ApiClient.Reply missing = api.get("/runs/" + runId + "/tasks/12");
    assertEquals(404, missing.status());
    assertEquals("TaskNotFound", missing.body().get("error").asText(), missing.body().toString());
    ApiClient.Reply noRun = api.get("/runs/r-000000000000000000000000/tasks/0");
    assertEquals(404, noRun.status());
    assertEquals("RunNotFound", noRun.body().get("error").asText());
    ApiClient.Reply bad = api.get("/runs/" + runId + "/tasks/x1");
    assertEquals(400, bad.status());
    assertEquals("taskNumber", bad.body().at("/errors/0/field").asText(), bad.body().toString());
    assertEquals(405, api.send("DELETE", "/runs/" + runId + "/tasks/1", null, null).status());
  }
}
