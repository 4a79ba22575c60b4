package io.hubspoke.local;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.hubspoke.contract.json.Json;
import io.hubspoke.core.model.RunIds;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A run of the built-in {@code http} worker through the whole local runtime, against a real HTTP
 * server on the loopback interface whose answer each item chooses: every request the spokes made is
 * counted, and the run's counts, attempts and errors must follow from those answers exactly.
 */
class HttpWorkerIT {
  static LocalRuntime runtime;
  static ApiClient api;
  static HttpServer receiver;
  static ExecutorService receiverThreads;

  /** Held responses (the slow item's first attempt) wait on this until the class ends. */
  static final CountDownLatch release = new CountDownLatch(1);

  record Received(String idempotencyKey, int attempt, String kind, int n) {}

  static final Queue<Received> received = new ConcurrentLinkedQueue<>();

  @BeforeAll
  static void start() throws IOException {
    receiverThreads = Executors.newCachedThreadPool();
    receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    receiver.setExecutor(receiverThreads);
    receiver.createContext("/hook", HttpWorkerIT::answer);
    receiver.start();
    runtime = LocalRuntime.start(LocalOptions.builder().sweepInterval(Duration.ZERO).build());
    api = new ApiClient(runtime.apiEndpoint());
  }

  @AfterAll
  static void stop() {
    release.countDown();
    runtime.close();
    receiver.stop(0);
    receiverThreads.shutdownNow();
  }

  /** The receiver: what it answers depends on the item's {@code kind} and the attempt. */
  static void answer(HttpExchange exchange) throws IOException {
    try (exchange) {
      JsonNode item = Json.parse(new String(exchange.getRequestBody().readAllBytes(), UTF_8));
      String kind = item.path("kind").asText();
      int attempt = Integer.parseInt(exchange.getRequestHeaders().getFirst("X-Hubspoke-Attempt"));
      received.add(
          new Received(
              exchange.getRequestHeaders().getFirst("Idempotency-Key"),
              attempt,
              kind,
              item.path("n").asInt()));
      switch (kind) {
        case "ok" -> respond(exchange, 200, "{\"got\":" + item.path("n").asInt() + "}");
        case "bad" -> respond(exchange, 400, "no such customer");
        case "flaky" -> respond(exchange, attempt == 1 ? 503 : 200, "attempt " + attempt);
        case "down" -> respond(exchange, 500, "database down");
        case "moved" -> {
          exchange.getResponseHeaders().set("Location", "http://127.0.0.1:1/elsewhere");
          respond(exchange, 302, "");
        }
        case "slow" -> {
          if (attempt == 1) {
            release.await(60, TimeUnit.SECONDS); // past timeoutMs: the worker gives up first
          }
          respond(exchange, 200, "in time");
        }
        default -> respond(exchange, 418, "unknown kind " + kind);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      // The worker went away (the slow item's timeout): nothing to answer.
    }
  }

  static final Map<String, Integer> ITEMS = new java.util.LinkedHashMap<>();

  static {
    ITEMS.put("ok", 6);
    ITEMS.put("bad", 2);
    ITEMS.put("flaky", 3);
    ITEMS.put("down", 1);
    ITEMS.put("moved", 1);
    ITEMS.put("slow", 1);
  }

  @Test
  void aRunOfHttpTasksEndsWithTheCountsTheReceiversAnswersImply() throws Exception {
    List<String> kinds = new ArrayList<>();
    ITEMS.forEach((kind, count) -> kinds.addAll(java.util.Collections.nCopies(count, kind)));
    StringBuilder items = new StringBuilder("[");
    for (int i = 0; i < kinds.size(); i++) {
      items.append(i == 0 ? "" : ",").append("{\"kind\":\"").append(kinds.get(i));
      items.append("\",\"n\":").append(i).append('}');
    }
    items.append(']');
    String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
    ApiClient.Reply created =
        api.postRun(
            "{\"items\":"
                + items
                + ",\"worker\":\"http\",\"maxAttempts\":3,\"workerConfig\":{\"url\":\""
                + url
                + "\",\"timeoutMs\":500}}");
    assertEquals(202, created.status(), created.body().toString());
    String runId = created.body().get("runId").asText();

    JsonNode run = api.awaitFinished(runId, Duration.ofMinutes(2));

    // ok 6 × 1 request, bad 2 × 1 (a 4xx is final), flaky 3 × 2 (503, then 200), down 1 × 3
    // (every attempt 500), moved 1 × 1 (not followed, final), slow 1 × 2 (timed out, then 200).
    assertEquals(6 + 2 + 6 + 3 + 1 + 2, received.size(), "requests received: " + received);
    JsonNode summary = run.get("summary");
    assertEquals("FAILED", run.get("status").asText());
    assertEquals(14, summary.get("total").asInt());
    assertEquals(6 + 3 + 1, summary.get("succeeded").asInt());
    assertEquals(2 + 1 + 1, summary.get("failed").asInt());
    assertEquals(received.size(), summary.get("attempts").asInt());
    Map<String, Integer> failures = new TreeMap<>();
    summary
        .get("failuresByError")
        .forEach(
            f -> failures.merge(f.get("errorType").asText(), f.get("count").asInt(), Integer::sum));
    assertEquals(Map.of("Http400", 2, "Http500", 1, "Http302", 1), failures);

    // Each request carried its task's id as the idempotency key, and attempts 1, 2, … in order,
    // each exactly once.
    Map<String, List<Integer>> attempts = new HashMap<>();
    for (Received r : received) {
      assertEquals(RunIds.taskId(runId, r.n()), r.idempotencyKey(), r.toString());
      attempts.computeIfAbsent(r.idempotencyKey(), k -> new ArrayList<>()).add(r.attempt());
    }
    for (int i = 0; i < kinds.size(); i++) {
      int expected =
          switch (kinds.get(i)) {
            case "flaky", "slow" -> 2;
            case "down" -> 3;
            default -> 1;
          };
      List<Integer> seen = new ArrayList<>(attempts.get(RunIds.taskId(runId, i)));
      java.util.Collections.sort(seen);
      assertEquals(
          java.util.stream.IntStream.rangeClosed(1, expected).boxed().toList(),
          seen,
          "attempts of task " + i + " (" + kinds.get(i) + ")");
    }

    JsonNode succeeded =
        api.get("/runs/" + runId + "/tasks?status=SUCCEEDED&limit=100").body().get("tasks");
    assertEquals(10, succeeded.size());
    for (JsonNode task : succeeded) {
      assertEquals(200, task.get("result").get("status").asInt(), task.toString());
      String kind = task.get("item").get("kind").asText();
      String body = task.get("result").get("body").asText();
      switch (kind) {
        case "ok" -> assertEquals("{\"got\":" + task.get("index").asInt() + "}", body);
        case "flaky" -> assertEquals("attempt 2", body);
        case "slow" -> assertEquals("in time", body);
        default -> throw new AssertionError("a " + kind + " task succeeded: " + task);
      }
    }
    JsonNode failed =
        api.get("/runs/" + runId + "/tasks?status=FAILED&limit=100").body().get("tasks");
    for (JsonNode task : failed) {
      String message = task.get("errorMessage").asText();
      switch (task.get("item").get("kind").asText()) {
        case "bad" -> assertEquals("HTTP 400: no such customer", message);
        case "down" -> assertEquals("HTTP 500: database down", message);
        case "moved" -> assertTrue(message.contains("http://127.0.0.1:1/elsewhere"), message);
        default -> throw new AssertionError("unexpected failure: " + task);
      }
    }
  }

  static void respond(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }
}
