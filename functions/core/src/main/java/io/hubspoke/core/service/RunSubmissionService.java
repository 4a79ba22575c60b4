package io.hubspoke.core.service;

import io.hubspoke.core.api.RunRequest;
import io.hubspoke.core.aws.EventPublisher;
import io.hubspoke.core.aws.TaskQueue;
import io.hubspoke.core.events.EventRules;
import io.hubspoke.core.json.Json;
import io.hubspoke.core.model.RunIds;
import io.hubspoke.core.model.RunSpec;
import io.hubspoke.core.model.RunStatus;
import io.hubspoke.core.model.Sharding;
import io.hubspoke.core.model.TaskMessage;
import io.hubspoke.core.model.TaskStatus;
import io.hubspoke.core.store.RunRecord;
import io.hubspoke.core.store.RunStore;
import io.hubspoke.core.store.TaskStore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The hub: creates a run with a conditional put, writes its tasks (BatchWriteItem) and sends their
 * messages (SendMessageBatch) chunk by chunk, then marks the run RUNNING and announces it.
 *
 * <p>A dispatch holds a lease on the run. A submission repeated with the same idempotency key after
 * that lease expired (the first hub crashed or timed out) resumes it: tasks are then written only
 * if absent, since some may already be claimed, and every message is sent again (a duplicate
 * message is harmless: the claim protocol drops it).
 */
public final class RunSubmissionService {
  private static final Logger LOG = Logger.getLogger(RunSubmissionService.class.getName());

  /**
   * Tasks per dispatch chunk: its BatchWriteItem calls (25 each), then its SendMessageBatch calls
   * (10 each). 50 is a multiple of both, so no call goes out part-empty (with 25, every chunk sent
   * 10 + 10 + 5 messages: 0.12 SendMessageBatch per task instead of 0.1).
   */
  static final int CHUNK = 2 * TaskStore.MAX_BATCH_WRITE;

  /**
   * Chunks written and sent at the same time by one hub invocation. Public for the benchmark, whose
   * unbatched baseline dispatches with the same parallelism.
   */
  public static final int DISPATCH_PARALLELISM = 8;

  private final RunStore runs;
  private final TaskStore tasks;
  private final TaskQueue queue;
  private final EventPublisher events;
  private final Clock clock;
  private final ExecutorService dispatchPool;

  public RunSubmissionService(
      RunStore runs,
      TaskStore tasks,
      TaskQueue queue,
      EventPublisher events,
      Clock clock,
      ExecutorService dispatchPool) {
    this.runs = runs;
    this.tasks = tasks;
    this.queue = queue;
    this.events = events;
    this.clock = clock;
    this.dispatchPool = dispatchPool;
  }

  /**
   * @param timeBudget how long this dispatcher may take (the Lambda's remaining time): its lease
   * @throws IdempotencyConflictException if the key belongs to a different request
   */
  public SubmitResult submit(RunRequest request, Duration timeBudget) {
    Instant now = clock.instant();
    String runId =
        request.idempotencyKey().map(RunIds::fromIdempotencyKey).orElseGet(RunIds::random);
    Sharding sharding = Sharding.forTotal(request.itemsJson().size());
    RunSpec spec =
        new RunSpec(
            runId,
            request.worker(),
            request.workerConfig(),
            request.maxAttempts(),
            request.taskTimeoutSeconds(),
            request.itemsJson().size(),
            sharding.shardCount(),
            now);
    String owner = "hub/" + UUID.randomUUID();
    String hash = requestHash(request);
    RunStore.CreateResult created =
        runs.create(spec, hash, request.idempotencyKey(), owner, now.plus(timeBudget));
    if (created instanceof RunStore.CreateResult.Existing existing) {
      RunRecord run = existing.run();
      if (!hash.equals(run.requestHash())) {
        throw new IdempotencyConflictException(run.runId());
      }
      if (run.status() == RunStatus.DISPATCHING
          && runs.takeOverDispatch(run.runId(), owner, clock.instant().plus(timeBudget))) {
        LOG.info(() -> "resuming the dispatch of run " + run.runId());
        dispatch(run.spec(), request.itemsJson(), owner, true);
        return new SubmitResult(runs.get(run.runId()).orElse(run), false);
      }
      return new SubmitResult(run, false);
    }
    dispatch(spec, request.itemsJson(), owner, false);
    return new SubmitResult(runs.get(runId).orElseThrow(), true);
  }

  private void dispatch(RunSpec spec, List<String> items, String owner, boolean resumed) {
    Sharding sharding = spec.sharding();
    Map<Integer, TaskStatus> known = resumed ? existingTasks(spec) : null;
    int chunkCount = (items.size() + CHUNK - 1) / CHUNK;
    AtomicInteger nextChunk = new AtomicInteger();
    List<Future<?>> workers = new ArrayList<>();
    for (int w = 0; w < Math.min(DISPATCH_PARALLELISM, chunkCount); w++) {
      workers.add(
          dispatchPool.submit(
              () -> {
                for (int c = nextChunk.getAndIncrement();
                    c < chunkCount;
                    c = nextChunk.getAndIncrement()) {
                  int first = c * CHUNK;
                  List<String> chunk = items.subList(first, Math.min(items.size(), first + CHUNK));
                  dispatchChunk(spec, sharding, first, chunk, known);
                }
                return null;
              }));
    }
    // Wait for every worker, even after a failure: none may still write once the lease is released.
    RuntimeException failure = null;
    for (Future<?> worker : workers) {
      try {
        worker.get();
      } catch (ExecutionException e) {
        nextChunk.set(chunkCount); // the others stop after their current chunk
        if (failure == null) {
          failure =
              e.getCause() instanceof RuntimeException runtime
                  ? runtime
                  : new IllegalStateException(e.getCause());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        nextChunk.set(chunkCount);
        if (failure == null) {
          failure = new IllegalStateException("interrupted while dispatching " + spec.runId(), e);
        }
      }
    }
    if (failure != null) {
      // A retry with the same idempotency key may resume at once instead of waiting for the lease.
      runs.releaseDispatch(spec.runId(), owner);
      throw failure;
    }
    if (runs.finishDispatch(spec.runId(), owner)) {
      try {
        events.publish(
            EventRules.RUN_STARTED,
            Json.object()
                .put("runId", spec.runId())
                .put("total", spec.total())
                .put("worker", spec.worker())
                .put("resumed", resumed));
      } catch (RuntimeException e) {
        // RunStarted informs; losing it loses no work, so it must not fail an accepted run.
        LOG.log(Level.WARNING, "RunStarted for " + spec.runId() + " was not published", e);
      }
    }
  }

  /** One paged read of what exists: far cheaper than a conditional put per item. */
  private Map<Integer, TaskStatus> existingTasks(RunSpec spec) {
    Map<Integer, TaskStatus> found = new HashMap<>();
    tasks.forEachTask(
        spec.runId(), spec.sharding(), task -> found.put(task.index(), task.status()));
    return found;
  }

  private void dispatchChunk(
      RunSpec spec,
      Sharding sharding,
      int first,
      List<String> chunk,
      Map<Integer, TaskStatus> existing) {
    List<TaskMessage> messages = new ArrayList<>(chunk.size());
    if (existing == null) {
      tasks.putNew(spec.runId(), sharding, first, chunk);
      for (int i = 0; i < chunk.size(); i++) {
        messages.add(new TaskMessage(spec.runId(), first + i));
      }
    } else {
      // Resumed: write only the tasks the first dispatcher did not (conditionally: it may still be
      // writing), and send messages only for tasks no one has claimed yet.
      for (int i = 0; i < chunk.size(); i++) {
        int index = first + i;
        TaskStatus status = existing.get(index);
        if (status == null) {
          tasks.putIfAbsent(spec.runId(), sharding, index, chunk.get(i));
          messages.add(new TaskMessage(spec.runId(), index));
        } else if (status == TaskStatus.PENDING) {
          messages.add(new TaskMessage(spec.runId(), index)); // its message may never have left
        }
      }
    }
    queue.send(messages);
  }

  /**
   * Identifies the request's content, so a reused idempotency key with other content is refused.
   */
  static String requestHash(RunRequest request) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      digest.update(
          (request.worker()
                  + "\n"
                  + Json.write(request.workerConfig())
                  + "\n"
                  + request.maxAttempts()
                  + "\n"
                  + request.taskTimeoutSeconds()
                  + "\n")
              .getBytes(StandardCharsets.UTF_8));
      for (String item : request.itemsJson()) {
        digest.update(item.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) '\n');
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
