package io.hubspoke.core.worker;

import io.hubspoke.core.aws.CallDeadline;
import io.hubspoke.worker.TaskOutcome;
import java.time.Duration;
import java.time.Instant;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.InvokeRequest;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.RequestTooLargeException;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;
import software.amazon.awssdk.services.lambda.model.TooManyRequestsException;

/**
 * One synchronous Invoke and what its answer means for the task. Kept apart from {@link
 * LambdaWorker} so that only a spoke running a {@code lambda} task loads the SDK's Lambda classes.
 */
final class LambdaInvocation {
  private LambdaInvocation() {}

  /**
   * Invokes {@code function} with {@code payload}, retrying throttling and 5xx as the SDK's retry
   * strategy does but never past {@code deadline} ({@link CallDeadline}), and aborting the call
   * itself, an attempt in flight included, after {@code remaining}.
   */
  static TaskOutcome invoke(
      LambdaClient client, String function, byte[] payload, Instant deadline, Duration remaining)
      throws InterruptedException {
    InvokeRequest request =
        InvokeRequest.builder()
            .functionName(function)
            .invocationType(InvocationType.REQUEST_RESPONSE)
            .payload(SdkBytes.fromByteArrayUnsafe(payload))
            .overrideConfiguration(config -> config.apiCallTimeout(remaining))
            .build();
    InvokeResponse response;
    try {
      response = CallDeadline.within(deadline, () -> client.invoke(request));
    } catch (ResourceNotFoundException e) {
      return TaskOutcome.permanent(
          "FunctionNotFound",
          "function "
              + function
              + " does not exist, or has no such alias or version, in the spoke's region: "
              + e.awsErrorDetails().errorMessage());
    } catch (TooManyRequestsException e) {
      return TaskOutcome.retryable(
          "Throttled",
          "Lambda throttled function "
              + function
              + " until the task's deadline ("
              + e.awsErrorDetails().errorMessage()
              + "): raise its concurrency, or give the run fewer spokes at once");
    } catch (RequestTooLargeException e) {
      return TaskOutcome.permanent("PayloadTooLarge", e.awsErrorDetails().errorMessage());
    } catch (AwsServiceException e) {
      return serviceError(function, e);
    } catch (ApiCallTimeoutException e) {
      return TaskOutcome.retryable(
          "Timeout",
          "function "
              + function
              + " did not answer within the task's remaining "
              + remaining.toMillis()
              + " ms");
    } catch (AbortedException e) {
      if (Thread.currentThread().isInterrupted()) {
        throw new InterruptedException("interrupted while invoking " + function);
      }
      return TaskOutcome.retryable("Timeout", "the invocation of " + function + " was aborted");
    } catch (SdkException e) {
      return TaskOutcome.retryable(
          "ConnectionError",
          "could not invoke function " + function + " (no response): " + e.getMessage());
    }
    if (response.functionError() != null) {
      return LambdaWorker.functionError(
          function, response.functionError(), response.payload().asUtf8String());
    }
    return LambdaWorker.result(function, response.payload().asByteArrayUnsafe());
  }

  /**
   * Lambda's other errors, once the SDK's retries are spent: a 5xx, or a conflict while the
   * function is being updated, may pass; anything else (access denied, a bad request, a function
   * that is misconfigured) will not.
   */
  private static TaskOutcome serviceError(String function, AwsServiceException e) {
    int status = e.statusCode();
    String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
    String type = code == null || code.isBlank() ? "Http" + status : code;
    String message =
        "Invoke of "
            + function
            + " failed with HTTP "
            + status
            + " "
            + type
            + ": "
            + (e.awsErrorDetails() == null ? e.getMessage() : e.awsErrorDetails().errorMessage());
    if (status == 403) {
      return TaskOutcome.permanent(
          type,
          message
              + " (the spoke's role may invoke only the functions in hubspoke:workerFunctions)");
    }
    return status >= 500 || status == 429 || status == 409
        ? TaskOutcome.retryable(type, message)
        : TaskOutcome.permanent(type, message);
  }
}
