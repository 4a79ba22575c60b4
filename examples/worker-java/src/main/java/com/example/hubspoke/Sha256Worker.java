package com.example.hubspoke;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hubspoke.contract.validation.FieldError;
import io.hubspoke.contract.workers.WorkerConfigs;
import io.hubspoke.worker.TaskContext;
import io.hubspoke.worker.TaskOutcome;
import io.hubspoke.worker.TaskWorker;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * {@code sha256}: downloads the item's URL (the item is the URL, or an object with {@code url})
 * and records its SHA-256, size and content type. A 2xx is a result; a 429, a 5xx, a timeout or a
 * connection failure is retried; any other status, a body over {@code maxBytes} or an item without
 * a URL fails the task for good. Downloading twice is harmless, so at-least-once delivery needs
 * nothing more. A large download heartbeats as it reads, so it may outlast the task timeout (up to
 * the spoke invocation's time).
 *
 * <p>Settings ({@code workerConfig}): {@code timeoutMs} (1-840000, default 10000) bounds one
 * download; {@code maxBytes} (1-1073741824, default 52428800) bounds its size.
 */
public final class Sha256Worker implements TaskWorker {
  private static final long DEFAULT_TIMEOUT_MS = 10_000;
  private static final long DEFAULT_MAX_BYTES = 50L * 1024 * 1024;

  /** Built on the first download, not at class loading: the hub only validates configs. */
  private static final class Client {
    static final HttpClient INSTANCE =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();
  }

  @Override
  public String name() {
    return "sha256";
  }

  @Override
  public List<FieldError> validateConfig(JsonNode config) {
    List<FieldError> errors = new ArrayList<>();
    WorkerConfigs.rejectUnknown(config, Set.of("timeoutMs", "maxBytes"), errors);
    WorkerConfigs.longIn(config, "timeoutMs", 1, 840_000, DEFAULT_TIMEOUT_MS, errors);
    WorkerConfigs.longIn(config, "maxBytes", 1, 1L << 30, DEFAULT_MAX_BYTES, errors);
    return errors;
  }

  @Override
  public TaskOutcome execute(TaskContext context) throws InterruptedException {
    URI url = url(context.item());
    if (url == null) {
      return TaskOutcome.permanent(
          "BadItem", "the item is neither an http(s) URL nor an object with one in \"url\"");
    }
    long timeoutMs =
        Math.min(
            context.config().path("timeoutMs").asLong(DEFAULT_TIMEOUT_MS),
            context.remaining().toMillis());
    if (timeoutMs <= 0) {
      return TaskOutcome.retryable("Timeout", "no time left before the task deadline");
    }
    long maxBytes = context.config().path("maxBytes").asLong(DEFAULT_MAX_BYTES);
    HttpRequest request =
        HttpRequest.newBuilder(url)
            .timeout(Duration.ofMillis(timeoutMs))
            .header("Idempotency-Key", context.taskId())
            .GET()
            .build();
    try {
      HttpResponse<InputStream> response =
          Client.INSTANCE.send(request, HttpResponse.BodyHandlers.ofInputStream());
      int status = response.statusCode();
      try (InputStream body = response.body()) {
        if (status == 429 || status >= 500) {
          return TaskOutcome.retryable("HttpStatus", url + " answered " + status);
        }
        if (status < 200 || status > 299) {
          return TaskOutcome.permanent("HttpStatus", url + " answered " + status);
        }
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        long size = 0;
        byte[] buffer = new byte[64 * 1024];
        for (int read; (read = body.read(buffer)) != -1; ) {
          // Extends the deadline while the download goes on; writes at most once per third of
          // the task timeout, so once per buffer is fine.
          if (!context.heartbeat()) {
            return TaskOutcome.retryable(
                "LeaseLost", "another spoke took " + context.taskId() + " over");
          }
          size += read;
          if (size > maxBytes) {
            return TaskOutcome.permanent(
                "TooLarge", url + " is larger than maxBytes (" + maxBytes + ")");
          }
          sha256.update(buffer, 0, read);
        }
        ObjectNode result = JsonNodeFactory.instance.objectNode();
        result.put("url", url.toString());
        result.put("sha256", HexFormat.of().formatHex(sha256.digest()));
        result.put("bytes", size);
        result.put("contentType", response.headers().firstValue("content-type").orElse(null));
        result.put("status", status);
        return TaskOutcome.success(result);
      }
    } catch (HttpTimeoutException e) {
      return TaskOutcome.retryable("Timeout", url + " did not answer in " + timeoutMs + " ms");
    } catch (IOException e) {
      return TaskOutcome.retryable("Download", url + ": " + e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  private static URI url(JsonNode item) {
    JsonNode text = item.isObject() ? item.get("url") : item;
    if (text == null || !text.isTextual()) {
      return null;
    }
    try {
      URI uri = URI.create(text.textValue());
      boolean web = "http".equals(uri.getScheme()) || "https".equals(uri.getScheme());
      return web && uri.getHost() != null ? uri : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
