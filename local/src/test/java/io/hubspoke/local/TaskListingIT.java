package io.hubspoke.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * GET /runs/{runId}/tasks followed to the last page: every task once, only the last page without a
 * nextToken, no empty page, with and without a status filter, across the run's shards.
 */
class TaskListingIT {
  /** Three shards of 150 tasks. */
  static final int TASKS = 450;

  static LocalRuntime runtime;
  static ApiClient api;
  static String runId;
  static int failed;

  @BeforeAll
  static void startAndRun() throws Exception {
    runtime = LocalRuntime.start(LocalOptions.builder().sweepInterval(Duration.ZERO).build());
    api = new ApiClient(runtime.apiEndpoint());
    String items =
        IntStream.range(0, TASKS).mapToObj(Integer::toString).collect(Collectors.joining(","));
    ApiClient.Reply reply =
        api.postRun(
            "{\"items\":["
                + items
                + "],\"worker\":\"sleep\",\"workerConfig\":{\"ms\":0,\"failRate\":0.3},"
                + "\"maxAttempts\":1}");
    assertEquals(202, reply.status(), reply.body().toString());
    runId = reply.body().get("runId").asText();
    JsonNode run = api.awaitFinished(runId, Duration.ofMinutes(2));
    failed = run.get("failed").asInt();
    assertTrue(failed > 0 && failed < TASKS, "both outcomes occur: " + run);
  }

  @AfterAll
  static void stop() {
    runtime.close();
  }

  @ParameterizedTest(name = "limit {0}, status {1}")
  @CsvSource({"7,", "50,", "100,", "75,", "90,", "7,FAILED", "10,FAILED", "100,SUCCEEDED"})
  void everyTaskIsListedOnceAndOnlyTheLastPageLacksANextToken(int limit, String status)
      throws Exception {
    int expected = status == null ? TASKS : status.equals("FAILED") ? failed : TASKS - failed;
    List<Integer> pageSizes = new ArrayList<>();
    List<Integer> indexes = new ArrayList<>();
    String token = null;
    do {
      String path =
          "/runs/"
              + runId
              + "/tasks?limit="
              + limit
              + (status == null ? "" : "&status=" + status)
              + (token == null
                  ? ""
                  : "&nextToken=" + URLEncoder.encode(token, StandardCharsets.UTF_8));
      ApiClient.Reply reply = api.get(path);
      assertEquals(200, reply.status(), reply.body().toString());
      JsonNode tasks = reply.body().get("tasks");
      pageSizes.add(tasks.size());
      for (JsonNode task : tasks) {
        indexes.add(task.get("index").asInt());
        if (status != null) {
          assertEquals(status, task.get("status").asText());
        }
      }
      token = reply.body().path("nextToken").asText(null);
      assertTrue(tasks.size() <= limit, "page of " + tasks.size() + " over the limit " + limit);
      if (token != null) {
        assertEquals(limit, tasks.size(), "a page with a nextToken is full: " + pageSizes);
      }
      assertTrue(pageSizes.size() <= TASKS + 1, "paging does not end: " + pageSizes);
    } while (token != null);

    assertFalse(pageSizes.contains(0), "no page is empty: " + pageSizes);
    assertEquals((expected + limit - 1) / limit, pageSizes.size(), "pages " + pageSizes);
    Set<Integer> unique = new HashSet<>(indexes);
    assertEquals(indexes.size(), unique.size(), "a task was listed twice");
    assertEquals(expected, unique.size());
  }
}
