package io.hubspoke.contract;

import java.util.Map;
import java.util.Optional;

/**
 * The environment variables every hubspoke function reads. The CDK stack sets them on the Lambda
 * functions and the local runtime passes the same names to the same handlers; endpoints come from
 * the AWS SDK's standard {@code AWS_ENDPOINT_URL_<SERVICE>} variables, which are unset on AWS.
 */
public final class HubspokeEnvironment {
  public static final String TABLE_NAME = "HUBSPOKE_TABLE_NAME";
  public static final String QUEUE_URL = "HUBSPOKE_QUEUE_URL";
  public static final String DEAD_LETTER_QUEUE_URL = "HUBSPOKE_DEAD_LETTER_QUEUE_URL";
  public static final String EVENT_BUS_NAME = "HUBSPOKE_EVENT_BUS_NAME";

  /** The hub's dispatch queue: one message per chunk of a submitted run (hub and collector). */
  public static final String DISPATCH_QUEUE_URL = "HUBSPOKE_DISPATCH_QUEUE_URL";

  public static final String DISPATCH_DEAD_LETTER_QUEUE_URL =
      "HUBSPOKE_DISPATCH_DEAD_LETTER_QUEUE_URL";

  /**
   * Seconds a chunk's dispatch lease outlasts its dispatcher's deadline (default 30): every task
   * write is aborted at that deadline, so none is in flight when another dispatcher takes over.
   */
  public static final String DISPATCH_LEASE_MARGIN_SECONDS =
      "HUBSPOKE_DISPATCH_LEASE_MARGIN_SECONDS";

  /** Seconds a lease outlasts the task deadline, to record the outcome (default 10). */
  public static final String LEASE_GRACE_SECONDS = "HUBSPOKE_LEASE_GRACE_SECONDS";

  /**
   * The spoke function's timeout in seconds: the hub refuses a task timeout the spoke cannot give
   * whole (unset: only the API's own bound).
   */
  public static final String SPOKE_TIMEOUT_SECONDS = "HUBSPOKE_SPOKE_TIMEOUT_SECONDS";

  /** Seconds a collector holds a run while summarizing it (default 360). */
  public static final String SUMMARY_LEASE_SECONDS = "HUBSPOKE_SUMMARY_LEASE_SECONDS";

  /**
   * Days after its creation when every item of a run expires and DynamoDB TTL may delete it
   * (default 30). A run must finish within that time.
   */
  public static final String RETENTION_DAYS = "HUBSPOKE_RETENTION_DAYS";

  /**
   * Seconds a task may stay unclaimed after it became due (its message receivable, or its lease
   * ended) before the sweep sends it again, and a dispatch may make no progress before the sweep
   * resumes it (default 60).
   */
  public static final String STALL_MARGIN_SECONDS = "HUBSPOKE_STALL_MARGIN_SECONDS";

  /**
   * The Lambda functions the {@code lambda} worker may invoke, comma-separated: names, ARNs or
   * partial ARNs, each optionally qualified ({@code resize}, {@code resize:live}, {@code
   * arn:aws:lambda:eu-west-1:123456789012:function:resize}). An entry without a qualifier allows
   * the function under any alias or version. The stack sets it from {@code
   * hubspoke:workerFunctions} (hub and spoke); unset, a run naming the {@code lambda} worker is
   * refused.
   */
  public static final String WORKER_FUNCTIONS = "HUBSPOKE_WORKER_FUNCTIONS";

  /**
   * The spoke function the hub and the sweep invoke for a push run's tasks ({@code dispatch:
   * push}): on AWS the ARN of the spoke's alias, which is all the hub may invoke; locally the
   * spoke's name in the local Lambda endpoint. Unset, a push run's tasks are left to the sweep,
   * which cannot push either: a deployment that offers push sets it on the hub and the collector.
   */
  public static final String SPOKE_FUNCTION = "HUBSPOKE_SPOKE_FUNCTION";

  public static final String AWS_REGION = "AWS_REGION";
  public static final String ENDPOINT_DYNAMODB = "AWS_ENDPOINT_URL_DYNAMODB";
  public static final String ENDPOINT_SQS = "AWS_ENDPOINT_URL_SQS";
  public static final String ENDPOINT_EVENTBRIDGE = "AWS_ENDPOINT_URL_EVENTBRIDGE";
  public static final String ENDPOINT_LAMBDA = "AWS_ENDPOINT_URL_LAMBDA";

  private final Map<String, String> variables;

  public HubspokeEnvironment(Map<String, String> variables) {
    this.variables = Map.copyOf(variables);
  }

  public static HubspokeEnvironment fromSystem() {
    return new HubspokeEnvironment(System.getenv());
  }

  public String required(String name) {
    String value = variables.get(name);
    if (value == null || value.isBlank()) {
      throw new IllegalStateException(
          "environment variable " + name + " is not set: the function cannot start without it");
    }
    return value;
  }

  public Optional<String> optional(String name) {
    return Optional.ofNullable(variables.get(name)).filter(v -> !v.isBlank());
  }

  public long number(String name, long defaultValue) {
    Optional<String> value = optional(name);
    if (value.isEmpty()) {
      return defaultValue;
    }
    try {
      return Long.parseLong(value.get().trim());
    } catch (NumberFormatException e) {
      throw new IllegalStateException(
          "environment variable " + name + " must be a whole number, not '" + value.get() + "'");
    }
  }

  public Map<String, String> asMap() {
    return variables;
  }
}
