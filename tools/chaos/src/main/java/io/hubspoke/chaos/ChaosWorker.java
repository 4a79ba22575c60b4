package io.hubspoke.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import io.hubspoke.contract.json.Json;
import io.hubspoke.contract.validation.FieldError;
import io.hubspoke.worker.TaskContext;
import io.hubspoke.worker.TaskOutcome;
import io.hubspoke.worker.TaskWorker;
import java.time.Duration;
import java.util.List;

/**
 * A worker that records each execution (its side effect) in the journal with the task id and
 * attempt, sleeps {@code ms}, and misbehaves when the injector says so: hangs past its deadline,
 * throws, or fails its first attempt.
 */
public final class ChaosWorker implements TaskWorker {
  public static final String NAME = "chaos";

  private final FaultInjector faults;
  private final Journal journal;

  public ChaosWorker(FaultInjector faults, Journal journal) {
    this.faults = faults;
    this.journal = journal;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<FieldError> validateConfig(JsonNode config) {
    return List.of();
  }

  @Override
  public TaskOutcome execute(TaskContext context) throws InterruptedException {
    journal.execution(context.taskId(), context.attempt());
    String key = context.taskId() + "@" + context.attempt();
    if (faults.fires(FaultKind.WORKER_HANG, key)) {
      // Ignores interruption, as a stuck call would: the spoke gives up at the deadline.
      long until = System.nanoTime() + context.remaining().plus(Duration.ofMillis(500)).toNanos();
      while (System.nanoTime() < until) {
        try {
          Thread.sleep(Math.max(1, (until - System.nanoTime()) / 1_000_000));
        } catch (InterruptedException ignored) {
          // keep hanging
        }
      }
      return TaskOutcome.success(Json.object().put("hung", true));
    }
    if (faults.fires(FaultKind.WORKER_CRASH, key)) {
      throw new IllegalStateException("injected: the worker crashed");
    }
    if (context.attempt() == 1 && faults.fires(FaultKind.WORKER_FLAKY, key)) {
      return TaskOutcome.retryable("Flaky", "injected: first attempt failed");
    }
    long ms = context.config().path("ms").asLong(0);
    if (ms > 0) {
      Thread.sleep(ms);
    }
    return TaskOutcome.success(Json.object().put("attempt", context.attempt()));
  }
}
