package io.hubspoke.core.worker;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hubspoke.contract.HubspokeEnvironment;
import io.hubspoke.contract.json.Json;
import io.hubspoke.contract.validation.FieldError;
import io.hubspoke.contract.workers.LambdaFunctionName;
import io.hubspoke.contract.workers.LambdaWorkerConfig;
import io.hubspoke.contract.workers.WorkerFunctions;
import io.hubspoke.worker.TaskContext;
import io.hubspoke.worker.TaskOutcome;
import io.hubspoke.worker.TaskWorker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import software.amazon.awssdk.services.lambda.LambdaClient;

/**
 * Invokes the run's Lambda function ({@code workerConfig.function}) synchronously, once per task,
 * with {@code {"runId","taskId","attempt","item","deadline"}} (the deadline as ISO-8601): the
 * function may be written in any language, or be a container image. Its JSON response is the task's
 * result. A function error fails the task, retryably unless its payload says otherwise (an {@code
 * errorType} ending in {@value LambdaWorkerConfig#NON_RETRYABLE_SUFFIX}, or {@code "retryable":
 * false}). Throttling and Lambda's 5xx are retried by the SDK until the task's deadline, which also
 * bounds the whole call.
 *
 * <p>Only the functions the deployment allows ({@link WorkerFunctions}, from {@link
 * HubspokeEnvironment#WORKER_FUNCTIONS}) can be named: the hub refuses a run naming another, and
 * the spoke checks again before it invokes. The registry's instance allows none until {@link
 * WorkerRegistry#boundTo} gives it the function's environment and Lambda client.
 */
public final class LambdaWorker implements TaskWorker {
  /** The most of a function's error payload kept when it is not the documented JSON. */
  static final int MAX_RAW_ERROR_CHARS = 4096;

  private final LambdaWorkerConfig rules;
  private final Supplier<LambdaClient> client;

  /** Allows no function: what a registry holds until it is bound to a function's environment. */
  public LambdaWorker() {
    this(
        LambdaWorkerConfig.SCHEMA,
        () -> {
          throw new IllegalStateException(
              "this lambda worker has no Lambda client: bind the registry to the function's"
                  + " environment (WorkerRegistry.boundTo)");
        });
  }

  LambdaWorker(LambdaWorkerConfig rules, Supplier<LambdaClient> client) {
    this.rules = rules;
    this.client = client;
  }

  /**
   * The worker of a function with {@code env}: it allows the functions of {@link
   * HubspokeEnvironment#WORKER_FUNCTIONS} and invokes them with {@code client}, asked for on the
   * first task (so a function that never runs one never builds a Lambda client).
   */
  public static LambdaWorker forEnvironment(
      HubspokeEnvironment env, Supplier<LambdaClient> client) {
    return new LambdaWorker(
        LambdaWorkerConfig.allowing(WorkerFunctions.fromEnvironment(env)), client);
  }

  @Override
  public String name() {
    return "lambda";
  }

  @Override
  public List<FieldError> validateConfig(JsonNode config) {
    return rules.validateConfig(config);
  }

  @Override
  public TaskOutcome execute(TaskContext context) throws InterruptedException {
    String function = context.config().path("function").asText();
    LambdaFunctionName name;
    try {
      name = LambdaFunctionName.parse(function);
    } catch (LambdaFunctionName.InvalidFunctionNameException e) {
      return TaskOutcome.permanent(
          "InvalidConfig", "workerConfig.function '" + function + "' " + e.getMessage());
    }
    if (!rules.allowed().allows(name)) {
      // The hub checked it at submission; the spoke's list may have changed since.
      return TaskOutcome.permanent(
          "FunctionNotAllowed",
          "this spoke may not invoke '"
              + function
              + "' ("
              + (rules.allowed().isEmpty() ? "it allows none" : "it allows " + rules.allowed())
              + "): add it to hubspoke:workerFunctions and deploy");
    }
    byte[] payload = payload(context);
    if (payload.length > LambdaWorkerConfig.MAX_PAYLOAD_BYTES) {
      return TaskOutcome.permanent(
          "PayloadTooLarge",
          String.format(
              Locale.ROOT,
              "the invocation payload is %,d bytes; Lambda takes at most %,d",
              payload.length,
              LambdaWorkerConfig.MAX_PAYLOAD_BYTES));
    }
    Duration remaining = context.remaining();
    if (remaining.isZero()) {
      return TaskOutcome.retryable("Timeout", "no time left before the task deadline");
    }
    return LambdaInvocation.invoke(client.get(), function, payload, context.deadline(), remaining);
  }

  /** The event the function receives. */
  static byte[] payload(TaskContext context) {
    ObjectNode event = Json.object();
    event.put("runId", context.runId());
    event.put("taskId", context.taskId());
    event.put("attempt", context.attempt());
    event.set("item", context.item());
    event.put("deadline", context.deadline().toString());
    return Json.write(event).getBytes(StandardCharsets.UTF_8);
  }

  /** A response without a function error: its JSON is the result. */
  static TaskOutcome result(String function, byte[] payload) {
    String text = new String(payload, StandardCharsets.UTF_8);
    try {
      JsonNode result = Json.parse(text);
      // An empty response (a function that returns nothing) reads as no value: null.
      return TaskOutcome.success(result.isMissingNode() ? NullNode.getInstance() : result);
    } catch (JsonProcessingException e) {
      return TaskOutcome.permanent(
          "InvalidFunctionResult",
          String.format(
              Locale.ROOT,
              "function %s returned %,d bytes that are not JSON (%s): return a JSON value",
              function,
              payload.length,
              e.getOriginalMessage()));
    }
  }

  /**
   * A response with {@code X-Amz-Function-Error}: Lambda's error payload, {@code
   * {"errorType","errorMessage",…}}, as the runtime or the function wrote it.
   */
  static TaskOutcome.Failure functionError(String function, String header, String payload) {
    JsonNode error;
    try {
      error = Json.parse(payload);
    } catch (JsonProcessingException e) {
      error = null;
    }
    String raw =
        payload.length() > MAX_RAW_ERROR_CHARS
            ? payload.substring(0, MAX_RAW_ERROR_CHARS)
            : payload;
    String unexplained = "function " + function + " failed (" + header + "): " + raw;
    if (error == null || !error.isObject()) {
      return new TaskOutcome.Failure("FunctionError", unexplained, true);
    }
    String errorType = error.path("errorType").asText("");
    String message = error.path("errorMessage").asText("");
    JsonNode retryableField = error.path(LambdaWorkerConfig.RETRYABLE_FIELD);
    boolean markedNonRetryable =
        errorType.endsWith(LambdaWorkerConfig.NON_RETRYABLE_SUFFIX)
            || retryableField.isBoolean() && !retryableField.booleanValue();
    return new TaskOutcome.Failure(
        errorType.isEmpty() ? "FunctionError" : errorType,
        message.isEmpty() ? unexplained : message,
        !markedNonRetryable);
  }
}
