package io.hubspoke.core.service;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hubspoke.contract.EventRules;
import io.hubspoke.contract.json.Json;
import io.hubspoke.core.aws.CallDeadline;
import io.hubspoke.core.events.EventPublisher;
import io.hubspoke.core.metrics.RunMetrics;
import io.hubspoke.core.model.DispatchMessage;
import io.hubspoke.core.model.RunSpec;
import io.hubspoke.core.model.RunStatus;
import io.hubspoke.core.model.TaskStatus;
import io.hubspoke.core.queue.TaskQueue;
import io.hubspoke.core.store.ChunkStore;
import io.hubspoke.core.store.RunRecord;
import io.hubspoke.core.store.RunStore;
import io.hubspoke.core.store.TaskStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.IntStream;

/**
 * The hub's background work: turns one chunk of a run's durable request into tasks and their
 * messages, for each dispatch-queue message.
 *
 * <p>The chunk is claimed under a lease that ends {@code leaseMargin} after this invocation's call
 * deadline, and every task write is aborted by the SDK at that deadline ({@link
 * CallDeadline#abortAtDeadline}): no write of a dispatcher can still arrive once another may take
 * its chunk over. The first claim of a chunk writes its tasks with BatchWriteItem (nobody can have
 * written them before); a later claim reads which tasks exist and creates only the missing ones,
 * conditionally, since some may already be claimed by spokes. Messages go out for the tasks no one
 * has claimed yet (a duplicate is dropped by the claim protocol). Then the chunk joins the run's
 * dispatched set; the write that completes the set moves the run to RUNNING and announces it.
 */
public final class RunDispatcher {
  private static final Logger LOG = Logger.getLogger(RunDispatcher.class.getName());

  /** Claims of one chunk after which the run is failed rather than retried forever. */
  public static final int MAX_CHUNK_ATTEMPTS = 10;

  /** Time kept back from the invocation's deadline for the last calls: see {@link #deadline}. */
  static final Duration CALL_RESERVE = Duration.ofSeconds(1);

  private final RunStore runs;
  private final RunSpecCache runSpecs;
  private final ChunkStore chunks;
  private final TaskStore tasks;
  private final TaskDispatch taskDispatch;
  private final TaskQueue dispatchQueue;
  private final CompletionTracker completion;
  private final EventPublisher events;
  private final Clock clock;
  private final Duration leaseMargin;
  private final String hubId = "hub-" + UUID.randomUUID().toString().substring(0, 8);

  public RunDispatcher(
      RunStore runs,
      ChunkStore chunks,
      TaskStore tasks,
      TaskDispatch taskDispatch,
      TaskQueue dispatchQueue,
      CompletionTracker completion,
      EventPublisher events,
      Clock clock,
      Duration leaseMargin) {
    this.runs = runs;
    this.runSpecs = new RunSpecCache(runs);
    this.chunks = chunks;
    this.tasks = tasks;
    this.taskDispatch = taskDispatch;
    this.dispatchQueue = dispatchQueue;
    this.completion = completion;
    this.events = events;
    this.clock = clock;
    this.leaseMargin = leaseMargin;
  }

  /**
   * Dispatches one chunk. Every call to AWS is aborted at {@code deadline} ({@link
   * DispatchQueueConsumer} sets it).
   *
   * @return ACK when the chunk is dispatched or can never be (the message may go), RETRY when it
   *     must come back (SQS redelivers it after the visibility timeout)
   */
  MessageOutcome dispatch(DispatchMessage message, Instant deadline) {
    return dispatchOrThrow(message, deadline);
  }

  /** Sends the message that makes a hub cancel the waiting tasks of {@code spec}'s run. */
  public void requestCancelSweep(RunSpec spec) {
    dispatchQueue.sendBodies(List.of(DispatchMessage.cancel(spec).toJson()));
  }

  /** Sends the message that makes a hub go on with the discovery of {@code spec}'s run. */
  public void continueDiscovery(RunSpec spec) {
    dispatchQueue.sendBodies(List.of(DispatchMessage.discover(spec).toJson()));
  }

  /** Calls stop a second (or a twentieth of the time left) before the invocation is stopped. */
  Instant deadline(Instant invocationDeadline) {
    Duration keep = Duration.between(clock.instant(), invocationDeadline).dividedBy(20);
    return invocationDeadline.minus(keep.compareTo(CALL_RESERVE) < 0 ? keep : CALL_RESERVE);
  }

  private MessageOutcome dispatchOrThrow(DispatchMessage message, Instant deadline) {
    // One read per run and hub instance: a spec never changes (a new incarnation is a new spec).
    Optional<RunSpec> found = runSpecs.get(message.runId());
    if (found.isPresent() && !found.get().incarnation().equals(message.incarnation())) {
      found = runSpecs.refresh(message.runId());
    }
    if (found.isEmpty() || !found.get().incarnation().equals(message.incarnation())) {
      LOG.warning(
          () -> "dropping chunk " + message.chunk() + " of a run that is gone: " + message.runId());
      return MessageOutcome.ACK;
    }
    RunSpec spec = found.get();
    if (message.chunk() >= spec.chunkCount() && !spec.totalKnown()) {
      // A discovered run's spec grows with each page: this chunk came after the one we read.
      spec = runSpecs.refresh(message.runId()).orElse(spec);
    }
    if (message.chunk() >= spec.chunkCount()) {
      dispatchQueue.deadLetter(
          message.toJson(), "run " + spec.runId() + " has " + spec.chunkCount() + " chunks", null);
      return MessageOutcome.ACK;
    }
    String owner = hubId + "/" + UUID.randomUUID();
    ChunkStore.Claim claim = chunks.claim(spec, message.chunk(), owner, deadline.plus(leaseMargin));
    if (claim instanceof ChunkStore.Claim.Done) {
      return MessageOutcome.ACK;
    }
    if (claim instanceof ChunkStore.Claim.Leased) {
      return MessageOutcome.RETRY; // another dispatcher holds it; come back after its lease
    }
    if (claim instanceof ChunkStore.Claim.Missing) {
      failRun(spec, "chunk " + message.chunk() + " of the request is missing from the table");
      return MessageOutcome.ACK;
    }
    ChunkStore.Claim.Claimed claimed = (ChunkStore.Claim.Claimed) claim;
    if (claimed.attempt() > MAX_CHUNK_ATTEMPTS) {
      failRun(
          spec,
          "chunk "
              + message.chunk()
              + " could not be dispatched in "
              + MAX_CHUNK_ATTEMPTS
              + " attempts");
      return MessageOutcome.ACK;
    }
    taskDispatch.dispatch(spec, writeTasks(spec, message.chunk(), claimed));
    RunRecord after = runs.addDispatchedChunk(spec, message.chunk());
    chunks.finish(spec, message.chunk(), owner);
    finishIfDispatched(after);
    return MessageOutcome.ACK;
  }

  /** Writes the chunk's tasks; returns those to dispatch. */
  private List<Integer> writeTasks(RunSpec spec, int chunk, ChunkStore.Claim.Claimed claimed) {
    int first = spec.chunkStart(chunk);
    List<String> items = claimed.itemsJson();
    List<Integer> due = new ArrayList<>(items.size());
    if (claimed.attempt() == 1) {
      if (runs.gateClosed(spec)) {
        // Cancelled before this chunk was written (one read per chunk): its tasks never start, so
        // they are written CANCELLED and counted, with no message to claim them only to give them
        // up. A cancel after this read meets the tasks at their claims, as usual.
        tasks.putNewCancelled(spec, first, items);
        completion.recordTerminals(
            spec,
            IntStream.range(first, first + items.size())
                .mapToObj(index -> new CompletionTracker.Terminal(index, TaskStatus.CANCELLED, 0))
                .toList());
        return due;
      }
      tasks.putNew(spec, first, items);
      for (int i = 0; i < items.size(); i++) {
        due.add(first + i);
      }
      return due;
    }
    // A takeover: the first dispatcher may have written some tasks, and spokes may have claimed
    // them. Create only the missing ones, conditionally; send messages only for unclaimed tasks.
    Map<Integer, TaskStatus> existing = tasks.statuses(spec, first, items.size());
    for (int i = 0; i < items.size(); i++) {
      int index = first + i;
      TaskStatus status = existing.get(index);
      if (status == null) {
        tasks.putIfAbsent(spec, index, items.get(i));
        due.add(index);
      } else if (status == TaskStatus.PENDING) {
        due.add(index); // its message may never have left
      }
    }
    return due;
  }

  /**
   * Ends the dispatch of {@code run} if every one of its chunks is dispatched and their number is
   * final (a discovered run's is once discovery ends, which calls this with its own last write).
   */
  public void finishIfDispatched(RunRecord run) {
    RunSpec spec = run.spec();
    if (spec.totalKnown() && run.dispatchedChunks().size() >= spec.chunkCount()) {
      finish(spec);
    }
  }

  private void finish(RunSpec spec) {
    if (!runs.finishDispatch(spec, "dispatch/" + UUID.randomUUID())) {
      return;
    }
    try {
      events.publish(
          EventRules.RUN_STARTED,
          Json.object()
              .put("runId", spec.runId())
              .put("total", spec.total())
              .put("worker", spec.worker())
              .put("chunks", spec.chunkCount()));
    } catch (RuntimeException e) {
      // RunStarted informs; losing it loses no work, so it must not fail the dispatch.
      LOG.log(Level.WARNING, "RunStarted for " + spec.runId() + " was not published", e);
    }
  }

  /** Sends one dispatch message per chunk (duplicates are harmless: a chunk is claimed). */
  public void enqueue(RunSpec spec, List<Integer> chunkNumbers) {
    List<String> bodies = new ArrayList<>(chunkNumbers.size());
    for (int chunk : chunkNumbers) {
      bodies.add(new DispatchMessage(spec.runId(), spec.incarnation(), chunk).toJson());
    }
    dispatchQueue.sendBodies(bodies);
  }

  /**
   * Resumes a dispatch that stopped making progress, from the durable request: sends again the
   * message of every chunk not dispatched and not held under a live lease (its message was never
   * sent, or was dead-lettered); fails the run if a chunk is gone; finishes a dispatch whose last
   * step was lost.
   *
   * @return the chunks whose message was sent again
   */
  public int resume(RunRecord run) {
    RunSpec spec = run.spec();
    if (run.dispatchedChunks().size() >= spec.chunkCount()) {
      finishIfDispatched(run);
      return 0;
    }
    Instant now = clock.instant();
    Map<Integer, ChunkStore.ChunkState> states = chunks.states(spec);
    List<Integer> resend = new ArrayList<>();
    for (int chunk = 0; chunk < spec.chunkCount(); chunk++) {
      ChunkStore.ChunkState state = states.get(chunk);
      if (state == null) {
        failRun(spec, "chunk " + chunk + " of the request is missing from the table");
        return 0;
      }
      boolean idle =
          state.status() == ChunkStore.Status.PENDING
              || (state.status() == ChunkStore.Status.WRITING && !state.leaseUntil().isAfter(now));
      if (idle) {
        resend.add(chunk);
      }
    }
    enqueue(spec, resend);
    LOG.info(
        () -> "resumed the dispatch of run " + spec.runId() + ": " + resend.size() + " chunks");
    return resend.size();
  }

  /**
   * Ends a run whose request cannot be dispatched, with the reason as its summary, and cancels its
   * chunks not yet dispatched: no more of its tasks are created; those that exist run to their end.
   */
  void failRun(RunSpec spec, String reason) {
    LOG.severe(() -> "run " + spec.runId() + " failed to dispatch: " + reason);
    Optional<RunRecord> run = runs.get(spec.runId());
    Set<Integer> dispatched = run.map(RunRecord::dispatchedChunks).orElse(Set.of());
    // A discovered run may have grown since this spec was read.
    RunSpec latest = run.map(RunRecord::spec).orElse(spec);
    ObjectNode summary =
        Json.object()
            .put("dispatchFailed", true)
            .put("reason", reason)
            .put("total", latest.total())
            .put("tasksCreated", latest.tasksIn(dispatched));
    if (runs.failDispatch(spec, Json.write(summary))) {
      RunMetrics.runFinished(spec.runId(), RunStatus.FAILED, clock.instant());
      try {
        events.publish(
            EventRules.RUN_COMPLETED,
            Json.object()
                .put("runId", spec.runId())
                .put("status", "FAILED")
                .put("total", spec.total())
                .put("reason", reason));
        runs.markCompletedEventPublished(spec.runId());
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "RunCompleted for " + spec.runId() + " was not published", e);
      }
    }
    for (int chunk = 0; chunk < latest.chunkCount(); chunk++) {
      if (!dispatched.contains(chunk)) {
        chunks.cancel(spec, chunk);
      }
    }
  }
}
