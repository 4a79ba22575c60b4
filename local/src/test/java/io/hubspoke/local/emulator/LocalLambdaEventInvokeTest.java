package io.hubspoke.local.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hubspoke.contract.api.Dispatch;
import io.hubspoke.contract.json.Json;
import io.hubspoke.core.aws.Backoff;
import io.hubspoke.core.model.PushEvent;
import io.hubspoke.core.model.RunSpec;
import io.hubspoke.core.queue.SpokeInvoker;
import io.hubspoke.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.RequestTooLargeException;

/**
 * {@code Event} invocations of the local Lambda endpoint as the real SDK client makes them (the
 * client never retries here): 202 at once and the function run in the background, two retries of a
 * function error and then Lambda's record to the on-failure destination, the 256 KB limit, an event
 * waiting for the reserved concurrency rather than refused, and the fault seam; and {@link
 * SpokeInvoker}, the hub's push, against it.
 */
class LocalLambdaEventInvokeTest {
  static final Map<String, ConcurrentLinkedQueue<String>> received = new ConcurrentHashMap<>();
  static final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
  static final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
  static final ConcurrentLinkedQueue<Instant> failingAt = new ConcurrentLinkedQueue<>();
  static final CountDownLatch release = new CountDownLatch(1);
  static final CountDownLatch holding = new CountDownLatch(1);

  /** Per function: what the interceptor does with its next events, one fate each. */
  static final Map<String, ConcurrentLinkedQueue<LocalLambdaEndpoint.EventInterceptor.Fate>> fates =
      new ConcurrentHashMap<>();

  static LocalLambdaEndpoint endpoint;
  static LambdaClient lambda;

  static FunctionCode recording(String name, boolean fail, boolean failOnce) {
    return function ->
        (event, context) -> {
          received
              .computeIfAbsent(name, n -> new ConcurrentLinkedQueue<>())
              .add(new String(event, StandardCharsets.UTF_8));
          int call = calls.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
          if (fail) {
            failingAt.add(Instant.now());
          }
          if (fail || (failOnce && call == 1)) {
            throw new IllegalStateException("tasks [3] could not be recorded");
          }
          return FunctionResponse.ok("{\"tasks\":1}".getBytes(StandardCharsets.UTF_8));
        };
  }

  @BeforeAll
  static void start() {
    endpoint =
        LocalLambdaEndpoint.builder()
            .region("eu-west-1")
            .function(LocalFunction.builder("ok", recording("ok", false, false)).build())
            .function(
                LocalFunction.builder("fails", FunctionCode.inProcess(() -> failingHandler()))
                    .build())
            .function(
                LocalFunction.builder("once", recording("once", false, true)).alias("live").build())
            .function(
                LocalFunction.builder(
                        "held",
                        function ->
                            (event, context) -> {
                              holding.countDown();
                              release.await();
                              return FunctionResponse.ok(event);
                            })
                    .reservedConcurrency(1)
                    .build())
            .function(LocalFunction.builder("pushed", recording("pushed", false, false)).build())
            .eventRetryDelays(List.of(Duration.ofMillis(200), Duration.ofMillis(400)))
            .eventInterceptor(
                (function, payload) -> {
                  LocalLambdaEndpoint.EventInterceptor.Fate next =
                      fates.getOrDefault(function, new ConcurrentLinkedQueue<>()).poll();
                  return next == null ? LocalLambdaEndpoint.EventInterceptor.Fate.ACCEPT : next;
                })
            .onFailure("fails", failures::add)
            .start();
    lambda =
        LambdaClient.builder()
            .endpointOverride(endpoint.endpoint())
            .region(Region.EU_WEST_1)
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
            .httpClient(UrlConnectionHttpClient.create())
            .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
            .build();
  }

  /** A stream handler that always throws, as the spoke does for a batch to retry. */
  static com.amazonaws.services.lambda.runtime.RequestStreamHandler failingHandler() {
    return (in, out, context) -> {
      calls.computeIfAbsent("fails", n -> new AtomicInteger()).incrementAndGet();
      failingAt.add(Instant.now());
      throw new IllegalStateException("tasks [3] of run r-1 could not be recorded");
    };
  }

  @AfterAll
  static void stop() {
    release.countDown();
    lambda.close();
    endpoint.close();
  }

  static InvokeResponse invokeEvent(String function, String payload) {
    return lambda.invoke(
        r ->
            r.functionName(function)
                .invocationType(InvocationType.EVENT)
                .payload(SdkBytes.fromUtf8String(payload)));
  }

  static int callsOf(String function) {
    AtomicInteger count = calls.get(function);
    return count == null ? 0 : count.get();
  }

  @Test
  void anEventIsAnswered202AtOnceAndRunInTheBackground() {
    InvokeResponse response = invokeEvent("ok", "{\"n\":1}");
    assertEquals(202, response.statusCode());
    assertEquals(0, response.payload().asByteArray().length, "an event returns no payload");
    Await.until(
        Duration.ofSeconds(10),
        () -> received.getOrDefault("ok", new ConcurrentLinkedQueue<>()).contains("{\"n\":1}"),
        () -> "the function never ran");
    Await.until(
        Duration.ofSeconds(5),
        () -> endpoint.eventStats("ok").succeeded() == 1,
        () -> endpoint.eventStats("ok").toString());
  }

  @Test
  void aFunctionErrorIsRetriedTwiceThenSentToTheOnFailureDestination() throws Exception {
    Instant sent = Instant.now();
    assertEquals(202, invokeEvent("fails", "{\"hubspokePush\":{\"tasks\":[3]}}").statusCode());
    Await.until(Duration.ofSeconds(20), () -> failures.size() == 1, () -> "no record reached it");
    assertEquals(3, callsOf("fails"), "the first invocation and two retries");
    List<Instant> at = new ArrayList<>(failingAt);
    assertTrue(
        Duration.between(at.get(0), at.get(1)).toMillis() >= 200
            && Duration.between(at.get(1), at.get(2)).toMillis() >= 400,
        "each retry after its delay: " + at);
    JsonNode record = Json.parse(failures.peek());
    assertEquals("RetriesExhausted", record.at("/requestContext/condition").asText());
    assertEquals(3, record.at("/requestContext/approximateInvokeCount").asInt());
    assertTrue(
        record.at("/requestContext/functionArn").asText().endsWith(":function:fails:$LATEST"),
        record.toString());
    assertEquals(Json.parse("{\"hubspokePush\":{\"tasks\":[3]}}"), record.get("requestPayload"));
    assertEquals("Unhandled", record.at("/responseContext/functionError").asText());
    assertEquals(
        "java.lang.IllegalStateException", record.at("/responsePayload/errorType").asText());
    assertTrue(
        record.at("/responsePayload/errorMessage").asText().contains("could not be recorded"));
    assertTrue(Instant.parse(record.get("timestamp").asText()).isAfter(sent.minusSeconds(1)));
    LocalLambdaEndpoint.EventStats stats = endpoint.eventStats("fails");
    assertEquals(2, stats.retries(), stats.toString());
    assertEquals(1, stats.sentOnFailure(), stats.toString());
    assertEquals(0, stats.pending(), stats.toString());
  }

  @Test
  void aRetrySucceedsAndNothingReachesTheDestination() {
    assertEquals(202, invokeEvent("once:live", "{\"n\":2}").statusCode());
    Await.until(
        Duration.ofSeconds(10),
        () -> endpoint.eventStats("once").succeeded() == 1,
        () -> endpoint.eventStats("once").toString());
    assertEquals(2, callsOf("once"));
    assertEquals(1, endpoint.eventStats("once").retries());
  }

  @Test
  void aPayloadOverTheAsyncLimitIsRefused413() {
    String large = "\"" + "x".repeat(LocalLambdaEndpoint.MAX_ASYNC_PAYLOAD_BYTES) + "\"";
    RequestTooLargeException e =
        assertThrows(RequestTooLargeException.class, () -> invokeEvent("ok", large));
    assertEquals(413, e.statusCode());
    assertTrue(e.getMessage().contains("262144"), e.getMessage());
    String fits = "\"" + "x".repeat(LocalLambdaEndpoint.MAX_ASYNC_PAYLOAD_BYTES - 2) + "\"";
    assertEquals(202, invokeEvent("ok", fits).statusCode(), "256 KB exactly is accepted");
  }

  @Test
  void anEventBeyondTheReservedConcurrencyWaitsForASlotRatherThanBeingRefused() throws Exception {
    assertEquals(202, invokeEvent("held", "{\"first\":1}").statusCode());
    holding.await();
    assertEquals(202, invokeEvent("held", "{\"second\":1}").statusCode(), "queued, not 429");
    assertEquals(2, endpoint.eventStats("held").pending());
    release.countDown();
    Await.until(
        Duration.ofSeconds(10),
        () -> endpoint.eventStats("held").succeeded() == 2,
        () -> endpoint.eventStats("held").toString());
  }

  /**
   * The hub's push: ten tasks per invocation, throttling ridden out, a refusal left to the caller.
   */
  @Test
  void theSpokeInvokerPushesTenTasksPerEventAndRetriesThrottling() throws Exception {
    RunSpec spec =
        RunSpec.builder()
            .runId("r-0123456789abcdef01234567")
            .incarnation("0123456789ab")
            .worker("echo")
            .total(25)
            .createdAt(Instant.now())
            .expiresAt(Instant.now().plusSeconds(3600))
            .dispatch(Dispatch.PUSH)
            .build();
    List<Duration> pauses = new java.util.concurrent.CopyOnWriteArrayList<>();
    SpokeInvoker invoker =
        new SpokeInvoker(
            () -> lambda,
            "arn:aws:lambda:eu-west-1:123456789012:function:pushed",
            new Backoff(Duration.ofMillis(10), Duration.ofMillis(100), 3, pauses::add));
    ConcurrentLinkedQueue<LocalLambdaEndpoint.EventInterceptor.Fate> next =
        fates.computeIfAbsent("pushed", f -> new ConcurrentLinkedQueue<>());
    next.add(LocalLambdaEndpoint.EventInterceptor.Fate.THROTTLE);
    next.add(LocalLambdaEndpoint.EventInterceptor.Fate.FAIL);

    List<Integer> left = invoker.push(spec, IntStream.range(0, 25).boxed().toList());

    assertEquals(List.of(), left, "every task handed over");
    assertEquals(2, pauses.size(), "a 429 and a 500, each retried after a pause");
    Await.until(
        Duration.ofSeconds(10),
        () -> endpoint.eventStats("pushed").succeeded() == 3,
        () -> endpoint.eventStats("pushed").toString());
    List<PushEvent> events = new ArrayList<>();
    for (String payload : received.get("pushed")) {
      events.add(PushEvent.parse(Json.parse(payload)));
    }
    events.sort(java.util.Comparator.comparing(e -> e.tasks().get(0)));
    assertEquals(
        List.of(
            IntStream.range(0, 10).boxed().toList(),
            IntStream.range(10, 20).boxed().toList(),
            IntStream.range(20, 25).boxed().toList()),
        events.stream().map(PushEvent::tasks).toList());
    assertTrue(events.stream().allMatch(e -> "0123456789ab".equals(e.incarnation())));

    // Refused on every attempt: the batch is reported as left (for the sweep), not thrown.
    for (int i = 0; i < 3; i++) {
      next.add(LocalLambdaEndpoint.EventInterceptor.Fate.FAIL);
    }
    assertEquals(List.of(20, 21), invoker.push(spec, List.of(20, 21)));
    // A deployment with no spoke function pushes nothing and says so.
    assertEquals(
        List.of(1, 2),
        new SpokeInvoker(() -> lambda, null, Backoff.standard()).push(spec, List.of(1, 2)));
  }
}
