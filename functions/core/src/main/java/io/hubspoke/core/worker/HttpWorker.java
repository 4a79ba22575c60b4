package io.hubspoke.core.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hubspoke.contract.json.Json;
import io.hubspoke.contract.validation.FieldError;
import io.hubspoke.contract.workers.HttpWorkerConfig;
import io.hubspoke.worker.TaskContext;
import io.hubspoke.worker.TaskOutcome;
import io.hubspoke.worker.TaskWorker;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * POSTs the item as JSON to {@code url} and records the status and (up to 4 KB of) the body. 2xx
 * succeeds; 5xx, 429, timeouts and connection errors are retryable; other statuses fail for good.
 * Sends {@code Idempotency-Key: <taskId>} and {@code X-Hubspoke-Attempt: <attempt>} so a receiver
 * can drop a repeated delivery.
 *
 * <p>Redirects are not followed: a 3xx fails the task for good with the {@code Location} in the
 * message. Following one would re-send the item, the idempotency key and the user's headers
 * (credentials, often) to wherever the receiver points, and 301/302/303 turn a POST into a GET in
 * most clients; the fix, pointing {@code url} at the final address, is the user's to make.
 *
 * <p>{@code timeoutMs} bounds the whole exchange, the body included, and at most 4 KB of the body
 * is read: a receiver that stalls or streams forever cannot hold the task past its timeout.
 */
public final class HttpWorker implements TaskWorker {
  /** The most of a response body that is read and recorded, in UTF-8 bytes. */
  static final int MAX_BODY_BYTES = 4096;

  private static final long CONNECT_TIMEOUT_MS = 5_000;

  /**
   * Built on the first task, not with the worker: every function registers the built-in workers,
   * and an HTTP client (its selector thread and classes) costs a cold start ~100 ms that the hub
   * and the collector never use. The holder class is initialized, once, on first use.
   */
  private static final class Client {
    static final HttpClient INSTANCE =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofMillis(CONNECT_TIMEOUT_MS))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  @Override
  public String name() {
    return "http";
  }

  @Override
  public List<FieldError> validateConfig(JsonNode config) {
    return HttpWorkerConfig.SCHEMA.validateConfig(config);
  }

  @Override
  public TaskOutcome execute(TaskContext context) throws InterruptedException {
    JsonNode config = context.config();
    long timeoutMs =
        Math.min(
            config.path("timeoutMs").asLong(HttpWorkerConfig.DEFAULT_TIMEOUT_MS),
            context.remaining().toMillis());
    if (timeoutMs <= 0) {
      return TaskOutcome.retryable("Timeout", "no time left before the task deadline");
    }
    URI uri = URI.create(config.path("url").asText());
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri)
            .timeout(Duration.ofMillis(timeoutMs))
            .header("Content-Type", "application/json")
            .header("Idempotency-Key", context.taskId())
            .header(HttpWorkerConfig.ATTEMPT_HEADER, Integer.toString(context.attempt()))
            .POST(HttpRequest.BodyPublishers.ofString(Json.write(context.item())));
    for (Iterator<Map.Entry<String, JsonNode>> it = config.path("headers").fields();
        it.hasNext(); ) {
      Map.Entry<String, JsonNode> header = it.next();
      request.header(header.getKey(), header.getValue().asText());
    }
    CompletableFuture<HttpResponse<CappedBody>> exchange =
        Client.INSTANCE.sendAsync(request.build(), info -> new CappedBodySubscriber());
    HttpResponse<CappedBody> response;
    try {
      // Bounds the body as well as the headers: HttpRequest.timeout stops at the headers.
      response = exchange.get(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      exchange.cancel(true);
      return TaskOutcome.retryable("Timeout", "no complete response within " + timeoutMs + " ms");
    } catch (InterruptedException e) {
      exchange.cancel(true);
      throw e;
    } catch (ExecutionException e) {
      return failed(uri, e.getCause(), timeoutMs);
    }
    int status = response.statusCode();
    CappedBody body = response.body();
    if (status >= 200 && status < 300) {
      ObjectNode result = Json.object();
      result.put("status", status);
      result.put("body", body.text());
      if (body.truncated()) {
        result.put("bodyTruncated", true);
      }
      return TaskOutcome.success(result);
    }
    if (status >= 300 && status < 400) {
      String location = response.headers().firstValue("Location").orElse("(no Location header)");
      return TaskOutcome.permanent(
          "Http" + status,
          "HTTP "
              + status
              + ": redirect to "
              + location
              + " not followed; set workerConfig.url to the final address");
    }
    String message = "HTTP " + status + ": " + body.text();
    if (status >= 500 || status == 429) {
      return TaskOutcome.retryable("Http" + status, message);
    }
    return TaskOutcome.permanent("Http" + status, message);
  }

  /** What went wrong before a response, named with where the request went. */
  private static TaskOutcome failed(URI uri, Throwable cause, long timeoutMs) {
    String where = uri.getHost() + ":" + port(uri);
    if (cause instanceof HttpConnectTimeoutException) {
      return TaskOutcome.retryable(
          "Timeout",
          "could not connect to "
              + where
              + " within "
              + Math.min(timeoutMs, CONNECT_TIMEOUT_MS)
              + " ms");
    }
    if (cause instanceof HttpTimeoutException) {
      return TaskOutcome.retryable("Timeout", "no response within " + timeoutMs + " ms");
    }
    ConnectException refused = inChain(cause, ConnectException.class);
    if (refused != null) {
      return TaskOutcome.retryable(
          "ConnectionError",
          "connection refused by "
              + where
              + " (nothing listening, or a firewall rejected it)"
              + (refused.getMessage() == null ? "" : ": " + refused.getMessage()));
    }
    if (inChain(cause, UnresolvedAddressException.class) != null
        || inChain(cause, UnknownHostException.class) != null) {
      return TaskOutcome.retryable("ConnectionError", "cannot resolve host " + uri.getHost());
    }
    Throwable root = cause;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String detail = root.getMessage() == null ? "" : ": " + root.getMessage();
    return TaskOutcome.retryable(
        "ConnectionError",
        "POST to " + where + " failed: " + root.getClass().getSimpleName() + detail);
  }

  /** The first throwable of {@code type} in {@code error}'s cause chain, or null. */
  private static <T extends Throwable> T inChain(Throwable error, Class<T> type) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }

  private static int port(URI uri) {
    if (uri.getPort() != -1) {
      return uri.getPort();
    }
    return "https".equals(uri.getScheme()) ? 443 : 80;
  }

  /** At most {@link #MAX_BODY_BYTES} of a body, cut at a character boundary. */
  record CappedBody(String text, boolean truncated) {}

  /**
   * Keeps the first {@link #MAX_BODY_BYTES} bytes (and a few more, to know whether the body went on
   * and where the last whole character ends), then cancels the rest of the stream: a large or
   * endless body costs 4 KB of memory and no more reading.
   */
  private static final class CappedBodySubscriber
      implements HttpResponse.BodySubscriber<CappedBody> {
    private final byte[] kept = new byte[MAX_BODY_BYTES + 4];
    private int size;
    private Flow.Subscription subscription;
    private final CompletableFuture<CappedBody> result = new CompletableFuture<>();

    @Override
    public CompletionStage<CappedBody> getBody() {
      return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      this.subscription = subscription;
      subscription.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
      for (ByteBuffer buffer : buffers) {
        int n = Math.min(buffer.remaining(), kept.length - size);
        buffer.get(kept, size, n);
        size += n;
      }
      if (size > MAX_BODY_BYTES) {
        subscription.cancel();
        result.complete(body());
      } else {
        subscription.request(1);
      }
    }

    @Override
    public void onError(Throwable error) {
      result.completeExceptionally(error);
    }

    @Override
    public void onComplete() {
      result.complete(body());
    }

    private CappedBody body() {
      if (size <= MAX_BODY_BYTES) {
        return new CappedBody(new String(kept, 0, size, StandardCharsets.UTF_8), false);
      }
      int cut = MAX_BODY_BYTES;
      while (cut > 0 && (kept[cut] & 0xC0) == 0x80) {
        cut--; // kept[cut] continues a character that starts before it: leave that one out
      }
      return new CappedBody(new String(kept, 0, cut, StandardCharsets.UTF_8), true);
    }
  }
}
