package io.hubspoke.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import io.hubspoke.contract.EventRules;
import io.hubspoke.contract.json.Json;
import io.hubspoke.core.store.RunStore;
import io.hubspoke.local.emulator.LocalLambdaContext;
import io.hubspoke.spoke.SpokeHandler;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The spoke function's handler as Lambda invokes it, with real event JSON: a work-queue batch
 * (answered with its batch item failures) and a {@code WorkAvailable} event (a drain of the run's
 * claimable tasks), against the local runtime's engines. The runtime's own spokes are kept away
 * from the run: its {@code WorkAvailable} is dropped.
 */
class SpokeHandlerEventsIT {
  static final Faults faults = new Faults();
  static LocalRuntime runtime;
  static ApiClient api;
  static SpokeHandler spoke;

  @BeforeAll
  static void start() {
    runtime =
        LocalRuntime.start(
            LocalOptions.builder()
                .busInterceptor(faults.bus())
                .sweepInterval(Duration.ZERO)
                .build());
    api = new ApiClient(runtime.apiEndpoint());
    spoke =
        new SpokeHandler(
            runtime.environment(),
            runtime.clients(),
            Clock.systemUTC(),
            io.hubspoke.core.worker.WorkerRegistry.builtIn());
  }

  @AfterAll
  static void stop() {
    runtime.close();
  }

  static String invoke(String fixture, String runId, String incarnation) throws Exception {
    String event;
    try (InputStream in =
        SpokeHandlerEventsIT.class.getResourceAsStream("/lambda-events/" + fixture)) {
      event =
          new String(in.readAllBytes(), StandardCharsets.UTF_8)
              .replace("RUN_ID", runId)
              .replace("INCARNATION", incarnation);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    spoke.handleRequest(
        new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)),
        out,
        LocalLambdaContext.builder()
            .functionName("hubspoke-spoke")
            .timeout(Duration.ofSeconds(30))
            .build());
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void aQueueBatchAndAWorkAvailableEventEachRunTheirTasks() throws Exception {
    faults.dropEvent = (rule, event) -> rule.equals(EventRules.WORK_AVAILABLE_RULE);
    String runId =
        api.postRun("{\"items\":[10,11,12,13,14],\"worker\":\"echo\",\"dispatch\":\"hybrid\"}")
            .body()
            .get("runId")
            .asText();
    api.awaitDispatched(runId, Duration.ofSeconds(30));
    String incarnation =
        new RunStore(runtime.clients().dynamoDb(), LocalOptions.TABLE_NAME, Clock.systemUTC())
            .get(runId)
            .orElseThrow()
            .spec()
            .incarnation();

    JsonNode batch = Json.parse(invoke("spoke-work-queue-batch.json", runId, incarnation));
    assertEquals(0, batch.get("batchItemFailures").size(), batch.toString());
    assertEquals(2, api.get("/runs/" + runId).body().path("succeeded").asInt());

    JsonNode drained = Json.parse(invoke("work-available.json", runId, incarnation));
    assertEquals(3, drained.get("tasksRun").asInt(), drained.toString());
    assertEquals(5, api.get("/runs/" + runId).body().path("succeeded").asInt());
    assertEquals(12, api.get("/runs/" + runId + "/tasks/2").body().path("result").asInt());

    // An event of another kind is refused by throwing: an async invoker retries it, then its
    // failure destination keeps it.
    assertThrows(
        IllegalArgumentException.class,
        () -> invoke("http-api-v2-request.json", runId, incarnation));
  }
}
