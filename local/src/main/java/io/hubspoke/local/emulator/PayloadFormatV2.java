package io.hubspoke.local.emulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * API Gateway's HTTP API payload format 2.0, both ways: a request to the event a Lambda proxy
 * integration receives (route key, path parameters, lower-case headers with cookies apart, decoded
 * query parameters, a text body as it is or a binary one in base64, the request context), and the
 * function's output to the HTTP response API Gateway sends. Pure: what it returns depends only on
 * its arguments, but for the request id, a fresh UUID as API Gateway gives each request.
 */
final class PayloadFormatV2 {
  private static final DateTimeFormatter REQUEST_TIME =
      DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.US).withZone(ZoneOffset.UTC);

  /** What the server read of one request; {@code headers} as the client sent them. */
  record Request(
      String method,
      URI uri,
      Map<String, List<String>> headers,
      String protocol,
      String sourceIp,
      byte[] body) {}

  /** An HTTP response: its status, headers in the order they are added, and body. */
  record Response(int status, List<Map.Entry<String, String>> headers, byte[] body) {}

  private final ObjectMapper json = new ObjectMapper();
  private final HttpApiRoutes routes;
  private final String apiId;
  private final int port;

  /** For an API {@code apiId} with {@code routes}, served on {@code 127.0.0.1:port}. */
  PayloadFormatV2(HttpApiRoutes routes, String apiId, int port) {
    this.routes = routes;
    this.apiId = apiId;
    this.port = port;
  }

  /** The payload format 2.0 event API Gateway would send for {@code request}, received at now. */
  ObjectNode event(Request request, Instant now) {
    URI uri = request.uri();
    String method = request.method().toUpperCase(Locale.ROOT);
    String rawPath =
        uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    String rawQuery = uri.getRawQuery() == null ? "" : uri.getRawQuery();
    Optional<HttpApiRoutes.Match> match = routes.match(method, rawPath);
    String routeKey = match.map(m -> m.route().key()).orElse("$default");

    ObjectNode event = json.createObjectNode();
    event.put("version", "2.0");
    event.put("routeKey", routeKey);
    event.put("rawPath", rawPath);
    event.put("rawQueryString", rawQuery);

    Map<String, String> headers = new LinkedHashMap<>();
    List<String> cookies = new ArrayList<>();
    request
        .headers()
        .forEach(
            (name, values) -> {
              String lower = name.toLowerCase(Locale.ROOT);
              if (lower.equals("cookie")) {
                // API Gateway moves cookies to their own field and drops the header.
                for (String v : values) {
                  for (String c : v.split(";")) {
                    if (!c.isBlank()) {
                      cookies.add(c.trim());
                    }
                  }
                }
              } else {
                headers.merge(lower, String.join(",", values), (a, b2) -> a + "," + b2);
              }
            });
    String sourceIp = request.sourceIp();
    headers.putIfAbsent("x-forwarded-for", sourceIp);
    headers.putIfAbsent("x-forwarded-port", String.valueOf(port));
    headers.putIfAbsent("x-forwarded-proto", "http");
    if (!cookies.isEmpty()) {
      ArrayNode c = event.putArray("cookies");
      cookies.forEach(c::add);
    }
    ObjectNode h = event.putObject("headers");
    headers.forEach(h::put);

    if (!rawQuery.isEmpty()) {
      ObjectNode q = event.putObject("queryStringParameters");
      queryParameters(rawQuery).forEach(q::put);
    }

    String host = headers.getOrDefault("host", "127.0.0.1:" + port);
    String hostName = host.contains(":") ? host.substring(0, host.lastIndexOf(':')) : host;
    ObjectNode rc = event.putObject("requestContext");
    rc.put("accountId", LocalLambdaContext.LOCAL_ACCOUNT_ID);
    rc.put("apiId", apiId);
    rc.put("domainName", host);
    rc.put(
        "domainPrefix",
        hostName.contains(".") && !Character.isDigit(hostName.charAt(0))
            ? hostName.substring(0, hostName.indexOf('.'))
            : hostName);
    ObjectNode http = rc.putObject("http");
    http.put("method", method);
    http.put("path", rawPath);
    http.put("protocol", request.protocol());
    http.put("sourceIp", sourceIp);
    http.put("userAgent", headers.getOrDefault("user-agent", ""));
    rc.put("requestId", UUID.randomUUID().toString());
    rc.put("routeKey", routeKey);
    rc.put("stage", "$default");
    rc.put("time", REQUEST_TIME.format(now));
    rc.put("timeEpoch", now.toEpochMilli());

    match
        .filter(m -> !m.pathParameters().isEmpty())
        .ifPresent(
            m -> {
              ObjectNode p = event.putObject("pathParameters");
              m.pathParameters().forEach(p::put);
            });

    byte[] body = request.body();
    if (body.length > 0) {
      Optional<String> text = utf8(body);
      event.put("body", text.orElseGet(() -> Base64.getEncoder().encodeToString(body)));
      event.put("isBase64Encoded", text.isEmpty());
    } else {
      event.put("isBase64Encoded", false);
    }
    return event;
  }

  private static Optional<String> utf8(byte[] bytes) {
    try {
      return Optional.of(
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString());
    } catch (CharacterCodingException e) {
      return Optional.empty();
    }
  }

  /** Decoded query parameters; a repeated name's values are joined with commas. */
  private static Map<String, String> queryParameters(String rawQuery) {
    Map<String, String> params = new LinkedHashMap<>();
    for (String pair : rawQuery.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = decode(eq < 0 ? pair : pair.substring(0, eq));
      String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
      params.merge(name, value, (a, b) -> a + "," + b);
    }
    return params;
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  /**
   * The response API Gateway sends for the function's {@code output}, as it maps format 2.0: an
   * object with {@code statusCode} is a full response; any other JSON is a 200 {@code
   * application/json} body (a JSON string's content, anything else as JSON text); output that is
   * not JSON is none (API Gateway answers 500).
   */
  Optional<Response> response(byte[] output) {
    JsonNode result;
    try {
      result = output.length == 0 ? null : json.readTree(output);
    } catch (IOException e) {
      result = null;
    }
    if (result == null || result.isMissingNode()) {
      return Optional.empty();
    }
    if (!result.isObject() || !result.has("statusCode")) {
      String body = result.isTextual() ? result.asText() : write(result);
      return Optional.of(
          new Response(
              200,
              List.of(Map.entry("Content-Type", "application/json")),
              body.getBytes(StandardCharsets.UTF_8)));
    }
    int status = result.path("statusCode").asInt(500);
    List<Map.Entry<String, String>> headers = new ArrayList<>();
    result
        .path("headers")
        .fields()
        .forEachRemaining(e -> headers.add(Map.entry(e.getKey(), e.getValue().asText())));
    result.path("cookies").forEach(c -> headers.add(Map.entry("Set-Cookie", c.asText())));
    JsonNode bodyNode = result.get("body");
    byte[] body = new byte[0];
    if (bodyNode != null && !bodyNode.isNull()) {
      String text = bodyNode.isTextual() ? bodyNode.asText() : write(bodyNode);
      body =
          result.path("isBase64Encoded").asBoolean(false)
              ? Base64.getDecoder().decode(text)
              : text.getBytes(StandardCharsets.UTF_8);
    }
    return Optional.of(new Response(status, List.copyOf(headers), body));
  }

  private String write(JsonNode node) {
    try {
      return json.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
