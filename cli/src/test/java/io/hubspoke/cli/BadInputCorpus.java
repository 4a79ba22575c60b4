package io.hubspoke.cli;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The bad-input corpus: every way of feeding hubspoke input it must refuse, one row each, with the
 * exact outcome. {@link BadInputCorpusIT} runs every row against one real {@link LocalRuntime} and
 * checks that none of them writes anything.
 *
 * <p>Placeholders, replaced when the row runs: {@code {RUN}} is a run that exists and has finished
 * (2 tasks, echo), {@code {DIR}} the directory holding the CLI's input files (see {@link
 * BadInputCorpusIT#cliFiles}), {@code {API}} the runtime's HTTP API (for the remote commands'
 * {@code --endpoint}).
 */
final class BadInputCorpus {
  private BadInputCorpus() {}

  /** Where the input enters hubspoke. */
  enum Entry {
    /** The hub's HTTP API (local API Gateway → hub Lambda). */
    HTTP,
    /** A message on the work queue, consumed by the spoke through the event source poller. */
    QUEUE,
    /** An event the collector Lambda is invoked with. */
    EVENT,
    /** An event published to the bus with PutEvents, routed by the bus's rules. */
    BUS,
    /** The {@code hubspoke} command line. */
    CLI
  }

  sealed interface Case {
    String name();

    Entry entry();
  }

  /**
   * An HTTP request and the exact answer: status, {@code error} (null for the gateway's own
   * answers, which carry only {@code message}) and the first error's {@code field} (null when the
   * answer has no {@code errors}).
   */
  record Http(
      String name,
      String method,
      String path,
      String contentType,
      byte[] body,
      int status,
      String error,
      String field)
      implements Case {
    @Override
    public Entry entry() {
      return Entry.HTTP;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /**
   * A work-queue message body and the exact {@code hubspoke.reason} of its dead-letter entry; a
   * null reason means the message is acknowledged without work and without a dead-letter entry.
   */
  record Queue(String name, String body, String reason) implements Case {
    @Override
    public Entry entry() {
      return Entry.QUEUE;
    }
  }

  /** A collector invocation and its exact answer: {@code outcome} and {@code reason}. */
  record Event(String name, byte[] input, String outcome, String reason) implements Case {
    @Override
    public Entry entry() {
      return Entry.EVENT;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /**
   * A PutEvents entry (source {@code hubspoke}) on the local bus: {@code errorCode} of the entry if
   * the bus refuses it (else null), and how many deliveries to the collector it causes. A delivery
   * whose event the collector cannot act on is answered, not thrown: no retry, no dead letter.
   */
  record Bus(String name, String detailType, String detail, String errorCode, int deliveries)
      implements Case {
    @Override
    public Entry entry() {
      return Entry.BUS;
    }
  }

  /** A command line; it must exit 2 and print {@code stderrContains} on standard error. */
  record Cli(String name, List<String> args, String stdin, String stderrContains) implements Case {
    @Override
    public Entry entry() {
      return Entry.CLI;
    }
  }

  static final String JSON = "application/json";
  static final String UNKNOWN_RUN = "r-000000000000000000000000";

  static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  static String items(int count) {
    return IntStream.range(0, count).mapToObj(Integer::toString).collect(Collectors.joining(","));
  }

  static String token(String text) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(utf8(text));
  }

  static Http post(String name, String body, String field) {
    return new Http(name, "POST", "/runs", JSON, utf8(body), 400, "ValidationError", field);
  }

  static Http sleep(String name, String config, String field) {
    return post(
        name,
        "{\"items\":[1],\"worker\":\"sleep\",\"workerConfig\":" + config + "}",
        "workerConfig." + field);
  }

  static Http http(String name, String config, String field) {
    return post(
        name,
        "{\"items\":[1],\"worker\":\"http\",\"workerConfig\":" + config + "}",
        "workerConfig." + field);
  }

  static Http get(String name, String path, int status, String error, String field) {
    return new Http(name, "GET", path, null, null, status, error, field);
  }

  static Queue queue(String name, String body, String reason) {
    return new Queue(name, body, reason);
  }

  static Event event(String name, String input, String outcome, String reason) {
    return new Event(name, utf8(input), outcome, reason);
  }

  static final String NOT_JSON = "unparseable message: message body is not JSON";
  static final String NOT_OBJECT = "unparseable message: message body is not a JSON object";
  static final String BAD_V = "unparseable message: field v must be 1";
  static final String BAD_RUN_ID = "unparseable message: field runId is missing or not a run id";
  static final String BAD_TASK = "unparseable message: field task is missing or not a task index";
  static final String UNKNOWN_DETAIL_TYPE =
      "unknown detail-type '%s'; the collector handles RunDrained and Scheduled Event";
  static final String BAD_DETAIL = "detail.runId is missing or not a run id";

  static final List<Case> CASES = build();

  private static List<Case> build() {
    List<Case> c = new ArrayList<>();
    String ok = "{\"items\":[1],\"worker\":\"echo\"}";
    String x33k = "x".repeat(32 * 1024 - 1); // serialized with its quotes: 32,769 bytes

    // ---- HTTP: the body ---------------------------------------------------------------------
    c.add(post("malformed JSON", "{\"items\":[1],", "body"));
    c.add(post("trailing garbage after the object", ok + " x", "body"));
    c.add(post("duplicate key", "{\"items\":[1],\"items\":[2],\"worker\":\"echo\"}", "body"));
    c.add(post("empty body", "", "body"));
    c.add(post("whitespace-only body", " \n ", "body"));
    c.add(post("a JSON array, not an object", "[1,2]", "body"));
    c.add(post("a JSON string, not an object", "\"run\"", "body"));
    c.add(post("JSON null", "null", "body"));
    c.add(
        new Http(
            "body with a UTF-8 BOM",
            "POST",
            "/runs",
            JSON,
            utf8("\uFEFF" + ok),
            400,
            "ValidationError",
            "body"));
    c.add(
        new Http(
            "invalid UTF-8 (C3 28)",
            "POST",
            "/runs",
            JSON,
            new byte[] {'{', '"', 'i', (byte) 0xC3, (byte) 0x28, '"', '}'},
            400,
            "ValidationError",
            "body"));
    c.add(
        new Http(
            "overlong UTF-8 encoding of '/' (C0 AF)",
            "POST",
            "/runs",
            JSON,
            new byte[] {'{', '"', (byte) 0xC0, (byte) 0xAF, '"', ':', '1', '}'},
            400,
            "ValidationError",
            "body"));
    c.add(
        post(
            "body over 5 MB (under the gateway's 10 MB)",
            "{\"items\":[\"" + "y".repeat(5 * 1024 * 1024) + "\"],\"worker\":\"echo\"}",
            "body"));
    c.add(
        new Http(
            "body over the gateway's 10 MB",
            "POST",
            "/runs",
            JSON,
            utf8("{\"items\":[\"" + "z".repeat(10 * 1024 * 1024) + "\"],\"worker\":\"echo\"}"),
            413,
            null,
            null));

    // ---- HTTP: fields -------------------------------------------------------------------------
    c.add(post("items missing", "{\"worker\":\"echo\"}", "items"));
    c.add(post("items null", "{\"items\":null,\"worker\":\"echo\"}", "items"));
    c.add(post("items an object", "{\"items\":{\"a\":1},\"worker\":\"echo\"}", "items"));
    c.add(post("items a string", "{\"items\":\"a,b\",\"worker\":\"echo\"}", "items"));
    c.add(post("items empty", "{\"items\":[],\"worker\":\"echo\"}", "items"));
    c.add(post("10,001 items", "{\"items\":[" + items(10_001) + "],\"worker\":\"echo\"}", "items"));
    c.add(post("a null item", "{\"items\":[1,null],\"worker\":\"echo\"}", "items[1]"));
    c.add(
        post(
            "an item over 32 KB",
            "{\"items\":[1,\"" + x33k + "\"],\"worker\":\"echo\"}",
            "items[1]"));
    c.add(post("worker missing", "{\"items\":[1]}", "worker"));
    c.add(post("worker a number", "{\"items\":[1],\"worker\":7}", "worker"));
    c.add(post("unknown worker", "{\"items\":[1],\"worker\":\"teleport\"}", "worker"));
    c.add(post("worker in the wrong case", "{\"items\":[1],\"worker\":\"Echo\"}", "worker"));
    c.add(
        post("unknown field", "{\"items\":[1],\"worker\":\"echo\",\"colour\":\"red\"}", "colour"));
    c.add(post("everything missing", "{}", "items"));
    c.add(
        post(
            "items and a source",
            "{\"items\":[1],\"source\":{\"type\":\"range\",\"end\":5},\"worker\":\"echo\"}",
            "source"));
    c.add(post("source an array", "{\"source\":[1,2],\"worker\":\"echo\"}", "source"));
    c.add(post("source without a type", "{\"source\":{},\"worker\":\"echo\"}", "source.type"));
    c.add(
        post(
            "source of an unknown type",
            "{\"source\":{\"type\":\"s3\"},\"worker\":\"echo\"}",
            "source.type"));
    c.add(
        post(
            "range source without an end",
            "{\"source\":{\"type\":\"range\"},\"worker\":\"echo\"}",
            "source.end"));
    c.add(
        post(
            "range source of 100,001 items",
            "{\"source\":{\"type\":\"range\",\"end\":100001},\"worker\":\"echo\"}",
            "source"));
    c.add(
        post(
            "range source with a config",
            "{\"source\":{\"type\":\"range\",\"end\":5,\"config\":{}},\"worker\":\"echo\"}",
            "source.config"));
    c.add(
        post(
            "plug-in source not installed",
            "{\"source\":{\"type\":\"worker\",\"name\":\"lines\"},\"worker\":\"echo\"}",
            "source.name"));
    c.add(
        post(
            "lambda source of a function not allowed",
            "{\"source\":{\"type\":\"lambda\",\"function\":\"lister\"},\"worker\":\"echo\"}",
            "source.function"));
    c.add(
        post(
            "workerConfig an array",
            "{\"items\":[1],\"worker\":\"sleep\",\"workerConfig\":[100]}",
            "workerConfig"));
    c.add(
        post(
            "workerConfig over 8 KB",
            "{\"items\":[1],\"worker\":\"echo\",\"workerConfig\":{\"pad\":\""
                + "p".repeat(9000)
                + "\"}}",
            "workerConfig"));
    c.add(
        post(
            "echo takes no settings",
            "{\"items\":[1],\"worker\":\"echo\",\"workerConfig\":{\"ms\":5}}",
            "workerConfig.ms"));
    c.add(sleep("sleep ms negative", "{\"ms\":-5}", "ms"));
    c.add(sleep("sleep ms over 900,000", "{\"ms\":900001}", "ms"));
    c.add(sleep("sleep ms a string", "{\"ms\":\"100\"}", "ms"));
    c.add(sleep("sleep ms a fraction", "{\"ms\":1.5}", "ms"));
    c.add(sleep("sleep failRate over 1", "{\"failRate\":1.5}", "failRate"));
    c.add(sleep("sleep failRate negative", "{\"failRate\":-0.1}", "failRate"));
    c.add(sleep("sleep flakyRate a string", "{\"flakyRate\":\"0.1\"}", "flakyRate"));
    c.add(sleep("sleep unknown setting", "{\"seconds\":1}", "seconds"));
    c.add(http("http url missing", "{}", "url"));
    c.add(http("http url not http(s)", "{\"url\":\"ftp://example.com/x\"}", "url"));
    c.add(http("http url not a URL", "{\"url\":\"http://exa mple.com/\"}", "url"));
    c.add(http("http url relative", "{\"url\":\"/hook\"}", "url"));
    c.add(
        http(
            "http timeoutMs zero",
            "{\"url\":\"http://127.0.0.1:9/\",\"timeoutMs\":0}",
            "timeoutMs"));
    c.add(
        http(
            "http headers an array",
            "{\"url\":\"http://127.0.0.1:9/\",\"headers\":[\"X-Team: data\"]}",
            "headers"));
    c.add(
        http(
            "http header value a number",
            "{\"url\":\"http://127.0.0.1:9/\",\"headers\":{\"X-Team\":7}}",
            "headers.X-Team"));
    c.add(
        http(
            "http header Idempotency-Key (hubspoke sets it)",
            "{\"url\":\"http://127.0.0.1:9/\",\"headers\":{\"Idempotency-Key\":\"mine\"}}",
            "headers.Idempotency-Key"));
    c.add(
        http(
            "http header Host (the client sets it)",
            "{\"url\":\"http://127.0.0.1:9/\",\"headers\":{\"Host\":\"example.com\"}}",
            "headers.Host"));
    c.add(
        http(
            "http header name with a space",
            "{\"url\":\"http://127.0.0.1:9/\",\"headers\":{\"X Team\":\"data\"}}",
            "headers.X Team"));
    c.add(
        http(
            "http header value with a line break",
            "{\"url\":\"http://127.0.0.1:9/\",\"headers\":{\"X-Team\":\"a\\r\\nX-Evil: 1\"}}",
            "headers.X-Team"));
    c.add(
        post(
            "maxAttempts 0",
            "{\"items\":[1],\"worker\":\"echo\",\"maxAttempts\":0}",
            "maxAttempts"));
    c.add(
        post(
            "maxAttempts 11",
            "{\"items\":[1],\"worker\":\"echo\",\"maxAttempts\":11}",
            "maxAttempts"));
    c.add(
        post(
            "maxAttempts a fraction",
            "{\"items\":[1],\"worker\":\"echo\",\"maxAttempts\":2.5}",
            "maxAttempts"));
    c.add(
        post(
            "maxAttempts beyond a 64-bit integer",
            "{\"items\":[1],\"worker\":\"echo\",\"maxAttempts\":100000000000000000000}",
            "maxAttempts"));
    c.add(
        post(
            "taskTimeoutSeconds a string",
            "{\"items\":[1],\"worker\":\"echo\",\"taskTimeoutSeconds\":\"60\"}",
            "taskTimeoutSeconds"));
    c.add(
        post(
            "taskTimeoutSeconds 841",
            "{\"items\":[1],\"worker\":\"echo\",\"taskTimeoutSeconds\":841}",
            "taskTimeoutSeconds"));
    c.add(
        post(
            "taskTimeoutSeconds longer than the spoke's 60 s timeout leaves a task",
            "{\"items\":[1],\"worker\":\"echo\",\"taskTimeoutSeconds\":59}",
            "taskTimeoutSeconds"));
    c.add(
        post(
            "idempotencyKey of 129 characters",
            "{\"items\":[1],\"worker\":\"echo\",\"idempotencyKey\":\"" + "k".repeat(129) + "\"}",
            "idempotencyKey"));
    c.add(
        post(
            "idempotencyKey empty",
            "{\"items\":[1],\"worker\":\"echo\",\"idempotencyKey\":\"\"}",
            "idempotencyKey"));
    c.add(
        post(
            "idempotencyKey with a slash and a space",
            "{\"items\":[1],\"worker\":\"echo\",\"idempotencyKey\":\"a/b c\"}",
            "idempotencyKey"));
    c.add(
        post(
            "idempotencyKey a number",
            "{\"items\":[1],\"worker\":\"echo\",\"idempotencyKey\":42}",
            "idempotencyKey"));
    c.add(
        new Http(
            "POST /runs with a query parameter",
            "POST",
            "/runs?dryRun=true",
            JSON,
            utf8(ok),
            400,
            "ValidationError",
            "dryRun"));

    // ---- HTTP: content type -------------------------------------------------------------------
    c.add(
        new Http(
            "text/plain",
            "POST",
            "/runs",
            "text/plain",
            utf8(ok),
            415,
            "UnsupportedMediaType",
            null));
    c.add(
        new Http(
            "no content type", "POST", "/runs", null, utf8(ok), 415, "UnsupportedMediaType", null));
    c.add(
        new Http(
            "form encoded",
            "POST",
            "/runs",
            "application/x-www-form-urlencoded",
            utf8("items=1&worker=echo"),
            415,
            "UnsupportedMediaType",
            null));
    c.add(
        new Http(
            "JSON in Latin-1",
            "POST",
            "/runs",
            "application/json; charset=iso-8859-1",
            utf8(ok),
            415,
            "UnsupportedMediaType",
            null));

    // ---- HTTP: routes, methods, ids -----------------------------------------------------------
    c.add(new Http("DELETE /runs", "DELETE", "/runs", null, null, 405, "MethodNotAllowed", null));
    c.add(new Http("PUT /runs", "PUT", "/runs", JSON, utf8(ok), 405, "MethodNotAllowed", null));
    c.add(
        new Http(
            "DELETE /runs/{runId} of a finished run",
            "DELETE",
            "/runs/{RUN}",
            null,
            null,
            409,
            "RunFinished",
            null));
    c.add(
        new Http(
            "PUT /runs/{runId}",
            "PUT",
            "/runs/{RUN}",
            JSON,
            utf8(ok),
            405,
            "MethodNotAllowed",
            null));
    c.add(
        new Http(
            "POST /runs/{runId}/tasks",
            "POST",
            "/runs/{RUN}/tasks",
            JSON,
            utf8(ok),
            405,
            "MethodNotAllowed",
            null));
    c.add(get("unknown route", "/jobs", 404, "NotFound", null));
    c.add(get("a task not created", "/runs/{RUN}/tasks/99", 404, "TaskNotFound", null));
    c.add(
        get(
            "a task number that is not one",
            "/runs/{RUN}/tasks/x1",
            400,
            "ValidationError",
            "taskNumber"));
    c.add(get("a path under a task", "/runs/{RUN}/tasks/0/more", 404, "NotFound", null));
    c.add(get("unknown run id", "/runs/" + UNKNOWN_RUN, 404, "RunNotFound", null));
    c.add(
        get(
            "tasks of an unknown run",
            "/runs/" + UNKNOWN_RUN + "/tasks",
            404,
            "RunNotFound",
            null));
    c.add(get("malformed run id", "/runs/not-a-run-id", 400, "ValidationError", "runId"));
    c.add(
        get(
            "run id in upper case",
            "/runs/R-000000000000000000000000",
            400,
            "ValidationError",
            "runId"));
    c.add(get("run id too long", "/runs/" + UNKNOWN_RUN + "0", 400, "ValidationError", "runId"));
    c.add(get("tasks of a malformed run id", "/runs/x/tasks", 400, "ValidationError", "runId"));
    c.add(
        get(
            "percent-encoded run id that is not one",
            "/runs/r-%2E%2E%2Fadmin",
            400,
            "ValidationError",
            "runId"));

    // ---- HTTP: query parameters ---------------------------------------------------------------
    c.add(get("limit 0", "/runs?limit=0", 400, "ValidationError", "limit"));
    c.add(get("limit 101", "/runs?limit=101", 400, "ValidationError", "limit"));
    c.add(get("limit not a number", "/runs?limit=ten", 400, "ValidationError", "limit"));
    c.add(get("limit empty", "/runs?limit=", 400, "ValidationError", "limit"));
    c.add(get("limit given twice", "/runs?limit=1&limit=2", 400, "ValidationError", "limit"));
    c.add(get("tasks limit -1", "/runs/{RUN}/tasks?limit=-1", 400, "ValidationError", "limit"));
    c.add(
        get(
            "nextToken not base64",
            "/runs?nextToken=not*a*token",
            400,
            "ValidationError",
            "nextToken"));
    c.add(
        get(
            "nextToken of another shape",
            "/runs?nextToken=" + token("hello"),
            400,
            "ValidationError",
            "nextToken"));
    c.add(
        get(
            "nextToken with an empty sort key",
            "/runs?nextToken=" + token("RUN#" + UNKNOWN_RUN + "|"),
            400,
            "ValidationError",
            "nextToken"));
    c.add(
        get(
            "tasks nextToken with a negative shard",
            "/runs/{RUN}/tasks?nextToken=" + token("-1|"),
            400,
            "ValidationError",
            "nextToken"));
    c.add(
        get(
            "tasks nextToken with a foreign sort key",
            "/runs/{RUN}/tasks?nextToken=" + token("0|RUN"),
            400,
            "ValidationError",
            "nextToken"));
    c.add(
        get(
            "tasks nextToken from the runs listing",
            "/runs/{RUN}/tasks?nextToken=" + token("RUN#" + UNKNOWN_RUN + "|0000000000000#x"),
            400,
            "ValidationError",
            "nextToken"));
    c.add(get("unknown status", "/runs/{RUN}/tasks?status=DONE", 400, "ValidationError", "status"));
    c.add(
        get(
            "status in lower case",
            "/runs/{RUN}/tasks?status=succeeded",
            400,
            "ValidationError",
            "status"));
    c.add(get("unknown query parameter", "/runs?colour=red", 400, "ValidationError", "colour"));
    // Not a URI: refused by the HTTP server itself (400, an HTML page, kept as "message" here)
    // before any gateway event exists; API Gateway refuses such request lines too.
    c.add(get("malformed percent-escape in a query", "/runs?limit=%zz", 400, null, null));
    c.add(get("malformed percent-escape in the run id", "/runs/r-%zz", 400, null, null));
    c.add(
        get(
            "query parameter on a route without any",
            "/runs/{RUN}?limit=1",
            400,
            "ValidationError",
            "limit"));

    // ---- Queue messages -----------------------------------------------------------------------
    String task0 = "{\"v\":1,\"runId\":\"{RUN}\",\"task\":0}";
    c.add(queue("not JSON", "this is not json", NOT_JSON));
    c.add(queue("truncated JSON", "{\"v\":1,\"runId\":", NOT_JSON));
    c.add(queue("trailing garbage", task0 + " x", NOT_JSON));
    c.add(queue("duplicate key", "{\"v\":1,\"v\":1,\"runId\":\"{RUN}\",\"task\":0}", NOT_JSON));
    c.add(queue("a JSON array", "[1,2]", NOT_OBJECT));
    c.add(queue("JSON null", "null", NOT_OBJECT));
    c.add(queue("a JSON number", "42", NOT_OBJECT));
    c.add(queue("v missing", "{\"runId\":\"{RUN}\",\"task\":0}", BAD_V));
    c.add(queue("v 2", "{\"v\":2,\"runId\":\"{RUN}\",\"task\":0}", BAD_V));
    c.add(queue("v a string", "{\"v\":\"1\",\"runId\":\"{RUN}\",\"task\":0}", BAD_V));
    c.add(queue("runId missing", "{\"v\":1,\"task\":0}", BAD_RUN_ID));
    c.add(queue("runId malformed", "{\"v\":1,\"runId\":\"run-1\",\"task\":0}", BAD_RUN_ID));
    c.add(queue("runId a number", "{\"v\":1,\"runId\":7,\"task\":0}", BAD_RUN_ID));
    c.add(queue("task missing", "{\"v\":1,\"runId\":\"{RUN}\"}", BAD_TASK));
    c.add(queue("task negative", "{\"v\":1,\"runId\":\"{RUN}\",\"task\":-1}", BAD_TASK));
    c.add(queue("task a string", "{\"v\":1,\"runId\":\"{RUN}\",\"task\":\"0\"}", BAD_TASK));
    c.add(queue("task a fraction", "{\"v\":1,\"runId\":\"{RUN}\",\"task\":0.5}", BAD_TASK));
    c.add(
        queue(
            "unknown run",
            "{\"v\":1,\"runId\":\"" + UNKNOWN_RUN + "\",\"task\":0}",
            "unknown run " + UNKNOWN_RUN));
    c.add(
        queue(
            "unknown task",
            "{\"v\":1,\"runId\":\"{RUN}\",\"task\":99}",
            "unknown task 99: run {RUN} has 2 tasks"));
    c.add(queue("a task of a finished run", task0, null));

    // ---- Events: the collector invoked directly -----------------------------------------------
    c.add(event("not JSON", "not json", "IGNORED", "the event is not JSON"));
    c.add(
        event(
            "truncated JSON",
            "{\"detail-type\":\"RunDrained\"",
            "IGNORED",
            "the event is not JSON"));
    c.add(event("empty input", "", "IGNORED", UNKNOWN_DETAIL_TYPE.formatted("")));
    c.add(event("a JSON array", "[1]", "IGNORED", UNKNOWN_DETAIL_TYPE.formatted("")));
    c.add(
        event(
            "unknown detail-type",
            "{\"source\":\"hubspoke\",\"detail-type\":\"RunExploded\",\"detail\":{\"runId\":\"{RUN}\"}}",
            "IGNORED",
            UNKNOWN_DETAIL_TYPE.formatted("RunExploded")));
    c.add(
        event(
            "RunCompleted (published, not collected)",
            "{\"source\":\"hubspoke\",\"detail-type\":\"RunCompleted\",\"detail\":{\"runId\":\"{RUN}\"}}",
            "IGNORED",
            UNKNOWN_DETAIL_TYPE.formatted("RunCompleted")));
    c.add(
        event(
            "Scheduled Event from another source",
            "{\"source\":\"hubspoke\",\"detail-type\":\"Scheduled Event\",\"detail\":{}}",
            "IGNORED",
            "a Scheduled Event must come from aws.events, not 'hubspoke'"));
    c.add(
        event(
            "RunDrained without detail",
            "{\"source\":\"hubspoke\",\"detail-type\":\"RunDrained\"}",
            "IGNORED",
            BAD_DETAIL));
    c.add(
        event(
            "RunDrained without runId",
            "{\"source\":\"hubspoke\",\"detail-type\":\"RunDrained\",\"detail\":{}}",
            "IGNORED",
            BAD_DETAIL));
    c.add(
        event(
            "RunDrained with a malformed runId",
            "{\"source\":\"hubspoke\",\"detail-type\":\"RunDrained\",\"detail\":{\"runId\":\"../x\"}}",
            "IGNORED",
            BAD_DETAIL));
    c.add(
        event(
            "RunDrained with a numeric runId",
            "{\"source\":\"hubspoke\",\"detail-type\":\"RunDrained\",\"detail\":{\"runId\":42}}",
            "IGNORED",
            BAD_DETAIL));
    c.add(
        event(
            "RunDrained with detail a string",
            "{\"source\":\"hubspoke\",\"detail-type\":\"RunDrained\",\"detail\":\"{RUN}\"}",
            "IGNORED",
            BAD_DETAIL));
    c.add(
        event(
            "RunDrained of an unknown run",
            "{\"source\":\"hubspoke\",\"detail-type\":\"RunDrained\",\"detail\":{\"runId\":\""
                + UNKNOWN_RUN
                + "\"}}",
            "UNKNOWN_RUN",
            null));

    // ---- Events: through the bus ---------------------------------------------------------------
    c.add(new Bus("RunDrained without runId", "RunDrained", "{}", null, 1));
    c.add(new Bus("RunDrained with a malformed runId", "RunDrained", "{\"runId\":\"x\"}", null, 1));
    c.add(new Bus("detail not JSON", "RunDrained", "runId=r-1", "MalformedDetail", 0));
    c.add(new Bus("detail a JSON array", "RunDrained", "[1]", "MalformedDetail", 0));
    c.add(new Bus("unknown detail-type (no rule matches)", "RunExploded", "{}", null, 0));

    // ---- CLI ----------------------------------------------------------------------------------
    c.add(cli("no command", List.of(), "Usage: hubspoke"));
    c.add(cli("unknown command", List.of("launch"), "Unmatched argument"));
    c.add(cli("no items file", List.of("run"), "give ITEMS_FILE (a JSON array or JSON Lines"));
    c.add(
        cli(
            "items file and --source",
            List.of("run", "{DIR}/ok.json", "--source", "{\"type\":\"range\",\"end\":10}"),
            "give ITEMS_FILE or --source, not both"));
    c.add(cli("--source not JSON", List.of("run", "--source", "{end:10}"), "--source is not JSON"));
    c.add(
        cli(
            "--source of an unknown type",
            List.of("run", "--source", "{\"type\":\"s3\"}"),
            "unknown source type 's3'"));
    c.add(
        cli(
            "--source range without an end",
            List.of("run", "--source", "{\"type\":\"range\"}"),
            "source.end: is required"));
    c.add(
        cli(
            "--source of a function not given with --function",
            List.of("run", "--source", "{\"type\":\"lambda\",\"function\":\"lister\"}"),
            "source.function"));
    c.add(
        cli(
            "--source naming a plug-in source without its jar",
            List.of("run", "--source", "{\"type\":\"worker\",\"name\":\"lines\"}"),
            "unknown item source 'lines'"));
    c.add(cli("missing file", List.of("run", "{DIR}/nope.json"), "no such file"));
    c.add(cli("not JSON", List.of("run", "{DIR}/bad.json"), "is not valid JSON"));
    c.add(cli("JSON Lines with a bad line", List.of("run", "{DIR}/bad.jsonl"), "line 2"));
    c.add(cli("empty file", List.of("run", "{DIR}/empty.json"), "is empty"));
    c.add(cli("empty list", List.of("run", "{DIR}/empty-array.json"), "holds no items"));
    c.add(cli("not UTF-8", List.of("run", "{DIR}/latin1.json"), "is not UTF-8"));
    c.add(cli("empty standard input", List.of("run", "-"), "is empty"));
    c.add(cli("a null item", List.of("run", "{DIR}/null-item.jsonl"), "items[1]"));
    c.add(cli("10,001 items", List.of("run", "{DIR}/too-many.json"), "at most 10000"));
    c.add(
        cli(
            "misspelt flag",
            List.of("run", "{DIR}/ok.json", "--max-atempts", "3"),
            "Unknown option"));
    c.add(
        cli(
            "--max-attempts not a number",
            List.of("run", "{DIR}/ok.json", "--max-attempts", "three"),
            "Invalid value for option '--max-attempts'"));
    c.add(
        cli(
            "--max-attempts out of range",
            List.of("run", "{DIR}/ok.json", "--max-attempts", "11"),
            "maxAttempts"));
    c.add(
        cli(
            "--max-concurrency out of range",
            List.of("run", "{DIR}/ok.json", "--max-concurrency", "0"),
            "maxConcurrency"));
    c.add(
        cli(
            "--dispatch unknown",
            List.of("run", "{DIR}/ok.json", "--dispatch", "carrier-pigeon"),
            "--dispatch carrier-pigeon: no such dispatch; use one of queue, push, pull"));
    c.add(
        cli(
            "--tolerated-failure-percent out of range",
            List.of("run", "{DIR}/ok.json", "--tolerated-failure-percent", "101"),
            "toleratedFailurePercent"));
    c.add(
        cli(
            "--task-timeout out of range",
            List.of("run", "{DIR}/ok.json", "--task-timeout", "0"),
            "taskTimeoutSeconds"));
    c.add(
        cli(
            "--task-timeout longer than the spoke's timeout leaves a task",
            List.of("run", "{DIR}/ok.json", "--task-timeout", "59"),
            "taskTimeoutSeconds"));
    c.add(
        cli(
            "--worker unknown",
            List.of("run", "{DIR}/ok.json", "--worker", "teleport"),
            "unknown worker 'teleport'"));
    c.add(
        cli(
            "--worker-config not JSON",
            List.of("run", "{DIR}/ok.json", "--worker-config", "{ms:1}"),
            "--worker-config is not JSON"));
    c.add(
        cli(
            "--worker-config not an object",
            List.of("run", "{DIR}/ok.json", "--worker", "sleep", "--worker-config", "[1]"),
            "workerConfig"));
    c.add(
        cli(
            "--worker-config with an unknown setting",
            List.of("run", "{DIR}/ok.json", "--worker", "sleep", "--worker-config", "{\"sec\":1}"),
            "workerConfig.sec"));
    c.add(
        cli(
            "--worker-config out of range",
            List.of("run", "{DIR}/ok.json", "--worker", "sleep", "--worker-config", "{\"ms\":-1}"),
            "workerConfig.ms"));
    c.add(
        cli(
            "--concurrency 1",
            List.of("run", "{DIR}/ok.json", "--concurrency", "1"),
            "--concurrency must be from 2 to 1000"));
    c.add(
        cli(
            "--concurrency 1001",
            List.of("run", "{DIR}/ok.json", "--concurrency", "1001"),
            "--concurrency must be from 2 to 1000"));
    c.add(
        cli(
            "--batch-size 11",
            List.of("run", "{DIR}/ok.json", "--batch-size", "11"),
            "--batch-size must be from 1 to 10"));
    c.add(
        cli(
            "serve --port 70000",
            List.of("serve", "--port", "70000"),
            "--port must be from 0 to 65535"));
    // The remote commands (against {API}, the runtime's HTTP API).
    c.add(
        cli(
            "submit without --endpoint or --stack",
            List.of("submit", "{DIR}/ok.json"),
            "give --endpoint URL (e.g. --endpoint http://127.0.0.1:8080"));
    c.add(
        cli(
            "--endpoint and --stack",
            List.of("status", "{RUN}", "--endpoint", "{API}", "--stack", "Hubspoke"),
            "give --endpoint or --stack, not both"));
    c.add(
        cli(
            "--endpoint not http",
            List.of("list", "--endpoint", "ftp://example.com/"),
            "--endpoint 'ftp://example.com/' is not an http(s) URL"));
    c.add(
        cli(
            "--endpoint not a URL",
            List.of("list", "--endpoint", "http://a b"),
            "--endpoint 'http://a b' is not a URL"));
    c.add(
        cli(
            "--profile empty",
            List.of("list", "--endpoint", "{API}", "--profile", ""),
            "--profile is empty"));
    c.add(
        cli(
            "status without RUN_ID",
            List.of("status", "--endpoint", "{API}"),
            "Missing required parameter: 'RUN_ID'"));
    c.add(
        cli(
            "status of an unknown run",
            List.of("status", UNKNOWN_RUN, "--endpoint", "{API}"),
            "no run " + UNKNOWN_RUN + " at "));
    c.add(
        cli(
            "tasks of a malformed run id",
            List.of("tasks", "not-a-run", "--endpoint", "{API}"),
            "RUN_ID: "));
    c.add(
        cli(
            "tasks: a task the run does not have",
            List.of("tasks", "{RUN}", "99", "--endpoint", "{API}"),
            "has no task 99 (yet)"));
    c.add(
        cli(
            "tasks: TASK_NUMBER and --status",
            List.of("tasks", "{RUN}", "1", "--status", "FAILED", "--endpoint", "{API}"),
            "give TASK_NUMBER or --status, not both"));
    c.add(
        cli(
            "tasks --status unknown",
            List.of("tasks", "{RUN}", "--status", "DONE", "--endpoint", "{API}"),
            "--status: "));
    c.add(
        cli(
            "list --status unknown",
            List.of("list", "--status", "DONE", "--endpoint", "{API}"),
            "--status: "));
    c.add(
        cli(
            "list --since not a time",
            List.of("list", "--since", "later", "--endpoint", "{API}"),
            "--since: "));
    c.add(
        cli(
            "list --limit negative",
            List.of("list", "--limit", "-1", "--endpoint", "{API}"),
            "--limit must be 0 (all) or more"));
    c.add(
        cli(
            "results --status unknown",
            List.of("results", "{RUN}", "--status", "DONE", "--endpoint", "{API}"),
            "--status: "));
    c.add(
        cli(
            "cancel an ended run",
            List.of("cancel", "{RUN}", "--endpoint", "{API}"),
            "has already ended, nothing is left to cancel"));
    c.add(
        cli(
            "submit --request and ITEMS_FILE",
            List.of("submit", "{DIR}/ok.json", "--request", "{DIR}/ok.json", "--endpoint", "{API}"),
            "give --request or ITEMS_FILE, not both"));
    c.add(
        cli(
            "submit --request not JSON",
            List.of("submit", "--request", "{DIR}/bad.json", "--endpoint", "{API}"),
            "bad.json is not JSON"));
    c.add(
        cli(
            "submit --request not an object",
            List.of("submit", "--request", "{DIR}/empty-array.json", "--endpoint", "{API}"),
            "must hold a JSON object"));
    c.add(
        cli(
            "submit --request missing",
            List.of("submit", "--request", "{DIR}/nope.json", "--endpoint", "{API}"),
            "nope.json: no such file"));
    c.add(
        cli(
            "submit refused by the hub",
            List.of("submit", "{DIR}/ok.json", "--max-attempts", "11", "--endpoint", "{API}"),
            "maxAttempts"));
    c.add(
        cli(
            "help of an unknown command",
            List.of("help", "launch"),
            "Unknown subcommand 'launch'"));
    return List.copyOf(c);
  }

  static Cli cli(String name, List<String> args, String stderrContains) {
    return new Cli(name, args, "", stderrContains);
  }
}
