package io.hubspoke.core.queue;

import io.hubspoke.core.aws.Backoff;
import io.hubspoke.core.model.PushEvent;
import io.hubspoke.core.model.RunSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvocationType;

/**
 * Hands a push run's tasks to the spoke function: one asynchronous invocation (Lambda {@code
 * Invoke}, type {@code Event}) per {@link PushEvent#MAX_TASKS} tasks. Lambda answers 202 once the
 * event is queued on its side; from then on its own retries (two, on a function error) and the
 * alias's on-failure destination take over, and the sweep sends any task that still was not
 * claimed. An invocation refused for a passing reason (throttling, 429; Lambda's own 5xx; no
 * answer) is tried again with backoff, beyond the SDK's own retries; one still refused is left to
 * the sweep and reported to the caller: its tasks are PENDING and due, so the sweep finds them
 * overdue a stall margin later.
 */
public final class SpokeInvoker {
  private static final Logger LOG = Logger.getLogger(SpokeInvoker.class.getName());

  private final Supplier<LambdaClient> lambda;
  private final String functionName;
  private final Backoff backoff;

  /**
   * @param lambda the function instance's one Lambda client (built on the first push)
   * @param functionName the spoke function (on AWS its alias's ARN), or null if this deployment
   *     names none: then nothing can be pushed
   */
  public SpokeInvoker(Supplier<LambdaClient> lambda, String functionName, Backoff backoff) {
    this.lambda = lambda;
    this.functionName = functionName;
    this.backoff = backoff;
  }

  /**
   * Invokes the spoke with the tasks, ten at a time.
   *
   * @return the tasks whose invocation was refused after every retry (none if all were accepted)
   */
  public List<Integer> push(RunSpec spec, List<Integer> tasks) {
    if (functionName == null || functionName.isBlank()) {
      LOG.severe(
          () ->
              "run "
                  + spec.runId()
                  + " is a push run but this function has no "
                  + "HUBSPOKE_SPOKE_FUNCTION: "
                  + tasks.size()
                  + " tasks not pushed");
      return List.copyOf(tasks);
    }
    List<Integer> left = new ArrayList<>();
    for (int from = 0; from < tasks.size(); from += PushEvent.MAX_TASKS) {
      List<Integer> batch = tasks.subList(from, Math.min(tasks.size(), from + PushEvent.MAX_TASKS));
      if (!invoke(PushEvent.of(spec, batch))) {
        left.addAll(batch);
      }
    }
    return left;
  }

  private boolean invoke(PushEvent event) {
    SdkBytes payload = SdkBytes.fromUtf8String(event.toJson());
    for (int attempt = 0; ; attempt++) {
      try {
        lambda
            .get()
            .invoke(
                b ->
                    b.functionName(functionName)
                        .invocationType(InvocationType.EVENT)
                        .payload(payload));
        return true;
      } catch (AwsServiceException | SdkClientException e) {
        if (!passing(e) || attempt + 1 >= backoff.maxAttempts()) {
          LOG.log(
              Level.WARNING,
              "could not invoke "
                  + functionName
                  + " with tasks "
                  + event.tasks()
                  + " of run "
                  + event.runId()
                  + " after "
                  + (attempt + 1)
                  + " attempts",
              e);
          return false;
        }
        backoff.pause(attempt + 1);
      }
    }
  }

  /** Throttling, Lambda's own failures, a lost connection: worth another try. */
  static boolean passing(RuntimeException e) {
    if (e instanceof AwsServiceException aws) {
      return aws.isThrottlingException() || aws.statusCode() == 429 || aws.statusCode() >= 500;
    }
    return e instanceof SdkClientException;
  }
}
