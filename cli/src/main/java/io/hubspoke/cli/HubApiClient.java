package io.hubspoke.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.hubspoke.contract.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small client of the hub's HTTP API: submits a run with retries under its idempotency key, reads
 * runs and tasks (retrying what may be retried), and follows a run to its end. The same calls work
 * against `hubspoke serve` and a deployed stack's API, whose requests the {@link RequestSigner}
 * signs. Answers the command line cannot go on with become a {@link UsageException} (exit 2) or an
 * {@link ApiUnavailableException} (exit 3) that say what to do.
 */
final class HubApiClient {
  /**
   * An answer: its status and JSON body ({@code {"message": text}} for a body that is not JSON).
   */
  record Reply(int status, JsonNode body) {
    boolean ok() {
      return status >= 200 && status < 300;
    }

    String error() {
      return body.path("error").asText("");
    }

    String message() {
      return body.path("message").asText("");
    }
  }

  private static final Pattern RUN_IN_PATH = Pattern.compile("/runs/([^/?]+)");

  private final URI base;
  private final RequestSigner signer;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  HubApiClient(URI base) {
    this(base, RequestSigner.NONE);
  }

  HubApiClient(URI base, RequestSigner signer) {
    // resolve("/runs") keeps the base's path only up to its last slash.
    String text = base.toString();
    this.base = URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
    this.signer = signer;
  }

  URI endpoint() {
    return base;
  }

  /** Pauses between attempts of a retried request: about 4 s in all before giving up. */
  static final List<Duration> RETRY_DELAYS =
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
   * @throws ApiUnavailableException if every attempt failed
   */
  JsonNode submit(String requestJson, String key) throws Exception {
    try {
      return expect(retried("POST", "/runs", requestJson), "POST /runs", Map.of());
    } catch (ApiUnavailableException e) {
      throw new ApiUnavailableException(
          "could not submit the run: "
              + e.getMessage()
              + "; run again with --idempotency-key "
              + key
              + " to resume the same run");
    }
  }

  /**
   * A GET (or another request that may be repeated) retried as {@link #submit} is, answered with
   * the hub's reply, whatever its status below 500 but 429.
   *
   * @throws ApiUnavailableException if every attempt failed
   */
  Reply retried(String method, String pathAndQuery, String json) throws Exception {
    String lastFailure = "";
    for (int attempt = 0; attempt <= RETRY_DELAYS.size(); attempt++) {
      if (attempt > 0) {
        Thread.sleep(RETRY_DELAYS.get(attempt - 1).toMillis());
      }
      Reply reply;
      try {
        reply = once(method, pathAndQuery, json);
      } catch (IOException e) {
        lastFailure = unreachable(e);
        continue;
      }
      if (reply.status() == 429 || reply.status() >= 500) {
        lastFailure =
            method + " " + pathAndQuery + " answered " + reply.status() + ": " + reply.body();
        continue;
      }
      return reply;
    }
    throw new ApiUnavailableException(lastFailure);
  }

  /**
   * One request, not repeated (one whose repetition could do more than the first did).
   *
   * @throws ApiUnavailableException if the API is unreachable or answered 5xx or 429
   */
  Reply unrepeated(String method, String pathAndQuery, String json) throws Exception {
    Reply reply;
    try {
      reply = once(method, pathAndQuery, json);
    } catch (IOException e) {
      throw new ApiUnavailableException(unreachable(e));
    }
    if (reply.status() == 429 || reply.status() >= 500) {
      throw new ApiUnavailableException(
          method + " " + pathAndQuery + " answered " + reply.status() + ": " + reply.body());
    }
    return reply;
  }

  private String unreachable(IOException e) {
    return base
        + " is unreachable ("
        + e.getClass().getSimpleName()
        + (e.getMessage() == null ? "" : ": " + e.getMessage())
        + "): is `hubspoke serve` running there, or is the stack's URL right?";
  }

  private Reply once(String method, String pathAndQuery, String json)
      throws IOException, InterruptedException {
    URI uri = URI.create(base + pathAndQuery);
    byte[] body = json == null ? new byte[0] : json.getBytes(StandardCharsets.UTF_8);
    Map<String, String> headers = new LinkedHashMap<>();
    if (json != null) {
      headers.put("content-type", "application/json");
    }
    headers.putAll(signer.headers(method, uri, headers, body));
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri)
            .timeout(Duration.ofSeconds(60))
            .method(
                method,
                json == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(request::header);
    HttpResponse<String> response =
        http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    JsonNode parsed;
    try {
      parsed = response.body().isBlank() ? Json.object() : Json.parse(response.body());
    } catch (JsonProcessingException e) {
      parsed = Json.object().put("message", response.body());
    }
    return new Reply(response.statusCode(), parsed);
  }

  /**
   * The body of a 2xx reply; any other becomes a {@link UsageException} saying what to fix.
   *
   * @param request what was asked, e.g. {@code GET /runs/r-…}, for the message
   * @param names the command line's names for the fields an error may name (a query parameter's
   *     option, a path parameter's argument), e.g. {@code status → --status}
   */
  JsonNode expect(Reply reply, String request, Map<String, String> names) {
    if (reply.ok()) {
      return reply.body();
    }
    throw refused(reply, request, names);
  }

  /** What the command line says about a refused request. */
  UsageException refused(Reply reply, String request, Map<String, String> names) {
    int status = reply.status();
    if (status == 400) {
      return new UsageException(ErrorText.fromResponse(reply.body(), names));
    }
    if (status == 403) {
      return new UsageException(
          request
              + " was refused (403: "
              + reply.message()
              + "): "
              + (signer.signs()
                  ? "the API does not accept this signature; check that the credentials (--profile,"
                      + " or the standard chain) may execute-api:Invoke this API and that --region is"
                      + " its region"
                  : "the API requires signed requests; give --sign (for `hubspoke serve"
                      + " --require-signature`), or --stack NAME or an https --endpoint, which are"
                      + " signed with your AWS credentials"));
    }
    if (status == 404 && reply.error().equals("RunNotFound")) {
      Matcher runId = RUN_IN_PATH.matcher(request);
      return new UsageException(
          "no run "
              + (runId.find() ? runId.group(1) : "")
              + " at "
              + base
              + ": it was never submitted here, or has expired; `hubspoke list` shows the runs"
              + " this API has");
    }
    if (status == 404 && reply.error().equals("NotFound")) {
      return new UsageException(
          base
              + " has no route for "
              + request
              + ": is it a hubspoke API, and as recent as this CLI? ("
              + reply.message()
              + ")");
    }
    return new UsageException(
        request + " answered " + status + ": " + ErrorText.fromResponse(reply.body(), names));
  }

  /**
   * Every element of a paged listing's {@code field}, page after page by {@code nextToken}, up to
   * {@code max} of them (0: all).
   */
  void forEach(
      String path,
      Map<String, String> query,
      String field,
      int max,
      Map<String, String> names,
      Consumer<JsonNode> each)
      throws Exception {
    int seen = 0;
    String nextToken = null;
    do {
      Map<String, String> pageQuery = new LinkedHashMap<>(query);
      int wanted = max == 0 ? 100 : Math.min(100, max - seen);
      pageQuery.put("limit", Integer.toString(wanted));
      if (nextToken != null) {
        pageQuery.put("nextToken", nextToken);
      }
      String request = path + query(pageQuery);
      JsonNode page = expect(retried("GET", request, null), "GET " + request, names);
      for (JsonNode element : page.path(field)) {
        each.accept(element);
        seen++;
      }
      nextToken = page.hasNonNull("nextToken") ? page.get("nextToken").asText() : null;
    } while (nextToken != null && (max == 0 || seen < max));
  }

  /** {@code ?a=1&b=2}, each value percent-encoded; empty for no parameters. */
  static String query(Map<String, String> parameters) {
    if (parameters.isEmpty()) {
      return "";
    }
    StringJoiner query = new StringJoiner("&", "?", "");
    parameters.forEach(
        (name, value) ->
            query.add(
                name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20")));
    return query.toString();
  }

  /** The run; a run this API does not have is a usage error naming it. */
  JsonNode run(String runId) throws Exception {
    String request = "/runs/" + runId;
    return expect(retried("GET", request, null), "GET " + request, Map.of("runId", "RUN_ID"));
  }

  /** Whether the run has ended: SUCCEEDED, FAILED or CANCELLED. */
  static boolean finished(JsonNode run) {
    String status = run.path("status").asText();
    return status.equals("SUCCEEDED") || status.equals("FAILED") || status.equals("CANCELLED");
  }

  /** Polls the run until the collector has summarized it. */
  JsonNode awaitFinished(String runId, Progress progress) throws Exception {
    while (true) {
      JsonNode run = run(runId);
      if (finished(run)) {
        return run;
      }
      if (progress != null) {
        progress.update(run);
      }
      Thread.sleep(250);
    }
  }
}
