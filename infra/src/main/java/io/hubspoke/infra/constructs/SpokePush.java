package io.hubspoke.infra.constructs;

import io.hubspoke.contract.HubspokeEnvironment;
import java.util.List;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.lambda.EventInvokeConfigOptions;
import software.amazon.awscdk.services.lambda.destinations.SqsDestination;
import software.amazon.awscdk.services.sqs.IQueue;

/**
 * Push dispatch ({@code "dispatch":"push"}): the hub, and the collector's sweep when it sends an
 * overdue task again, invoke the spoke's alias asynchronously with up to ten task keys.
 *
 * <ul>
 *   <li>they learn the alias's ARN ({@link HubspokeEnvironment#SPOKE_FUNCTION}) and may invoke that
 *       alias and nothing else: not the unqualified function, not another version;
 *   <li>the alias's asynchronous invocations are retried twice on a function error (Lambda's
 *       default, written down) within six hours, then sent to the work queue's dead-letter queue:
 *       the one place, already alarmed, where work that could not be done is kept, here with
 *       Lambda's record (the request payload names the run and its tasks, the response the error).
 *       The tasks themselves are not lost: they stay PENDING and the sweep sends them again.
 * </ul>
 */
public final class SpokePush {
  /** Lambda's retries of a failed asynchronous invocation (at most 2). */
  public static final int RETRY_ATTEMPTS = 2;

  /** How long Lambda keeps an event it could not yet run (throttled): its maximum, 6 hours. */
  public static final Duration MAX_EVENT_AGE = Duration.hours(6);

  private SpokePush() {}

  public static void apply(SpokeFunction spoke, IQueue onFailure, List<JavaFunction> pushers) {
    String aliasArn = spoke.getAlias().getFunctionArn();
    for (JavaFunction pusher : pushers) {
      pusher.getFunction().addEnvironment(HubspokeEnvironment.SPOKE_FUNCTION, aliasArn);
      pusher
          .getRole()
          .addToPrincipalPolicy(
              PolicyStatement.Builder.create()
                  .actions(List.of("lambda:InvokeFunction"))
                  .resources(List.of(aliasArn))
                  .build());
    }
    spoke
        .getAlias()
        .configureAsyncInvoke(
            EventInvokeConfigOptions.builder()
                .retryAttempts(RETRY_ATTEMPTS)
                .maxEventAge(MAX_EVENT_AGE)
                .onFailure(new SqsDestination(onFailure))
                .build());
  }
}
