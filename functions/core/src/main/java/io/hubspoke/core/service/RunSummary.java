package io.hubspoke.core.service;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hubspoke.contract.json.Json;
import io.hubspoke.core.model.TaskRecord;
import io.hubspoke.core.model.TaskStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Folds a run's tasks, one at a time, into its summary: counts, attempts, task durations
 * (p50/p95/max), failures grouped by error and the first failures with their task ids. Memory is
 * one long per task for the durations plus bounded failure lists.
 */
public final class RunSummary {
  static final int FIRST_FAILURES = 10;
  static final int MAX_ERROR_GROUPS = 20;
  private static final int GROUP_MESSAGE_CHARS = 200;

  private int total;
  private int succeeded;
  private int failed;
  private int cancelled;
  private int nonTerminal;
  private long attempts;
  private int retried;
  private long[] durations = new long[64];
  private int durationCount;
  private final Map<String, ErrorGroup> errors = new LinkedHashMap<>();
  private int otherErrors;
  private final List<TaskRecord> firstFailures = new ArrayList<>();

  private static final class ErrorGroup {
    final String errorType;
    final String message;
    int count;

    ErrorGroup(String errorType, String message) {
      this.errorType = errorType;
      this.message = message;
    }
  }

  public void add(TaskRecord task) {
    total++;
    attempts += task.attempt();
    if (task.attempt() > 1) {
      retried++;
    }
    if (task.status() == TaskStatus.SUCCEEDED) {
      succeeded++;
    } else if (task.status() == TaskStatus.CANCELLED) {
      cancelled++;
    } else if (task.status() == TaskStatus.FAILED) {
      failed++;
      String message = task.errorMessage() == null ? "" : task.errorMessage();
      if (message.length() > GROUP_MESSAGE_CHARS) {
        message = message.substring(0, GROUP_MESSAGE_CHARS);
      }
      String key = task.errorType() + "\n" + message;
      ErrorGroup group = errors.get(key);
      if (group == null && errors.size() < MAX_ERROR_GROUPS) {
        group = new ErrorGroup(task.errorType(), message);
        errors.put(key, group);
      }
      if (group != null) {
        group.count++;
      } else {
        otherErrors++;
      }
      firstFailures.add(task);
      firstFailures.sort(Comparator.comparingInt(TaskRecord::index));
      if (firstFailures.size() > FIRST_FAILURES) {
        firstFailures.remove(firstFailures.size() - 1);
      }
    } else {
      nonTerminal++;
    }
    if (task.durationMs() != null) {
      if (durationCount == durations.length) {
        durations = Arrays.copyOf(durations, durations.length * 2);
      }
      durations[durationCount++] = task.durationMs();
    }
  }

  public int succeeded() {
    return succeeded;
  }

  public int failed() {
    return failed;
  }

  public int cancelled() {
    return cancelled;
  }

  public int total() {
    return total;
  }

  public int nonTerminal() {
    return nonTerminal;
  }

  public ObjectNode toJson(Instant createdAt, Instant completedAt) {
    ObjectNode json = Json.object();
    json.put("total", total);
    json.put("succeeded", succeeded);
    json.put("failed", failed);
    json.put("cancelled", cancelled);
    json.put("attempts", attempts);
    json.put("retriedTasks", retried);
    json.put("wallClockMs", Duration.between(createdAt, completedAt).toMillis());
    long[] sorted = Arrays.copyOf(durations, durationCount);
    Arrays.sort(sorted);
    ObjectNode duration = json.putObject("taskDurationMs");
    duration.put("p50", percentile(sorted, 50));
    duration.put("p95", percentile(sorted, 95));
    duration.put("max", sorted.length == 0 ? 0 : sorted[sorted.length - 1]);
    ArrayNode groups = json.putArray("failuresByError");
    errors.values().stream()
        .sorted(Comparator.comparingInt((ErrorGroup g) -> g.count).reversed())
        .forEach(
            g ->
                groups
                    .addObject()
                    .put("errorType", g.errorType)
                    .put("message", g.message)
                    .put("count", g.count));
    if (otherErrors > 0) {
      groups
          .addObject()
          .put("errorType", "(other)")
          .put("message", "more distinct errors")
          .put("count", otherErrors);
    }
    ArrayNode first = json.putArray("firstFailures");
    for (TaskRecord task : firstFailures) {
      first
          .addObject()
          .put("taskId", task.taskId())
          .put("attempts", task.attempt())
          .put("errorType", task.errorType())
          .put("message", task.errorMessage());
    }
    return json;
  }

  /** Nearest-rank percentile of sorted values; 0 when there are none. */
  static long percentile(long[] sorted, int p) {
    if (sorted.length == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }
}
