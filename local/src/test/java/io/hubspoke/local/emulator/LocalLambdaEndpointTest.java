package io.hubspoke.local.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hubspoke.contract.json.Json;
import io.hubspoke.contract.workers.LambdaWorkerConfig;
import io.hubspoke.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvalidParameterValueException;
import software.amazon.awssdk.services.lambda.model.InvalidRequestContentException;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.RequestTooLargeException;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;
import software.amazon.awssdk.services.lambda.model.TooManyRequestsException;

/**
 * The Invoke REST API as the real SDK {@link LambdaClient} speaks it, against the local endpoint:
 * the protocol (paths, qualifiers, headers, error codes) and the command and Java function hosts.
 * The client never retries here, so each status is seen as the endpoint sent it.
 */
class LocalLambdaEndpointTest {
  @TempDir static Path work;

  static final ConcurrentLinkedQueue<String> logs = new ConcurrentLinkedQueue<>();
  static final CountDownLatch release = new CountDownLatch(1);
  static final CountDownLatch holding = new CountDownLatch(1);
  static LocalLambdaEndpoint endpoint;
  static LambdaClient lambda;

  /** Answers when the test lets it: what holds a function's only concurrency slot. */
  static final FunctionCode HELD =
      function ->
          (event, context) -> {
            holding.countDown();
            release.await();
            return FunctionResponse.ok(event);
          };

  @BeforeAll
  static void start() {
    Path jar = HandlerJars.build(work);
    endpoint =
        LocalLambdaEndpoint.builder()
            .region("eu-west-1")
            .logSink(logs::add)
            .function(
                LocalFunction.builder("cat", FunctionCode.command(List.of("cat")))
                    .alias("live")
                    .build())
            .function(
                LocalFunction.builder(
                        "stderr-exit",
                        FunctionCode.command(
                            List.of("sh", "-c", "cat >/dev/null; echo 'disk full' >&2; exit 3")))
                    .build())
            .function(
                LocalFunction.builder(
                        "error-object",
                        FunctionCode.command(
                            List.of(
                                "sh",
                                "-c",
                                "echo '{\"errorType\":\"BadItem\",\"errorMessage\":\"no\","
                                    + "\"retryable\":false}'; exit 1")))
                    .build())
            .function(
                LocalFunction.builder(
                        "hang",
                        FunctionCode.command(
                            List.of(
                                "sh",
                                "-c",
                                "echo $$ > " + work.resolve("hang.pid") + "; exec sleep 600")))
                    .timeout(Duration.ofSeconds(1))
                    .build())
            .function(
                LocalFunction.builder(
                        "words", FunctionCode.javaHandler(jar, HandlerJars.WORD_COUNT))
                    .timeout(Duration.ofSeconds(1))
                    .build())
            .function(
                LocalFunction.builder(
                        "echo", FunctionCode.javaHandler(jar, HandlerJars.ECHO_STREAM))
                    .build())
            .function(
                LocalFunction.builder(
                        "not-a-handler", FunctionCode.javaHandler(jar, HandlerJars.NOT_A_HANDLER))
                    .build())
            .function(LocalFunction.builder("held", HELD).reservedConcurrency(1).build())
            .function(
                LocalFunction.builder(
                        "big-answer",
                        function ->
                            (event, context) ->
                                FunctionResponse.ok(
                                    ("\"" + "x".repeat(LambdaWorkerConfig.MAX_PAYLOAD_BYTES) + "\"")
                                        .getBytes(StandardCharsets.UTF_8)))
                    .build())
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

  @AfterAll
  static void stop() {
    release.countDown();
    lambda.close();
    endpoint.close();
  }

  private static InvokeResponse invoke(String function, String payload) {
    return lambda.invoke(r -> r.functionName(function).payload(SdkBytes.fromUtf8String(payload)));
  }

  private static JsonNode json(InvokeResponse response) throws Exception {
    return Json.parse(response.payload().asUtf8String());
  }

  @Test
  void aCommandGetsTheEventOnStandardInputAndAnswersOnStandardOutput() throws Exception {
    InvokeResponse response = invoke("cat", "{\"item\":\"a b c\"}");
    assertEquals(200, response.statusCode());
    assertNull(response.functionError());
    assertEquals("$LATEST", response.executedVersion());
    assertEquals(Json.parse("{\"item\":\"a b c\"}"), json(response));
  }

  @Test
  void theFunctionIsFoundByNameArnPartialArnAndQualifier() throws Exception {
    for (String name :
        List.of(
            "cat:live",
            "cat:$LATEST",
            "arn:aws:lambda:eu-west-1:000000000000:function:cat",
            "arn:aws:lambda:us-east-2:123456789012:function:cat:live",
            "123456789012:function:cat")) {
      assertEquals(Json.parse("[1]"), json(invoke(name, "[1]")), name);
    }
    InvokeResponse qualified =
        lambda.invoke(
            r -> r.functionName("cat").qualifier("live").payload(SdkBytes.fromUtf8String("2")));
    assertEquals("2", qualified.payload().asUtf8String());
  }

  @Test
  void anUnknownFunctionOrQualifierIsResourceNotFound() {
    ResourceNotFoundException unknown =
        assertThrows(ResourceNotFoundException.class, () -> invoke("nope", "{}"));
    assertEquals(404, unknown.statusCode());
    assertTrue(
        unknown
            .awsErrorDetails()
            .errorMessage()
            .contains("arn:aws:lambda:eu-west-1:000000000000:function:nope"),
        unknown.getMessage());
    assertThrows(ResourceNotFoundException.class, () -> invoke("cat:beta", "{}"));
    assertThrows(ResourceNotFoundException.class, () -> invoke("cat:7", "{}"));
    assertThrows(
        InvalidParameterValueException.class,
        () ->
            lambda.invoke(
                r ->
                    r.functionName("cat:live")
                        .qualifier("beta")
                        .payload(SdkBytes.fromUtf8String("{}"))));
  }

  @Test
  void aNonZeroExitIsAFunctionErrorWithStandardErrorAsTheMessage() throws Exception {
    InvokeResponse response = invoke("stderr-exit", "{}");
    assertEquals(200, response.statusCode());
    assertEquals("Unhandled", response.functionError());
    assertEquals(
        Json.parse("{\"errorType\":\"Runtime.ExitError\",\"errorMessage\":\"disk full\"}"),
        json(response));
    assertTrue(logs.contains("[stderr-exit] disk full"), logs.toString());
  }

  @Test
  void anErrorObjectOnStandardOutputIsTheErrorPayload() throws Exception {
    InvokeResponse response = invoke("error-object", "{}");
    assertEquals("Unhandled", response.functionError());
    assertEquals(
        Json.parse("{\"errorType\":\"BadItem\",\"errorMessage\":\"no\",\"retryable\":false}"),
        json(response));
  }

  @Test
  void aCommandPastItsTimeoutIsKilledAndReportedAsLambdaDoes() throws Exception {
    long started = System.nanoTime();
    InvokeResponse response = invoke("hang", "{}");
    assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(10));
    assertEquals("Unhandled", response.functionError());
    JsonNode error = json(response);
    assertEquals("Sandbox.Timedout", error.get("errorType").asText());
    assertTrue(
        error.get("errorMessage").asText().endsWith("Task timed out after 1.00 seconds"),
        error.toString());
    long pid = Long.parseLong(Files.readString(work.resolve("hang.pid")).trim());
    Await.until(
        Duration.ofSeconds(5),
        () -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true),
        () -> "the timed-out process " + pid + " is still running");
    assertEquals(1, endpoint.stats("hang").timeouts());
  }

  @Test
  void aJavaRequestHandlerGetsItsInputTypeAndKeepsItsEnvironment() throws Exception {
    JsonNode first = json(invoke("words", "{\"taskId\":\"t1\",\"item\":\"one two three\"}"));
    assertEquals(3, first.get("words").asInt());
    assertEquals("t1", first.get("taskId").asText());
    assertTrue(first.get("hasTimeLeft").asBoolean());
    JsonNode second = json(invoke("words", "{\"taskId\":\"t2\",\"item\":\"four\",\"extra\":1}"));
    assertEquals(1, second.get("words").asInt());
    assertEquals(
        first.get("invocationInThisEnvironment").asInt() + 1,
        second.get("invocationInThisEnvironment").asInt(),
        "the second invocation reuses the first one's environment");
    assertTrue(logs.contains("[words] counting t2"), logs.toString());
  }

  @Test
  void aJavaHandlersExceptionIsAFunctionErrorNamedByItsClass() throws Exception {
    InvokeResponse failed = invoke("words", "{\"item\":\"fail\"}");
    assertEquals("Unhandled", failed.functionError());
    JsonNode error = json(failed);
    assertEquals("java.lang.IllegalStateException", error.get("errorType").asText());
    assertEquals("cannot count 'fail'", error.get("errorMessage").asText());
    assertTrue(error.get("stackTrace").isArray());

    JsonNode bad = json(invoke("words", "{\"item\":\"bad\"}"));
    assertEquals("example.BadItemNonRetryable", bad.get("errorType").asText());

    InvokeResponse slow = invoke("words", "{\"item\":\"slow\"}");
    assertEquals("Sandbox.Timedout", json(slow).get("errorType").asText());
  }

  @Test
  void aStreamHandlerGetsTheBytes() throws Exception {
    assertEquals(Json.parse("{\"a\":[1,2]}"), json(invoke("echo", "{\"a\":[1,2]}")));
  }

  @Test
  void aClassThatIsNoHandlerFailsEveryInvocation() throws Exception {
    InvokeResponse response = invoke("not-a-handler", "{}");
    assertEquals("Unhandled", response.functionError());
    assertEquals("java.lang.ClassCastException", json(response).get("errorType").asText());
  }

  @Test
  void beyondItsReservedConcurrencyAFunctionIsThrottled() throws Exception {
    CompletableFuture<InvokeResponse> first =
        CompletableFuture.supplyAsync(() -> invoke("held", "{\"n\":1}"));
    assertTrue(holding.await(10, TimeUnit.SECONDS));
    TooManyRequestsException throttled =
        assertThrows(TooManyRequestsException.class, () -> invoke("held", "{\"n\":2}"));
    assertEquals(429, throttled.statusCode());
    assertEquals("Rate Exceeded.", throttled.awsErrorDetails().errorMessage());
    release.countDown();
    assertEquals(Json.parse("{\"n\":1}"), json(first.get(10, TimeUnit.SECONDS)));
    assertEquals(Json.parse("{\"n\":3}"), json(invoke("held", "{\"n\":3}")));
    assertEquals(1, endpoint.stats("held").throttles());
  }

  @Test
  void aRequestOverSixMegabytesIsRefusedAndALargerResponseIsAFunctionError() throws Exception {
    String tooLarge = "\"" + "x".repeat(LambdaWorkerConfig.MAX_PAYLOAD_BYTES) + "\"";
    RequestTooLargeException refused =
        assertThrows(RequestTooLargeException.class, () -> invoke("cat", tooLarge));
    assertEquals(413, refused.statusCode());

    String largest = "\"" + "x".repeat(LambdaWorkerConfig.MAX_PAYLOAD_BYTES - 2) + "\"";
    assertEquals(
        LambdaWorkerConfig.MAX_PAYLOAD_BYTES,
        invoke("cat", largest).payload().asByteArray().length);

    InvokeResponse big = invoke("big-answer", "{}");
    assertEquals("Unhandled", big.functionError());
    assertEquals("Function.ResponseSizeTooLarge", json(big).get("errorType").asText());
  }

  @Test
  void aPayloadThatIsNotJsonIsRefused() {
    InvalidRequestContentException e =
        assertThrows(InvalidRequestContentException.class, () -> invoke("cat", "not json"));
    assertEquals(400, e.statusCode());
  }

  @Test
  void aDryRunChecksTheFunctionWithoutRunningIt() {
    long before = endpoint.stats("cat").invocations();
    InvokeResponse response =
        lambda.invoke(
            r ->
                r.functionName("cat")
                    .invocationType(InvocationType.DRY_RUN)
                    .payload(SdkBytes.fromUtf8String("{}")));
    assertEquals(204, response.statusCode());
    assertEquals(before, endpoint.stats("cat").invocations());
    assertFalse(endpoint.functionNames().isEmpty());
  }
}
