package io.hubspoke.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A run's own retry policy, measured from its tasks' attempt history: the wait between the end of a
 * failed attempt and the start of the next.
 */
class RetryPolicyIT {
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

  /** Every task's first attempt fails; returns the shortest and longest wait before the second. */
  static long[] waitsMs(String retry) throws Exception {
    ApiClient.Reply reply =
        api.postRun(
            "{\"items\":[0,1,2,3,4,5],\"worker\":\"sleep\","
                + "\"workerConfig\":{\"ms\":1,\"flakyRate\":1},\"maxAttempts\":2,\"retry\":"
                + retry
                + "}");
    assertEquals(202, reply.status(), reply.body().toString());
    String runId = reply.body().get("runId").asText();
    JsonNode run = api.awaitFinished(runId, Duration.ofMinutes(1));
    assertEquals("SUCCEEDED", run.get("status").asText(), run.toString());
    long shortest = Long.MAX_VALUE;
    long longest = 0;
    for (int index = 0; index < 6; index++) {
      JsonNode attempts = api.get("/runs/" + runId + "/tasks/" + index).body().get("attempts");
      assertEquals(2, attempts.size(), attempts.toString());
      long waited =
          Duration.between(
                  Instant.parse(attempts.get(0).get("endedAt").asText()),
                  Instant.parse(attempts.get(1).get("startedAt").asText()))
              .toMillis();
      shortest = Math.min(shortest, waited);
      longest = Math.max(longest, waited);
    }
    return new long[] {shortest, longest};
  }

  @Test
  void aRunWaitsWhatItsPolicySaysBetweenAttempts() throws Exception {
    long[] none = waitsMs("{\"initialDelaySeconds\":0}");
    long[] four = waitsMs("{\"initialDelaySeconds\":4,\"jitter\":0}");
    // The default would wait 1 s; a policy of 0 s retries at once, one of 4 s waits 4 s.
    assertTrue(none[1] < 900, "no delay: the longest wait was " + none[1] + " ms");
    assertTrue(four[0] >= 3_900, "4 s delay: the shortest wait was " + four[0] + " ms");
    assertTrue(four[1] < 9_000, "4 s delay: the longest wait was " + four[1] + " ms");
  }

  @Test
  void theRunShowsItsPolicy() throws Exception {
    ApiClient.Reply reply =
        api.postRun(
            "{\"items\":[1],\"worker\":\"echo\",\"retry\":{\"multiplier\":3,\"jitter\":0.25}}");
    JsonNode retry = reply.body().get("retry");
    assertEquals(1, retry.get("initialDelaySeconds").asInt(), reply.body().toString());
    assertEquals(3.0, retry.get("multiplier").asDouble());
    assertEquals(900, retry.get("maxDelaySeconds").asInt());
    assertEquals(0.25, retry.get("jitter").asDouble());
  }
}
