package io.hubspoke.contract.workers;

import com.fasterxml.jackson.databind.JsonNode;
import io.hubspoke.contract.validation.FieldError;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The {@code lambda} worker's settings: {@code function}, the Lambda function each task invokes
 * synchronously (a name or ARN, optionally {@code :alias}; see {@link LambdaFunctionName}), which
 * must be one the deployment allows ({@link WorkerFunctions}).
 *
 * <p>What a function returns, and how it says a failure is not worth retrying, is the contract
 * below; the worker (in core) implements it and docs/local-runtime.md documents it for users.
 */
public final class LambdaWorkerConfig implements WorkerConfigSchema {
  /** The configuration every catalog has unless told which functions a deployment allows. */
  public static final LambdaWorkerConfig SCHEMA = new LambdaWorkerConfig(WorkerFunctions.none());

  /** Lambda's limit on a synchronous invocation's request (and response) payload: 6 MB. */
  public static final int MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;

  /**
   * A function error whose {@code errorType} ends with this fails the task without a retry. On a
   * managed runtime the error type is the exception's class name, so raising e.g. {@code
   * BadItemNonRetryable} (Python) or {@code com.example.BadItemNonRetryable} (Java) is enough.
   */
  public static final String NON_RETRYABLE_SUFFIX = "NonRetryable";

  /**
   * A function error whose payload has {@code "retryable": false} fails the task without a retry,
   * for runtimes where the function writes its error payload itself (custom runtimes, local command
   * functions).
   */
  public static final String RETRYABLE_FIELD = "retryable";

  private static final String NOT_ALLOWED = "is not a function this deployment may invoke";

  private final WorkerFunctions allowed;

  private LambdaWorkerConfig(WorkerFunctions allowed) {
    this.allowed = allowed;
  }

  /** The rules with the functions a deployment allows. */
  public static LambdaWorkerConfig allowing(WorkerFunctions allowed) {
    return new LambdaWorkerConfig(allowed);
  }

  public WorkerFunctions allowed() {
    return allowed;
  }

  /**
   * The request fields the parser reports this configuration's {@code function} under: the {@code
   * lambda} worker's, and a {@code lambda} source's (which follows the same rules).
   */
  public static final Set<String> FUNCTION_FIELDS =
      Set.of("workerConfig.function", "source.function");

  /**
   * Whether {@code error} (as the request parser reports it) only says that a function, the {@code
   * lambda} worker's or a {@code lambda} source's, is not among the allowed ones, which only the
   * deployment that runs it can tell.
   */
  public static boolean isNotAllowed(FieldError error) {
    return FUNCTION_FIELDS.contains(error.field()) && error.message().contains(NOT_ALLOWED);
  }

  @Override
  public String name() {
    return "lambda";
  }

  @Override
  public List<FieldError> validateConfig(JsonNode config) {
    List<FieldError> errors = new ArrayList<>();
    WorkerConfigs.rejectUnknown(config, Set.of("function"), errors);
    JsonNode function = config.get("function");
    if (function == null || !function.isTextual()) {
      errors.add(
          new FieldError(
              "function",
              "is required and must be a string",
              "name the Lambda function each task invokes: " + LambdaFunctionName.FORMATS));
      return errors;
    }
    LambdaFunctionName name;
    try {
      name = LambdaFunctionName.parse(function.textValue());
    } catch (LambdaFunctionName.InvalidFunctionNameException e) {
      errors.add(
          new FieldError(
              "function",
              "is not a Lambda function name or ARN: it " + e.getMessage(),
              LambdaFunctionName.FORMATS));
      return errors;
    }
    if (!allowed.allows(name)) {
      errors.add(
          new FieldError(
              "function",
              "'"
                  + function.textValue()
                  + "' "
                  + NOT_ALLOWED
                  + " ("
                  + (allowed.isEmpty() ? "it allows none" : "it allows " + allowed)
                  + ")",
              "add it to the stack's hubspoke:workerFunctions context and deploy (locally:"
                  + " --function NAME=COMMAND), or name an allowed one"));
    }
    return errors;
  }
}
