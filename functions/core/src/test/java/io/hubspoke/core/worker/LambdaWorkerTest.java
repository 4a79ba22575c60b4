package io.hubspoke.core.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hubspoke.contract.HubspokeEnvironment;
import io.hubspoke.contract.api.Limits;
import io.hubspoke.contract.api.RunRequestParser;
import io.hubspoke.contract.json.Json;
import io.hubspoke.contract.validation.InvalidInputException;
import io.hubspoke.contract.workers.LambdaWorkerConfig;
import io.hubspoke.core.model.RunIds;
import io.hubspoke.worker.TaskContext;
import io.hubspoke.worker.TaskOutcome;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.lambda.LambdaClient;

/**
 * What the {@code lambda} worker sends and how it reads the answer; the invocation itself, through
 * the real SDK client, is tested against the local runtime's Invoke endpoint (local/: {@code
 * LocalLambdaEndpointTest}, {@code LambdaWorkerIT}).
 */
class LambdaWorkerTest {
  private static final String RUN_ID = "r-0123456789abcdef01234567";
  private static final Instant DEADLINE = Instant.parse("2026-12-01T10:15:30.123Z");

  private static TaskContext context(JsonNode item, String config, Instant deadline) {
    return new TaskContext(
        RUN_ID,
        RunIds.taskId(RUN_ID, 42),
        42,
        2,
        3,
        item,
        Json.parseTrusted(config),
        deadline,
        Clock.fixed(DEADLINE.minusSeconds(10), ZoneOffset.UTC));
  }

  private static HubspokeEnvironment allowing(String functions) {
    return new HubspokeEnvironment(
        Map.of(HubspokeEnvironment.WORKER_FUNCTIONS, functions, "AWS_REGION", "eu-west-1"));
  }

  @Test
  void sendsTheRunTheTaskTheAttemptTheItemAndTheDeadline() throws Exception {
    JsonNode item = Json.parse("{\"url\":\"https://example.com\",\"n\":[1,2]}");
    JsonNode event =
        Json.parse(
            new String(
                LambdaWorker.payload(context(item, "{}", DEADLINE)), StandardCharsets.UTF_8));
    assertEquals(
        Json.parse(
            "{\"runId\":\""
                + RUN_ID
                + "\",\"taskId\":\""
                + RUN_ID
                + "/000042\",\"attempt\":2,\"item\":{\"url\":\"https://example.com\",\"n\":[1,2]},"
                + "\"deadline\":\"2026-12-01T10:15:30.123Z\"}"),
        event);
  }

  /**
   * The 6 MB Invoke limit cannot be reached by a run the hub accepts: an item is at most {@link
   * Limits#MAX_ITEM_BYTES} of JSON, and the envelope adds ids, the attempt and the deadline. So
   * submission needs no check of its own; this test fails the day the item limit grows past it.
   */
  @Test
  void theLargestItemARunMayHoldFitsAnInvokePayload() throws Exception {
    String largest = "x".repeat(Limits.MAX_ITEM_BYTES - 2); // a JSON string of MAX_ITEM_BYTES
    JsonNode item = Json.parse("\"" + largest + "\"");
    assertEquals(Limits.MAX_ITEM_BYTES, Json.write(item).getBytes(StandardCharsets.UTF_8).length);
    TaskContext context =
        new TaskContext(
            RunIds.fromIdempotencyKey("k"),
            RunIds.taskId(RunIds.fromIdempotencyKey("k"), Limits.MAX_ITEMS - 1),
            Limits.MAX_ITEMS - 1,
            Limits.MAX_ATTEMPTS,
            Limits.MAX_ATTEMPTS,
            item,
            Json.object(),
            Instant.parse("+10000-12-31T23:59:59.999999999Z"),
            Clock.systemUTC());
    int payload = LambdaWorker.payload(context).length;
    assertTrue(payload <= LambdaWorkerConfig.MAX_PAYLOAD_BYTES, payload + " bytes");
    assertTrue(
        Limits.MAX_REQUEST_BYTES < LambdaWorkerConfig.MAX_PAYLOAD_BYTES,
        "even a whole run request fits one payload");
  }

  @Test
  void aFunctionErrorIsRetryableUnlessItsPayloadSaysOtherwise() {
    TaskOutcome.Failure plain =
        LambdaWorker.functionError(
            "resize",
            "Unhandled",
            "{\"errorType\":\"ValueError\",\"errorMessage\":\"bad pixel\",\"stackTrace\":[]}");
    assertEquals(new TaskOutcome.Failure("ValueError", "bad pixel", true), plain);

    TaskOutcome.Failure bySuffix =
        LambdaWorker.functionError(
            "resize",
            "Unhandled",
            "{\"errorType\":\"com.example.BadItemNonRetryable\",\"errorMessage\":\"no such file\"}");
    assertEquals(
        new TaskOutcome.Failure("com.example.BadItemNonRetryable", "no such file", false),
        bySuffix);

    TaskOutcome.Failure byField =
        LambdaWorker.functionError(
            "resize",
            "Unhandled",
            "{\"errorType\":\"BadItem\",\"errorMessage\":\"no\",\"retryable\":false}");
    assertFalse(byField.retryable());

    assertTrue(
        LambdaWorker.functionError(
                "resize", "Unhandled", "{\"errorType\":\"BadItem\",\"retryable\":true}")
            .retryable());
    assertTrue(
        LambdaWorker.functionError(
                "resize", "Unhandled", "{\"errorType\":\"BadItem\",\"retryable\":\"false\"}")
            .retryable(),
        "only the boolean false is the marker");
  }

  @Test
  void anErrorPayloadThatIsNotTheDocumentedJsonIsKeptAsTheMessage() {
    TaskOutcome.Failure text =
        LambdaWorker.functionError("resize", "Unhandled", "Segmentation fault");
    assertEquals("FunctionError", text.errorType());
    assertTrue(text.message().contains("resize") && text.message().contains("Segmentation fault"));
    assertTrue(text.retryable());

    TaskOutcome.Failure noType =
        LambdaWorker.functionError("resize", "Unhandled", "{\"errorMessage\":\"Task timed out\"}");
    assertEquals(new TaskOutcome.Failure("FunctionError", "Task timed out", true), noType);

    String huge = "y".repeat(LambdaWorker.MAX_RAW_ERROR_CHARS * 2);
    assertTrue(
        LambdaWorker.functionError("resize", "Unhandled", huge).message().length()
            < LambdaWorker.MAX_RAW_ERROR_CHARS + 100);
  }

  @Test
  void theResultIsTheFunctionsJsonAndNothingElse() throws Exception {
    assertEquals(
        TaskOutcome.success(Json.parse("{\"words\":3}")),
        LambdaWorker.result("f", "{\"words\":3}".getBytes(StandardCharsets.UTF_8)));
    assertEquals(TaskOutcome.success(Json.parse("null")), LambdaWorker.result("f", new byte[0]));
    TaskOutcome notJson = LambdaWorker.result("f", "hello".getBytes(StandardCharsets.UTF_8));
    TaskOutcome.Failure failure = assertInstanceOf(TaskOutcome.Failure.class, notJson);
    assertEquals("InvalidFunctionResult", failure.errorType());
    assertFalse(failure.retryable());
  }

  @Test
  void theRegistrysWorkerAllowsNoFunctionUntilBoundToAnEnvironment() {
    String request =
        "{\"items\":[1],\"worker\":\"lambda\",\"workerConfig\":{\"function\":\"resize:live\"}}";
    InvalidInputException refused =
        org.junit.jupiter.api.Assertions.assertThrows(
            InvalidInputException.class,
            () -> new RunRequestParser(WorkerRegistry.builtIn()).parse(request));
    assertEquals("workerConfig.function", refused.errors().get(0).field());
    assertTrue(refused.errors().get(0).fix().contains("hubspoke:workerFunctions"));

    WorkerRegistry bound =
        WorkerRegistry.builtIn()
            .boundTo(
                allowing("resize"),
                () -> {
                  throw new AssertionError("validation needs no client");
                });
    new RunRequestParser(bound).parse(request);
    assertEquals(WorkerRegistry.builtIn().names(), bound.names());
    assertTrue(bound.find("echo").orElseThrow() instanceof EchoWorker);
  }

  @Test
  void theSpokeInvokesNoFunctionItIsNotAllowedNorBuildsAClientForIt() throws Exception {
    AtomicInteger clients = new AtomicInteger();
    LambdaWorker worker =
        LambdaWorker.forEnvironment(
            allowing("resize"),
            () -> {
              clients.incrementAndGet();
              return LambdaClient.builder().build();
            });
    TaskOutcome outcome =
        worker.execute(context(Json.object(), "{\"function\":\"thumbs\"}", DEADLINE));
    TaskOutcome.Failure failure = assertInstanceOf(TaskOutcome.Failure.class, outcome);
    assertEquals("FunctionNotAllowed", failure.errorType());
    assertFalse(failure.retryable());

    TaskOutcome late =
        worker.execute(
            context(Json.object(), "{\"function\":\"resize\"}", DEADLINE.minusSeconds(60)));
    assertEquals("Timeout", assertInstanceOf(TaskOutcome.Failure.class, late).errorType());
    assertEquals(0, clients.get());
  }
}
