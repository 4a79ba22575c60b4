package io.hubspoke.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code GET /runs?status=&since=}: filtered listings, paged to the end. */
class RunFilterIT {
  static LocalRuntime runtime;
  static ApiClient api;

  /** Oldest first: runId, final status, createdAt. */
  record Created(String runId, String status, Instant createdAt) {}

  static final List<Created> created = new ArrayList<>();

  @BeforeAll
  static void startAndCreateRuns() throws Exception {
    runtime = LocalRuntime.start(LocalOptions.builder().sweepInterval(Duration.ZERO).build());
    api = new ApiClient(runtime.apiEndpoint());
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      String body =
          i % 3 == 0
              ? "{\"items\":["
                  + i
                  + "],\"worker\":\"sleep\","
                  + "\"workerConfig\":{\"ms\":0,\"failRate\":1},\"maxAttempts\":1}"
              : "{\"items\":[" + i + "],\"worker\":\"echo\"}";
      ApiClient.Reply reply = api.postRun(body);
      assertEquals(202, reply.status(), reply.body().toString());
      ids.add(reply.body().get("runId").asText());
    }
    for (String runId : ids) {
      JsonNode run = api.awaitFinished(runId, Duration.ofMinutes(1));
      created.add(
          new Created(
              runId, run.get("status").asText(), Instant.parse(run.get("createdAt").asText())));
    }
  }

  @AfterAll
  static void stop() {
    runtime.close();
  }

  /** Follows nextToken to the end; every page but the last is full. */
  static List<String> listAll(String query, int limit) throws Exception {
    List<String> ids = new ArrayList<>();
    String token = null;
    int pages = 0;
    do {
      String path =
          "/runs?limit="
              + limit
              + query
              + (token == null
                  ? ""
                  : "&nextToken=" + URLEncoder.encode(token, StandardCharsets.UTF_8));
      ApiClient.Reply reply = api.get(path);
      assertEquals(200, reply.status(), reply.body().toString());
      JsonNode runs = reply.body().get("runs");
      runs.forEach(run -> ids.add(run.get("runId").asText()));
      token = reply.body().path("nextToken").asText(null);
      if (token != null) {
        assertEquals(limit, runs.size(), "a page with a nextToken is full");
      }
      assertTrue(++pages <= 20, "paging does not end");
    } while (token != null);
    return ids;
  }

  static List<String> newestFirst(java.util.function.Predicate<Created> which) {
    List<String> ids = new ArrayList<>();
    created.stream().filter(which).forEach(c -> ids.add(c.runId()));
    Collections.reverse(ids);
    return ids;
  }

  @ParameterizedTest(name = "limit {0}")
  @ValueSource(ints = {1, 2, 3, 5, 100})
  void aStatusFilterListsExactlyThoseRunsNewestFirst(int limit) throws Exception {
    assertEquals(newestFirst(c -> c.status().equals("FAILED")), listAll("&status=FAILED", limit));
    assertEquals(
        newestFirst(c -> c.status().equals("SUCCEEDED")), listAll("&status=SUCCEEDED", limit));
    assertEquals(newestFirst(c -> true), listAll("&status=SUCCEEDED,FAILED", limit));
    assertEquals(List.of(), listAll("&status=RUNNING", limit));
  }

  @ParameterizedTest(name = "limit {0}")
  @ValueSource(ints = {1, 2, 4, 100})
  void sinceListsTheRunsCreatedAtOrAfterIt(int limit) throws Exception {
    Instant since = created.get(4).createdAt();
    String query = "&since=" + since;
    assertEquals(newestFirst(c -> !c.createdAt().isBefore(since)), listAll(query, limit));
    assertEquals(
        newestFirst(c -> !c.createdAt().isBefore(since) && c.status().equals("FAILED")),
        listAll(query + "&status=FAILED", limit));
    assertEquals(List.of(), listAll("&since=2999-01-01", limit));
    assertEquals(newestFirst(c -> true), listAll("&since=2000-01-01", limit));
  }

  @Test
  void aBadFilterIsA400NamingIt() throws Exception {
    ApiClient.Reply status = api.get("/runs?status=DONE");
    assertEquals(400, status.status());
    assertEquals("status", status.body().at("/errors/0/field").asText(), status.body().toString());
    assertTrue(status.body().at("/errors/0/fix").asText().contains("SUCCEEDED"));
    ApiClient.Reply since = api.get("/runs?since=yesterday");
    assertEquals(400, since.status());
    assertEquals("since", since.body().at("/errors/0/field").asText(), since.body().toString());
    assertTrue(since.body().at("/errors/0/fix").asText().contains("2026-11-30"));
  }
}
