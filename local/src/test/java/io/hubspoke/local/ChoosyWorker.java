package io.hubspoke.local;

import com.fasterxml.jackson.databind.JsonNode;
import io.hubspoke.contract.json.Json;
import io.hubspoke.contract.validation.FieldError;
import io.hubspoke.worker.TaskContext;
import io.hubspoke.worker.TaskOutcome;
import io.hubspoke.worker.TaskWorker;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;

/**
 * Fails (for good) the items its test names, per key (its config's {@code key}: known before the
 * run is submitted); blocks on a latch when asked; counts its runs of each task.
 */
final class ChoosyWorker implements TaskWorker {
  final Map<String, IntPredicate> failing = new ConcurrentHashMap<>();
  final Map<String, CountDownLatch> gates = new ConcurrentHashMap<>();
  final Map<String, AtomicInteger> executions = new ConcurrentHashMap<>();

  @Override
  public String name() {
    return "choosy";
  }

  @Override
  public List<FieldError> validateConfig(JsonNode config) {
    return List.of();
  }

  @Override
  public TaskOutcome execute(TaskContext context) throws InterruptedException {
    String key = context.config().path("key").asText();
    executions
        .computeIfAbsent(key + "/" + context.taskIndex(), id -> new AtomicInteger())
        .incrementAndGet();
    CountDownLatch gate = gates.get(key);
    if (gate != null && !gate.await(2, TimeUnit.MINUTES)) {
      return TaskOutcome.retryable("Blocked", "the test never opened the gate");
    }
    long workMillis = context.config().path("ms").asLong(0);
    if (workMillis > 0) {
      Thread.sleep(workMillis); // the duration of the user's work, not a wait for a condition
    }
    int item = context.item().asInt();
    if (failing.getOrDefault(key, i -> false).test(item)) {
      return TaskOutcome.permanent("Chosen", "item " + item + " fails this round");
    }
    return TaskOutcome.success(Json.object().put("item", item));
  }

  int executionsOf(String key, int index) {
    AtomicInteger count = executions.get(key + "/" + index);
    return count == null ? 0 : count.get();
  }
}
