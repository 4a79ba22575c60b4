package io.hubspoke.local;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import io.hubspoke.core.model.TaskMessage;
import io.hubspoke.worker.TaskContext;
import io.hubspoke.worker.TaskOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * Makes the last tasks of a run finish at once in different spoke invocations, instead of hoping
 * they do. The first task to run in each of the first {@code last} invocations is held; once every
 * other invocation of the run has ended, the held tasks are released together, and the first
 * completion-counter write of each held invocation waits until all of them are in flight. It
 * records what happened so the test can assert the race took place.
 */
final class FinishLine {
  /** One spoke invocation: the tasks its batch carried, and when it started and ended. */
  record Invocation(int id, Set<Integer> tasks, long startNanos, AtomicLong endNanos) {
    boolean ended() {
      return endNanos.get() != 0;
    }
  }

  /** How long the counter writes wait for each other; the held tasks wait up to their deadline. */
  private static final Duration PATIENCE = Duration.ofSeconds(30);

  /** Kept back from a held task's deadline to commit its result. */
  private static final Duration COMMIT_TIME = Duration.ofSeconds(5);

  private final int total;
  private final int last;
  private final AtomicInteger nextInvocation = new AtomicInteger();
  private final Map<Integer, Invocation> invocations = new ConcurrentHashMap<>();
  private final Map<Integer, Integer> invocationOfTask = new ConcurrentHashMap<>();

  /** Held task index → its invocation, in the order held; guarded by {@code this}. */
  private final Map<Integer, Integer> held = new LinkedHashMap<>();

  private volatile long releasedAtNanos;
  private final AtomicInteger counterWritesInFlight = new AtomicInteger();
  private final AtomicInteger counterWritesGated = new AtomicInteger();
  private final List<String> failures = new ArrayList<>();

  /**
   * @param total the run's task count
   * @param last how many tasks must finish together, each in its own invocation
   */
  FinishLine(int total, int last) {
    this.total = total;
    this.last = last;
  }

  /**
   * Wraps the spoke where the Lambda runtime calls it, to know which invocation runs which task.
   */
  RequestHandler<SQSEvent, SQSBatchResponse> wrap(
      RequestHandler<SQSEvent, SQSBatchResponse> spoke) {
    return (event, context) -> {
      Set<Integer> tasks = new HashSet<>();
      for (SQSEvent.SQSMessage message : event.getRecords()) {
        try {
          tasks.add(TaskMessage.parse(message.getBody()).taskIndex());
        } catch (IllegalArgumentException poison) {
          // not a task
        }
      }
      Invocation invocation =
          new Invocation(
              nextInvocation.incrementAndGet(), tasks, System.nanoTime(), new AtomicLong());
      invocations.put(invocation.id(), invocation);
      tasks.forEach(task -> invocationOfTask.put(task, invocation.id()));
      try {
        return spoke.handleRequest(event, context);
      } finally {
        invocation.endNanos().set(System.nanoTime());
      }
    };
  }

  /** The worker's behaviour: holds the chosen tasks until the finish line, then succeeds. */
  TaskOutcome run(TaskContext context) {
    Integer invocation = invocationOfTask.get(context.taskIndex());
    boolean hold;
    synchronized (this) {
      hold = invocation != null && held.size() < last && !held.containsValue(invocation);
      if (hold) {
        held.put(context.taskIndex(), invocation);
      }
    }
    if (hold) {
      awaitRelease(context.deadline().minus(COMMIT_TIME));
    }
    return RecordingWorker.succeed(context);
  }

  private void awaitRelease(Instant deadline) {
    while (releasedAtNanos == 0) {
      synchronized (this) {
        if (releasedAtNanos == 0 && readyToRelease()) {
          releasedAtNanos = System.nanoTime();
        } else if (releasedAtNanos == 0 && Instant.now().isAfter(deadline)) {
          fail("the held tasks were not released before their deadline: " + this);
          releasedAtNanos = System.nanoTime();
        }
      }
      LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
    }
  }

  /** All held, every task delivered, and every invocation but the held ones over. */
  private boolean readyToRelease() {
    return held.size() == last
        && invocationOfTask.size() == total
        && invocations.values().stream()
            .filter(i -> !held.containsValue(i.id()))
            .allMatch(Invocation::ended);
  }

  /**
   * For {@link Faults#beforeSend}: after the release, only held invocations are left to count their
   * tasks; the first {@code last} counter writes wait until all of them are in flight.
   */
  void beforeSend(SdkRequest request) {
    if (releasedAtNanos == 0
        || !(request instanceof UpdateItemRequest u)
        || !u.updateExpression().startsWith("ADD ")
        || !u.key().get("sk").s().equals("C")
        || counterWritesGated.incrementAndGet() > last) {
      return;
    }
    counterWritesInFlight.incrementAndGet();
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (counterWritesInFlight.get() < last) {
      if (System.nanoTime() > deadline) {
        fail(
            "only "
                + counterWritesInFlight.get()
                + " of "
                + last
                + " counter writes were in flight together");
        return;
      }
      LockSupport.parkNanos(Duration.ofMillis(1).toNanos());
    }
  }

  private synchronized void fail(String failure) {
    failures.add(failure);
  }

  synchronized List<String> failures() {
    return List.copyOf(failures);
  }

  synchronized Map<Integer, Integer> held() {
    return new LinkedHashMap<>(held);
  }

  Map<Integer, Invocation> invocations() {
    return invocations;
  }

  long releasedAtNanos() {
    return releasedAtNanos;
  }

  /** How many counter writes were in flight together once released (at most {@code last}). */
  int counterWritesTogether() {
    return counterWritesInFlight.get();
  }

  @Override
  public synchronized String toString() {
    long open = invocations.values().stream().filter(i -> !i.ended()).count();
    return "held "
        + held
        + ", "
        + invocationOfTask.size()
        + " of "
        + total
        + " tasks delivered, "
        + invocations.size()
        + " invocations, "
        + open
        + " still running";
  }
}
