package io.hubspoke.local.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.hubspoke.local.ApiClient;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code docs/openapi.yaml}, read by swagger-parser (which must accept it without a message) and
 * held against real answers: an answer's status must be one the document lists for its route and
 * method (or, for a request no route matches, under {@code x-hubspoke-unrouted}), its required
 * headers must be there and match their schemas, and its body must validate against the schema of
 * its status and media type.
 */
final class OpenApiContract {
  static final String FILE = "openapi.yaml";

  /** What a request that matches no documented operation is checked against. */
  static final String UNROUTED = "unrouted";

  final OpenAPI model;
  private final JsonNode raw;
  private final ContractDocs docs;

  /** Each documented answer seen so far, as {@code "GET /runs/{runId} 404"}. */
  final Set<String> seen = ConcurrentHashMap.newKeySet();

  private OpenApiContract(OpenAPI model, JsonNode raw, ContractDocs docs) {
    this.model = model;
    this.raw = raw;
    this.docs = docs;
  }

  static OpenApiContract load() {
    Path file = ContractDocs.docs().resolve(FILE);
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ParseOptions options = new ParseOptions();
    options.setResolve(false);
    SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(text, null, options);
    if (parsed.getOpenAPI() == null || !parsed.getMessages().isEmpty()) {
      throw new AssertionError(file + " is not a valid OpenAPI document: " + parsed.getMessages());
    }
    return new OpenApiContract(
        parsed.getOpenAPI(), ContractDocs.read(file), new ContractDocs(List.of(FILE)));
  }

  /** Every documented operation, as {@code "POST /runs"}. */
  Set<String> routes() {
    Set<String> routes = new TreeSet<>();
    model
        .getPaths()
        .forEach(
            (path, item) ->
                item.readOperationsMap().keySet().forEach(m -> routes.add(m.name() + " " + path)));
    return routes;
  }

  /** The documented path template {@code path} matches, e.g. {@code /runs/{runId}}. */
  Optional<String> template(String path) {
    String[] segments = path.split("/", -1);
    for (String template : model.getPaths().keySet()) {
      String[] parts = template.split("/", -1);
      if (parts.length != segments.length) {
        continue;
      }
      boolean matches = true;
      for (int i = 0; i < parts.length && matches; i++) {
        matches = parts[i].startsWith("{") ? !segments[i].isEmpty() : parts[i].equals(segments[i]);
      }
      if (matches) {
        return Optional.of(template);
      }
    }
    return Optional.empty();
  }

  /**
   * The operation a request is checked against: {@code "GET /runs/{runId}"} or {@link #UNROUTED}.
   */
  String operation(String method, String path) {
    return template(path)
        .filter(t -> raw.path("paths").path(t).has(method.toLowerCase(Locale.ROOT)))
        .map(t -> method + " " + t)
        .orElse(UNROUTED);
  }

  /** The statuses the document lists for an operation (or {@link #UNROUTED}). */
  Set<String> statuses(String operation) {
    Set<String> statuses = new TreeSet<>();
    responses(operation).fieldNames().forEachRemaining(statuses::add);
    return statuses;
  }

  private List<String> responsesPointer(String operation) {
    if (operation.equals(UNROUTED)) {
      return List.of("x-hubspoke-unrouted", "responses");
    }
    String[] parts = operation.split(" ", 2);
    return List.of("paths", parts[1], parts[0].toLowerCase(Locale.ROOT), "responses");
  }

  private JsonNode responses(String operation) {
    return at(responsesPointer(operation));
  }

  /**
   * Checks one real answer against the document; fails with what differs. {@code pathAndQuery} is
   * the request's path, with its query if it had one.
   */
  void check(String method, String pathAndQuery, ApiClient.Reply reply) {
    String path = pathAndQuery.split("\\?", 2)[0];
    String operation = operation(method, path);
    String status = Integer.toString(reply.status());
    String request = method + " " + pathAndQuery + " -> " + status + " " + reply.body();
    List<String> pointer = new ArrayList<>(responsesPointer(operation));
    if (!responses(operation).has(status)) {
      throw new AssertionError(
          operation
              + " does not list status "
              + status
              + " (it lists "
              + statuses(operation)
              + "): "
              + request);
    }
    pointer.add(status);
    pointer = resolved(pointer);
    JsonNode response = at(pointer);

    for (Iterator<Map.Entry<String, JsonNode>> it = response.path("headers").fields();
        it.hasNext(); ) {
      Map.Entry<String, JsonNode> header = it.next();
      List<String> headerPointer = new ArrayList<>(pointer);
      headerPointer.addAll(List.of("headers", header.getKey()));
      headerPointer = resolved(headerPointer);
      Optional<String> value = reply.raw().headers().firstValue(header.getKey());
      if (value.isEmpty()) {
        if (at(headerPointer).path("required").asBoolean(false)) {
          throw new AssertionError(
              "the required header " + header.getKey() + " is missing: " + request);
        }
        continue;
      }
      if (at(headerPointer).has("schema")) {
        List<String> schema = new ArrayList<>(headerPointer);
        schema.add("schema");
        List<String> errors = docs.errors(FILE, schema, TextNode.valueOf(value.get()));
        if (!errors.isEmpty()) {
          throw new AssertionError(
              "header " + header.getKey() + ": " + value.get() + " " + errors + ": " + request);
        }
      }
    }

    String mediaType =
        reply
            .raw()
            .headers()
            .firstValue("content-type")
            .orElse("")
            .split(";", 2)[0]
            .trim()
            .toLowerCase(Locale.ROOT);
    if (!response.path("content").has(mediaType)) {
      throw new AssertionError(
          "content-type '" + mediaType + "' is not documented for this answer: " + request);
    }
    List<String> schema = new ArrayList<>(pointer);
    schema.addAll(List.of("content", mediaType, "schema"));
    List<String> errors = docs.errors(FILE, schema, reply.body());
    if (!errors.isEmpty()) {
      throw new AssertionError(
          "the body does not match " + pointer(schema) + ": " + errors + "\n" + request);
    }
    seen.add(operation + " " + status);
  }

  /** What is wrong with a run request against {@code RunRequest}; empty if it conforms. */
  List<String> requestErrors(JsonNode request) {
    return docs.errors(FILE, List.of("components", "schemas", "RunRequest"), request);
  }

  /** What is wrong with {@code instance} against {@code components/schemas/<name>}. */
  List<String> schemaErrors(String name, JsonNode instance) {
    return docs.errors(FILE, List.of("components", "schemas", name), instance);
  }

  /** Follows a {@code $ref} (a Response or Header Object may be one) to what it names. */
  private List<String> resolved(List<String> pointer) {
    JsonNode node = at(pointer);
    if (!node.has("$ref")) {
      return pointer;
    }
    String ref = node.get("$ref").asText();
    if (!ref.startsWith("#/")) {
      throw new AssertionError("only local references are followed: " + ref);
    }
    List<String> target = new ArrayList<>();
    for (String segment : ref.substring(2).split("/")) {
      target.add(segment.replace("~1", "/").replace("~0", "~"));
    }
    return resolved(target);
  }

  /** {@code pointer} as a URI fragment, e.g. {@code #/paths/~1runs/post}. */
  static String pointer(List<String> segments) {
    StringBuilder fragment = new StringBuilder("#");
    for (String segment : segments) {
      fragment.append('/').append(segment.replace("~", "~0").replace("/", "~1"));
    }
    return fragment.toString();
  }

  private JsonNode at(List<String> pointer) {
    JsonNode node = raw;
    for (String segment : pointer) {
      node = node.path(segment);
    }
    return node;
  }
}
