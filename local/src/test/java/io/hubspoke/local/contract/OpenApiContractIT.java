package io.hubspoke.local.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hubspoke.contract.json.Json;
import io.hubspoke.core.model.RunIds;
import io.hubspoke.local.ApiClient;
import io.hubspoke.local.LocalOptions;
import io.hubspoke.local.LocalRuntime;
import io.hubspoke.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;

/**
 * The hub's real answers, through the local HTTP API, against {@code docs/openapi.yaml}: every
 * route and every status a local runtime can be made to give, each answer's status listed for its
 * route and method, its headers and body valid against the documented schemas; the routes the doc
 * lists are the routes the hub serves; and, last, every documented answer was seen (but 429, which
 * only API Gateway's throttle on AWS gives; the 403 of its IAM authorizer comes from a local API
 * that requires signatures).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OpenApiContractIT {
  /** Answers only API Gateway's throttle gives. */
  static final Set<String> AWS_ONLY = Set.of("429");

  static final String UNKNOWN_RUN = "r-000000000000000000000000";

  static OpenApiContract contract;
  static ContractRuns runs;

  @BeforeAll
  static void start() {
    contract = OpenApiContract.load();
    runs = new ContractRuns();
  }

  @AfterAll
  static void stop() {
    if (runs != null) {
      runs.close();
    }
  }

  @AfterEach
  void clearFaults() {
    runs.faults.clear();
  }

  static ApiClient.Reply send(String method, String path, String contentType, byte[] body)
      throws Exception {
    ApiClient.Reply reply = runs.api.send(method, path, contentType, body);
    contract.check(method, path, reply);
    return reply;
  }

  static ApiClient.Reply get(String path) throws Exception {
    return send("GET", path, null, null);
  }

  static ApiClient.Reply post(String body) throws Exception {
    return send("POST", "/runs", "application/json", body.getBytes(StandardCharsets.UTF_8));
  }

  /** Posts a request the hub must accept; the document's RunRequest must accept it too. */
  static ApiClient.Reply submit(String body, int status) throws Exception {
    ApiClient.Reply reply = post(body);
    assertEquals(status, reply.status(), reply.body().toString());
    assertEquals(List.of(), contract.requestErrors(Json.parse(body)), body);
    return reply;
  }

  /** Polls the run, checking each answer, until it is SUCCEEDED or FAILED. */
  static JsonNode finished(String runId) {
    JsonNode[] last = new JsonNode[1];
    Await.until(
        Duration.ofMinutes(2),
        () -> {
          try {
            last[0] = get("/runs/" + runId).body();
          } catch (Exception e) {
            throw new AssertionError(e);
          }
          String status = last[0].path("status").asText();
          return status.equals("SUCCEEDED")
              || status.equals("FAILED")
              || status.equals("CANCELLED");
        },
        () -> "run " + runId + " did not finish: " + last[0]);
    return last[0];
  }

  @Test
  @Order(1)
  void theDocumentListsExactlyTheRoutesTheHubServes() throws Exception {
    Set<String> documented = contract.routes();
    // The routes the local API (and the CDK stack: HubHttpApi.ROUTES) declare.
    assertEquals(new TreeSet<>(LocalRuntime.ROUTES), documented);
    // The routes the hub itself names when it finds none (HubApi.ROUTES).
    ApiClient.Reply notFound = get("/nothing-here");
    assertEquals(404, notFound.status());
    String message = notFound.body().get("message").asText();
    String listed = message.substring(message.indexOf("the routes are ") + 15);
    assertEquals(documented, new TreeSet<>(Arrays.asList(listed.split(", "))), message);
    // And what the hub answers: every method on every documented path is served (not 405, not a
    // NotFound route) exactly when the document lists it.
    for (String template : contract.model.getPaths().keySet()) {
      String path = template.replace("{runId}", UNKNOWN_RUN).replace("{taskNumber}", "1");
      for (String method : List.of("GET", "POST", "PUT", "PATCH", "DELETE")) {
        ApiClient.Reply reply = send(method, path, null, null);
        boolean served =
            reply.status() != 405 && !reply.body().path("error").asText().equals("NotFound");
        assertEquals(
            documented.contains(method + " " + template),
            served,
            method + " " + path + " -> " + reply.status() + " " + reply.body());
      }
    }
  }

  @Test
  void aRunWithItemsIsAcceptedListedPagedAndSummarized() throws Exception {
    ApiClient.Reply accepted = submit(ContractRuns.succeeding(), 202);
    assertEquals("DISPATCHING", accepted.body().get("status").asText());
    String runId = accepted.body().get("runId").asText();
    JsonNode run = finished(runId);
    assertEquals("SUCCEEDED", run.get("status").asText(), run.toString());
    assertEquals(5, run.at("/summary/succeeded").asInt(), run.toString());

    List<JsonNode> tasks = new ArrayList<>();
    String query = "?limit=2";
    while (query != null) {
      JsonNode page = get("/runs/" + runId + "/tasks" + query).body();
      page.get("tasks").forEach(tasks::add);
      query = page.has("nextToken") ? "?limit=2&nextToken=" + page.get("nextToken").asText() : null;
    }
    assertEquals(5, tasks.size());
    assertEquals(
        5, get("/runs/" + runId + "/tasks?status=SUCCEEDED&limit=100").body().get("tasks").size());
    assertEquals(0, get("/runs/" + runId + "/tasks?status=FAILED").body().get("tasks").size());

    String newer = submit(ContractRuns.succeeding(), 202).body().get("runId").asText();
    JsonNode first = get("/runs?limit=1").body();
    assertEquals(1, first.get("runs").size());
    assertTrue(first.has("nextToken"), first.toString());
    JsonNode second = get("/runs?limit=100&nextToken=" + first.get("nextToken").asText()).body();
    assertFalse(second.get("runs").isEmpty(), second.toString());
    finished(newer);
  }

  @Test
  void aRangeIsDiscoveredAndShowsItsDiscovery() throws Exception {
    ApiClient.Reply accepted = submit(ContractRuns.range(), 202);
    assertEquals("DISCOVERING", accepted.body().get("status").asText());
    JsonNode run = finished(accepted.body().get("runId").asText());
    assertEquals("SUCCEEDED", run.get("status").asText(), run.toString());
    assertEquals(500, run.get("total").asInt());
    assertTrue(run.at("/discovery/ended").asBoolean(), run.toString());
    assertEquals(1, run.at("/summary/discovery/pages").asInt(), run.toString());
    assertEquals("range", run.at("/discovery/source/type").asText());
    assertEquals(3, run.at("/discovery/source/step").asInt(), run.toString());
  }

  @Test
  void anIdempotencyKeyAnswers200ForTheSameRequestAnd409ForAnother() throws Exception {
    String key = "contract-" + UUID.randomUUID();
    String request = "{\"items\":[1,2],\"worker\":\"echo\",\"idempotencyKey\":\"" + key + "\"}";
    ApiClient.Reply first = submit(request, 202);
    ApiClient.Reply again = submit(request, 200);
    assertEquals(first.body().get("runId"), again.body().get("runId"));
    assertFalse(again.body().get("created").asBoolean());
    ApiClient.Reply conflict =
        post("{\"items\":[3],\"worker\":\"echo\",\"idempotencyKey\":\"" + key + "\"}");
    assertEquals(409, conflict.status(), conflict.body().toString());
    finished(first.body().get("runId").asText());
  }

  @Test
  void aRunWithFailedAndRetriedTasksShowsThem() throws Exception {
    String runId = submit(ContractRuns.failing(), 202).body().get("runId").asText();
    JsonNode run = finished(runId);
    assertEquals("FAILED", run.get("status").asText(), run.toString());
    JsonNode summary = run.get("summary");
    assertTrue(summary.get("failed").asInt() > 0, run.toString());
    assertTrue(summary.get("retriedTasks").asInt() > 0, run.toString());
    assertFalse(summary.get("failuresByError").isEmpty(), run.toString());
    assertFalse(summary.get("firstFailures").isEmpty(), run.toString());
    JsonNode failed = get("/runs/" + runId + "/tasks?status=FAILED&limit=100").body();
    assertEquals(summary.get("failed").asInt(), failed.get("tasks").size());
    assertEquals("InjectedFailure", failed.at("/tasks/0/errorType").asText(), failed.toString());
  }

  @Test
  void aFailedDiscoveryEndsTheRunFailedWithTheError() throws Exception {
    String runId = submit(ContractRuns.brokenDiscovery(), 202).body().get("runId").asText();
    JsonNode run = finished(runId);
    assertEquals("FAILED", run.get("status").asText(), run.toString());
    assertTrue(run.at("/discovery/error").asText().contains("gone for good"), run.toString());
    assertTrue(run.at("/summary/reason").asText().startsWith("discovery failed"), run.toString());
    assertEquals(4, run.at("/summary/succeeded").asInt(), run.toString());
  }

  @Test
  void aRequestThatCannotBeDispatchedEndsFailedWithTheReason() throws Exception {
    String key = "undispatchable-" + UUID.randomUUID();
    String runId = submit(runs.undispatchable(key), 202).body().get("runId").asText();
    JsonNode run = finished(runId);
    assertEquals("FAILED", run.get("status").asText(), run.toString());
    assertTrue(run.at("/summary/dispatchFailed").asBoolean(), run.toString());
    assertTrue(run.has("dispatchProgress"), run.toString());
  }

  @Test
  void aRunningTaskShowsItsLease() throws Exception {
    String runId =
        submit(
                "{\"items\":[1],\"worker\":\"sleep\",\"workerConfig\":{\"ms\":3000},"
                    + "\"taskTimeoutSeconds\":20}",
                202)
            .body()
            .get("runId")
            .asText();
    JsonNode[] running = new JsonNode[1];
    Await.until(
        Duration.ofSeconds(30),
        () -> {
          try {
            running[0] = get("/runs/" + runId + "/tasks?status=RUNNING").body();
          } catch (Exception e) {
            throw new AssertionError(e);
          }
          return running[0].get("tasks").size() == 1;
        },
        () -> "the task never ran: " + running[0]);
    assertTrue(running[0].at("/tasks/0").has("leaseUntil"), running[0].toString());
    JsonNode run = get("/runs/" + runId).body();
    assertEquals(1, run.at("/counts/IN_PROGRESS").asInt(), run.toString());
    finished(runId);
  }

  static Stream<Arguments> badRequests() {
    // body, the field the first error names, whether RunRequest's schema rejects it as well
    return Stream.of(
        Arguments.of("{", "body", false),
        Arguments.of("", "body", false),
        Arguments.of("[1,2]", "body", true),
        Arguments.of("{\"items\":[],\"worker\":\"echo\"}", "items", true),
        Arguments.of("{\"items\":[null],\"worker\":\"echo\"}", "items[0]", true),
        Arguments.of("{\"worker\":\"echo\"}", "items", true),
        Arguments.of("{\"items\":[1]}", "worker", true),
        Arguments.of("{\"items\":[1],\"worker\":\"teleport\"}", "worker", false),
        Arguments.of("{\"items\":[1],\"worker\":\"echo\",\"colour\":\"red\"}", "colour", true),
        Arguments.of(
            "{\"items\":[1],\"worker\":\"sleep\",\"workerConfig\":{\"ms\":-5}}",
            "workerConfig.ms",
            false),
        Arguments.of("{\"items\":[1],\"worker\":\"echo\",\"maxAttempts\":11}", "maxAttempts", true),
        Arguments.of(
            "{\"items\":[1],\"worker\":\"echo\",\"taskTimeoutSeconds\":\"60\"}",
            "taskTimeoutSeconds",
            true),
        Arguments.of(
            "{\"items\":[1],\"worker\":\"echo\",\"idempotencyKey\":\"a b\"}",
            "idempotencyKey",
            true),
        Arguments.of(
            "{\"items\":[1],\"source\":{\"type\":\"range\",\"end\":3},\"worker\":\"echo\"}",
            "source",
            true),
        Arguments.of(
            "{\"source\":{\"type\":\"sideways\"},\"worker\":\"echo\"}", "source.type", true),
        Arguments.of(
            "{\"source\":{\"type\":\"range\",\"start\":5,\"end\":5},\"worker\":\"echo\"}",
            "source.end",
            false),
        Arguments.of(
            "{\"source\":{\"type\":\"range\",\"end\":9,\"colour\":1},\"worker\":\"echo\"}",
            "source.colour",
            true),
        Arguments.of(
            "{\"source\":{\"type\":\"worker\",\"name\":\"nowhere\"},\"worker\":\"echo\"}",
            "source.name",
            false));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("badRequests")
  void aBadRunRequestIsA400NamingTheField(String body, String field, boolean schemaRejects)
      throws Exception {
    ApiClient.Reply reply = post(body);
    assertEquals(400, reply.status(), reply.body().toString());
    assertEquals(field, reply.body().at("/errors/0/field").asText(), reply.body().toString());
    if (schemaRejects) {
      assertFalse(contract.requestErrors(Json.parse(body)).isEmpty(), "RunRequest accepts " + body);
    }
  }

  @Test
  void badQueriesAndRunIdsAre400s() throws Exception {
    for (String path :
        List.of(
            "/runs?limit=0",
            "/runs?limit=101",
            "/runs?limit=ten",
            "/runs?nextToken=not-a-token",
            "/runs?colour=red",
            "/runs/not-a-run-id",
            "/runs/" + UNKNOWN_RUN + "?verbose=1",
            "/runs/not-a-run-id/tasks",
            "/runs/" + UNKNOWN_RUN + "/tasks?status=DONE",
            "/runs/" + UNKNOWN_RUN + "/tasks?limit=0")) {
      ApiClient.Reply reply = get(path);
      assertEquals(400, reply.status(), path + " " + reply.body());
    }
  }

  @Test
  void aBodyThatIsNotUtf8JsonIs415() throws Exception {
    byte[] body = ContractRuns.succeeding().getBytes(StandardCharsets.UTF_8);
    for (String contentType :
        Arrays.asList("text/plain", null, "application/json; charset=iso-8859-1")) {
      ApiClient.Reply reply = send("POST", "/runs", contentType, body);
      assertEquals(415, reply.status(), contentType + " " + reply.body());
    }
  }

  @Test
  void aBodyOver10MbIs413() throws Exception {
    byte[] body = new byte[10 * 1024 * 1024 + 1];
    Arrays.fill(body, (byte) ' ');
    assertEquals(413, send("POST", "/runs", "application/json", body).status());
  }

  @Test
  void anUnknownRunIs404() throws Exception {
    assertEquals("RunNotFound", get("/runs/" + UNKNOWN_RUN).body().get("error").asText());
    assertEquals(404, get("/runs/" + UNKNOWN_RUN + "/tasks").status());
  }

  @Test
  void anUnknownRouteIs404AndAnUnknownMethod405() throws Exception {
    assertEquals(404, get("/").status());
    assertEquals(404, get("/runs/" + UNKNOWN_RUN + "/tasks/000001/extra").status());
    ApiClient.Reply delete = send("DELETE", "/runs", null, null);
    assertEquals(405, delete.status());
    assertEquals("GET, POST", delete.raw().headers().firstValue("allow").orElse(""));
    assertEquals(405, send("POST", "/runs/" + UNKNOWN_RUN + "/tasks", null, null).status());
  }

  @Test
  void aFailingAwsServiceIs503OnEveryRouteAndAHubThatThrowsIs500() throws Exception {
    String runId = submit(ContractRuns.succeeding(), 202).body().get("runId").asText();
    finished(runId);
    String key = "denied-" + UUID.randomUUID();
    String denied = RunIds.fromIdempotencyKey(key);
    java.util.function.Predicate<software.amazon.awssdk.core.SdkRequest> hubCalls;
    hubCalls =
        r ->
            r.toString().contains(runId)
                || r.toString().contains(denied)
                || (r instanceof QueryRequest q && q.indexName() != null);
    String request = "{\"items\":[1],\"worker\":\"echo\",\"idempotencyKey\":\"" + key + "\"}";
    // A pull run with a claimed task, whose heartbeat and result fail like the rest.
    String pullRun = submit(PULL_RUN, 202).body().get("runId").asText();
    runs.api.awaitDispatched(pullRun, Duration.ofSeconds(30));
    JsonNode task = claim(pullRun, "{}").body().get("tasks").get(0);
    String token = "{\"token\":\"" + task.get("token").asText() + "\"}";
    String taskPath = "/runs/" + pullRun + "/tasks/" + task.get("taskNumber").asInt();
    java.util.function.Predicate<software.amazon.awssdk.core.SdkRequest> runCalls = hubCalls;
    hubCalls = r -> runCalls.test(r) || r.toString().contains(pullRun);
    runs.faults.deny = hubCalls;
    assertEquals(503, claim(pullRun, "{}").status());
    assertEquals(503, postJson(taskPath + "/heartbeat", token).status());
    assertEquals(
        503, postJson(taskPath + "/result", token.replace("}", ",\"result\":1}")).status());
    assertEquals(503, get("/runs/" + runId).status());
    assertEquals(503, get("/runs/" + runId + "/tasks").status());
    assertEquals(503, get("/runs/" + runId + "/tasks/0").status());
    assertEquals(503, send("DELETE", "/runs/" + runId, null, null).status());
    assertEquals(503, send("POST", "/runs/" + runId + "/redrive", null, null).status());
    assertEquals(503, get("/runs").status());
    assertEquals(503, post(request).status());
    runs.faults.clear();
    // Not an AWS error: the hub does not answer, and API Gateway says 500.
    runs.faults.failBefore = hubCalls;
    assertEquals(500, claim(pullRun, "{}").status());
    assertEquals(500, postJson(taskPath + "/heartbeat", token).status());
    assertEquals(
        500, postJson(taskPath + "/result", token.replace("}", ",\"result\":1}")).status());
    assertEquals(500, get("/runs/" + runId).status());
    assertEquals(500, get("/runs/" + runId + "/tasks").status());
    assertEquals(500, get("/runs/" + runId + "/tasks/0").status());
    assertEquals(500, send("DELETE", "/runs/" + runId, null, null).status());
    assertEquals(500, send("POST", "/runs/" + runId + "/redrive", null, null).status());
    assertEquals(500, get("/runs").status());
    assertEquals(500, post(request).status());
  }

  static final String PULL_RUN =
      "{\"items\":[1,2,3],\"dispatch\":\"pull\",\"worker\":\"resize\","
          + "\"workerConfig\":{\"width\":64},\"retry\":{\"initialDelaySeconds\":0}}";

  static ApiClient.Reply postJson(String path, String json) throws Exception {
    return send("POST", path, "application/json", json.getBytes(StandardCharsets.UTF_8));
  }

  static ApiClient.Reply claim(String runId, String json) throws Exception {
    return postJson("/runs/" + runId + "/claims", json);
  }

  @Test
  void pullWorkersClaimHeartbeatAndRecordOverTheDocumentedRoutes() throws Exception {
    JsonNode accepted = submit(PULL_RUN, 202).body();
    assertEquals("pull", accepted.get("dispatch").asText());
    String runId = accepted.get("runId").asText();
    runs.api.awaitDispatched(runId, Duration.ofSeconds(30));
    JsonNode claims = claim(runId, "{\"max\":3,\"leaseSeconds\":30,\"workerId\":\"box-1\"}").body();
    assertEquals(3, claims.get("tasks").size(), claims.toString());
    assertFalse(claims.get("done").asBoolean());
    JsonNode first = claims.get("tasks").get(0);
    String path = "/runs/" + runId + "/tasks/" + first.get("taskNumber").asInt();
    String token = first.get("token").asText();
    ApiClient.Reply beat = postJson(path + "/heartbeat", "{\"token\":\"" + token + "\"}");
    assertEquals(200, beat.status(), beat.body().toString());
    assertEquals(409, postJson(path + "/heartbeat", "{\"token\":\"" + token + "\"}").status());
    assertEquals(
        409, postJson(path + "/result", "{\"token\":\"" + token + "\",\"result\":1}").status());
    String fresh = beat.body().get("token").asText();
    assertEquals(
        200,
        postJson(path + "/result", "{\"token\":\"" + fresh + "\",\"result\":{\"ok\":true}}")
            .status());
    JsonNode second = claims.get("tasks").get(1);
    ApiClient.Reply retry =
        postJson(
            "/runs/" + runId + "/tasks/" + second.get("taskNumber").asInt() + "/result",
            "{\"token\":\""
                + second.get("token").asText()
                + "\",\"error\":{\"type\":\"Busy\",\"message\":\"later\"}}");
    assertEquals("PENDING", retry.body().get("status").asText(), retry.body().toString());
    assertEquals(400, claim(runId, "{\"max\":0}").status());
    assertEquals(400, postJson(path + "/heartbeat", "{}").status());
    assertEquals(400, postJson(path + "/result", "{\"token\":\"" + fresh + "\"}").status());
    assertEquals(404, claim(UNKNOWN_RUN, "{}").status());
    assertEquals(
        404, postJson("/runs/" + UNKNOWN_RUN + "/tasks/0/heartbeat", "{\"token\":\"x\"}").status());
    assertEquals(
        404,
        postJson("/runs/" + UNKNOWN_RUN + "/tasks/0/result", "{\"token\":\"x\",\"result\":1}")
            .status());
    String queued = submit(ContractRuns.succeeding(), 202).body().get("runId").asText();
    assertEquals(409, claim(queued, "{}").status());
    finished(queued);
  }

  @Test
  void aTaskShowsItsAttemptsAndRunsFilterByStatusAndTime() throws Exception {
    String runId = submit(ContractRuns.succeeding(), 202).body().get("runId").asText();
    JsonNode run = finished(runId);
    JsonNode task = get("/runs/" + runId + "/tasks/000000").body();
    assertEquals(1, task.get("attempts").size(), task.toString());
    assertEquals(400, get("/runs/" + runId + "/tasks/x1").status());
    assertEquals(400, get("/runs/" + runId + "/tasks/1?verbose=1").status());
    assertEquals(
        "TaskNotFound", get("/runs/" + runId + "/tasks/99999").body().get("error").asText());
    assertEquals(
        "RunNotFound", get("/runs/" + UNKNOWN_RUN + "/tasks/1").body().get("error").asText());
    JsonNode filtered =
        get("/runs?status=SUCCEEDED,FAILED&since=" + run.get("createdAt").asText()).body();
    assertTrue(filtered.get("runs").size() >= 1, filtered.toString());
    assertEquals(400, get("/runs?status=DONE").status());
    assertEquals(400, get("/runs?since=later").status());
  }

  @Test
  void aRunIsCancelledOnceAndAFinishedOneCannotBe() throws Exception {
    String runId = submit(ContractRuns.slow(), 202).body().get("runId").asText();
    assertEquals(202, send("DELETE", "/runs/" + runId, null, null).status());
    assertEquals(200, send("DELETE", "/runs/" + runId, null, null).status());
    JsonNode run = finished(runId);
    assertEquals("CANCELLED", run.get("status").asText(), run.toString());
    assertEquals(409, send("DELETE", "/runs/" + runId, null, null).status());
    assertEquals(404, send("DELETE", "/runs/" + UNKNOWN_RUN, null, null).status());
    assertEquals(400, send("DELETE", "/runs/not-a-run", null, null).status());
    assertEquals(400, send("DELETE", "/runs/" + runId + "?force=1", null, null).status());
  }

  @Test
  void onlyAFinishedRunIsRedrivenAndOnlyWhileItHasTasksToRunAgain() throws Exception {
    String runId = submit(ContractRuns.cancellable(), 202).body().get("runId").asText();
    ApiClient.Reply running = send("POST", "/runs/" + runId + "/redrive", null, null);
    assertEquals(409, running.status(), running.body().toString());
    assertEquals("RunNotFinished", running.body().get("error").asText());
    assertEquals(202, send("DELETE", "/runs/" + runId, null, null).status());
    assertEquals("CANCELLED", finished(runId).get("status").asText());
    byte[] failedOnly = "{\"statuses\":[\"FAILED\"]}".getBytes(StandardCharsets.UTF_8);
    ApiClient.Reply nothing =
        send("POST", "/runs/" + runId + "/redrive", "application/json", failedOnly);
    assertEquals(409, nothing.status(), nothing.body().toString());
    assertEquals("NothingToRedrive", nothing.body().get("error").asText());
    ApiClient.Reply redriven = send("POST", "/runs/" + runId + "/redrive", null, null);
    assertEquals(202, redriven.status(), redriven.body().toString());
    assertEquals(List.of(), contract.schemaErrors("RedrivenRun", redriven.body()));
    JsonNode run = finished(runId);
    assertEquals("SUCCEEDED", run.get("status").asText(), run.toString());
    assertEquals(1, run.get("round").asInt(), run.toString());
    byte[] bad = "{\"statuses\":[\"SUCCEEDED\"]}".getBytes(StandardCharsets.UTF_8);
    assertEquals(
        400, send("POST", "/runs/" + runId + "/redrive", "application/json", bad).status());
    assertEquals(400, send("POST", "/runs/" + runId + "/redrive?all=1", null, null).status());
    assertEquals(404, send("POST", "/runs/" + UNKNOWN_RUN + "/redrive", null, null).status());
    assertEquals(405, send("GET", "/runs/" + runId + "/redrive", null, null).status());
  }

  @Test
  void theValidatorRejectsWhatTheDocumentDoesNotAllow() throws Exception {
    String runId = submit(ContractRuns.succeeding(), 202).body().get("runId").asText();
    ObjectNode run = (ObjectNode) finished(runId);
    assertEquals(List.of(), contract.schemaErrors("Run", run));
    for (String field : List.of("status", "counts", "createdAt")) {
      ObjectNode broken = run.deepCopy();
      broken.remove(field);
      assertFalse(contract.schemaErrors("Run", broken).isEmpty(), "without " + field);
    }
    assertFalse(
        contract.schemaErrors("Run", run.deepCopy().put("colour", "red")).isEmpty(), "colour");
    assertFalse(
        contract.schemaErrors("Run", run.deepCopy().put("status", "DONE")).isEmpty(), "DONE");
    assertFalse(
        contract.schemaErrors("Run", run.deepCopy().put("createdAt", "yesterday")).isEmpty(),
        "a date-time is checked");
    ObjectNode unfinished = run.deepCopy().put("status", "RUNNING");
    assertFalse(contract.schemaErrors("Run", unfinished).isEmpty(), "a RUNNING run has no summary");
  }

  /**
   * A local API that requires signatures (as the stack's IAM authorizer does) answers every route's
   * unsigned or malformed request with the documented 403, before the hub sees it.
   */
  @Test
  void anUnsignedOrMalformedRequestIs403WhereSignaturesAreRequired() throws Exception {
    try (LocalRuntime signed =
        LocalRuntime.start(
            LocalOptions.builder().sweepInterval(Duration.ZERO).requireSignature(true).build())) {
      ApiClient unsigned = new ApiClient(signed.apiEndpoint());
      for (String route : contract.routes()) {
        String method = route.substring(0, route.indexOf(' '));
        String path =
            route
                .substring(route.indexOf(' ') + 1)
                .replace("{runId}", UNKNOWN_RUN)
                .replace("{taskNumber}", "1");
        byte[] body =
            method.equals("POST")
                ? ContractRuns.succeeding().getBytes(StandardCharsets.UTF_8)
                : null;
        ApiClient.Reply reply =
            unsigned.send(method, path, body == null ? null : "application/json", body);
        contract.check(method, path, reply);
        assertEquals(403, reply.status(), route + " " + reply.body());
        assertTrue(
            reply.body().get("message").asText().startsWith("Missing Authentication Token"),
            reply.body().toString());
      }
      ApiClient.Reply malformed =
          unsigned.sendWithHeaders(
              "GET",
              "/runs",
              java.util.Map.of(
                  "Authorization",
                  "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE12345/20261130/us-east-1/s3/aws4_request,"
                      + " SignedHeaders=host;x-amz-date, Signature=abc",
                  "X-Amz-Date",
                  "20261130T120000Z"));
      contract.check("GET", "/runs", malformed);
      assertEquals(403, malformed.status(), malformed.body().toString());
      String message = malformed.body().get("message").asText();
      assertTrue(message.contains("'s3' is not 'execute-api'"), message);
      assertTrue(message.contains("Signature must be 64"), message);
      // As on AWS, where only the routes carry the authorizer: no route, no signature check.
      assertEquals(404, unsigned.get("/nothing-here").status());
    }
  }

  /** Last, after the others: what they provoked covers every answer a local runtime can give. */
  @Test
  @Order(Integer.MAX_VALUE)
  void everyDocumentedAnswerWasSeen() {
    Set<String> expected = new TreeSet<>();
    List<String> operations = new ArrayList<>(contract.routes());
    operations.add(OpenApiContract.UNROUTED);
    for (String operation : operations) {
      for (String status : contract.statuses(operation)) {
        if (!AWS_ONLY.contains(status)) {
          expected.add(operation + " " + status);
        }
      }
    }
    Set<String> missing = new TreeSet<>(expected);
    missing.removeAll(contract.seen);
    assertEquals(
        Set.of(), missing, "documented answers no test provoked (seen: " + contract.seen + ")");
  }
}
