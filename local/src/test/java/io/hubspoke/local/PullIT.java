package io.hubspoke.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hubspoke.contract.json.Json;
import io.hubspoke.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Pull dispatch over the HTTP API of the local runtime, driven as an external worker drives it:
 * claims with lease tokens, heartbeats, results, long polling, a dead worker's task taken over and
 * its late result refused, a cancel seen by a heartbeat, and bad input answered 4xx naming the
 * field. No spoke ever touches a pull run's tasks.
 */
class PullIT {
  static LocalRuntime runtime;
  static ApiClient api;

  @BeforeAll
  static void start() {
    runtime =
        LocalRuntime.start(
            LocalOptions.builder()
                // The sweep runs when a test calls it, and finds a task overdue soon.
                .sweepInterval(Duration.ZERO)
                .stallMargin(Duration.ofMillis(300))
                .build());
    api = new ApiClient(runtime.apiEndpoint());
  }

  @AfterAll
  static void stop() {
    runtime.close();
  }

  static String submitPull(int items, String extra) throws Exception {
    ApiClient.Reply reply =
        api.postRun(
            "{\"items\":"
                + CancelIT.items(items)
                + ",\"dispatch\":\"pull\",\"worker\":\"doubler\",\"workerConfig\":{\"factor\":2}"
                + extra
                + "}");
    assertEquals(202, reply.status(), reply.body().toString());
    assertEquals("pull", reply.body().path("dispatch").asText());
    String runId = reply.body().get("runId").asText();
    api.awaitDispatched(runId, Duration.ofSeconds(30));
    return runId;
  }

  static ApiClient.Reply post(String path, String json) throws Exception {
    return api.send("POST", path, "application/json", json.getBytes(StandardCharsets.UTF_8));
  }

  static ApiClient.Reply claim(String runId, String json) throws Exception {
    return post("/runs/" + runId + "/claims", json);
  }

  static ApiClient.Reply result(String runId, JsonNode task, String outcome) throws Exception {
    return post(
        "/runs/" + runId + "/tasks/" + task.get("taskNumber").asInt() + "/result",
        "{\"token\":\"" + task.get("token").asText() + "\"," + outcome + "}");
  }

  static JsonNode run(String runId) throws Exception {
    return api.get("/runs/" + runId).body();
  }

  static JsonNode awaitStatus(String runId, String status) {
    JsonNode[] last = new JsonNode[1];
    Await.until(
        Duration.ofSeconds(30),
        () -> {
          try {
            runtime.sweep(); // summarizes a drained run at once
            last[0] = run(runId);
          } catch (Exception e) {
            throw new AssertionError(e);
          }
          return status.equals(last[0].path("status").asText());
        },
        () -> "run " + runId + " did not end " + status + ": " + last[0]);
    return last[0];
  }

  @Test
  void workersClaimEveryTaskOnceAndTheRunEndsWithExactCounts() throws Exception {
    String runId = submitPull(25, "");
    JsonNode view = run(runId);
    assertEquals("pull", view.path("dispatch").asText());
    Set<Integer> done = new HashSet<>();
    int claims = 0;
    while (true) {
      assertTrue(claims < 20, "still claiming after " + claims + " claims");
      ApiClient.Reply claimed =
          claim(runId, "{\"max\":10,\"waitSeconds\":1,\"workerId\":\"it-worker\"}");
      assertEquals(200, claimed.status(), claimed.body().toString());
      claims++;
      JsonNode tasks = claimed.body().get("tasks");
      assertEquals("doubler", claimed.body().path("worker").asText());
      assertEquals(2, claimed.body().path("workerConfig").path("factor").asInt());
      if (claimed.body().path("done").asBoolean()) {
        assertEquals(0, tasks.size());
        break;
      }
      assertTrue(tasks.size() <= 10);
      for (JsonNode task : tasks) {
        assertTrue(done.add(task.get("taskNumber").asInt()), "claimed twice: " + task);
        assertEquals(1, task.get("attempt").asInt());
        int item = task.get("item").asInt();
        ApiClient.Reply recorded = result(runId, task, "\"result\":{\"double\":" + 2 * item + "}");
        assertEquals(200, recorded.status(), recorded.body().toString());
        assertEquals("SUCCEEDED", recorded.body().path("status").asText());
      }
      if (done.size() == 25) {
        runtime.sweep(); // the run drained: summarized now, so the next claim answers done
      }
    }
    assertEquals(25, done.size());
    JsonNode ended = awaitStatus(runId, "SUCCEEDED");
    assertEquals(25, ended.path("succeeded").asInt());
    assertEquals(0, ended.path("failed").asInt());
    JsonNode task7 = api.get("/runs/" + runId + "/tasks/7").body();
    assertEquals(14, task7.path("result").path("double").asInt());
    assertEquals("pull:it-worker", task7.path("attempts").get(0).path("spoke").asText());
  }

  @Test
  void aRetryableErrorComesBackForTheNextClaimAndAPermanentOneFailsTheTask() throws Exception {
    String runId = submitPull(2, ",\"maxAttempts\":3,\"retry\":{\"initialDelaySeconds\":0}");
    JsonNode tasks = claim(runId, "{\"max\":2}").body().get("tasks");
    assertEquals(2, tasks.size());
    ApiClient.Reply retried =
        result(
            runId,
            tasks.get(0),
            "\"error\":{\"type\":\"Flaky\",\"message\":\"try again\",\"retryable\":true}");
    assertEquals(200, retried.status(), retried.body().toString());
    assertEquals("PENDING", retried.body().path("status").asText());
    assertEquals(0, retried.body().path("retryInSeconds").asInt());
    ApiClient.Reply failed =
        result(runId, tasks.get(1), "\"error\":{\"type\":\"BadItem\",\"retryable\":false}");
    assertEquals("FAILED", failed.body().path("status").asText(), failed.body().toString());
    JsonNode again = claim(runId, "{\"max\":2,\"waitSeconds\":5}").body().get("tasks");
    assertEquals(1, again.size(), again.toString());
    assertEquals(tasks.get(0).get("taskNumber"), again.get(0).get("taskNumber"));
    assertEquals(2, again.get(0).get("attempt").asInt());
    assertEquals(200, result(runId, again.get(0), "\"result\":\"ok\"").status());
    JsonNode ended = awaitStatus(runId, "FAILED");
    assertEquals(1, ended.path("succeeded").asInt());
    assertEquals(1, ended.path("failed").asInt());
  }

  @Test
  void aDeadWorkersTaskIsTakenOverAndItsLateResultIsRefused() throws Exception {
    String runId = submitPull(1, "");
    JsonNode first = claim(runId, "{\"leaseSeconds\":1}").body().get("tasks").get(0);
    // The first worker dies holding the lease. Until it ends, nobody else gets the task.
    ApiClient.Reply meanwhile = claim(runId, "{}");
    assertEquals(0, meanwhile.body().get("tasks").size(), meanwhile.body().toString());
    JsonNode second =
        claim(runId, "{\"waitSeconds\":10,\"workerId\":\"rescuer\"}").body().get("tasks").get(0);
    assertEquals(first.get("taskNumber"), second.get("taskNumber"));
    assertEquals(2, second.get("attempt").asInt());
    assertNotEquals(first.get("token"), second.get("token"));
    // The first worker comes back and commits after its lease: refused, nothing recorded.
    ApiClient.Reply late = result(runId, first, "\"result\":\"stale\"");
    assertEquals(409, late.status(), late.body().toString());
    assertEquals("LeaseLost", late.body().path("error").asText());
    ApiClient.Reply lateBeat =
        post(
            "/runs/" + runId + "/tasks/0/heartbeat",
            "{\"token\":\"" + first.get("token").asText() + "\"}");
    assertEquals(409, lateBeat.status());
    assertEquals(200, result(runId, second, "\"result\":\"fresh\"").status());
    awaitStatus(runId, "SUCCEEDED");
    JsonNode task = api.get("/runs/" + runId + "/tasks/0").body();
    assertEquals("fresh", task.path("result").asText());
    assertEquals("ABANDONED", task.path("attempts").get(0).path("outcome").asText());
    assertEquals("SUCCEEDED", task.path("attempts").get(1).path("outcome").asText());
  }

  @Test
  void aHeartbeatExtendsTheLeaseWithANewTokenAndTheOldOneNoLongerCommits() throws Exception {
    String runId = submitPull(1, "");
    JsonNode task = claim(runId, "{\"leaseSeconds\":2}").body().get("tasks").get(0);
    ApiClient.Reply beat =
        post(
            "/runs/" + runId + "/tasks/0/heartbeat",
            "{\"token\":\"" + task.get("token").asText() + "\",\"leaseSeconds\":60}");
    assertEquals(200, beat.status(), beat.body().toString());
    assertNotEquals(task.get("token").asText(), beat.body().get("token").asText());
    // Past the first lease's end, the task is still ours: nobody can claim it.
    ApiClient.Reply other = claim(runId, "{\"waitSeconds\":3}");
    assertEquals(0, other.body().get("tasks").size(), other.body().toString());
    assertEquals(409, result(runId, task, "\"result\":1").status(), "the pre-heartbeat token");
    ObjectNode current = task.deepCopy();
    current.put("token", beat.body().get("token").asText());
    assertEquals(200, result(runId, current, "\"result\":1").status());
    awaitStatus(runId, "SUCCEEDED");
  }

  @Test
  void aLongPollReturnsATaskThatBecomesClaimableDuringItsWait() throws Exception {
    String runId = submitPull(1, ",\"retry\":{\"initialDelaySeconds\":0}");
    JsonNode task = claim(runId, "{}").body().get("tasks").get(0);
    CompletableFuture<ApiClient.Reply> waiting =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return claim(runId, "{\"waitSeconds\":15}");
              } catch (Exception e) {
                throw new AssertionError(e);
              }
            });
    assertEquals(
        200, result(runId, task, "\"error\":{\"type\":\"Flaky\",\"retryable\":true}").status());
    ApiClient.Reply woken = waiting.get(30, TimeUnit.SECONDS);
    assertEquals(1, woken.body().get("tasks").size(), woken.body().toString());
    assertEquals(2, woken.body().get("tasks").get(0).get("attempt").asInt());
    assertEquals(200, result(runId, woken.body().get("tasks").get(0), "\"result\":1").status());
    awaitStatus(runId, "SUCCEEDED");
  }

  @Test
  void aCancelStopsTheWorkerAtItsNextHeartbeatAndClaimsAnswerDone() throws Exception {
    String runId = submitPull(5, "");
    JsonNode task = claim(runId, "{}").body().get("tasks").get(0);
    assertEquals(202, api.send("DELETE", "/runs/" + runId, null, null).status());
    ApiClient.Reply beat =
        post(
            "/runs/" + runId + "/tasks/" + task.get("taskNumber").asInt() + "/heartbeat",
            "{\"token\":\"" + task.get("token").asText() + "\"}");
    assertEquals(409, beat.status(), beat.body().toString());
    assertEquals("RunStopped", beat.body().path("error").asText());
    ApiClient.Reply after = claim(runId, "{\"waitSeconds\":5}");
    assertEquals(0, after.body().get("tasks").size());
    assertTrue(after.body().path("done").asBoolean(), after.body().toString());
    JsonNode ended = awaitStatus(runId, "CANCELLED");
    assertEquals(5, ended.path("cancelled").asInt(), ended.toString());
  }

  @Test
  void aCancelledRunsTaskHeldByADeadWorkerIsEndedByTheSweep() throws Exception {
    String runId = submitPull(2, "");
    claim(runId, "{\"leaseSeconds\":1,\"max\":2}"); // and the worker dies
    assertEquals(202, api.send("DELETE", "/runs/" + runId, null, null).status());
    JsonNode ended = awaitStatus(runId, "CANCELLED");
    assertEquals(2, ended.path("cancelled").asInt(), ended.toString());
  }

  @Test
  void aTaskWhoseLastAttemptsWorkerDiedFailsWithoutAnotherClaim() throws Exception {
    String runId = submitPull(1, ",\"maxAttempts\":1");
    claim(runId, "{\"leaseSeconds\":1}"); // and the worker dies
    JsonNode ended = awaitStatus(runId, "FAILED");
    assertEquals(1, ended.path("failed").asInt());
    JsonNode task = api.get("/runs/" + runId + "/tasks/0").body();
    assertEquals("LeaseExpired", task.path("errorType").asText(), task.toString());
  }

  @Test
  void badClaimsHeartbeatsAndResultsAreAnsweredWithTheFieldAndTheFix() throws Exception {
    String runId = submitPull(1, "");
    assertInvalid(claim(runId, "{\"max\":11}"), "max");
    assertInvalid(claim(runId, "{\"waitSeconds\":21}"), "waitSeconds");
    assertInvalid(claim(runId, "{\"leaseSeconds\":0}"), "leaseSeconds");
    assertInvalid(claim(runId, "{\"workerId\":\"a b\"}"), "workerId");
    assertInvalid(claim(runId, "{\"maximum\":1}"), "maximum");
    assertInvalid(claim(runId, "[1]"), "body");
    JsonNode task = claim(runId, "{}").body().get("tasks").get(0);
    String path = "/runs/" + runId + "/tasks/0";
    assertInvalid(post(path + "/heartbeat", "{}"), "token");
    assertInvalid(post(path + "/heartbeat", "{\"token\":\"not-a-token\"}"), "token");
    assertInvalid(post(path + "/result", "{\"token\":\"x\",\"result\":1}"), "token");
    String token = "\"token\":\"" + task.get("token").asText() + "\"";
    assertInvalid(post(path + "/result", "{" + token + "}"), "result");
    assertInvalid(post(path + "/result", "{" + token + ",\"result\":1,\"error\":{}}"), "error");
    assertInvalid(post(path + "/result", "{" + token + ",\"error\":{}}"), "error.type");
    assertInvalid(
        post(path + "/result", "{" + token + ",\"error\":{\"type\":\"X\",\"retryable\":1}}"),
        "error.retryable");
    // Another task's token is not this task's.
    assertInvalid(
        post("/runs/" + runId + "/tasks/1/result", "{" + token + ",\"result\":1}"), "token");
    String tooLarge = "\"" + "x".repeat(300 * 1024) + "\"";
    assertInvalid(post(path + "/result", "{" + token + ",\"result\":" + tooLarge + "}"), "result");
    assertEquals(405, api.send("GET", "/runs/" + runId + "/claims", null, null).status());
    assertEquals(200, post(path + "/result", "{" + token + ",\"result\":1}").status());
    // A queue run's tasks are not claimed over the API.
    ApiClient.Reply queued = api.postRun("{\"items\":[1],\"worker\":\"echo\"}");
    ApiClient.Reply refused = claim(queued.body().get("runId").asText(), "{}");
    assertEquals(409, refused.status());
    assertEquals("NotAPullRun", refused.body().path("error").asText());
    assertEquals(404, claim("r-000000000000000000000000", "{}").status());
    // A pull run takes no concurrency cap: its workers are its concurrency.
    assertInvalid(
        api.postRun("{\"items\":[1],\"dispatch\":\"pull\",\"maxConcurrency\":2}"),
        "maxConcurrency");
    assertInvalid(api.postRun("{\"items\":[1],\"dispatch\":\"carrier-pigeon\"}"), "dispatch");
  }

  static void assertInvalid(ApiClient.Reply reply, String field) {
    assertEquals(400, reply.status(), reply.body().toString());
    JsonNode errors = reply.body().path("errors");
    boolean named = false;
    for (JsonNode error : errors) {
      named |= field.equals(error.path("field").asText());
      assertFalse(error.path("fix").asText().isEmpty(), error.toString());
    }
    assertTrue(named, "no error names " + field + ": " + Json.write(reply.body()));
  }
}
