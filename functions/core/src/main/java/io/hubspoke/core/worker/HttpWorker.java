package io.hubspoke.core.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hubspoke.core.api.FieldError;
import io.hubspoke.core.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * POSTs the item as JSON to {@code url} and records the status and (up to 4 KB of) the body. 2xx
 * succeeds; 5xx, 429, timeouts and connection errors are retryable; other statuses fail for good.
 * Sends {@code Idempotency-Key: <taskId>} so a receiver can drop a repeated delivery.
 */
public final class HttpWorker implements TaskWorker {
  static final int MAX_BODY_CHARS = 4096;
  private static final long DEFAULT_TIMEOUT_MS = 10_000;

  /**
   * Built on the first task, not with the worker: every function registers the built-in workers,
   * and an HTTP client (its selector thread and classes) costs a cold start ~100 ms that the hub
   * and the collector never use. The holder class is initialized, once, on first use.
   */
  private static final class Client {
    static final HttpClient INSTANCE =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  @Override
  public String name() {
    return "http";
  }

  @Override
  public List<FieldError> validateConfig(JsonNode config) {
    List<FieldError> errors = new ArrayList<>();
    WorkerConfigs.rejectUnknown(config, Set.of("url", "timeoutMs", "headers"), errors);
    JsonNode url = config.get("url");
    if (url == null || !url.isTextual()) {
      errors.add(new FieldError("url", "is required and must be a string", "give an http(s) URL"));
    } else {
      try {
        URI uri = URI.create(url.textValue());
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())
            || uri.getHost() == null) {
          errors.add(
              new FieldError(
                  "url", "is not an absolute http(s) URL", "give e.g. https://example.com/hook"));
        }
      } catch (IllegalArgumentException e) {
        errors.add(new FieldError("url", "is not a URL", "give e.g. https://example.com/hook"));
      }
    }
    WorkerConfigs.longIn(config, "timeoutMs", 1, 840_000, DEFAULT_TIMEOUT_MS, errors);
    JsonNode headers = config.get("headers");
    if (headers != null && !headers.isNull()) {
      if (!headers.isObject()) {
        errors.add(
            new FieldError(
                "headers", "must be an object of strings", "give e.g. {\"X-Team\":\"data\"}"));
      } else {
        for (Iterator<Map.Entry<String, JsonNode>> it = headers.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> header = it.next();
          if (!header.getValue().isTextual()) {
            errors.add(
                new FieldError(
                    "headers." + header.getKey(), "must be a string", "quote the value"));
          }
        }
      }
    }
    return errors;
  }

  @Override
  public TaskOutcome execute(TaskContext context) throws InterruptedException {
    JsonNode config = context.config();
    long timeoutMs =
        Math.min(
            config.path("timeoutMs").asLong(DEFAULT_TIMEOUT_MS), context.remaining().toMillis());
    if (timeoutMs <= 0) {
      return TaskOutcome.retryable("Timeout", "no time left before the task deadline");
    }
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(config.path("url").asText()))
            .timeout(Duration.ofMillis(timeoutMs))
            .header("Content-Type", "application/json")
            .header("Idempotency-Key", context.taskId())
            .header("X-Hubspoke-Attempt", Integer.toString(context.attempt()))
            .POST(HttpRequest.BodyPublishers.ofString(Json.write(context.item())));
    for (Iterator<Map.Entry<String, JsonNode>> it = config.path("headers").fields();
        it.hasNext(); ) {
      Map.Entry<String, JsonNode> header = it.next();
      request.header(header.getKey(), header.getValue().asText());
    }
    HttpResponse<String> response;
    try {
      response = Client.INSTANCE.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (HttpTimeoutException e) {
      return TaskOutcome.retryable("Timeout", "no response within " + timeoutMs + " ms");
    } catch (IOException e) {
      return TaskOutcome.retryable("ConnectionError", String.valueOf(e.getMessage()));
    }
    int status = response.statusCode();
    String body = response.body() == null ? "" : response.body();
    String truncated = body.length() > MAX_BODY_CHARS ? body.substring(0, MAX_BODY_CHARS) : body;
    if (status >= 200 && status < 300) {
      ObjectNode result = Json.object();
      result.put("status", status);
      result.put("body", truncated);
      return TaskOutcome.success(result);
    }
    String message = "HTTP " + status + ": " + truncated;
    if (status >= 500 || status == 429) {
      return TaskOutcome.retryable("Http" + status, message);
    }
    return TaskOutcome.permanent("Http" + status, message);
  }
}
