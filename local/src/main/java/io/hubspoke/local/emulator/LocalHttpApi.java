package io.hubspoke.local.emulator;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * A local API Gateway HTTP API with one Lambda proxy integration: each request becomes a payload
 * format 2.0 event, the {@link RequestStreamHandler} (the hub's real handler) is invoked with it as
 * JSON, and its output is mapped back to HTTP as API Gateway maps format 2.0 responses. Limits that
 * shape the design are kept: bodies over 10 MB get 413 and an integration that runs past the
 * integration timeout (30 s by default) gets 503. Authorization is not emulated.
 */
public final class LocalHttpApi implements AutoCloseable {
  /** API Gateway's request payload limit. */
  public static final int MAX_BODY_BYTES = 10 * 1024 * 1024;

  private static final DateTimeFormatter REQUEST_TIME =
      DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.US).withZone(ZoneOffset.UTC);

  private final ObjectMapper json = new ObjectMapper();
  private final RequestStreamHandler handler;
  private final List<Route> routes;
  private final String functionName;
  private final String region;
  private final String apiId;
  private final Duration integrationTimeout;
  private final Duration functionTimeout;
  private final Clock clock;
  private final Consumer<String> logSink;
  private final HttpServer server;
  private final ExecutorService exchangeThreads;
  private final ExecutorService invocationThreads;
  private final URI endpoint;

  private LocalHttpApi(Builder b) throws IOException {
    this.handler = Objects.requireNonNull(b.handler, "handler");
    this.routes = List.copyOf(b.routes);
    this.functionName = b.functionName;
    this.region = b.region;
    this.apiId = b.apiId;
    this.integrationTimeout = b.integrationTimeout;
    this.functionTimeout = b.functionTimeout;
    this.clock = b.clock;
    this.logSink = b.logSink;
    this.exchangeThreads =
        Executors.newFixedThreadPool(b.maxConcurrency, new DaemonThreads("http-api"));
    this.invocationThreads =
        Executors.newFixedThreadPool(b.maxConcurrency, new DaemonThreads(functionName));
    this.server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), b.port), 0);
    server.setExecutor(exchangeThreads);
    server.createContext("/", this::handle);
    server.start();
    this.endpoint = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  public static Builder builder() {
    return new Builder();
  }

  /** {@code http://127.0.0.1:<port>}: the API's base URL (stage {@code $default}). */
  public URI endpoint() {
    return endpoint;
  }

  @Override
  public void close() {
    server.stop(0);
    exchangeThreads.shutdownNow();
    invocationThreads.shutdownNow();
  }

  // ---- request -----------------------------------------------------------------------------

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String declared = exchange.getRequestHeaders().getFirst("Content-Length");
      byte[] body;
      try (InputStream in = exchange.getRequestBody()) {
        if (declared != null && parseLong(declared) > MAX_BODY_BYTES) {
          // Drain rather than reset the connection, so the client reads the 413.
          in.transferTo(OutputStream.nullOutputStream());
          body = null;
        } else {
          body = in.readNBytes(MAX_BODY_BYTES + 1);
          if (body.length > MAX_BODY_BYTES) {
            in.transferTo(OutputStream.nullOutputStream());
            body = null;
          }
        }
      }
      if (body == null) {
        respondJson(exchange, 413, "{\"message\":\"Request Entity Too Large\"}");
        return;
      }
      byte[] event = json.writeValueAsBytes(event(exchange, body));
      byte[] output;
      Future<byte[]> invocation = invocationThreads.submit(() -> invoke(event));
      try {
        output = invocation.get(integrationTimeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        invocation.cancel(true);
        respondJson(exchange, 503, "{\"message\":\"Service Unavailable\"}");
        return;
      } catch (ExecutionException e) {
        logSink.accept("[" + functionName + "] invocation failed: " + e.getCause());
        respondJson(exchange, 500, "{\"message\":\"Internal Server Error\"}");
        return;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        respondJson(exchange, 503, "{\"message\":\"Service Unavailable\"}");
        return;
      }
      respond(exchange, output);
    }
  }

  private byte[] invoke(byte[] event) throws IOException {
    LocalLambdaContext context =
        LocalLambdaContext.builder()
            .functionName(functionName)
            .region(region)
            .timeout(functionTimeout)
            .clock(clock)
            .logSink(logSink)
            .build();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    handler.handleRequest(new ByteArrayInputStream(event), out, context);
    return out.toByteArray();
  }

  /** The payload format 2.0 event API Gateway would send for this request. */
  ObjectNode event(HttpExchange exchange, byte[] body) {
    URI uri = exchange.getRequestURI();
    String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
    String rawPath =
        uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    String rawQuery = uri.getRawQuery() == null ? "" : uri.getRawQuery();
    Instant now = clock.instant();
    Optional<Match> match = match(method, rawPath);
    String routeKey = match.map(m -> m.route().key()).orElse("$default");

    ObjectNode event = json.createObjectNode();
    event.put("version", "2.0");
    event.put("routeKey", routeKey);
    event.put("rawPath", rawPath);
    event.put("rawQueryString", rawQuery);

    Map<String, String> headers = new LinkedHashMap<>();
    List<String> cookies = new ArrayList<>();
    exchange
        .getRequestHeaders()
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
    String sourceIp = exchange.getRemoteAddress().getAddress().getHostAddress();
    headers.putIfAbsent("x-forwarded-for", sourceIp);
    headers.putIfAbsent("x-forwarded-port", String.valueOf(server.getAddress().getPort()));
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

    String host =
        headers.getOrDefault("host", endpoint == null ? "127.0.0.1" : endpoint.getAuthority());
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
    http.put("protocol", exchange.getProtocol());
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

  private static long parseLong(String s) {
    try {
      return Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  // ---- routes --------------------------------------------------------------------------------

  /** A route key such as {@code GET /runs/{runId}}, {@code ANY /files/{proxy+}}. */
  private record Route(String key, String method, List<String> segments) {
    static Route parse(String key) {
      String[] parts = key.trim().split("\\s+");
      if (parts.length != 2 || !parts[1].startsWith("/")) {
        throw new IllegalArgumentException("route must look like 'GET /path/{param}': " + key);
      }
      List<String> segments = splitPath(parts[1]);
      for (int i = 0; i < segments.size(); i++) {
        if (segments.get(i).endsWith("+}") && i != segments.size() - 1) {
          throw new IllegalArgumentException("a greedy {name+} must be last: " + key);
        }
      }
      return new Route(
          parts[0].toUpperCase(Locale.ROOT) + " " + parts[1],
          parts[0].toUpperCase(Locale.ROOT),
          segments);
    }

    boolean greedy() {
      return !segments.isEmpty() && segments.get(segments.size() - 1).endsWith("+}");
    }

    long literals() {
      return segments.stream().filter(s -> !s.startsWith("{")).count();
    }
  }

  private record Match(Route route, Map<String, String> pathParameters) {}

  private static List<String> splitPath(String path) {
    List<String> segments = new ArrayList<>();
    for (String s : path.split("/")) {
      if (!s.isEmpty()) {
        segments.add(s);
      }
    }
    return segments;
  }

  /** The most specific matching route: literal beats parameter beats greedy, method beats ANY. */
  private Optional<Match> match(String method, String rawPath) {
    List<String> path = splitPath(rawPath);
    List<Match> matches = new ArrayList<>();
    for (Route route : routes) {
      if (!route.method().equals(method) && !route.method().equals("ANY")) {
        continue;
      }
      Map<String, String> params = new LinkedHashMap<>();
      if (matches(route.segments(), path, params)) {
        matches.add(new Match(route, params));
      }
    }
    return matches.stream()
        .min(
            Comparator.comparing((Match m) -> m.route().greedy())
                .thenComparing(m -> -m.route().literals())
                .thenComparing(m -> m.route().method().equals("ANY")));
  }

  private static boolean matches(
      List<String> template, List<String> path, Map<String, String> params) {
    for (int i = 0; i < template.size(); i++) {
      String t = template.get(i);
      if (t.startsWith("{") && t.endsWith("+}")) {
        if (i >= path.size()) {
          return false; // a greedy parameter needs at least one segment
        }
        params.put(
            t.substring(1, t.length() - 2), decode(String.join("/", path.subList(i, path.size()))));
        return true;
      }
      if (i >= path.size()) {
        return false;
      }
      if (t.startsWith("{") && t.endsWith("}")) {
        params.put(t.substring(1, t.length() - 1), decode(path.get(i)));
      } else if (!t.equals(path.get(i))) {
        return false;
      }
    }
    return template.size() == path.size();
  }

  // ---- response ------------------------------------------------------------------------------

  /**
   * Maps the function's output as API Gateway does for format 2.0: an object with {@code
   * statusCode} is a full response; any other JSON is a 200 {@code application/json} body (a JSON
   * string's content, anything else as JSON text); output that is not JSON is a 500.
   */
  private void respond(HttpExchange exchange, byte[] output) throws IOException {
    JsonNode result;
    try {
      result = output.length == 0 ? null : json.readTree(output);
    } catch (IOException e) {
      result = null;
    }
    if (result == null || result.isMissingNode()) {
      logSink.accept("[" + functionName + "] malformed Lambda proxy response");
      respondJson(exchange, 500, "{\"message\":\"Internal Server Error\"}");
      return;
    }
    if (!result.isObject() || !result.has("statusCode")) {
      String body = result.isTextual() ? result.asText() : json.writeValueAsString(result);
      respondJson(exchange, 200, body);
      return;
    }
    int status = result.path("statusCode").asInt(500);
    result
        .path("headers")
        .fields()
        .forEachRemaining(
            e -> exchange.getResponseHeaders().add(e.getKey(), e.getValue().asText()));
    result
        .path("cookies")
        .forEach(c -> exchange.getResponseHeaders().add("Set-Cookie", c.asText()));
    JsonNode bodyNode = result.get("body");
    byte[] body = new byte[0];
    if (bodyNode != null && !bodyNode.isNull()) {
      String text = bodyNode.isTextual() ? bodyNode.asText() : json.writeValueAsString(bodyNode);
      body =
          result.path("isBase64Encoded").asBoolean(false)
              ? Base64.getDecoder().decode(text)
              : text.getBytes(StandardCharsets.UTF_8);
    }
    send(exchange, status, body);
  }

  private void respondJson(HttpExchange exchange, int status, String body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    send(exchange, status, body.getBytes(StandardCharsets.UTF_8));
  }

  private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("apigw-requestid", UUID.randomUUID().toString());
    boolean noBody = body.length == 0 || status == 204 || status == 304 || status < 200;
    exchange.sendResponseHeaders(status, noBody ? -1 : body.length);
    if (!noBody) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  public static final class Builder {
    private int port;
    private RequestStreamHandler handler;
    private final List<Route> routes = new ArrayList<>();
    private String functionName = "hub";
    private String region = "us-east-1";
    private String apiId = "local";
    private int maxConcurrency = 16;
    private Duration integrationTimeout = Duration.ofSeconds(30);
    private Duration functionTimeout = Duration.ofSeconds(30);
    private Clock clock = Clock.systemUTC();
    private Consumer<String> logSink = System.out::println;

    private Builder() {}

    /** 0 (the default) binds an ephemeral port. */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    public Builder handler(RequestStreamHandler handler) {
      this.handler = handler;
      return this;
    }

    /**
     * A route key such as {@code POST /runs} or {@code GET /runs/{runId}} ({@code ANY} and a final
     * greedy {@code {name+}} too). Requests no route matches go to {@code $default}.
     */
    public Builder route(String routeKey) {
      routes.add(Route.parse(routeKey));
      return this;
    }

    public Builder functionName(String functionName) {
      this.functionName = Objects.requireNonNull(functionName);
      return this;
    }

    public Builder region(String region) {
      this.region = Objects.requireNonNull(region);
      return this;
    }

    public Builder apiId(String apiId) {
      this.apiId = Objects.requireNonNull(apiId);
      return this;
    }

    /** Invocations running at once (a bounded pool); further requests queue. */
    public Builder maxConcurrency(int maxConcurrency) {
      if (maxConcurrency < 1) {
        throw new IllegalArgumentException("maxConcurrency must be at least 1");
      }
      this.maxConcurrency = maxConcurrency;
      return this;
    }

    /** API Gateway's integration timeout: 30 s at most on AWS. */
    public Builder integrationTimeout(Duration integrationTimeout) {
      this.integrationTimeout = Objects.requireNonNull(integrationTimeout);
      return this;
    }

    /** The function timeout its Context counts down from. */
    public Builder functionTimeout(Duration functionTimeout) {
      this.functionTimeout = Objects.requireNonNull(functionTimeout);
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock);
      return this;
    }

    public Builder logSink(Consumer<String> logSink) {
      this.logSink = Objects.requireNonNull(logSink);
      return this;
    }

    public LocalHttpApi start() {
      try {
        return new LocalHttpApi(this);
      } catch (IOException e) {
        throw new IllegalStateException("local HTTP API could not bind its port", e);
      }
    }
  }
}
