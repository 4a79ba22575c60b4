package io.hubspoke.local.emulator;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
 * JSON, and its output is mapped back to HTTP as API Gateway maps format 2.0 responses (both ways
 * by {@link PayloadFormatV2}, routes chosen by {@link HttpApiRoutes}). This class is the server:
 * limits that shape the design are kept, bodies over 10 MB get 413 and an integration that runs
 * past the integration timeout (30 s by default) gets 503. IAM authorization is emulated only as
 * far as it can be without the callers' secrets: with {@link Builder#requireSignature}, a request
 * to a route must carry a well-formed SigV4 signature ({@link SignatureCheck}) or gets API
 * Gateway's 403; whether it was made with the right secret is not checked.
 */
public final class LocalHttpApi implements AutoCloseable {
  /** API Gateway's request payload limit. */
  public static final int MAX_BODY_BYTES = 10 * 1024 * 1024;

  private final ObjectMapper json = new ObjectMapper();
  private final RequestStreamHandler handler;
  private final String functionName;
  private final String region;
  private final Duration integrationTimeout;
  private final Duration functionTimeout;
  private final Clock clock;
  private final Consumer<String> logSink;
  private final HttpServer server;
  private final PayloadFormatV2 payloadFormat;
  private final HttpApiRoutes routes;
  private final SignatureCheck signatureCheck;
  private final ExecutorService exchangeThreads;
  private final ExecutorService invocationThreads;
  private final URI endpoint;

  private LocalHttpApi(Builder b) throws IOException {
    this.handler = Objects.requireNonNull(b.handler, "handler");
    this.functionName = b.functionName;
    this.region = b.region;
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
    this.routes = new HttpApiRoutes(b.routes);
    this.signatureCheck = b.requireSignature ? new SignatureCheck(b.region) : null;
    this.payloadFormat = new PayloadFormatV2(routes, b.apiId, server.getAddress().getPort());
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
      Optional<String> unsigned = signatureProblem(exchange);
      if (unsigned.isPresent()) {
        respondJson(exchange, 403, json.writeValueAsString(Map.of("message", unsigned.get())));
        return;
      }
      byte[] event =
          json.writeValueAsBytes(
              payloadFormat.event(
                  new PayloadFormatV2.Request(
                      exchange.getRequestMethod(),
                      exchange.getRequestURI(),
                      exchange.getRequestHeaders(),
                      exchange.getProtocol(),
                      exchange.getRemoteAddress().getAddress().getHostAddress(),
                      body),
                  clock.instant()));
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

  /**
   * Why the request's signature is refused, if signatures are required. As on AWS, where the routes
   * carry the IAM authorizer and nothing else exists, a request no route matches is not checked (it
   * gets the hub's 404/405 locally).
   */
  private Optional<String> signatureProblem(HttpExchange exchange) {
    if (signatureCheck == null
        || routes
            .match(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath())
            .isEmpty()) {
      return Optional.empty();
    }
    return signatureCheck.problem(exchange.getRequestHeaders()::getFirst, clock.instant());
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

  private static long parseLong(String s) {
    try {
      return Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  // ---- response ------------------------------------------------------------------------------

  /** Sends what API Gateway would for the function's output: see {@link PayloadFormatV2}. */
  private void respond(HttpExchange exchange, byte[] output) throws IOException {
    Optional<PayloadFormatV2.Response> response = payloadFormat.response(output);
    if (response.isEmpty()) {
      logSink.accept("[" + functionName + "] malformed Lambda proxy response");
      respondJson(exchange, 500, "{\"message\":\"Internal Server Error\"}");
      return;
    }
    response
        .get()
        .headers()
        .forEach(h -> exchange.getResponseHeaders().add(h.getKey(), h.getValue()));
    send(exchange, response.get().status(), response.get().body());
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
    private final List<HttpApiRoutes.Route> routes = new ArrayList<>();
    private String functionName = "hub";
    private String region = "us-east-1";
    private String apiId = "local";
    private int maxConcurrency = 16;
    private Duration integrationTimeout = Duration.ofSeconds(30);
    private Duration functionTimeout = Duration.ofSeconds(30);
    private Clock clock = Clock.systemUTC();
    private Consumer<String> logSink = System.out::println;
    private boolean requireSignature;

    private Builder() {}

    /**
     * Refuses a request to a route unless it carries a well-formed SigV4 signature for this API's
     * region and {@code execute-api} (403, as API Gateway's IAM authorizer answers): see {@link
     * SignatureCheck}. Off by default.
     */
    public Builder requireSignature(boolean requireSignature) {
      this.requireSignature = requireSignature;
      return this;
    }

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
      routes.add(HttpApiRoutes.Route.parse(routeKey));
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
