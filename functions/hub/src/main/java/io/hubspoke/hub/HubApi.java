package io.hubspoke.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hubspoke.contract.api.RunRequest;
import io.hubspoke.contract.api.RunRequestParser;
import io.hubspoke.contract.json.Json;
import io.hubspoke.contract.validation.FieldError;
import io.hubspoke.contract.validation.InvalidInputException;
import io.hubspoke.core.aws.PartialFailureException;
import io.hubspoke.core.model.RunIds;
import io.hubspoke.core.model.RunStatus;
import io.hubspoke.core.model.TaskAttempt;
import io.hubspoke.core.model.TaskRecord;
import io.hubspoke.core.model.TaskStatus;
import io.hubspoke.core.service.IdempotencyConflictException;
import io.hubspoke.core.service.RunCancellation;
import io.hubspoke.core.service.RunQueryService;
import io.hubspoke.core.service.RunRedrive;
import io.hubspoke.core.service.RunSubmissionService;
import io.hubspoke.core.service.SubmitResult;
import io.hubspoke.core.store.InvalidPageTokenException;
import io.hubspoke.core.store.Page;
import io.hubspoke.core.store.RunRecord;
import io.hubspoke.core.store.RunStore;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * The hub's three entry points: API Gateway HTTP API events, EventBridge events whose {@code
 * detail} is a run request (scheduled runs), and a run request invoked directly.
 */
final class HubApi {
  private static final Logger LOG = Logger.getLogger(HubApi.class.getName());
  static final String ROUTES = String.join(", ", io.hubspoke.contract.api.HubRoutes.ALL);
  static final int DEFAULT_PAGE = 25;
  static final int MAX_PAGE = 100;

  private final RunRequestParser parser;
  private final RunSubmissionService submission;
  private final RunQueryService queries;
  private final RunCancellation cancellation;
  private final RunRedrive redrive;
  private final PullApi pull;

  HubApi(RunRequestParser parser, RunSubmissionService submission, RunQueryService queries) {
    this(parser, submission, queries, null, null, null);
  }

  HubApi(
      RunRequestParser parser,
      RunSubmissionService submission,
      RunQueryService queries,
      RunCancellation cancellation,
      RunRedrive redrive,
      PullApi pull) {
    this.parser = parser;
    this.submission = submission;
    this.queries = queries;
    this.cancellation = cancellation;
    this.redrive = redrive;
    this.pull = pull;
  }

  /**
   * Handles an HTTP API event, or a run request from a schedule rule or a direct invocation;
   * returns the JSON the invoker gets back. For the latter two, a failed AWS call is thrown: Lambda
   * then retries the asynchronous invocation and, after its retries, sends it to the rule's
   * dead-letter queue. Bad input is answered, not thrown: no retry can fix it.
   */
  JsonNode handle(JsonNode event) {
    if (event != null && event.path("requestContext").has("http")) {
      return http(event).toEvent();
    }
    JsonNode request =
        event != null && event.has("detail-type") && event.has("detail")
            ? event.get("detail")
            : event;
    HttpResponse response = answered(() -> submit(parser.parse(request)));
    if (response.statusCode() >= 400) {
      LOG.warning(
          () -> "rejected a direct or scheduled run request: " + Json.write(response.body()));
    }
    return response.body();
  }

  HttpResponse http(JsonNode event) {
    String method = event.path("requestContext").path("http").path("method").asText("");
    String path = event.path("rawPath").asText("/");
    if (path.length() > 1 && path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    String[] segments = path.substring(1).split("/", -1);
    if (segments.length >= 1 && segments[0].equals("runs")) {
      if (segments.length == 1) {
        if (method.equals("POST")) {
          return guarded(() -> postRun(event));
        }
        if (method.equals("GET")) {
          return guarded(() -> listRuns(event));
        }
        return notAllowed(method, path, "GET, POST");
      }
      if (segments.length == 2) {
        if (method.equals("GET")) {
          return guarded(() -> getRun(segments[1], event));
        }
        if (method.equals("DELETE")) {
          return guarded(() -> cancelRun(segments[1], event));
        }
        return notAllowed(method, path, "GET, DELETE");
      }
      if (segments.length == 3 && segments[2].equals("redrive")) {
        return method.equals("POST")
            ? guarded(() -> redriveRun(segments[1], event))
            : notAllowed(method, path, "POST");
      }
      if (segments.length == 3 && segments[2].equals("claims")) {
        return method.equals("POST")
            ? guarded(
                () -> pullRoute(segments[1], event, () -> pull.claims(segments[1], body(event))))
            : notAllowed(method, path, "POST");
      }
      if (segments.length == 5
          && segments[2].equals("tasks")
          && (segments[4].equals("heartbeat") || segments[4].equals("result"))) {
        if (!method.equals("POST")) {
          return notAllowed(method, path, "POST");
        }
        return guarded(
            () ->
                pullRoute(
                    segments[1],
                    event,
                    () -> {
                      int taskNumber = taskNumber(segments[3]);
                      return segments[4].equals("heartbeat")
                          ? pull.heartbeat(segments[1], taskNumber, body(event))
                          : pull.result(segments[1], taskNumber, body(event));
                    }));
      }
      if (segments.length == 3 && segments[2].equals("tasks")) {
        return method.equals("GET")
            ? guarded(() -> listTasks(segments[1], event))
            : notAllowed(method, path, "GET");
      }
      if (segments.length == 4 && segments[2].equals("tasks")) {
        return method.equals("GET")
            ? guarded(() -> getTask(segments[1], segments[3], event))
            : notAllowed(method, path, "GET");
      }
    }
    return HttpResponse.error(
        404, "NotFound", "no route for " + method + " " + path + "; the routes are " + ROUTES);
  }

  private static HttpResponse notAllowed(String method, String path, String allowed) {
    return HttpResponse.error(
            405, "MethodNotAllowed", method + " is not allowed on " + path + "; use " + allowed)
        .withHeader("allow", allowed);
  }

  private HttpResponse postRun(JsonNode event) {
    String contentType = header(event, "content-type").orElse("");
    String mediaType = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    if (!mediaType.equals("application/json")) {
      return HttpResponse.error(
          415,
          "UnsupportedMediaType",
          "Content-Type is '"
              + contentType
              + "'; send the run request as Content-Type: application/json");
    }
    String charset = contentType.toLowerCase(Locale.ROOT).replace(" ", "");
    if (charset.contains("charset=") && !charset.contains("charset=utf-8")) {
      return HttpResponse.error(
          415, "UnsupportedMediaType", "the body must be UTF-8; send charset=utf-8 or none");
    }
    rejectQuery(event, Set.of());
    RunRequest request = parser.parse(body(event));
    return submit(request);
  }

  private HttpResponse submit(RunRequest request) {
    SubmitResult result = submission.submit(request);
    ObjectNode body = queries.view(result.run()).toJson();
    body.put("created", result.created());
    return HttpResponse.json(result.created() ? 202 : 200, body)
        .withHeader("location", "/runs/" + result.run().runId());
  }

  private HttpResponse getRun(String runId, JsonNode event) {
    requireRunId(runId);
    rejectQuery(event, Set.of());
    return queries
        .get(runId)
        .map(view -> HttpResponse.json(200, view.toJson()))
        .orElseGet(() -> unknownRun(runId));
  }

  /**
   * Cancels a run: 202 with the run now CANCELLING, 200 if an earlier cancel did, 409 if it has
   * already ended.
   */
  private HttpResponse cancelRun(String runId, JsonNode event) {
    requireRunId(runId);
    rejectQuery(event, Set.of());
    RunStore.CancelResult result = cancellation.cancel(runId);
    if (result instanceof RunStore.CancelResult.NotFound) {
      return unknownRun(runId);
    }
    if (result instanceof RunStore.CancelResult.Finished finished) {
      return HttpResponse.error(
          409,
          "RunFinished",
          "run "
              + runId
              + " is "
              + finished.run().status()
              + ": nothing is left to cancel (a run being summarized has no task left to stop)");
    }
    RunStore.CancelResult.Cancelling cancelling = (RunStore.CancelResult.Cancelling) result;
    return HttpResponse.json(
        cancelling.first() ? 202 : 200, queries.view(cancelling.run()).toJson());
  }

  /**
   * Redrives a finished run: 202 with the run RUNNING again; 409 if it has not finished, has no
   * task in the statuses asked for, or could not be dispatched.
   */
  private HttpResponse redriveRun(String runId, JsonNode event) {
    requireRunId(runId);
    rejectQuery(event, Set.of());
    Set<TaskStatus> statuses = redriveStatuses(body(event));
    RunRedrive.Result result = redrive.redrive(runId, statuses);
    if (result instanceof RunRedrive.Result.NotFound) {
      return unknownRun(runId);
    }
    if (result instanceof RunRedrive.Result.NotFinished notFinished) {
      return HttpResponse.error(
          409,
          "RunNotFinished",
          "run "
              + runId
              + " is "
              + notFinished.run().status()
              + ": only a finished run can be redriven; wait for it to finish, or cancel it"
              + " (DELETE /runs/"
              + runId
              + ") and redrive it then");
    }
    if (result instanceof RunRedrive.Result.NothingToRedrive nothing) {
      return HttpResponse.error(
          409,
          "NothingToRedrive",
          "run "
              + runId
              + " ("
              + nothing.run().status()
              + ") has no task in "
              + statuses.stream().map(Enum::name).sorted().toList()
              + "; redrive only runs those again");
    }
    if (result instanceof RunRedrive.Result.NotRedrivable notRedrivable) {
      return HttpResponse.error(
          409,
          "RunNotRedrivable",
          "run "
              + runId
              + " cannot be redriven: "
              + notRedrivable.reason()
              + "; submit its request again");
    }
    RunRedrive.Result.Redriven redriven = (RunRedrive.Result.Redriven) result;
    ObjectNode body = queries.view(redriven.run()).toJson();
    ObjectNode started = body.putObject("redrive");
    started.put("round", redriven.run().round());
    started.put("tasks", redriven.tasks());
    ArrayNode names = started.putArray("statuses");
    statuses.stream().map(Enum::name).sorted().forEach(names::add);
    return HttpResponse.json(202, body).withHeader("location", "/runs/" + runId);
  }

  /**
   * The optional body of a redrive: {@code {"statuses":["FAILED","CANCELLED"]}}; none (or no {@code
   * statuses}) means both.
   */
  private static Set<TaskStatus> redriveStatuses(String body) {
    if (body == null || body.isBlank()) {
      return RunRedrive.DEFAULT_STATUSES;
    }
    String example = "send {\"statuses\":[\"FAILED\",\"CANCELLED\"]}, or no body for both";
    JsonNode node;
    try {
      node = Json.parse(body);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new InvalidInputException(
          "body", "the body is not valid JSON: " + e.getOriginalMessage(), example);
    }
    if (!node.isObject()) {
      throw new InvalidInputException("body", "the body is not a JSON object", example);
    }
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!name.equals("statuses")) {
        throw new InvalidInputException(name, "unknown field", "a redrive takes only statuses");
      }
    }
    JsonNode given = node.get("statuses");
    if (given == null || given.isNull()) {
      return RunRedrive.DEFAULT_STATUSES;
    }
    if (!given.isArray() || given.isEmpty()) {
      throw new InvalidInputException(
          "statuses", "must be a non-empty array of task statuses", example);
    }
    Set<TaskStatus> statuses = java.util.EnumSet.noneOf(TaskStatus.class);
    for (int i = 0; i < given.size(); i++) {
      JsonNode status = given.get(i);
      TaskStatus parsed = null;
      if (status.isTextual()) {
        try {
          parsed = TaskStatus.valueOf(status.textValue());
        } catch (IllegalArgumentException e) {
          // reported below
        }
      }
      if (parsed == null || !RunRedrive.REDRIVABLE.contains(parsed)) {
        throw new InvalidInputException(
            "statuses[" + i + "]",
            status + " is not a status a redrive can run again",
            "use FAILED and/or CANCELLED");
      }
      statuses.add(parsed);
    }
    return statuses;
  }

  private HttpResponse listRuns(JsonNode event) {
    rejectQuery(event, Set.of("limit", "nextToken", "status", "since"));
    RunStore.RunFilter filter = new RunStore.RunFilter(statuses(event), since(event));
    Page<RunRecord> page = queries.list(limit(event), query(event, "nextToken"), filter);
    ObjectNode body = Json.object();
    ArrayNode runs = body.putArray("runs");
    for (RunRecord run : page.items()) {
      ObjectNode item = runs.addObject();
      item.put("runId", run.runId());
      item.put("status", run.status().name());
      item.put("worker", run.spec().worker());
      item.put("total", run.spec().total());
      item.put("createdAt", run.spec().createdAt().toString());
      if (run.completedAt() != null) {
        item.put("completedAt", run.completedAt().toString());
      }
      item.put("statusUrl", "/runs/" + run.runId());
    }
    page.nextToken().ifPresent(t -> body.put("nextToken", t));
    return HttpResponse.json(200, body);
  }

  /** {@code status=RUNNING,FAILED}: one or more run statuses, comma-separated. */
  private static Set<RunStatus> statuses(JsonNode event) {
    Optional<String> given = query(event, "status");
    if (given.isEmpty()) {
      return Set.of();
    }
    Set<RunStatus> statuses = new java.util.TreeSet<>();
    for (String name : given.get().split(",", -1)) {
      try {
        statuses.add(RunStatus.valueOf(name.trim()));
      } catch (IllegalArgumentException e) {
        throw new InvalidInputException(
            "status",
            "unknown run status '" + name.trim() + "'",
            "use one or more of " + List.of(RunStatus.values()) + ", comma-separated");
      }
    }
    return statuses;
  }

  /** {@code since=2026-11-30T00:00:00Z} (or a date, meaning its start in UTC). */
  private static Optional<Instant> since(JsonNode event) {
    Optional<String> given = query(event, "since");
    if (given.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Instant.parse(given.get()));
    } catch (java.time.format.DateTimeParseException e) {
      try {
        return Optional.of(
            java.time.LocalDate.parse(given.get())
                .atStartOfDay(java.time.ZoneOffset.UTC)
                .toInstant());
      } catch (java.time.format.DateTimeParseException notADate) {
        throw new InvalidInputException(
            "since",
            "'" + given.get() + "' is not a time",
            "give an ISO-8601 instant such as 2026-11-30T08:00:00Z, or a date such as 2026-11-30");
      }
    }
  }

  private HttpResponse listTasks(String runId, JsonNode event) {
    requireRunId(runId);
    rejectQuery(event, Set.of("limit", "nextToken", "status"));
    Optional<TaskStatus> status =
        query(event, "status")
            .map(
                s -> {
                  try {
                    return TaskStatus.valueOf(s);
                  } catch (IllegalArgumentException e) {
                    throw new InvalidInputException(
                        "status",
                        "unknown task status '" + s + "'",
                        "use one of " + List.of(TaskStatus.values()));
                  }
                });
    Optional<Page<TaskRecord>> page =
        queries.tasks(runId, status, limit(event), query(event, "nextToken"));
    if (page.isEmpty()) {
      return unknownRun(runId);
    }
    ObjectNode body = Json.object();
    body.put("runId", runId);
    ArrayNode tasks = body.putArray("tasks");
    for (TaskRecord task : page.get().items()) {
      tasks.add(taskJson(task));
    }
    page.get().nextToken().ifPresent(t -> body.put("nextToken", t));
    return HttpResponse.json(200, body);
  }

  /**
   * One task with its attempt history. {@code taskNumber} is its index, the last part of its task
   * id ({@code r-…/000042} is task 42 of run {@code r-…}).
   */
  /** The routes of pull workers: a JSON body, no query. */
  private HttpResponse pullRoute(
      String runId, JsonNode event, java.util.function.Supplier<HttpResponse> route) {
    requireRunId(runId);
    rejectQuery(event, Set.of());
    return route.get();
  }

  private static int taskNumber(String taskNumber) {
    int index;
    try {
      index = Integer.parseInt(taskNumber);
    } catch (NumberFormatException e) {
      index = -1;
    }
    if (index < 0 || !taskNumber.matches("[0-9]{1,9}")) {
      throw new InvalidInputException(
          "taskNumber",
          "'" + taskNumber + "' is not a task number",
          "use the number after the slash of a task id, e.g. 42 or 000042 for r-…/000042");
    }
    return index;
  }

  private HttpResponse getTask(String runId, String taskNumber, JsonNode event) {
    requireRunId(runId);
    rejectQuery(event, Set.of());
    int index = taskNumber(taskNumber);
    Optional<Optional<TaskRecord>> found = queries.task(runId, index);
    if (found.isEmpty()) {
      return unknownRun(runId);
    }
    if (found.get().isEmpty()) {
      return HttpResponse.error(
          404,
          "TaskNotFound",
          "run "
              + runId
              + " has no task "
              + index
              + " (yet); list its tasks with GET /runs/"
              + runId
              + "/tasks");
    }
    TaskRecord task = found.get().get();
    ObjectNode json = taskJson(task);
    json.put("runId", runId);
    ArrayNode attempts = json.putArray("attempts");
    for (TaskAttempt attempt : task.history()) {
      ObjectNode entry = attempts.addObject();
      entry.put("attempt", attempt.attempt());
      entry.put("round", attempt.round());
      entry.put("spoke", spokeOf(attempt.owner()));
      if (attempt.startedAt() != null) {
        entry.put("startedAt", attempt.startedAt().toString());
      }
      if (attempt.endedAt() != null) {
        entry.put("endedAt", attempt.endedAt().toString());
      }
      entry.put(
          "outcome",
          attempt.outcome() != null
              ? attempt.outcome()
              : attempt.attempt() == task.attempt()
                      && attempt.round() == task.round()
                      && task.status() == TaskStatus.RUNNING
                  ? "RUNNING"
                  : "ABANDONED");
      if (attempt.errorType() != null) {
        entry.put("errorType", attempt.errorType());
        entry.put("errorMessage", attempt.errorMessage());
      }
    }
    return HttpResponse.json(200, json);
  }

  /** {@code spoke-<instance>/<claim>}: the spoke instance that made the claim. */
  private static String spokeOf(String owner) {
    if (owner == null) {
      return "unknown";
    }
    int slash = owner.indexOf('/');
    return slash < 0 ? owner : owner.substring(0, slash);
  }

  static ObjectNode taskJson(TaskRecord task) {
    ObjectNode json = Json.object();
    json.put("taskId", task.taskId());
    json.put("index", task.index());
    json.put("status", task.status().name());
    json.put("attempt", task.attempt());
    if (task.round() > 0) {
      json.put("round", task.round());
    }
    json.set("item", Json.parseTrusted(task.itemJson()));
    if (task.resultJson() != null) {
      json.set("result", Json.parseTrusted(task.resultJson()));
    }
    if (task.errorType() != null) {
      json.put("errorType", task.errorType());
      json.put("errorMessage", task.errorMessage());
    }
    if (task.startedAt() != null) {
      json.put("startedAt", task.startedAt().toString());
    }
    if (task.finishedAt() != null) {
      json.put("finishedAt", task.finishedAt().toString());
    }
    if (task.durationMs() != null) {
      json.put("durationMs", task.durationMs());
    }
    if (task.status() == TaskStatus.RUNNING && task.leaseUntil() != null) {
      json.put("leaseUntil", task.leaseUntil().toString());
    }
    return json;
  }

  static HttpResponse unknownRun(String runId) {
    return HttpResponse.error(404, "RunNotFound", "no run " + runId + "; list runs with GET /runs");
  }

  private static void requireRunId(String runId) {
    if (!RunIds.isValid(runId)) {
      throw new InvalidInputException(
          "runId",
          "'" + runId + "' is not a run id",
          "use the runId returned by POST /runs, e.g. r-0123456789abcdef01234567");
    }
  }

  private static int limit(JsonNode event) {
    Optional<String> limit = query(event, "limit");
    if (limit.isEmpty()) {
      return DEFAULT_PAGE;
    }
    try {
      int value = Integer.parseInt(limit.get());
      if (value >= 1 && value <= MAX_PAGE) {
        return value;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new InvalidInputException(
        "limit",
        "'" + limit.get() + "' is not a page size",
        "give a whole number from 1 to " + MAX_PAGE);
  }

  private static void rejectQuery(JsonNode event, Set<String> allowed) {
    for (Iterator<String> names = event.path("queryStringParameters").fieldNames();
        names.hasNext(); ) {
      String name = names.next();
      if (!allowed.contains(name)) {
        throw new InvalidInputException(
            name,
            "unknown query parameter",
            allowed.isEmpty()
                ? "this route takes no query parameters"
                : "use only " + allowed.stream().sorted().toList());
      }
    }
  }

  private static Optional<String> query(JsonNode event, String name) {
    JsonNode value = event.path("queryStringParameters").get(name);
    return value == null || value.isNull() ? Optional.empty() : Optional.of(value.asText());
  }

  private static Optional<String> header(JsonNode event, String name) {
    for (Iterator<Map.Entry<String, JsonNode>> it = event.path("headers").fields();
        it.hasNext(); ) {
      Map.Entry<String, JsonNode> header = it.next();
      if (header.getKey().equalsIgnoreCase(name)) {
        return Optional.of(header.getValue().asText());
      }
    }
    return Optional.empty();
  }

  private static String body(JsonNode event) {
    String body = event.path("body").asText("");
    if (!event.path("isBase64Encoded").asBoolean(false)) {
      return body;
    }
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(body);
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException("body", "is not valid base64", "send the body as UTF-8 JSON");
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new InvalidInputException(
          "body", "is not valid UTF-8", "encode the JSON body as UTF-8");
    }
  }

  /** Maps the failures every route shares onto HTTP responses; AWS failures become a 503. */
  private static HttpResponse guarded(java.util.function.Supplier<HttpResponse> route) {
    try {
      return answered(route);
    } catch (PartialFailureException | SdkException e) {
      LOG.log(Level.WARNING, "AWS call failed", e);
      return HttpResponse.error(
          503,
          "ServiceUnavailable",
          "a downstream AWS service failed ("
              + e.getMessage()
              + "); retry the request with the same idempotencyKey");
    }
  }

  /** Maps the caller's mistakes onto 4xx answers; anything else is thrown. */
  private static HttpResponse answered(java.util.function.Supplier<HttpResponse> route) {
    try {
      return route.get();
    } catch (InvalidInputException e) {
      return HttpResponse.invalid(e.getMessage(), e.errors());
    } catch (InvalidPageTokenException e) {
      return HttpResponse.invalid(
          "nextToken: not a token from this listing",
          List.of(
              new FieldError(
                  "nextToken",
                  "is not a token from this listing",
                  "pass the nextToken of the previous page unchanged, or omit it for the first page")));
    } catch (IdempotencyConflictException e) {
      return HttpResponse.error(409, "IdempotencyConflict", e.getMessage());
    }
  }
}
