package io.hubspoke.local;

import com.fasterxml.jackson.databind.JsonNode;
import io.hubspoke.contract.json.Json;
import io.hubspoke.testkit.Await;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** Talks to the local HTTP API as a user's client would. */
public final class ApiClient {
  public record Reply(int status, JsonNode body, HttpResponse<String> raw) {}

  private final URI base;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  public ApiClient(URI base) {
    this.base = base;
  }

  public Reply send(String method, String path, String contentType, byte[] body) throws Exception {
    return exchange(
        method, path, contentType == null ? Map.of() : Map.of("content-type", contentType), body);
  }

  /** A bodiless request with these headers (e.g. an Authorization to be refused). */
  public Reply sendWithHeaders(String method, String path, Map<String, String> headers)
      throws Exception {
    return exchange(method, path, headers, null);
  }

  private Reply exchange(String method, String path, Map<String, String> headers, byte[] body)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(60));
    headers.forEach(request::header);
    request.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(body));
    HttpResponse<String> response =
        http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    JsonNode json = response.body().isEmpty() ? Json.object() : Json.parse(response.body());
    return new Reply(response.statusCode(), json, response);
  }

  public Reply postRun(String json) throws Exception {
    return send(
        "POST",
        "/runs",
        "application/json",
        json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  public Reply get(String path) throws Exception {
    return send("GET", path, null, null);
  }

  /** Waits until every task of the run exists (its dispatch, in the background, is done). */
  public JsonNode awaitDispatched(String runId, Duration timeout) {
    JsonNode[] last = new JsonNode[1];
    Await.until(
        timeout,
        () -> {
          try {
            last[0] = get("/runs/" + runId).body();
          } catch (Exception e) {
            throw new AssertionError(e);
          }
          return last[0].path("tasksCreated").asInt(-1) == last[0].path("total").asInt();
        },
        () -> "run " + runId + " was not dispatched: " + last[0]);
    return last[0];
  }

  /** Waits until the run is SUCCEEDED or FAILED and returns it. */
  public JsonNode awaitFinished(String runId, Duration timeout) {
    JsonNode[] last = new JsonNode[1];
    Await.until(
        timeout,
        () -> {
          try {
            last[0] = get("/runs/" + runId).body();
          } catch (Exception e) {
            throw new AssertionError(e);
          }
          String status = last[0].path("status").asText();
          return status.equals("SUCCEEDED")
              || status.equals("FAILED")
              || status.equals("CANCELLED");
        },
        () -> "run " + runId + " did not finish: " + last[0]);
    return last[0];
  }
}
