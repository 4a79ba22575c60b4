package io.hubspoke.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hubspoke.core.worker.EchoWorker;
import io.hubspoke.core.worker.WorkerRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * {@code toleratedFailureCount} / {@code toleratedFailurePercent}: within its tolerance a run
 * SUCCEEDS with its failures counted; past it, it stops as a cancel does: exactly the tasks not yet
 * started are cancelled, and it ends FAILED with the reason.
 */
class ToleranceIT {
  static final ChoosyWorker worker = new ChoosyWorker();
  static LocalRuntime runtime;
  static ApiClient api;

  @BeforeAll
  static void start() {
    runtime =
        LocalRuntime.start(
            LocalOptions.builder()
                .maximumConcurrency(2)
                .sweepInterval(Duration.ZERO)
                .workers(new WorkerRegistry(List.of(new EchoWorker(), worker), List.of()))
                .build());
    api = new ApiClient(runtime.apiEndpoint());
  }

  @AfterAll
  static void stop() {
    runtime.close();
  }

  static String submit(String key, int items, String extra) throws Exception {
    ApiClient.Reply reply =
        api.postRun(
            "{\"items\":"
                + CancelIT.items(items)
                + ",\"worker\":\"choosy\",\"maxAttempts\":1,\"workerConfig\":{\"ms\":20,\"key\":\""
                + key
                + "\"}"
                + extra
                + "}");
    assertEquals(202, reply.status(), reply.body().toString());
    return reply.body().get("runId").asText();
  }

  @Test
  void withinItsToleranceARunSucceedsWithItsFailuresCounted() throws Exception {
    worker.failing.put("within", i -> i % 20 == 0);
    String byCount = submit("within", 100, ",\"toleratedFailureCount\":5");
    String byPercent = submit("within", 100, ",\"toleratedFailurePercent\":5");
    for (String runId : List.of(byCount, byPercent)) {
      JsonNode run = api.awaitFinished(runId, Duration.ofMinutes(2));
      assertEquals("SUCCEEDED", run.get("status").asText(), run.toString());
      assertEquals(5, run.get("summary").get("failed").asInt(), run.toString());
      assertEquals(95, run.get("summary").get("succeeded").asInt(), run.toString());
      assertEquals(null, run.get("stopReason"), run.toString());
    }
    // Without a tolerance, the same failures fail the run (today's behaviour).
    String none = submit("within", 100, "");
    assertEquals("FAILED", api.awaitFinished(none, Duration.ofMinutes(2)).get("status").asText());
  }

  @Test
  void pastItsToleranceARunStopsCancellingExactlyTheTasksNotYetStarted() throws Exception {
    worker.failing.put("past", i -> i % 2 == 0);
    String runId = submit("past", 400, ",\"toleratedFailureCount\":5");
    JsonNode run = api.awaitFinished(runId, Duration.ofMinutes(2));
    assertEquals("FAILED", run.get("status").asText(), run.toString());
    JsonNode summary = run.get("summary");
    assertTrue(
        summary.get("reason").asText().startsWith("failures passed the run's tolerance"),
        run.toString());
    assertTrue(
        run.get("stopReason").asText().contains("toleratedFailureCount is 5"), run.toString());
    int failed = summary.get("failed").asInt();
    int succeeded = summary.get("succeeded").asInt();
    int cancelled = summary.get("cancelled").asInt();
    assertTrue(failed > 5, run.toString());
    assertTrue(cancelled > 0, "the stop came before every task ran: " + run);
    assertEquals(400, failed + succeeded + cancelled, run.toString());

    // Every task that started ran to its end; every task that never started was cancelled.
    Map<Integer, Map<String, AttributeValue>> tasks = DurableSubmissionIT.taskItems(runtime, runId);
    for (int i = 0; i < 400; i++) {
      String status = tasks.get(i).get("status").s();
      int executions = worker.executionsOf("past", i);
      if (executions == 0) {
        assertEquals("CANCELLED", status, "task " + i + " never started");
      } else {
        assertEquals(1, executions, "task " + i);
        assertEquals(i % 2 == 0 ? "FAILED" : "SUCCEEDED", status, "task " + i + " ran");
      }
    }
  }
}
