package io.hubspoke.local.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LocalHttpApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What the test handler does with an event: returns the output bytes to write. */
  interface Behaviour {
    String respond(JsonNode event) throws Exception;
  }

  private static final AtomicReference<Behaviour> BEHAVIOUR = new AtomicReference<>();
  private static final AtomicReference<JsonNode> LAST_EVENT = new AtomicReference<>();
  private static LocalHttpApi api;
  private static HttpClient http;

  @BeforeAll
  static void start() {
    api =
        LocalHttpApi.builder()
            .route("POST /runs")
            .route("GET /runs/{runId}")
            .route("ANY /files/{path+}")
            .maxConcurrency(4)
            .logSink(line -> {})
            .handler(
                (in, out, context) -> {
                  JsonNode event = JSON.readTree(in);
                  LAST_EVENT.set(event);
                  try {
                    out.write(BEHAVIOUR.get().respond(event).getBytes(StandardCharsets.UTF_8));
                  } catch (IOException | RuntimeException e) {
                    throw e;
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                })
            .start();
    http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  }

  @AfterAll
  static void stop() {
    if (api != null) {
      api.close();
    }
  }

  @BeforeEach
  void reset() {
    BEHAVIOUR.set(event -> "{\"statusCode\":200,\"body\":\"ok\"}");
    LAST_EVENT.set(null);
  }

  private static HttpRequest.Builder request(String pathAndQuery) {
    return HttpRequest.newBuilder(URI.create(api.endpoint() + pathAndQuery));
  }

  private static HttpResponse<String> send(HttpRequest request) throws Exception {
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void buildsAPayloadFormat2Event() throws Exception {
    send(
        request("/runs/r-42?x=1&x=2&y=a%20b")
            .header("X-Custom", "v1")
            .header("X-Multi", "one")
            .header("X-Multi", "two")
            .header("Cookie", "a=1; b=2")
            .header("User-Agent", "hubspoke-test")
            .GET()
            .build());
    JsonNode e = LAST_EVENT.get();
    assertEquals("2.0", e.get("version").asText());
    assertEquals("GET /runs/{runId}", e.get("routeKey").asText());
    assertEquals("/runs/r-42", e.get("rawPath").asText());
    assertEquals("x=1&x=2&y=a%20b", e.get("rawQueryString").asText());
    assertEquals("1,2", e.get("queryStringParameters").get("x").asText());
    assertEquals("a b", e.get("queryStringParameters").get("y").asText());
    assertEquals("r-42", e.get("pathParameters").get("runId").asText());
    assertEquals(List.of("a=1", "b=2"), texts(e.get("cookies")));
    JsonNode headers = e.get("headers");
    assertEquals("v1", headers.get("x-custom").asText());
    assertEquals("one,two", headers.get("x-multi").asText());
    assertFalse(headers.has("cookie"), "cookies move to their own field");
    assertFalse(headers.has("X-Custom"), "header names are lower-case");
    JsonNode rc = e.get("requestContext");
    assertEquals("000000000000", rc.get("accountId").asText());
    assertEquals("local", rc.get("apiId").asText());
    assertEquals(api.endpoint().getAuthority(), rc.get("domainName").asText());
    assertTrue(rc.hasNonNull("domainPrefix"));
    assertEquals("GET", rc.get("http").get("method").asText());
    assertEquals("/runs/r-42", rc.get("http").get("path").asText());
    assertEquals("HTTP/1.1", rc.get("http").get("protocol").asText());
    assertEquals("127.0.0.1", rc.get("http").get("sourceIp").asText());
    assertEquals("hubspoke-test", rc.get("http").get("userAgent").asText());
    assertTrue(rc.hasNonNull("requestId"));
    assertEquals("GET /runs/{runId}", rc.get("routeKey").asText());
    assertEquals("$default", rc.get("stage").asText());
    assertTrue(
        rc.get("time").asText().matches("\\d\\d/\\w{3}/\\d{4}:\\d\\d:\\d\\d:\\d\\d \\+0000"));
    assertTrue(rc.get("timeEpoch").asLong() > 0);
    assertFalse(e.has("body"));
    assertFalse(e.get("isBase64Encoded").asBoolean());
  }

  @Test
  void textBodiesPassAsIsAndBinaryBodiesAsBase64() throws Exception {
    send(request("/runs").POST(HttpRequest.BodyPublishers.ofString("{\"tasks\":3}")).build());
    JsonNode text = LAST_EVENT.get();
    assertEquals("POST /runs", text.get("routeKey").asText());
    assertEquals("{\"tasks\":3}", text.get("body").asText());
    assertFalse(text.get("isBase64Encoded").asBoolean());
    assertFalse(text.has("pathParameters"));
    assertFalse(text.has("queryStringParameters"));

    byte[] binary = {(byte) 0xff, (byte) 0xfe, 0, 1};
    send(request("/runs").POST(HttpRequest.BodyPublishers.ofByteArray(binary)).build());
    JsonNode bin = LAST_EVENT.get();
    assertTrue(bin.get("isBase64Encoded").asBoolean());
    assertEquals(Base64.getEncoder().encodeToString(binary), bin.get("body").asText());
  }

  @Test
  void unmatchedRequestsGoToTheDefaultRouteAndGreedyParametersTakeTheRest() throws Exception {
    send(request("/nowhere").DELETE().build());
    assertEquals("$default", LAST_EVENT.get().get("routeKey").asText());
    assertEquals("$default", LAST_EVENT.get().get("requestContext").get("routeKey").asText());
    send(request("/files/a/b/c.txt").PUT(HttpRequest.BodyPublishers.noBody()).build());
    assertEquals("ANY /files/{path+}", LAST_EVENT.get().get("routeKey").asText());
    assertEquals("a/b/c.txt", LAST_EVENT.get().get("pathParameters").get("path").asText());
  }

  @Test
  void mapsAFullResponse() throws Exception {
    BEHAVIOUR.set(
        event ->
            "{\"statusCode\":201,\"headers\":{\"content-type\":\"application/json\","
                + "\"x-run\":\"r-1\"},\"cookies\":[\"s=1; Path=/\",\"t=2\"],"
                + "\"body\":\"{\\\"runId\\\":\\\"r-1\\\"}\",\"isBase64Encoded\":false}");
    HttpResponse<String> response =
        send(request("/runs").POST(HttpRequest.BodyPublishers.ofString("{}")).build());
    assertEquals(201, response.statusCode());
    assertEquals("application/json", response.headers().firstValue("content-type").orElseThrow());
    assertEquals("r-1", response.headers().firstValue("x-run").orElseThrow());
    assertEquals(List.of("s=1; Path=/", "t=2"), response.headers().allValues("set-cookie"));
    assertEquals("{\"runId\":\"r-1\"}", response.body());

    BEHAVIOUR.set(
        event ->
            "{\"statusCode\":200,\"isBase64Encoded\":true,\"body\":\""
                + Base64.getEncoder().encodeToString("decoded".getBytes(StandardCharsets.UTF_8))
                + "\"}");
    assertEquals("decoded", send(request("/runs/x").GET().build()).body());

    BEHAVIOUR.set(event -> "{\"statusCode\":204}");
    HttpResponse<String> empty = send(request("/runs/x").GET().build());
    assertEquals(204, empty.statusCode());
    assertEquals("", empty.body());
  }

  @Test
  void mapsAnyOtherJsonToA200JsonBody() throws Exception {
    BEHAVIOUR.set(event -> "{\"runId\":\"r-2\",\"state\":\"RUNNING\"}");
    HttpResponse<String> object = send(request("/runs/r-2").GET().build());
    assertEquals(200, object.statusCode());
    assertEquals("application/json", object.headers().firstValue("content-type").orElseThrow());
    assertEquals("r-2", JSON.readTree(object.body()).get("runId").asText());

    BEHAVIOUR.set(event -> "\"Hello from Lambda!\"");
    assertEquals("Hello from Lambda!", send(request("/runs/r-2").GET().build()).body());

    BEHAVIOUR.set(event -> "[1,2]");
    assertEquals("[1,2]", send(request("/runs/r-2").GET().build()).body());
  }

  @Test
  void aHandlerExceptionIsA500() throws Exception {
    BEHAVIOUR.set(
        event -> {
          throw new IllegalStateException("hub failed");
        });
    HttpResponse<String> response = send(request("/runs/x").GET().build());
    assertEquals(500, response.statusCode());
    assertEquals("{\"message\":\"Internal Server Error\"}", response.body());

    BEHAVIOUR.set(event -> "not json");
    assertEquals(500, send(request("/runs/x").GET().build()).statusCode());
  }

  @Test
  void aBodyOverTenMegabytesIsA413() throws Exception {
    byte[] big = new byte[LocalHttpApi.MAX_BODY_BYTES + 1];
    HttpResponse<String> response =
        send(request("/runs").POST(HttpRequest.BodyPublishers.ofByteArray(big)).build());
    assertEquals(413, response.statusCode());
    assertTrue(JSON.readTree(response.body()).hasNonNull("message"));
    assertNull(LAST_EVENT.get(), "the handler was not invoked");
  }

  @Test
  void invocationsRunConcurrently() throws Exception {
    CountDownLatch bothArrived = new CountDownLatch(2);
    BEHAVIOUR.set(
        event -> {
          bothArrived.countDown();
          // Only returns promptly if the other request is being handled at the same time.
          boolean together = bothArrived.await(10, TimeUnit.SECONDS);
          return "{\"statusCode\":200,\"body\":\"" + together + "\"}";
        });
    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      calls.add(
          http.sendAsync(
              request("/runs/c" + i).GET().build(), HttpResponse.BodyHandlers.ofString()));
    }
    for (var call : calls) {
      assertEquals("true", call.get(Duration.ofSeconds(15).toSeconds(), TimeUnit.SECONDS).body());
    }
  }

  /**
   * With signatures required, a route's request without a well-formed SigV4 signature gets API
   * Gateway's 403 and never reaches the handler; a well-formed one does (its secret is not
   * checked); a path no route matches is left to the hub, as on AWS.
   */
  @Test
  void requiredSignaturesAreCheckedOnRoutesOnly() throws Exception {
    try (LocalHttpApi signed =
        LocalHttpApi.builder()
            .route("GET /runs/{runId}")
            .logSink(line -> {})
            .requireSignature(true)
            .handler(
                (in, out, context) -> {
                  LAST_EVENT.set(JSON.readTree(in));
                  out.write(
                      "{\"statusCode\":200,\"body\":\"ok\"}".getBytes(StandardCharsets.UTF_8));
                })
            .start()) {
      URI run = URI.create(signed.endpoint() + "/runs/r-1");
      HttpResponse<String> unsigned = send(HttpRequest.newBuilder(run).GET().build());
      assertEquals(403, unsigned.statusCode());
      JsonNode body = JSON.readTree(unsigned.body());
      assertEquals(1, body.size(), "only a message, as API Gateway's answers: " + body);
      assertTrue(body.get("message").asText().startsWith("Missing Authentication Token"));
      assertNull(LAST_EVENT.get(), "the handler was not invoked");

      HttpResponse<String> malformed =
          send(
              HttpRequest.newBuilder(run)
                  .header("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE12345")
                  .GET()
                  .build());
      assertEquals(403, malformed.statusCode());
      assertTrue(
          JSON.readTree(malformed.body()).get("message").asText().contains("'Signature' parameter"),
          malformed.body());
      assertNull(LAST_EVENT.get(), "the handler was not invoked");

      java.time.Instant now = java.time.Instant.now();
      HttpRequest.Builder wellFormed = HttpRequest.newBuilder(run).GET();
      SignatureCheckTest.signedBySdk("us-east-1", "execute-api", now)
          .forEach(
              (name, value) -> {
                if (!name.equalsIgnoreCase("host")) {
                  wellFormed.header(name, value);
                }
              });
      assertEquals(200, send(wellFormed.build()).statusCode());
      assertEquals("GET /runs/{runId}", LAST_EVENT.get().get("routeKey").asText());

      LAST_EVENT.set(null);
      HttpResponse<String> unrouted =
          send(HttpRequest.newBuilder(URI.create(signed.endpoint() + "/elsewhere")).GET().build());
      assertEquals(200, unrouted.statusCode(), "the $default integration answers, unsigned");
    }
  }

  private static List<String> texts(JsonNode array) {
    List<String> values = new ArrayList<>();
    array.forEach(v -> values.add(v.asText()));
    return values;
  }
}
