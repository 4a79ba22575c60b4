package io.hubspoke.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code GET /runs} followed page by page to the end through the local HTTP API, as a client that
 * trusts {@code nextToken} would: every run once, newest first, and a page with no {@code
 * nextToken} only when nothing follows it.
 */
class RunListingIT {
  static final int RUNS = 12;
  static LocalRuntime runtime;
  static ApiClient api;
  static final List<String> created = new ArrayList<>();

  @BeforeAll
  static void startAndCreateRuns() throws Exception {
    runtime = LocalRuntime.start(LocalOptions.builder().sweepInterval(Duration.ZERO).build());
    api = new ApiClient(runtime.apiEndpoint());
    for (int i = 0; i < RUNS; i++) {
      ApiClient.Reply reply = api.postRun("{\"items\":[" + i + "],\"worker\":\"echo\"}");
      assertEquals(202, reply.status(), reply.body().toString());
      created.add(reply.body().get("runId").asText());
    }
    for (String runId : created) {
      api.awaitFinished(runId, Duration.ofMinutes(1));
    }
  }

  @AfterAll
  static void stop() {
    runtime.close();
  }

  /** 12 runs: limits that divide it (the last page is full) and limits that do not. */
  @ParameterizedTest(name = "limit {0}")
  @ValueSource(ints = {1, 3, 4, 5, 6, 7, 11, 12, 13, 100})
  void everyRunIsListedOnceNewestFirstAndOnlyTheLastPageLacksANextToken(int limit)
      throws Exception {
    List<JsonNode> listed = new ArrayList<>();
    List<Integer> pageSizes = new ArrayList<>();
    String token = null;
    int pages = 0;
    do {
      String path =
          "/runs?limit="
              + limit
              + (token == null
                  ? ""
                  : "&nextToken=" + URLEncoder.encode(token, StandardCharsets.UTF_8));
      ApiClient.Reply reply = api.get(path);
      assertEquals(200, reply.status(), reply.body().toString());
      JsonNode runs = reply.body().get("runs");
      pageSizes.add(runs.size());
      runs.forEach(listed::add);
      token = reply.body().path("nextToken").asText(null);
      assertTrue(runs.size() <= limit, "page of " + runs.size() + " over the limit " + limit);
      if (token != null) {
        assertEquals(limit, runs.size(), "a page with a nextToken is full: " + pageSizes);
      }
      assertTrue(++pages <= RUNS + 1, "paging does not end: " + pageSizes);
    } while (token != null);

    assertFalse(pageSizes.contains(0), "no page is empty: " + pageSizes);
    assertEquals((RUNS + limit - 1) / limit, pages, "pages " + pageSizes);
    List<String> ids = listed.stream().map(r -> r.get("runId").asText()).toList();
    assertEquals(RUNS, ids.size(), "listed " + ids);
    Set<String> unique = new HashSet<>(ids);
    assertEquals(RUNS, unique.size(), "a run was listed twice: " + ids);
    assertEquals(new HashSet<>(created), unique);
    List<String> newestFirst = new ArrayList<>(created);
    java.util.Collections.reverse(newestFirst);
    assertEquals(newestFirst, ids, "newest first");
    for (int i = 1; i < listed.size(); i++) {
      Instant before = Instant.parse(listed.get(i - 1).get("createdAt").asText());
      Instant after = Instant.parse(listed.get(i).get("createdAt").asText());
      assertFalse(after.isAfter(before), "createdAt descends: " + listed);
    }
    for (JsonNode run : listed) {
      assertEquals("SUCCEEDED", run.get("status").asText(), run.toString());
      assertEquals(1, run.get("total").asInt());
    }
  }
}
