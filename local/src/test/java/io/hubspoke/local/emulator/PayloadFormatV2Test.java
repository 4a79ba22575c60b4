package io.hubspoke.local.emulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The payload format 2.0 mapping of {@link LocalHttpApi}, without a server. The fixture {@code
 * lambda-events/http-api-v2-request.json} has the shape of the format 2.0 example in API Gateway's
 * developer guide ("Create AWS Lambda proxy integrations for HTTP APIs"), for one request of ours.
 */
class PayloadFormatV2Test {
  private static final Instant NOW = Instant.parse("2026-03-12T19:03:58.390Z");
  private static final int PORT = 8080;
  private static final PayloadFormatV2 FORMAT =
      format("POST /runs", "GET /runs/{runId}", "POST /runs/{runId}/tasks", "ANY /files/{path+}");

  private static PayloadFormatV2 format(String... routeKeys) {
    return new PayloadFormatV2(
        new HttpApiRoutes(List.of(routeKeys).stream().map(HttpApiRoutes.Route::parse).toList()),
        "h5b9q2",
        PORT);
  }

  private static PayloadFormatV2.Request request(
      String method, String pathAndQuery, Map<String, List<String>> headers, byte[] body) {
    return new PayloadFormatV2.Request(
        method, URI.create(pathAndQuery), headers, "HTTP/1.1", "192.0.2.10", body);
  }

  @Test
  void aRequestMapsToTheEventApiGatewayDocuments() {
    ObjectNode documented = (ObjectNode) LambdaEventFixtures.read("http-api-v2-request.json");
    Map<String, List<String>> headers = new LinkedHashMap<>();
    headers.put("Accept", List.of("application/json"));
    headers.put("Content-type", List.of("application/json"));
    headers.put("Cookie", List.of("session=abc; theme=dark"));
    headers.put("Host", List.of("h5b9q2.execute-api.eu-west-1.amazonaws.com"));
    headers.put("User-agent", List.of("hubspoke-cli/1.0"));
    headers.put("X-amzn-trace-id", List.of("Root=1-67891233-abcdef012345678912345678"));
    headers.put("X-forwarded-for", List.of("192.0.2.10"));
    headers.put("X-forwarded-port", List.of("443"));
    headers.put("X-forwarded-proto", List.of("https"));
    headers.put("X-multi", List.of("one", "two"));

    ObjectNode event =
        FORMAT.event(
            request(
                "post",
                "/runs/r-42/tasks?state=FAILED&state=DEAD&limit=50&q=a%20b",
                headers,
                documented.get("body").asText().getBytes(StandardCharsets.UTF_8)),
            NOW);

    // What API Gateway adds that the local API does not emulate: authorizers, stage variables.
    ObjectNode context = (ObjectNode) documented.get("requestContext");
    assertEquals(
        Set.of("authentication", "authorizer"), removed(context, event.get("requestContext")));
    assertEquals(Set.of("stageVariables"), removed(documented, event));
    // A fresh id per request.
    UUID.fromString(event.get("requestContext").get("requestId").asText());
    context.set("requestId", event.get("requestContext").get("requestId"));
    assertEquals(documented, event);
  }

  /** Removes from {@code documented} the fields {@code mapped} lacks, and names them. */
  private static Set<String> removed(ObjectNode documented, JsonNode mapped) {
    Set<String> missing = new TreeSet<>();
    documented
        .fieldNames()
        .forEachRemaining(
            f -> {
              if (!mapped.has(f)) {
                missing.add(f);
              }
            });
    documented.remove(missing);
    return missing;
  }

  @Test
  void whatTheClientLeavesOutIsFilledAsApiGatewayDoes() {
    ObjectNode event = FORMAT.event(request("DELETE", "/nowhere", Map.of(), new byte[0]), NOW);
    assertEquals("$default", event.get("routeKey").asText());
    assertEquals("$default", event.get("requestContext").get("routeKey").asText());
    assertEquals("", event.get("rawQueryString").asText());
    JsonNode headers = event.get("headers");
    assertEquals("192.0.2.10", headers.get("x-forwarded-for").asText());
    assertEquals(String.valueOf(PORT), headers.get("x-forwarded-port").asText());
    assertEquals("http", headers.get("x-forwarded-proto").asText());
    JsonNode context = event.get("requestContext");
    assertEquals("127.0.0.1:" + PORT, context.get("domainName").asText());
    assertEquals("127.0.0.1", context.get("domainPrefix").asText());
    assertEquals("", context.get("http").get("userAgent").asText());
    assertEquals("DELETE", context.get("http").get("method").asText());
    for (String absent : List.of("cookies", "queryStringParameters", "pathParameters", "body")) {
      assertFalse(event.has(absent), absent);
    }
    assertFalse(event.get("isBase64Encoded").asBoolean());
  }

  @Test
  void aBodyThatIsNotUtf8PassesInBase64() {
    byte[] binary = {(byte) 0xff, (byte) 0xfe, 0, 1};
    ObjectNode event = FORMAT.event(request("POST", "/runs", Map.of(), binary), NOW);
    assertEquals("POST /runs", event.get("routeKey").asText());
    assertTrue(event.get("isBase64Encoded").asBoolean());
    assertEquals(Base64.getEncoder().encodeToString(binary), event.get("body").asText());
  }

  @Test
  void theMostSpecificRouteWins() {
    PayloadFormatV2 format =
        format("GET /runs/{runId}", "GET /runs/latest", "ANY /runs/{runId}", "ANY /{proxy+}");
    assertEquals("GET /runs/latest", routeKey(format, "GET", "/runs/latest"));
    assertEquals("GET /runs/{runId}", routeKey(format, "GET", "/runs/r-1"));
    assertEquals("ANY /runs/{runId}", routeKey(format, "DELETE", "/runs/r-1"));
    assertEquals("ANY /{proxy+}", routeKey(format, "GET", "/runs/r-1/tasks"));
    assertEquals("$default", routeKey(format, "GET", "/"), "a greedy parameter takes a segment");

    JsonNode decoded =
        format
            .event(request("GET", "/runs/r%201", Map.of(), new byte[0]), NOW)
            .get("pathParameters");
    assertEquals("r 1", decoded.get("runId").asText());
    JsonNode greedy =
        format
            .event(request("PUT", "/a/b/c.txt", Map.of(), new byte[0]), NOW)
            .get("pathParameters");
    assertEquals("a/b/c.txt", greedy.get("proxy").asText());
  }

  @Test
  void aRouteKeyMustNameAMethodAndAPathWithTheGreedyParameterLast() {
    assertThrows(IllegalArgumentException.class, () -> HttpApiRoutes.Route.parse("GET runs"));
    assertThrows(IllegalArgumentException.class, () -> HttpApiRoutes.Route.parse("/runs"));
    assertThrows(IllegalArgumentException.class, () -> HttpApiRoutes.Route.parse("GET /{a+}/b"));
    assertEquals("GET /runs", HttpApiRoutes.Route.parse("get /runs").key());
  }

  private static String routeKey(PayloadFormatV2 format, String method, String path) {
    return format.event(request(method, path, Map.of(), new byte[0]), NOW).get("routeKey").asText();
  }

  // ---- the function's output ---------------------------------------------------------------

  private static PayloadFormatV2.Response response(String output) {
    return FORMAT.response(output.getBytes(StandardCharsets.UTF_8)).orElseThrow();
  }

  @Test
  void aResponseWithAStatusCodeIsTheFullResponse() {
    PayloadFormatV2.Response full =
        response(
            "{\"statusCode\":201,\"headers\":{\"content-type\":\"application/json\","
                + "\"x-run\":\"r-1\"},\"cookies\":[\"s=1; Path=/\",\"t=2\"],"
                + "\"body\":\"{\\\"runId\\\":\\\"r-1\\\"}\",\"isBase64Encoded\":false}");
    assertEquals(201, full.status());
    assertEquals(
        List.of(
            Map.entry("content-type", "application/json"),
            Map.entry("x-run", "r-1"),
            Map.entry("Set-Cookie", "s=1; Path=/"),
            Map.entry("Set-Cookie", "t=2")),
        full.headers());
    assertEquals("{\"runId\":\"r-1\"}", new String(full.body(), StandardCharsets.UTF_8));

    String encoded = Base64.getEncoder().encodeToString("decoded".getBytes(StandardCharsets.UTF_8));
    assertArrayEquals(
        "decoded".getBytes(StandardCharsets.UTF_8),
        response("{\"statusCode\":200,\"isBase64Encoded\":true,\"body\":\"" + encoded + "\"}")
            .body());
    assertEquals(
        "{\"a\":1}",
        new String(
            response("{\"statusCode\":200,\"body\":{\"a\":1}}").body(), StandardCharsets.UTF_8),
        "a body that is not a string is sent as its JSON");

    PayloadFormatV2.Response empty = response("{\"statusCode\":204}");
    assertEquals(204, empty.status());
    assertEquals(List.of(), empty.headers());
    assertEquals(0, empty.body().length);
  }

  @Test
  void anyOtherJsonIsA200JsonBody() {
    PayloadFormatV2.Response object = response("{\"runId\":\"r-2\",\"state\":\"RUNNING\"}");
    assertEquals(200, object.status());
    assertEquals(List.of(Map.entry("Content-Type", "application/json")), object.headers());
    assertEquals(
        "{\"runId\":\"r-2\",\"state\":\"RUNNING\"}",
        new String(object.body(), StandardCharsets.UTF_8));
    assertEquals(
        "Hello from Lambda!",
        new String(response("\"Hello from Lambda!\"").body(), StandardCharsets.UTF_8));
    assertEquals("[1,2]", new String(response("[1,2]").body(), StandardCharsets.UTF_8));
  }

  @Test
  void outputThatIsNotJsonHasNoResponse() {
    assertEquals(Optional.empty(), FORMAT.response("not json".getBytes(StandardCharsets.UTF_8)));
    assertEquals(Optional.empty(), FORMAT.response(new byte[0]));
  }
}
