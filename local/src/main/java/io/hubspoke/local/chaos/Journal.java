package io.hubspoke.local.chaos;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What happened to each task, as observed at the seams: every worker execution (the side effects,
 * with task id and attempt) and every applied claim and terminal write (from the store's successful
 * responses). The invariant checker reads it.
 */
public final class Journal {
  /**
   * An applied write to a task item: the task's version after it, and for a claim the store time of
   * the claim and its lease expiry (epoch ms).
   */
  public record Write(String kind, String owner, long version, long at, long leaseUntil) {}

  private final Map<String, List<String>> executions = new ConcurrentHashMap<>();
  private final Map<String, List<Write>> writes = new ConcurrentHashMap<>();

  public void execution(String taskId, int attempt) {
    executions.computeIfAbsent(taskId, k -> new CopyOnWriteArrayList<>()).add("attempt " + attempt);
  }

  /**
   * @param taskKey the task item's {@code pk|sk}
   */
  public void write(String taskKey, Write write) {
    writes.computeIfAbsent(taskKey, k -> new CopyOnWriteArrayList<>()).add(write);
  }

  public Map<String, List<String>> executions() {
    return executions;
  }

  public Map<String, List<Write>> writes() {
    return writes;
  }

  public void clear() {
    executions.clear();
    writes.clear();
  }
}
