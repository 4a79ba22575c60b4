package io.hubspoke.contract.workers;

import io.hubspoke.contract.HubspokeEnvironment;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The Lambda functions a deployment's {@code lambda} worker may invoke ({@link
 * HubspokeEnvironment#WORKER_FUNCTIONS}, set by the stack from {@code hubspoke:workerFunctions}):
 * the hub refuses a run naming another, and the spoke invokes none other, since the spoke's role is
 * granted {@code lambda:InvokeFunction} on these alone.
 */
public final class WorkerFunctions {
  private static final WorkerFunctions NONE = new WorkerFunctions(List.of(), null);

  private final List<LambdaFunctionName> allowed;
  private final String region;

  private WorkerFunctions(List<LambdaFunctionName> allowed, String region) {
    this.allowed = List.copyOf(allowed);
    this.region = region;
  }

  /** Allows no function: a run naming the {@code lambda} worker is refused. */
  public static WorkerFunctions none() {
    return NONE;
  }

  /**
   * @param list comma-separated names or ARNs, as in {@link HubspokeEnvironment#WORKER_FUNCTIONS}
   * @param region the deployment's region, which an entry or a request without one refers to
   * @throws IllegalArgumentException naming the entry that is not a function name or ARN
   */
  public static WorkerFunctions parse(String list, String region) {
    List<LambdaFunctionName> allowed = new ArrayList<>();
    for (String entry : list.split(",")) {
      String trimmed = entry.trim();
      if (trimmed.isEmpty()) {
        continue;
      }
      try {
        allowed.add(LambdaFunctionName.parse(trimmed));
      } catch (LambdaFunctionName.InvalidFunctionNameException e) {
        throw new IllegalArgumentException(
            "'" + trimmed + "' " + e.getMessage() + ": " + LambdaFunctionName.FORMATS, e);
      }
    }
    return new WorkerFunctions(allowed, region);
  }

  /**
   * From entries already parsed, e.g. the stack's {@code hubspoke:workerFunctions} at synth. No
   * deployment region is known, so an entry and a request agree on the region wherever either
   * leaves it out, as they do in {@link #parse} given a null region.
   */
  public static WorkerFunctions of(List<LambdaFunctionName> allowed) {
    return new WorkerFunctions(allowed, null);
  }

  /** From {@link HubspokeEnvironment#WORKER_FUNCTIONS}; a function cannot start with a bad list. */
  public static WorkerFunctions fromEnvironment(HubspokeEnvironment env) {
    String list = env.optional(HubspokeEnvironment.WORKER_FUNCTIONS).orElse("");
    try {
      return parse(list, env.optional(HubspokeEnvironment.AWS_REGION).orElse(null));
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(
          "environment variable "
              + HubspokeEnvironment.WORKER_FUNCTIONS
              + " lists "
              + e.getMessage(),
          e);
    }
  }

  public boolean allows(LambdaFunctionName requested) {
    return allowed.stream().anyMatch(entry -> entry.allows(requested, region));
  }

  public boolean isEmpty() {
    return allowed.isEmpty();
  }

  public List<LambdaFunctionName> entries() {
    return allowed;
  }

  /** The list as the environment variable spells it. */
  @Override
  public String toString() {
    return allowed.stream().map(LambdaFunctionName::toString).collect(Collectors.joining(","));
  }
}
