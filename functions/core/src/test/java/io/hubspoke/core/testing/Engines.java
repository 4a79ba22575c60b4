package io.hubspoke.core.testing;

import io.hubspoke.contract.HubspokeEnvironment;
import io.hubspoke.core.aws.AwsClients;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/**
 * The engines a contract test runs against, seen only through their endpoints: the contract builds
 * its clients with {@link AwsClients#fromEnvironment}, exactly as the functions do, so the same
 * test class runs against the embedded engines and against LocalStack.
 */
public interface Engines extends AutoCloseable {
  /** The AWS services the contracts use. */
  enum Service {
    DYNAMODB,
    SQS,
    EVENTS
  }

  String TABLE = "hubspoke-contract";
  String BUS = "hubspoke-contract-bus";

  /** What the test reports, e.g. "embedded" or "LocalStack localstack/localstack:4.4". */
  String name();

  /**
   * The region, credentials and {@code AWS_ENDPOINT_URL_<SERVICE>} variables for clients of {@code
   * services}, starting those services first if they are not running yet.
   */
  Map<String, String> environment(Service... services);

  /**
   * Routes the events on {@link #BUS} that match {@code pattern} (an EventBridge pattern) to where
   * the test can read them back. How is engine-specific: the embedded bus takes a target in this
   * JVM; on LocalStack, as on AWS, the rule's target is an SQS queue.
   */
  Subscription subscribe(String ruleName, String pattern);

  /** Events a rule delivered. */
  interface Subscription {
    /** The full event envelopes delivered so far (waits briefly for more on a queue target). */
    List<String> events();
  }

  /** Runs {@code action} once per engines instance, e.g. to create the table. */
  void once(String what, Runnable action);

  default AwsClients clients(Service... services) {
    return AwsClients.fromEnvironment(new HubspokeEnvironment(environment(services)));
  }

  default AwsClients clients(List<ExecutionInterceptor> interceptors, Service... services) {
    return AwsClients.fromEnvironment(new HubspokeEnvironment(environment(services)), interceptors);
  }

  @Override
  void close();
}
