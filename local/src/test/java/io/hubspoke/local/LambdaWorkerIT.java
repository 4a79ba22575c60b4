package io.hubspoke.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hubspoke.contract.json.Json;
import io.hubspoke.core.model.RunIds;
import io.hubspoke.local.emulator.FunctionCode;
import io.hubspoke.local.emulator.HandlerJars;
import io.hubspoke.local.emulator.LocalFunction;
import io.hubspoke.local.emulator.LocalLambdaEndpoint;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code lambda} worker through the whole local runtime: the spokes invoke local functions with
 * the real SDK {@code LambdaClient}, through {@code AWS_ENDPOINT_URL_LAMBDA}, on the local Invoke
 * endpoint, exactly the path a deployed spoke takes to a deployed function. The run's counts,
 * attempts and errors must follow from what each function answers.
 */
class LambdaWorkerIT {
  @TempDir static Path work;
  static LocalRuntime runtime;
  static ApiClient api;

  static Path repositoryFile(String path) {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve(path))) {
        return dir.resolve(path);
      }
    }
    throw new IllegalStateException(path + " not found above " + Path.of("").toAbsolutePath());
  }

  @BeforeAll
  static void start() throws Exception {
    Path modes = Path.of(LambdaWorkerIT.class.getResource("/functions/modes.py").toURI());
    Path handler = repositoryFile("examples/worker-python/handler.py");
    Path jar = HandlerJars.build(work);
    runtime =
        LocalRuntime.start(
            LocalOptions.builder()
                .sweepInterval(Duration.ZERO)
                .function(
                    LocalFunction.builder(
                            "wordcount",
                            FunctionCode.command(List.of("python3", handler.toString())))
                        .alias("live")
                        .build())
                .function(
                    LocalFunction.builder(
                            "modes", FunctionCode.command(List.of("python3", modes.toString())))
                        .timeout(Duration.ofSeconds(2))
                        .build())
                .function(
                    LocalFunction.builder(
                            "slow-modes",
                            FunctionCode.command(List.of("python3", modes.toString())))
                        .build())
                .function(
                    LocalFunction.builder(
                            "words-java", FunctionCode.javaHandler(jar, HandlerJars.WORD_COUNT))
                        .timeout(Duration.ofSeconds(2))
                        .build())
                .function(
                    LocalFunction.builder(
                            "one-at-a-time",
                            FunctionCode.command(List.of("python3", handler.toString())))
                        .reservedConcurrency(1)
                        .build())
                .build());
    api = new ApiClient(runtime.apiEndpoint());
  }

  @AfterAll
  static void stop() {
    if (runtime != null) {
      runtime.close();
    }
  }

  static String run(String request) throws Exception {
    ApiClient.Reply created = api.postRun(request);
    assertEquals(202, created.status(), created.body().toString());
    return created.body().get("runId").asText();
  }

  static Map<Integer, JsonNode> tasks(String runId) throws Exception {
    Map<Integer, JsonNode> tasks = new TreeMap<>();
    String next = null;
    do {
      JsonNode page =
          api.get(
                  "/runs/"
                      + runId
                      + "/tasks?limit=100"
                      + (next == null
                          ? ""
                          : "&nextToken="
                              + java.net.URLEncoder.encode(next, StandardCharsets.UTF_8)))
              .body();
      page.get("tasks").forEach(t -> tasks.put(t.get("index").asInt(), t));
      next = page.path("nextToken").asText(null);
    } while (next != null);
    return tasks;
  }

  static Map<String, Integer> failuresByError(JsonNode run) {
    Map<String, Integer> failures = new TreeMap<>();
    run.get("summary")
        .get("failuresByError")
        .forEach(
            f -> failures.merge(f.get("errorType").asText(), f.get("count").asInt(), Integer::sum));
    return failures;
  }

  @Test
  void thePythonExampleRunsAsACommandFunctionThroughTheSdk() throws Exception {
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      texts.add("line " + i + " of the text\nthe end " + "word ".repeat(i));
    }
    long invocationsBefore = runtime.lambda().stats("wordcount").invocations();
    String runId =
        run(
            "{\"items\":"
                + Json.write(texts)
                + ",\"worker\":\"lambda\",\"workerConfig\":{\"function\":\"wordcount:live\"}}");
    JsonNode run = api.awaitFinished(runId, Duration.ofMinutes(2));
    assertEquals("SUCCEEDED", run.get("status").asText(), run.toString());
    assertEquals(40, run.get("summary").get("succeeded").asInt());
    assertEquals(40, run.get("summary").get("attempts").asInt());
    assertEquals(40, runtime.lambda().stats("wordcount").invocations() - invocationsBefore);
    Map<Integer, JsonNode> tasks = tasks(runId);
    assertEquals(40, tasks.size());
    for (int i = 0; i < texts.size(); i++) {
      JsonNode result = tasks.get(i).get("result");
      byte[] text = texts.get(i).getBytes(StandardCharsets.UTF_8);
      assertEquals(RunIds.taskId(runId, i), result.get("taskId").asText());
      assertEquals(
          HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text)),
          result.get("sha256").asText(),
          "task " + i);
      assertEquals(text.length, result.get("bytes").asInt());
      assertEquals(texts.get(i).split("\\s+").length, result.get("words").asInt(), "task " + i);
      assertEquals(2, result.get("lines").asInt());
    }
  }

  /**
   * Per mode (3 attempts at most): ok and flaky succeed (flaky on attempt 2); broken, crash (a
   * non-zero exit) and hang (killed at the function's 2 s timeout) fail after 3 attempts; bad
   * (errorType ending in NonRetryable) and marked ("retryable": false) fail at once.
   */
  @Test
  void aFunctionErrorIsRetriedUnlessMarkedAndATimedOutFunctionFails() throws Exception {
    List<String> modes = List.of("ok", "ok", "flaky", "broken", "bad", "marked", "crash", "hang");
    StringBuilder items = new StringBuilder("[");
    for (int i = 0; i < modes.size(); i++) {
      items.append(i == 0 ? "" : ",");
      items.append("{\"mode\":\"").append(modes.get(i)).append("\",\"n\":").append(i).append('}');
    }
    items.append(']');
    String runId =
        run(
            "{\"items\":"
                + items
                + ",\"worker\":\"lambda\",\"maxAttempts\":3,\"taskTimeoutSeconds\":10,"
                + "\"workerConfig\":{\"function\":\"modes\"}}");
    JsonNode run = api.awaitFinished(runId, Duration.ofMinutes(3));
    assertEquals("FAILED", run.get("status").asText());
    assertEquals(3, run.get("summary").get("succeeded").asInt(), run.toString());
    assertEquals(
        Map.of(
            "RuntimeError", 1,
            "InvalidItemNonRetryable", 1,
            "QuotaExceeded", 1,
            "Runtime.ExitError", 1,
            "Sandbox.Timedout", 1),
        failuresByError(run));
    Map<String, Integer> expectedAttempts =
        Map.of("ok", 1, "flaky", 2, "broken", 3, "bad", 1, "marked", 1, "crash", 3, "hang", 3);
    Map<Integer, JsonNode> tasks = tasks(runId);
    for (int i = 0; i < modes.size(); i++) {
      JsonNode task = tasks.get(i);
      assertEquals(
          (int) expectedAttempts.get(modes.get(i)),
          task.get("attempt").asInt(),
          modes.get(i) + ": " + task);
    }
    assertEquals(2, tasks.get(2).get("result").get("attempt").asInt());
    assertEquals("segmentation fault (core dumped)", tasks.get(6).get("errorMessage").asText());
    assertTrue(
        tasks.get(7).get("errorMessage").asText().endsWith("Task timed out after 2.00 seconds"),
        tasks.get(7).toString());
  }

  @Test
  void aJavaHandlerFromAJarRunsWithTheSameRules() throws Exception {
    String runId =
        run(
            "{\"items\":[\"one two\",\"three four five\",\"fail\",\"bad\",\"slow\"],"
                + "\"worker\":\"lambda\",\"maxAttempts\":2,\"taskTimeoutSeconds\":10,"
                + "\"workerConfig\":{\"function\":\"arn:aws:lambda:us-east-1:000000000000:function:words-java\"}}");
    JsonNode run = api.awaitFinished(runId, Duration.ofMinutes(2));
    assertEquals(2, run.get("summary").get("succeeded").asInt(), run.toString());
    assertEquals(
        Map.of(
            "java.lang.IllegalStateException", 1,
            "example.BadItemNonRetryable", 1,
            "Sandbox.Timedout", 1),
        failuresByError(run));
    Map<Integer, JsonNode> tasks = tasks(runId);
    assertEquals(2, tasks.get(0).get("result").get("words").asInt());
    assertEquals(3, tasks.get(1).get("result").get("words").asInt());
    assertEquals(2, tasks.get(2).get("attempt").asInt(), "a plain exception is retried");
    assertEquals(1, tasks.get(3).get("attempt").asInt(), "…a NonRetryable one is not");
    assertEquals("item 'bad' is not countable", tasks.get(3).get("errorMessage").asText());
  }

  /**
   * A function that takes one invocation at a time, and eight tasks at once: Lambda answers 429 to
   * all but one, and the SDK's retries ride the throttling out within each task's deadline, so
   * every task succeeds on its first attempt (a task whose invocation stayed throttled would fail:
   * one attempt only).
   */
  @Test
  void aThrottledFunctionIsRetriedWithinTheTaskUntilEveryTaskSucceeds() throws Exception {
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      texts.add("text number " + i);
    }
    String runId =
        run(
            "{\"items\":"
                + Json.write(texts)
                + ",\"worker\":\"lambda\",\"maxAttempts\":1,"
                + "\"workerConfig\":{\"function\":\"one-at-a-time\"}}");
    JsonNode run = api.awaitFinished(runId, Duration.ofMinutes(2));
    assertEquals("SUCCEEDED", run.get("status").asText(), run.toString());
    assertEquals(8, run.get("summary").get("succeeded").asInt());
    LocalLambdaEndpoint.FunctionStats stats = runtime.lambda().stats("one-at-a-time");
    assertEquals(8, stats.invocations());
    assertTrue(stats.throttles() > 0, "some invocations were throttled: " + stats);
  }

  /** The task's own deadline bounds the call when the function's timeout is longer. */
  @Test
  void theTaskDeadlineBoundsAnInvocationThatOutlastsIt() throws Exception {
    String runId =
        run(
            "{\"items\":[{\"mode\":\"hang\",\"n\":0}],\"worker\":\"lambda\",\"maxAttempts\":1,"
                + "\"taskTimeoutSeconds\":2,\"workerConfig\":{\"function\":\"slow-modes\"}}");
    long started = System.nanoTime();
    JsonNode run = api.awaitFinished(runId, Duration.ofMinutes(1));
    assertEquals(Map.of("Timeout", 1), failuresByError(run));
    assertTrue(
        Duration.ofNanos(System.nanoTime() - started).compareTo(Duration.ofSeconds(30)) < 0,
        "the task did not wait for the function's 60 s timeout");
  }

  @Test
  void aRunNamingAFunctionNotAllowedIsRefusedNamingTheFieldAndTheFix() throws Exception {
    ApiClient.Reply refused =
        api.postRun(
            "{\"items\":[1],\"worker\":\"lambda\",\"workerConfig\":{\"function\":\"resize\"}}");
    assertEquals(400, refused.status(), refused.body().toString());
    JsonNode error = refused.body().get("errors").get(0);
    assertEquals("workerConfig.function", error.get("field").asText());
    assertTrue(
        error
            .get("message")
            .asText()
            .contains("wordcount,modes,slow-modes,words-java,one-at-a-time"),
        error.toString());
    assertTrue(error.get("fix").asText().contains("hubspoke:workerFunctions"), error.toString());

    Map<String, Integer> refusedToo = new HashMap<>();
    for (String config : List.of("{}", "{\"function\":\"wordcount:beta:1\"}")) {
      ApiClient.Reply reply =
          api.postRun("{\"items\":[1],\"worker\":\"lambda\",\"workerConfig\":" + config + "}");
      refusedToo.put(config, reply.status());
    }
    assertEquals(Map.of("{}", 400, "{\"function\":\"wordcount:beta:1\"}", 400), refusedToo);
  }
}
