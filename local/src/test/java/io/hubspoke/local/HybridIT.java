package io.hubspoke.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hubspoke.contract.EventRules;
import io.hubspoke.core.model.RunIds;
import io.hubspoke.core.worker.SleepWorker;
import io.hubspoke.testkit.Await;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Hybrid dispatch through the local runtime: the hub writes the tasks and publishes {@code
 * WorkAvailable}; the bus's rule wakes the spoke, which claims from the table's claimable index
 * until none is left. No task message is ever sent to the work queue. A lost {@code WorkAvailable}
 * is made good by the sweep, which publishes it again for a run whose tasks are overdue.
 */
class HybridIT {
  static final Faults faults = new Faults();
  static LocalRuntime runtime;
  static ApiClient api;

  @BeforeAll
  static void start() {
    runtime =
        LocalRuntime.start(
            LocalOptions.builder()
                .interceptor(faults.sdk())
                .busInterceptor(faults.bus())
                // The sweep runs when a test calls it, and finds a task overdue soon.
                .sweepInterval(Duration.ZERO)
                .stallMargin(Duration.ofSeconds(1))
                .build());
    api = new ApiClient(runtime.apiEndpoint());
  }

  @AfterAll
  static void stop() {
    runtime.close();
  }

  @AfterEach
  void clearFaults() {
    faults.clear();
  }

  static String submit(String body) throws Exception {
    ApiClient.Reply reply = api.postRun(body);
    assertEquals(202, reply.status(), reply.body().toString());
    assertEquals("hybrid", reply.body().path("dispatch").asText());
    return reply.body().get("runId").asText();
  }

  static JsonNode awaitFinished(String runId, Duration patience, boolean sweeping) {
    JsonNode[] last = new JsonNode[1];
    Await.until(
        patience,
        () -> {
          try {
            if (sweeping) {
              runtime.sweep();
            }
            last[0] = api.get("/runs/" + runId).body();
          } catch (Exception e) {
            throw new AssertionError(e);
          }
          return last[0].has("completedAt");
        },
        () -> "run " + runId + " did not finish: " + last[0]);
    return last[0];
  }

  @Test
  void spokesWokenByWorkAvailableRunEveryTaskWithExactCountsAndNoTaskMessage() throws Exception {
    AtomicInteger taskMessages = new AtomicInteger();
    faults.beforeSend =
        request -> {
          if (request
                  instanceof software.amazon.awssdk.services.sqs.model.SendMessageBatchRequest batch
              && batch.queueUrl().contains(LocalOptions.QUEUE_NAME)) {
            taskMessages.addAndGet(batch.entries().size());
          }
        };
    // 300 tasks, a quarter of them failing their first attempt (retried from the index).
    String runId =
        submit(
            "{\"items\":"
                + CancelIT.items(300)
                + ",\"worker\":\"sleep\",\"workerConfig\":{\"ms\":5,\"flakyRate\":0.25},"
                + "\"dispatch\":\"hybrid\",\"maxAttempts\":5,"
                + "\"retry\":{\"initialDelaySeconds\":0}}");
    JsonNode run = awaitFinished(runId, Duration.ofMinutes(2), false);
    assertEquals("SUCCEEDED", run.path("status").asText(), run.toString());
    assertEquals(300, run.path("succeeded").asInt(), run.toString());
    assertEquals(0, run.path("failed").asInt());
    long flaky =
        java.util.stream.IntStream.range(0, 300)
            .filter(i -> SleepWorker.isFlaky(RunIds.taskId(runId, i), 0.25))
            .count();
    assertTrue(flaky > 0);
    assertEquals(300 + flaky, run.at("/summary/attempts").asInt(), run.toString());
    assertEquals(0, taskMessages.get(), "no task message on the work queue");
  }

  @Test
  void aLostWorkAvailableIsPublishedAgainByTheSweep() throws Exception {
    faults.dropEvent = (rule, event) -> rule.equals(EventRules.WORK_AVAILABLE_RULE);
    String runId =
        submit(
            "{\"items\":" + CancelIT.items(20) + ",\"worker\":\"echo\",\"dispatch\":\"hybrid\"}");
    api.awaitDispatched(runId, Duration.ofSeconds(30));
    // Nothing wakes a spoke: the run waits.
    JsonNode waiting = api.get("/runs/" + runId).body();
    assertEquals(0, waiting.path("succeeded").asInt(), waiting.toString());
    faults.dropEvent = (rule, event) -> false;
    JsonNode run = awaitFinished(runId, Duration.ofSeconds(60), true);
    assertEquals("SUCCEEDED", run.path("status").asText(), run.toString());
    assertEquals(20, run.path("succeeded").asInt());
  }

  @Test
  void hybridRunsRefuseAConcurrencyCapForNow() throws Exception {
    ApiClient.Reply refused =
        api.postRun(
            "{\"items\":[1],\"worker\":\"echo\",\"dispatch\":\"hybrid\",\"maxConcurrency\":2}");
    assertEquals(400, refused.status());
    assertEquals("maxConcurrency", refused.body().at("/errors/0/field").asText());
  }
}
