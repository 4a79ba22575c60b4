package io.hubspoke.core.metrics;

import static io.hubspoke.contract.RunMetricNames.NAMESPACE;
import static io.hubspoke.contract.RunMetricNames.RUNS_FAILED;
import static io.hubspoke.contract.RunMetricNames.RUNS_SUCCEEDED;
import static io.hubspoke.contract.RunMetricNames.TABLE_NAME;

import io.hubspoke.contract.HubspokeEnvironment;
import io.hubspoke.core.model.RunStatus;
import java.io.PrintStream;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The metrics the functions emit, named once for the functions that write them and for the CDK
 * stack that alarms on them ({@link io.hubspoke.contract.RunMetricNames}): one EMF line per run
 * that reaches its final status.
 */
public final class RunMetrics {
  /** Set by Lambda to the function's name, and by nothing else. */
  static final String LAMBDA_FUNCTION_NAME = "AWS_LAMBDA_FUNCTION_NAME";

  private RunMetrics() {}

  /** Records that {@code runId} reached its final {@code status} at {@code at}. */
  public static void runFinished(String runId, RunStatus status, Instant at) {
    runFinished(System.getenv(), System.out, runId, status, at);
  }

  /**
   * Writes the line only inside Lambda, which ships standard output to CloudWatch Logs. Elsewhere
   * standard output belongs to the program (the CLI prints its results there) and no metric could
   * be extracted from it anyway.
   */
  static void runFinished(
      Map<String, String> env, PrintStream out, String runId, RunStatus status, Instant at) {
    String function = env.get(LAMBDA_FUNCTION_NAME);
    String table = env.get(HubspokeEnvironment.TABLE_NAME);
    if (function == null || function.isBlank() || table == null || table.isBlank()) {
      return;
    }
    // One write of one line: concurrent writers cannot interleave inside it.
    out.print(runFinishedLine(table, runId, status, at) + "\n");
    out.flush();
  }

  /** The EMF line of a run that reached {@code status}. */
  public static String runFinishedLine(
      String tableName, String runId, RunStatus status, Instant at) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    counts.put(RUNS_SUCCEEDED, status == RunStatus.SUCCEEDED ? 1 : 0);
    counts.put(RUNS_FAILED, status == RunStatus.FAILED ? 1 : 0);
    Map<String, String> properties = new LinkedHashMap<>();
    properties.put("runId", runId);
    properties.put("status", status.name());
    return Emf.line(NAMESPACE, Map.of(TABLE_NAME, tableName), counts, properties, at);
  }
}
