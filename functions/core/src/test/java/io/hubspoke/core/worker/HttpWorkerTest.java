package io.hubspoke.core.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.hubspoke.contract.json.Json;
import io.hubspoke.contract.validation.FieldError;
import io.hubspoke.core.model.RunIds;
import io.hubspoke.worker.TaskContext;
import io.hubspoke.worker.TaskOutcome;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The {@code http} worker against a real HTTP server on the loopback interface: every outcome is
 * what a receiver's answer (or its silence) makes of it, through the JDK's client and sockets.
 */
class HttpWorkerTest {
  private static final String RUN_ID = "r-0123456789abcdef01234567";

  /** One request as the server saw it. */
  record Seen(String method, String path, Map<String, List<String>> headers, String body) {
    String header(String name) {
      List<String> values = headers.get(name);
      return values == null ? null : String.join(",", values);
    }
  }

  /** What the server answers on one path. */
  @FunctionalInterface
  interface Answer {
    void handle(HttpExchange exchange) throws Exception;
  }

  private final HttpWorker worker = new HttpWorker();
  private final List<Seen> seen = new CopyOnWriteArrayList<>();
  private final Map<String, Answer> answers = new ConcurrentHashMap<>();

  /** Handlers that hold a response wait on this; the test releases it when it ends. */
  private final CountDownLatch release = new CountDownLatch(1);

  private HttpServer server;
  private ExecutorService serverThreads;
  private String base;

  @BeforeEach
  void startServer() throws IOException {
    serverThreads = Executors.newCachedThreadPool();
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(serverThreads);
    server.createContext(
        "/",
        exchange -> {
          try (exchange) {
            String body =
                new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Map<String, List<String>> headers =
                new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            headers.putAll(exchange.getRequestHeaders());
            String path = exchange.getRequestURI().getPath();
            seen.add(new Seen(exchange.getRequestMethod(), path, headers, body));
            Answer answer = answers.get(path);
            if (answer == null) {
              respond(exchange, 200, "{\"ok\":true}");
            } else {
              answer.handle(exchange);
            }
          } catch (Exception e) {
            // The client went away (a timeout, a cut body): nothing to answer.
          }
        });
    server.start();
    base = "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterEach
  void stopServer() {
    release.countDown();
    server.stop(0);
    serverThreads.shutdownNow();
  }

  private static void respond(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  private static TaskContext context(int attempt, String config) {
    return new TaskContext(
        RUN_ID,
        RunIds.taskId(RUN_ID, 7),
        7,
        attempt,
        3,
        Json.parseTrusted("{\"id\":7,\"name\":\"seven\"}"),
        Json.parseTrusted(config),
        Instant.now().plusSeconds(30),
        Clock.systemUTC());
  }

  private String config(String path) {
    return "{\"url\":\"" + base + path + "\"}";
  }

  private TaskOutcome call(String path) throws Exception {
    return worker.execute(context(1, config(path)));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(ints = {200, 201, 202, 204})
  void a2xxSucceedsWithTheStatusAndBody(int status) throws Exception {
    String body = status == 204 ? "" : "{\"accepted\":" + status + "}";
    answers.put("/hook", exchange -> respond(exchange, status, body));
    TaskOutcome outcome = call("/hook");
    JsonNode result = assertInstanceOf(TaskOutcome.Success.class, outcome).result();
    assertEquals(status, result.get("status").asInt());
    assertEquals(body, result.get("body").asText());
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(ints = {400, 401, 403, 404, 409, 410, 422})
  void a4xxOtherThan429FailsForGoodWithTheBodyInTheMessage(int status) throws Exception {
    answers.put("/hook", exchange -> respond(exchange, status, "no such thing " + status));
    TaskOutcome.Failure failure =
        assertInstanceOf(TaskOutcome.Failure.class, call("/hook"), "status " + status);
    assertFalse(failure.retryable(), "status " + status);
    assertEquals("Http" + status, failure.errorType());
    assertTrue(failure.message().contains("no such thing " + status), failure.message());
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(ints = {429, 500, 502, 503, 504})
  void a429OrA5xxIsRetryable(int status) throws Exception {
    answers.put("/hook", exchange -> respond(exchange, status, "busy"));
    TaskOutcome.Failure failure = assertInstanceOf(TaskOutcome.Failure.class, call("/hook"));
    assertTrue(failure.retryable(), "status " + status);
    assertEquals("Http" + status, failure.errorType());
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(ints = {301, 302, 303, 307, 308})
  void aRedirectIsNotFollowedAndTheMessageNamesWhereItPointed(int status) throws Exception {
    answers.put(
        "/old",
        exchange -> {
          exchange.getResponseHeaders().set("Location", base + "/new");
          respond(exchange, status, "");
        });
    TaskOutcome.Failure failure = assertInstanceOf(TaskOutcome.Failure.class, call("/old"));
    assertFalse(failure.retryable(), "a redirect will redirect again: retrying cannot help");
    assertEquals("Http" + status, failure.errorType());
    assertTrue(failure.message().contains(base + "/new"), failure.message());
    assertTrue(failure.message().contains("workerConfig.url"), failure.message());
    assertEquals(List.of("/old"), seen.stream().map(Seen::path).toList(), "never followed");
  }

  @Test
  void sendsTheItemWithTheIdempotencyKeyTheAttemptAndTheUsersHeaders() throws Exception {
    String config =
        "{\"url\":\""
            + base
            + "/hook\",\"headers\":{\"X-Team\":\"data\",\"Authorization\":\"Bearer t0k3n\"}}";
    assertInstanceOf(TaskOutcome.Success.class, worker.execute(context(2, config)));
    assertEquals(1, seen.size());
    Seen request = seen.get(0);
    assertEquals("POST", request.method());
    assertEquals("/hook", request.path());
    assertEquals(Json.parseTrusted("{\"id\":7,\"name\":\"seven\"}"), Json.parse(request.body()));
    assertEquals("application/json", request.header("Content-Type"));
    assertEquals(RunIds.taskId(RUN_ID, 7), request.header("Idempotency-Key"));
    assertEquals("2", request.header("X-Hubspoke-Attempt"));
    assertEquals("data", request.header("X-Team"));
    assertEquals("Bearer t0k3n", request.header("Authorization"));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(
      strings = {
        "Idempotency-Key",
        "idempotency-key",
        "X-Hubspoke-Attempt",
        "Content-Type",
        "Host",
        "Connection",
        "Content-Length",
        "Expect",
        "Upgrade",
        "Bad Name",
        "Bad:Name",
        ""
      })
  void headersThatHubspokeSetsOrTheClientForbidsAreRejectedWhenTheRunIsSubmitted(String name) {
    String config =
        "{\"url\":\"https://example.com/hook\",\"headers\":{" + Json.write(name) + ":\"x\"}}";
    List<FieldError> errors = worker.validateConfig(Json.parseTrusted(config));
    assertEquals(1, errors.size(), name + ": " + errors);
    assertEquals("headers." + name, errors.get(0).field());
    assertFalse(errors.get(0).fix().isBlank());
  }

  @Test
  void aHeaderValueWithALineBreakIsRejectedWhenTheRunIsSubmitted() {
    List<FieldError> errors =
        worker.validateConfig(
            Json.parseTrusted(
                "{\"url\":\"https://example.com/hook\",\"headers\":{\"X-Team\":\"a\\r\\nX-Evil: 1\"}}"));
    assertEquals(1, errors.size(), errors.toString());
    assertEquals("headers.X-Team", errors.get(0).field());
  }

  @Test
  void aResponseSlowerThanTimeoutMsIsARetryableTimeout() {
    answers.put(
        "/slow",
        exchange -> {
          release.await(30, TimeUnit.SECONDS);
          respond(exchange, 200, "late");
        });
    String config = "{\"url\":\"" + base + "/slow\",\"timeoutMs\":300}";
    long started = System.nanoTime();
    TaskOutcome outcome =
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> worker.execute(context(1, config)));
    long tookMs = (System.nanoTime() - started) / 1_000_000;
    TaskOutcome.Failure failure = assertInstanceOf(TaskOutcome.Failure.class, outcome);
    assertTrue(failure.retryable());
    assertEquals("Timeout", failure.errorType());
    assertTrue(failure.message().contains("300 ms"), failure.message());
    assertTrue(tookMs >= 300 && tookMs < 5_000, "took " + tookMs + " ms");
  }

  @Test
  void aBodyThatStallsAfterTheHeadersIsARetryableTimeoutToo() {
    answers.put(
        "/stall",
        exchange -> {
          exchange.sendResponseHeaders(200, 0); // chunked: the body's end is not announced
          OutputStream out = exchange.getResponseBody();
          out.write("{\"partial\":".getBytes(StandardCharsets.UTF_8));
          out.flush();
          release.await(30, TimeUnit.SECONDS);
        });
    String config = "{\"url\":\"" + base + "/stall\",\"timeoutMs\":300}";
    TaskOutcome outcome =
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> worker.execute(context(1, config)));
    TaskOutcome.Failure failure = assertInstanceOf(TaskOutcome.Failure.class, outcome);
    assertTrue(failure.retryable());
    assertEquals("Timeout", failure.errorType());
  }

  @Test
  void theRecordedBodyIsCutAt4KbOfUtf8AndSaysSo() throws Exception {
    answers.put("/big", exchange -> respond(exchange, 200, "x".repeat(10_000)));
    JsonNode big = ((TaskOutcome.Success) call("/big")).result();
    assertEquals("x".repeat(4096), big.get("body").asText());
    assertTrue(big.get("bodyTruncated").asBoolean());

    // Two bytes per character: 4 KB is 2,048 of them, and no character is cut in half.
    answers.put("/accents", exchange -> respond(exchange, 200, "é".repeat(5_000)));
    JsonNode accents = ((TaskOutcome.Success) call("/accents")).result();
    assertEquals("é".repeat(2048), accents.get("body").asText());
    assertTrue(accents.get("body").asText().getBytes(StandardCharsets.UTF_8).length <= 4096);

    // A character of four bytes (outside the BMP) straddling the cut is left out whole.
    String emoji = "a" + "\uD83D\uDE00".repeat(1_500); // 1 + 4 × 1,500 bytes
    answers.put("/emoji", exchange -> respond(exchange, 200, emoji));
    String recorded = ((TaskOutcome.Success) call("/emoji")).result().get("body").asText();
    assertEquals("a" + "\uD83D\uDE00".repeat(1_023), recorded);

    answers.put("/small", exchange -> respond(exchange, 200, "é".repeat(10)));
    JsonNode small = ((TaskOutcome.Success) call("/small")).result();
    assertEquals("é".repeat(10), small.get("body").asText());
    assertFalse(small.has("bodyTruncated"));
  }

  @Test
  void anErrorMessageCarriesAtMost4KbOfTheBody() throws Exception {
    answers.put("/error", exchange -> respond(exchange, 500, "e".repeat(10_000)));
    TaskOutcome.Failure failure = (TaskOutcome.Failure) call("/error");
    assertTrue(failure.message().length() < 4096 + 100, "length " + failure.message().length());
    assertTrue(failure.message().contains("e".repeat(4096)));
  }

  @Test
  void aRefusedConnectionIsRetryableAndSaysWhereAndWhat() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    } // closed: nothing listens on the port now
    String config = "{\"url\":\"http://127.0.0.1:" + port + "/hook\"}";
    TaskOutcome.Failure failure =
        assertInstanceOf(TaskOutcome.Failure.class, worker.execute(context(1, config)));
    assertTrue(failure.retryable());
    assertEquals("ConnectionError", failure.errorType());
    assertTrue(failure.message().contains("127.0.0.1:" + port), failure.message());
    assertTrue(failure.message().toLowerCase().contains("refused"), failure.message());
    assertFalse(failure.message().contains("null"), failure.message());
  }
}
