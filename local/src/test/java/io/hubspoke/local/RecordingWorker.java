package io.hubspoke.local;

import com.fasterxml.jackson.databind.JsonNode;
import io.hubspoke.contract.json.Json;
import io.hubspoke.contract.validation.FieldError;
import io.hubspoke.worker.TaskContext;
import io.hubspoke.worker.TaskOutcome;
import io.hubspoke.worker.TaskWorker;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;

/**
 * A test worker that records every execution (task id and attempt) and whose behaviour per task and
 * attempt the test decides, e.g. to block, fail or throw on cue.
 */
final class RecordingWorker implements TaskWorker {
  record Execution(String taskId, int attempt) {}

  final Queue<Execution> executions = new ConcurrentLinkedQueue<>();
  volatile Function<TaskContext, TaskOutcome> behaviour = RecordingWorker::succeed;

  /** Where executions are also journaled for the invariant checker, if set. */
  volatile java.util.function.ObjIntConsumer<String> journal;

  /** Succeeds with the attempt as the result, so a checker can tell which attempt committed. */
  static TaskOutcome succeed(TaskContext context) {
    return TaskOutcome.success(Json.object().put("attempt", context.attempt()));
  }

  @Override
  public String name() {
    return "record";
  }

  @Override
  public List<FieldError> validateConfig(JsonNode config) {
    return List.of();
  }

  @Override
  public TaskOutcome execute(TaskContext context) {
    executions.add(new Execution(context.taskId(), context.attempt()));
    if (journal != null) {
      journal.accept(context.taskId(), context.attempt());
    }
    return behaviour.apply(context);
  }

  Map<String, Long> executionsPerTask() {
    Map<String, Long> counts = new ConcurrentHashMap<>();
    for (Execution e : executions) {
      counts.merge(e.taskId(), 1L, Long::sum);
    }
    return counts;
  }

  void reset() {
    executions.clear();
    behaviour = RecordingWorker::succeed;
  }
}
