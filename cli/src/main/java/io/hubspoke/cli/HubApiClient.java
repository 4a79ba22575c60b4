package io.hubspoke.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.hubspoke.contract.json.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/**
 * A small client of the hub's HTTP API: submits a run with retries under its idempotency key and
 * follows it to its end. The same calls work against `hubspoke serve` and a deployed stack's API.
 */
final class HubApiClient {
  private final URI base;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  HubApiClient(URI base) {
    this.base = base;
  }

  /** Pauses between submission attempts: about 4 s in all before giving up. */
  static final List<Duration> SUBMIT_RETRY_DELAYS =
      List.of(
          Duration.ofMillis(250),
          Duration.ofMillis(500),
          Duration.ofSeconds(1),
          Duration.ofSeconds(2));

  /**
   * POSTs the run request, retrying a connection failure, a timeout, a 429 or a 5xx with the same
   * idempotency key, so a retry resumes the run the first attempt may have created.
   *
   * @return the accepted run (202, or 200 for the run this key already names)
   * @throws UsageException if the API refused the request itself (4xx)
   * @throws NotSubmittedException if every attempt failed
   */
  JsonNode submit(String requestJson, String key) throws Exception {
    String lastFailure = "";
    for (int attempt = 0; attempt <= SUBMIT_RETRY_DELAYS.size(); attempt++) {
      if (attempt > 0) {
        Thread.sleep(SUBMIT_RETRY_DELAYS.get(attempt - 1).toMillis());
      }
      HttpResponse<String> response;
      try {
        response = post("/runs", requestJson);
      } catch (java.io.IOException e) {
        lastFailure = base + " is unreachable (" + e.getClass().getSimpleName() + ")";
        continue;
      }
      int status = response.statusCode();
      if (status == 202 || status == 200) {
        return Json.parse(response.body());
      }
      if (status == 429 || status >= 500) {
        lastFailure = "POST /runs answered " + status + ": " + response.body();
        continue;
      }
      JsonNode body;
      try {
        body = Json.parse(response.body());
      } catch (JsonProcessingException e) {
        body = Json.object().put("message", response.body());
      }
      throw new UsageException(
          status == 400
              ? ErrorText.fromResponse(body)
              : "POST /runs answered " + status + ": " + ErrorText.fromResponse(body));
    }
    throw new NotSubmittedException(
        "could not submit the run: "
            + lastFailure
            + "; run again with --idempotency-key "
            + key
            + " to resume the same run");
  }

  HttpResponse<String> post(String path, String json) throws Exception {
    return http.send(
        HttpRequest.newBuilder(base.resolve(path))
            .timeout(Duration.ofSeconds(60))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  JsonNode get(String path) throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(base.resolve(path))
                .timeout(Duration.ofSeconds(30))
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IllegalStateException(
          "GET " + path + " answered " + response.statusCode() + ": " + response.body());
    }
    return Json.parse(response.body());
  }

  /** Polls the run until the collector has summarized it. */
  JsonNode awaitFinished(String runId, Progress progress) throws Exception {
    while (true) {
      JsonNode run = get("/runs/" + runId);
      String status = run.get("status").asText();
      if (status.equals("SUCCEEDED") || status.equals("FAILED") || status.equals("CANCELLED")) {
        return run;
      }
      if (progress != null) {
        progress.update(run);
      }
      Thread.sleep(250);
    }
  }
}
