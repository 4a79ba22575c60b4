package io.hubspoke.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hubspoke.contract.json.Json;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.dynamodb.model.Select;

/** The hub's HTTP API through the local server: routes, validation, idempotency, listings. */
class HubApiIT {
  static LocalRuntime runtime;
  static ApiClient api;

  @BeforeAll
  static void start() {
    runtime = LocalRuntime.start(LocalOptions.builder().sweepInterval(Duration.ZERO).build());
    api = new ApiClient(runtime.apiEndpoint());
  }

  @AfterAll
  static void stop() {
    runtime.close();
  }

  static int itemsInTable() {
    return runtime
        .clients()
        .dynamoDb()
        .scan(b -> b.tableName(LocalOptions.TABLE_NAME).select(Select.COUNT))
        .count();
  }

  static int messagesQueued() {
    return Integer.parseInt(
        runtime
            .clients()
            .sqs()
            .getQueueAttributes(
                b -> b.queueUrl(runtime.queues().queueUrl()).attributeNamesWithStrings("All"))
            .attributesAsStrings()
            .get("ApproximateNumberOfMessages"));
  }

  static Stream<Arguments> badRequests() {
    return Stream.of(
        Arguments.of("application/json", "{", 400, "body"),
        Arguments.of("application/json", "", 400, "body"),
        Arguments.of("application/json", "[1,2]", 400, "body"),
        Arguments.of("application/json", "{\"items\":[],\"worker\":\"echo\"}", 400, "items"),
        Arguments.of("application/json", "{\"items\":{},\"worker\":\"echo\"}", 400, "items"),
        Arguments.of("application/json", "{\"items\":[1],\"worker\":\"teleport\"}", 400, "worker"),
        Arguments.of(
            "application/json",
            "{\"items\":[1],\"worker\":\"echo\",\"colour\":\"red\"}",
            400,
            "colour"),
        Arguments.of(
            "application/json",
            "{\"items\":[1],\"worker\":\"sleep\",\"workerConfig\":{\"ms\":-5}}",
            400,
            "workerConfig.ms"),
        Arguments.of(
            "application/json",
            "{\"items\":[1],\"worker\":\"echo\",\"maxAttempts\":11}",
            400,
            "maxAttempts"),
        Arguments.of(
            "application/json",
            "{\"items\":[1],\"worker\":\"echo\",\"taskTimeoutSeconds\":\"60\"}",
            400,
            "taskTimeoutSeconds"),
        Arguments.of("text/plain", "{\"items\":[1],\"worker\":\"echo\"}", 415, null),
        Arguments.of(null, "{\"items\":[1],\"worker\":\"echo\"}", 415, null));
  }

  @ParameterizedTest(name = "{0} {1} -> {2}")
  @MethodSource("badRequests")
  void aBadPostGetsA4xxNamingTheFieldAndWritesNothing(
      String contentType, String body, int status, String field) throws Exception {
    int before = itemsInTable();
    int queuedBefore = messagesQueued();
    ApiClient.Reply reply =
        api.send("POST", "/runs", contentType, body.getBytes(StandardCharsets.UTF_8));
    assertEquals(status, reply.status(), reply.body().toString());
    assertFalse(reply.body().path("message").asText().isBlank());
    if (field != null) {
      JsonNode first = reply.body().get("errors").get(0);
      assertEquals(field, first.get("field").asText());
      assertFalse(first.get("fix").asText().isBlank());
    }
    assertEquals(before, itemsInTable(), "nothing was written to the table");
    assertEquals(queuedBefore, messagesQueued(), "nothing was sent to the queue");
  }

  @Test
  void invalidUtf8AndAByteOrderMarkAreRejected() throws Exception {
    byte[] invalid = {'{', '"', 'i', (byte) 0xC3, (byte) 0x28, '"', '}'};
    ApiClient.Reply reply = api.send("POST", "/runs", "application/json", invalid);
    assertEquals(400, reply.status(), reply.body().toString());
    assertEquals("body", reply.body().get("errors").get(0).get("field").asText());
    byte[] bom = "\uFEFF{\"items\":[1],\"worker\":\"echo\"}".getBytes(StandardCharsets.UTF_8);
    assertEquals(400, api.send("POST", "/runs", "application/json", bom).status());
  }

  @Test
  void routesAnswer404And405WithTheRightHints() throws Exception {
    assertEquals(404, api.get("/nothing-here").status());
    ApiClient.Reply wrongMethod = api.send("DELETE", "/runs", null, null);
    assertEquals(405, wrongMethod.status());
    assertEquals("GET, POST", wrongMethod.raw().headers().firstValue("allow").orElse(""));
    assertEquals(400, api.get("/runs/not-a-run-id").status());
    ApiClient.Reply unknown = api.get("/runs/r-000000000000000000000000");
    assertEquals(404, unknown.status());
    assertEquals("RunNotFound", unknown.body().get("error").asText());
    assertEquals(400, api.get("/runs?limit=0").status());
    assertEquals(400, api.get("/runs?nextToken=not-a-token").status());
    assertEquals(400, api.get("/runs?colour=red").status());
  }

  @Test
  void anIdempotencyKeyReturnsTheSameRunAndRefusesADifferentRequest() throws Exception {
    String request =
        "{\"items\":[1,2,3],\"worker\":\"echo\",\"idempotencyKey\":\"nightly-2026-11-23\"}";
    ApiClient.Reply first = api.postRun(request);
    assertEquals(202, first.status(), first.body().toString());
    assertTrue(first.body().get("created").asBoolean());
    String runId = first.body().get("runId").asText();
    assertEquals("/runs/" + runId, first.raw().headers().firstValue("location").orElse(""));

    ApiClient.Reply again = api.postRun(request);
    assertEquals(200, again.status());
    assertEquals(runId, again.body().get("runId").asText());
    assertFalse(again.body().get("created").asBoolean());

    ApiClient.Reply conflict =
        api.postRun(
            "{\"items\":[9],\"worker\":\"echo\",\"idempotencyKey\":\"nightly-2026-11-23\"}");
    assertEquals(409, conflict.status());
    JsonNode run = api.awaitFinished(runId, Duration.ofMinutes(1));
    assertEquals(3, run.get("total").asInt());
  }

  @Test
  void runsAndTasksArePaged() throws Exception {
    String runId =
        api.postRun("{\"items\":[\"a\",\"b\",\"c\",\"d\",\"e\"],\"worker\":\"echo\"}")
            .body()
            .get("runId")
            .asText();
    api.awaitFinished(runId, Duration.ofMinutes(1));
    ApiClient.Reply page1 = api.get("/runs/" + runId + "/tasks?limit=2");
    assertEquals(2, page1.body().get("tasks").size());
    String token = page1.body().get("nextToken").asText();
    int seen = 2;
    while (token != null && !token.isEmpty()) {
      JsonNode page = api.get("/runs/" + runId + "/tasks?limit=2&nextToken=" + token).body();
      seen += page.get("tasks").size();
      token = page.path("nextToken").asText(null);
    }
    assertEquals(5, seen);
    JsonNode succeeded = api.get("/runs/" + runId + "/tasks?status=SUCCEEDED&limit=100").body();
    assertEquals(5, succeeded.get("tasks").size());
    assertEquals("a", succeeded.get("tasks").get(0).get("result").asText());
    assertEquals(400, api.get("/runs/" + runId + "/tasks?status=DONE").status());

    JsonNode runs = api.get("/runs?limit=1").body();
    assertEquals(1, runs.get("runs").size());
    assertTrue(runs.has("nextToken"));
  }

  @Test
  void theHubAcceptsDirectAndScheduledInvocations() throws Exception {
    JsonNode direct = Json.parse(runtime.invokeHub("{\"items\":[1,2],\"worker\":\"echo\"}"));
    assertTrue(direct.get("created").asBoolean());
    assertEquals(2, direct.get("total").asInt());
    String scheduled =
        "{\"version\":\"0\",\"id\":\"e1\",\"detail-type\":\"Scheduled Run\",\"source\":\"hubspoke.schedule\","
            + "\"time\":\"2026-11-23T00:00:00Z\",\"detail\":{\"items\":[1,2,3],\"worker\":\"echo\","
            + "\"idempotencyKey\":\"schedule-nightly-2026-11-23T00:00:00Z\"}}";
    JsonNode first = Json.parse(runtime.invokeHub(scheduled));
    JsonNode again = Json.parse(runtime.invokeHub(scheduled));
    assertEquals(
        first.get("runId"), again.get("runId"), "a repeated schedule delivery makes one run");
    assertTrue(first.get("created").asBoolean());
    assertFalse(again.get("created").asBoolean());
    JsonNode invalid = Json.parse(runtime.invokeHub("{\"items\":[],\"worker\":\"echo\"}"));
    assertEquals("ValidationError", invalid.get("error").asText());
  }
}
