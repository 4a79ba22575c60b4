package io.hubspoke.hub;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hubspoke.contract.api.Limits;
import io.hubspoke.contract.api.RunRequestParser;
import io.hubspoke.contract.json.Json;
import io.hubspoke.contract.validation.FieldError;
import io.hubspoke.contract.validation.InvalidInputException;
import io.hubspoke.core.model.TaskRecord;
import io.hubspoke.core.service.PullWork;
import io.hubspoke.worker.TaskOutcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The routes of pull runs' external workers: {@code POST /runs/{runId}/claims}, and {@code POST
 * /runs/{runId}/tasks/{taskNumber}/heartbeat} and {@code …/result} with the claim's token. Parses
 * and answers; {@link PullWork} does the work.
 */
final class PullApi {
  private static final Pattern WORKER_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
  private static final String TOKEN_FIX =
      "send the token of this task's claim (or of its latest heartbeat) unchanged";

  private final PullWork work;

  PullApi(PullWork work) {
    this.work = work;
  }

  /**
   * {@code {"max":1..10, "leaseSeconds":1..840, "waitSeconds":0..20, "workerId":"…"}}, all
   * optional.
   */
  HttpResponse claims(String runId, String body) {
    JsonNode request = object(body, Set.of("max", "leaseSeconds", "waitSeconds", "workerId"));
    List<FieldError> errors = new ArrayList<>();
    int max =
        RunRequestParser.boundedInt(request.get("max"), "max", 1, PullWork.MAX_CLAIMS, 1, errors);
    int leaseSeconds =
        RunRequestParser.boundedInt(
            request.get("leaseSeconds"), "leaseSeconds", 1, PullWork.MAX_LEASE_SECONDS, 0, errors);
    int waitSeconds =
        RunRequestParser.boundedInt(
            request.get("waitSeconds"), "waitSeconds", 0, PullWork.MAX_WAIT_SECONDS, 0, errors);
    String workerId = "worker";
    JsonNode given = request.get("workerId");
    if (given != null && !given.isNull()) {
      if (given.isTextual() && WORKER_ID.matcher(given.textValue()).matches()) {
        workerId = given.textValue();
      } else {
        errors.add(
            new FieldError(
                "workerId",
                "is not a worker id",
                "name the worker (e.g. its host) in 1 to 64 letters, digits, '.', '_', ':' or '-'"));
      }
    }
    if (!errors.isEmpty()) {
      throw new InvalidInputException(errors);
    }
    PullWork.Claims claims =
        work.claim(
            runId,
            workerId,
            max,
            leaseSeconds == 0 ? null : Duration.ofSeconds(leaseSeconds),
            Duration.ofSeconds(waitSeconds));
    if (claims instanceof PullWork.Claims.RunNotFound) {
      return HubApi.unknownRun(runId);
    }
    if (claims instanceof PullWork.Claims.NotPulled notPulled) {
      return HttpResponse.error(
          409,
          "NotAPullRun",
          "run "
              + runId
              + " is dispatched by "
              + notPulled.run().spec().dispatch().wireName()
              + ": its tasks reach the spokes without claims; submit a run with"
              + " \"dispatch\":\"pull\" for workers to claim its tasks");
    }
    PullWork.Claims.Offered offered = (PullWork.Claims.Offered) claims;
    ObjectNode answer = Json.object();
    answer.put("runId", runId);
    answer.put("runStatus", offered.run().status().name());
    answer.put("done", offered.over());
    answer.put("worker", offered.run().spec().worker());
    answer.set("workerConfig", offered.run().spec().workerConfig());
    ArrayNode tasks = answer.putArray("tasks");
    for (PullWork.ClaimedTask claimed : offered.tasks()) {
      TaskRecord task = claimed.task();
      ObjectNode json = tasks.addObject();
      json.put("taskId", task.taskId());
      json.put("taskNumber", task.index());
      json.set("item", Json.parseTrusted(task.itemJson()));
      json.put("attempt", task.attempt());
      json.put("maxAttempts", offered.run().spec().maxAttempts());
      json.put("leaseUntil", claimed.lease().leaseUntil().toString());
      json.put("token", claimed.token());
    }
    return HttpResponse.json(200, answer);
  }

  /** {@code {"token":"…", "leaseSeconds":1..840}}: the lease then ends that long from now. */
  HttpResponse heartbeat(String runId, int taskNumber, String body) {
    JsonNode request = object(body, Set.of("token", "leaseSeconds"));
    List<FieldError> errors = new ArrayList<>();
    String token = token(request, errors);
    int leaseSeconds =
        RunRequestParser.boundedInt(
            request.get("leaseSeconds"), "leaseSeconds", 1, PullWork.MAX_LEASE_SECONDS, 0, errors);
    if (!errors.isEmpty()) {
      throw new InvalidInputException(errors);
    }
    PullWork.Heartbeat beat =
        work.heartbeat(
            runId, taskNumber, token, leaseSeconds == 0 ? null : Duration.ofSeconds(leaseSeconds));
    if (beat instanceof PullWork.Heartbeat.NotFound) {
      return HubApi.unknownRun(runId);
    }
    if (beat instanceof PullWork.Heartbeat.BadToken) {
      throw badToken(runId, taskNumber);
    }
    if (beat instanceof PullWork.Heartbeat.Stopped) {
      return HttpResponse.error(
          409,
          "RunStopped",
          "run "
              + runId
              + " was cancelled or stopped by its failure tolerance: task "
              + taskNumber
              + " is now CANCELLED; stop working on it (its result would not be recorded)");
    }
    if (beat instanceof PullWork.Heartbeat.LeaseLost lost) {
      return leaseLost(runId, taskNumber, lost.current());
    }
    PullWork.Heartbeat.Extended extended = (PullWork.Heartbeat.Extended) beat;
    return HttpResponse.json(
        200,
        Json.object()
            .put("token", extended.token())
            .put("leaseUntil", extended.lease().leaseUntil().toString()));
  }

  /**
   * {@code {"token":"…", "result":<any JSON>}} or {@code {"token":"…", "error":{"type":"…",
   * "message":"…", "retryable":true}}}.
   */
  HttpResponse result(String runId, int taskNumber, String body) {
    JsonNode request = object(body, Set.of("token", "result", "error"));
    List<FieldError> errors = new ArrayList<>();
    String token = token(request, errors);
    TaskOutcome outcome = outcome(request, errors);
    if (!errors.isEmpty()) {
      throw new InvalidInputException(errors);
    }
    PullWork.Result result = work.result(runId, taskNumber, token, outcome);
    if (result instanceof PullWork.Result.NotFound) {
      return HubApi.unknownRun(runId);
    }
    if (result instanceof PullWork.Result.BadToken) {
      throw badToken(runId, taskNumber);
    }
    if (result instanceof PullWork.Result.TooLarge tooLarge) {
      throw new InvalidInputException(
          "result",
          String.format(
              Locale.ROOT,
              "is %,d bytes of JSON; a result may be at most %,d bytes",
              tooLarge.bytes(),
              Limits.MAX_RESULT_BYTES),
          "store large results elsewhere (e.g. S3) and send a reference, or send an error");
    }
    if (result instanceof PullWork.Result.LeaseLost lost) {
      return leaseLost(runId, taskNumber, lost.current());
    }
    PullWork.Result.Recorded recorded = (PullWork.Result.Recorded) result;
    ObjectNode answer = Json.object();
    answer.put("taskId", recorded.task().taskId());
    answer.put("status", recorded.task().status().name());
    answer.put("attempt", recorded.task().attempt());
    if (!recorded.task().status().isTerminal()) {
      answer.put("retryInSeconds", recorded.retryInSeconds());
    }
    return HttpResponse.json(200, answer);
  }

  private static TaskOutcome outcome(JsonNode request, List<FieldError> errors) {
    String example =
        "send {\"token\":…, \"result\":{…}} or {\"token\":…, \"error\":{\"type\":\"Timeout\","
            + " \"message\":\"…\", \"retryable\":true}}";
    boolean hasResult = request.has("result");
    JsonNode error = request.get("error");
    boolean hasError = error != null && !error.isNull();
    if (hasResult == hasError) {
      errors.add(
          new FieldError(
              hasResult ? "error" : "result",
              hasResult ? "is given with result" : "is required (or error)",
              example));
      return null;
    }
    if (hasResult) {
      return TaskOutcome.success(request.get("result"));
    }
    if (!error.isObject()) {
      errors.add(new FieldError("error", "must be an object", example));
      return null;
    }
    for (Iterator<String> names = error.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!Set.of("type", "message", "retryable").contains(name)) {
        errors.add(
            new FieldError(
                "error." + name, "unknown field", "an error has type, message, retryable"));
      }
    }
    JsonNode type = error.get("type");
    if (type == null || !type.isTextual() || type.textValue().isBlank()) {
      errors.add(
          new FieldError(
              "error.type",
              "is required, a non-empty string",
              "name the kind of failure, e.g. Timeout"));
    }
    JsonNode message = error.get("message");
    if (message != null && !message.isNull() && !message.isTextual()) {
      errors.add(new FieldError("error.message", "must be a string", "describe the failure"));
    }
    JsonNode retryable = error.get("retryable");
    if (retryable != null && !retryable.isNull() && !retryable.isBoolean()) {
      errors.add(
          new FieldError(
              "error.retryable",
              "must be true or false",
              "true if another attempt may succeed (the default), false to fail the task now"));
    }
    if (type == null || !type.isTextual()) {
      return null;
    }
    String text = message == null || !message.isTextual() ? "" : message.textValue();
    boolean again = retryable == null || !retryable.isBoolean() || retryable.booleanValue();
    return again
        ? TaskOutcome.retryable(type.textValue(), text)
        : TaskOutcome.permanent(type.textValue(), text);
  }

  private static String token(JsonNode request, List<FieldError> errors) {
    JsonNode token = request.get("token");
    if (token == null || !token.isTextual() || token.textValue().isEmpty()) {
      errors.add(new FieldError("token", "is required, a string", TOKEN_FIX));
      return null;
    }
    return token.textValue();
  }

  private static InvalidInputException badToken(String runId, int taskNumber) {
    return new InvalidInputException(
        "token", "is not a token of a claim of task " + taskNumber + " of run " + runId, TOKEN_FIX);
  }

  private static HttpResponse leaseLost(String runId, int taskNumber, TaskRecord current) {
    return HttpResponse.error(
        409,
        "LeaseLost",
        "the claim this token names no longer holds task "
            + taskNumber
            + " of run "
            + runId
            + (current == null
                ? ""
                : " (now " + current.status() + ", attempt " + current.attempt() + ")")
            + ": its lease ended and another claim took it over, or it was already recorded;"
            + " drop the task and claim again");
  }

  /** The body as a JSON object with only {@code fields}; an empty body is an empty object. */
  private static JsonNode object(String body, Set<String> fields) {
    if (body == null || body.isBlank()) {
      return Json.object();
    }
    String example = "send a JSON object with " + fields.stream().sorted().toList();
    JsonNode node;
    try {
      node = Json.parse(body);
    } catch (JsonProcessingException e) {
      throw new InvalidInputException(
          "body", "the body is not valid JSON: " + e.getOriginalMessage(), example);
    }
    if (!node.isObject()) {
      throw new InvalidInputException("body", "the body is not a JSON object", example);
    }
    List<FieldError> errors = new ArrayList<>();
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!fields.contains(name)) {
        errors.add(
            new FieldError(name, "unknown field", "use only " + fields.stream().sorted().toList()));
      }
    }
    if (!errors.isEmpty()) {
      throw new InvalidInputException(errors);
    }
    return node;
  }
}
