package io.hubspoke.local.emulator;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * The HTTP face of a {@link LocalEventBus}: the PutEvents wire protocol ({@code POST /}, {@code
 * X-Amz-Target: AWSEvents.PutEvents}, {@code application/x-amz-json-1.1}). A request EventBridge
 * would refuse gets its {@code ValidationException}; otherwise each entry is validated on its own,
 * a failing one gets its {@code ErrorCode} and {@code ErrorMessage} and counts in {@code
 * FailedEntryCount}, and each accepted one is wrapped in the EventBridge envelope and handed, in
 * order, to {@code accepted}. The signature of requests is not checked.
 */
final class PutEventsEndpoint implements AutoCloseable {
  private static final String TARGET = "AWSEvents.PutEvents";
  private static final String CONTENT_TYPE = "application/x-amz-json-1.1";

  private final ObjectMapper json =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private final String busName;
  private final String busArn;
  private final String region;
  private final Consumer<String> accepted;
  private final HttpServer server;
  private final ExecutorService httpThreads;
  private final URI endpoint;

  /** Binds {@code port} (0 for an ephemeral one) on the loopback address and starts serving. */
  PutEventsEndpoint(
      String busName, String busArn, String region, int port, Consumer<String> accepted)
      throws IOException {
    this.busName = busName;
    this.busArn = busArn;
    this.region = region;
    this.accepted = accepted;
    this.httpThreads = Executors.newFixedThreadPool(2, new DaemonThreads("event-bus-http"));
    this.server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
    server.setExecutor(httpThreads);
    server.createContext("/", this::handle);
    server.start();
    this.endpoint = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  URI endpoint() {
    return endpoint;
  }

  @Override
  public void close() {
    server.stop(0);
    httpThreads.shutdownNow();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] body;
      try (InputStream in = exchange.getRequestBody()) {
        body = in.readAllBytes();
      }
      String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
      if (!"POST".equals(exchange.getRequestMethod()) || !TARGET.equals(target)) {
        respond(
            exchange,
            400,
            error("UnknownOperationException", "Only " + TARGET + " is served: " + target));
        return;
      }
      ObjectNode result;
      try {
        result = putEvents(body);
      } catch (ValidationException e) {
        respond(exchange, 400, error("ValidationException", e.getMessage()));
        return;
      }
      respond(exchange, 200, result);
    }
  }

  private static final class ValidationException extends Exception {
    ValidationException(String message) {
      super(message);
    }
  }

  private ObjectNode putEvents(byte[] body) throws ValidationException {
    JsonNode request;
    try {
      request = json.readTree(body);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new ValidationException("Request body is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new ValidationException("Request body could not be read: " + e.getMessage());
    }
    if (request == null || !request.isObject()) {
      throw new ValidationException("Request body must be a JSON object");
    }
    JsonNode entries = request.get("Entries");
    if (entries == null || entries.isNull()) {
      throw new ValidationException(
          "1 validation error detected: Value null at 'entries' failed to satisfy constraint:"
              + " Member must not be null");
    }
    if (!entries.isArray()) {
      throw new ValidationException("Entries must be a list");
    }
    if (entries.isEmpty() || entries.size() > LocalEventBus.MAX_ENTRIES) {
      throw new ValidationException(
          "1 validation error detected: Value at 'entries' failed to satisfy constraint: Member"
              + " must have length "
              + (entries.isEmpty() ? "greater than or equal to 1" : "less than or equal to 10"));
    }
    long size = 0;
    for (JsonNode entry : entries) {
      if (!entry.isObject()) {
        throw new ValidationException("Each entry must be a JSON object");
      }
      size += entrySize(entry);
    }
    if (size > LocalEventBus.MAX_REQUEST_BYTES) {
      throw new ValidationException("Total size of the entries in the request is over the limit.");
    }

    ObjectNode response = json.createObjectNode();
    ArrayNode results = response.putArray("Entries");
    int failed = 0;
    List<String> envelopes = new ArrayList<>();
    for (JsonNode entry : entries) {
      ObjectNode result = results.addObject();
      String problem = validate(entry, result);
      if (problem != null) {
        failed++;
        continue;
      }
      String id = UUID.randomUUID().toString();
      envelopes.add(envelope(id, entry));
      result.put("EventId", id);
    }
    response.put("FailedEntryCount", failed);
    envelopes.forEach(accepted);
    return response;
  }

  /** EventBridge's documented entry size: Source, DetailType, Detail, Resources, 14 for Time. */
  private static long entrySize(JsonNode entry) {
    long size = entry.hasNonNull("Time") ? 14 : 0;
    size += utf8Length(entry.path("Source").asText(""));
    size += utf8Length(entry.path("DetailType").asText(""));
    size += utf8Length(entry.path("Detail").asText(""));
    for (JsonNode resource : entry.path("Resources")) {
      size += utf8Length(resource.asText(""));
    }
    return size;
  }

  private static int utf8Length(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }

  /** Fills {@code result} with ErrorCode/ErrorMessage and returns the code if the entry fails. */
  private String validate(JsonNode entry, ObjectNode result) {
    for (String field : List.of("Source", "DetailType", "Detail")) {
      JsonNode value = entry.get(field);
      if (value == null || !value.isTextual() || value.asText().isEmpty()) {
        return fail(
            result,
            "InvalidArgument",
            "Parameter " + field + " is not valid. Reason: " + field + " is a required argument.");
      }
    }
    String bus = entry.path("EventBusName").asText("");
    if (!bus.isEmpty() && !bus.equals(busName) && !bus.equals(busArn)) {
      return fail(result, "ResourceNotFoundException", "Event bus " + bus + " does not exist.");
    }
    try {
      JsonNode detail = json.readTree(entry.get("Detail").asText());
      if (detail == null || !detail.isObject()) {
        return fail(result, "MalformedDetail", "Detail is malformed.");
      }
    } catch (IOException e) {
      return fail(result, "MalformedDetail", "Detail is malformed.");
    }
    return null;
  }

  private static String fail(ObjectNode result, String code, String message) {
    result.put("ErrorCode", code);
    result.put("ErrorMessage", message);
    return code;
  }

  /** The event as a target receives it; field order follows EventBridge's. */
  private String envelope(String id, JsonNode entry) {
    Instant time = Instant.now();
    JsonNode t = entry.get("Time");
    if (t != null && t.isNumber()) {
      time = Instant.ofEpochMilli((long) (t.asDouble() * 1000));
    }
    ObjectNode event = json.createObjectNode();
    event.put("version", "0");
    event.put("id", id);
    event.put("detail-type", entry.get("DetailType").asText());
    event.put("source", entry.get("Source").asText());
    event.put("account", LocalLambdaContext.LOCAL_ACCOUNT_ID);
    event.put("time", DateTimeFormatter.ISO_INSTANT.format(time.truncatedTo(ChronoUnit.SECONDS)));
    event.put("region", region);
    ArrayNode resources = event.putArray("resources");
    entry.path("Resources").forEach(r -> resources.add(r.asText()));
    try {
      event.set("detail", json.readTree(entry.get("Detail").asText()));
      return json.writeValueAsString(event);
    } catch (IOException e) {
      throw new IllegalStateException("validated detail failed to parse", e);
    }
  }

  private ObjectNode error(String type, String message) {
    ObjectNode error = json.createObjectNode();
    error.put("__type", type);
    error.put("message", message);
    return error;
  }

  private void respond(HttpExchange exchange, int status, JsonNode body) throws IOException {
    byte[] bytes = json.writeValueAsBytes(body);
    exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
    exchange.getResponseHeaders().set("x-amzn-RequestId", UUID.randomUUID().toString());
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
