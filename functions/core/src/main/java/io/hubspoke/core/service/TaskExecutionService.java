package io.hubspoke.core.service;

import com.fasterxml.jackson.databind.JsonNode;
import io.hubspoke.contract.HubspokeException;
import io.hubspoke.contract.SpokeLimits;
import io.hubspoke.contract.api.Limits;
import io.hubspoke.contract.json.Json;
import io.hubspoke.core.aws.CallDeadline;
import io.hubspoke.core.model.PushEvent;
import io.hubspoke.core.model.RunIds;
import io.hubspoke.core.model.RunSpec;
import io.hubspoke.core.model.TaskMessage;
import io.hubspoke.core.model.TaskRecord;
import io.hubspoke.core.model.TaskStatus;
import io.hubspoke.core.queue.TaskQueue;
import io.hubspoke.core.service.CompletionTracker.Terminal;
import io.hubspoke.core.store.ClaimResult;
import io.hubspoke.core.store.CommitResult;
import io.hubspoke.core.store.Lease;
import io.hubspoke.core.store.RunSlots;
import io.hubspoke.core.store.RunStore;
import io.hubspoke.core.store.TaskStore;
import io.hubspoke.core.worker.WorkerRegistry;
import io.hubspoke.worker.TaskContext;
import io.hubspoke.worker.TaskOutcome;
import io.hubspoke.worker.TaskWorker;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.logging.Level;
import java.util.logging.Logger;
import software.amazon.awssdk.awscore.exception.AwsServiceException;

/**
 * The spoke's work for one message: claim the task, run its worker within the deadline, record the
 * outcome with a write conditional on the lease, count terminal tasks towards run completion. A
 * worker's heartbeats extend the lease and the deadline while it runs ({@link HeldLease}).
 *
 * <p>A retryable failure with attempts left puts the task back to PENDING and sends a fresh message
 * delayed by the backoff, then acknowledges the current one. Retrying through a new message rather
 * than SQS redelivery keeps attempts independent of the queue's receive count (which duplicates and
 * throttled invocations also raise), so the dead-letter queue only ever holds messages that cannot
 * be processed, and no duplicate delivery acknowledged meanwhile can strand the task.
 */
public final class TaskExecutionService {
  private static final Logger LOG = Logger.getLogger(TaskExecutionService.class.getName());

  /**
   * Time kept back from the invocation's deadline to record the outcome: this, or a tenth of the
   * time left if that is less.
   */
  static final Duration COMMIT_RESERVE = Duration.ofSeconds(SpokeLimits.COMMIT_RESERVE_SECONDS);

  /** Time kept back from the invocation's deadline to defer a throttled message: see below. */
  static final Duration DEFER_RESERVE = Duration.ofSeconds(1);

  /** The longest a message waits for a slot of its run's concurrency cap before trying again. */
  static final int MAX_SLOT_WAIT_SECONDS = 60;

  private final TaskStore tasks;
  private final RunStore runs;
  private final RunSlots slots;
  private final RunSpecCache runSpecs;
  private final TaskQueue queue;
  private final TaskDispatch taskDispatch;
  private final CompletionTracker completion;
  private final WorkerRegistry workers;
  private final Clock clock;
  private final ExecutorService messagePool;
  private final ExecutorService workerPool;
  private final Duration leaseGrace;
  private final String spokeId;

  public TaskExecutionService(
      TaskStore tasks,
      RunStore runs,
      RunSlots slots,
      RunSpecCache runSpecs,
      TaskQueue queue,
      TaskDispatch taskDispatch,
      CompletionTracker completion,
      WorkerRegistry workers,
      Clock clock,
      ExecutorService messagePool,
      ExecutorService workerPool,
      Duration leaseGrace) {
    this.tasks = tasks;
    this.runs = runs;
    this.slots = slots;
    this.runSpecs = runSpecs;
    this.queue = queue;
    this.taskDispatch = taskDispatch;
    this.completion = completion;
    this.workers = workers;
    this.clock = clock;
    this.messagePool = messagePool;
    this.workerPool = workerPool;
    this.leaseGrace = leaseGrace;
    this.spokeId = "spoke-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /**
   * One message of a batch; its receipt handle lets a heartbeat keep it hidden as long as its
   * task's lease (null: its visibility is left alone).
   */
  public record Message(String id, String body, String receiptHandle) {
    public Message(String id, String body) {
      this(id, body, null);
    }
  }

  /**
   * What processing one message left to do: its outcome, and the task it made terminal (to count
   * with the others of its batch), if any.
   */
  private record Processed(MessageOutcome outcome, RunSpec spec, Terminal terminal) {
    static Processed done(MessageOutcome outcome) {
      return new Processed(outcome, null, null);
    }

    static Processed count(RunSpec spec, TaskRecord task, TaskStatus status) {
      return new Processed(
          MessageOutcome.ACK, spec, new Terminal(task.index(), status, task.round()));
    }
  }

  /**
   * Processes a batch's messages in parallel, on at most {@link SpokeLimits#MAX_BATCH_SIZE} threads
   * of {@code messagePool} that take the messages in turn (a larger batch waits in line, each
   * message's deadline then counting from its own start), then counts the tasks they made terminal
   * together: one counter write per run shard the batch touched instead of one per task. A message
   * is acknowledged only once its task is counted; if counting fails, SQS redelivers it and the
   * redelivery, finding the task terminal, counts it again (counting is idempotent).
   *
   * @param invocationDeadline when the invocation will be stopped (Lambda's remaining time)
   * @return each message's outcome, in the order given
   */
  public List<MessageOutcome> processBatch(List<Message> messages, Instant invocationDeadline) {
    AtomicReferenceArray<Processed> results = new AtomicReferenceArray<>(messages.size());
    AtomicInteger next = new AtomicInteger();
    Runnable runner =
        () -> {
          for (int i = next.getAndIncrement(); i < messages.size(); i = next.getAndIncrement()) {
            results.set(i, processOneOrRetry(messages.get(i), invocationDeadline));
          }
        };
    int runners = Math.min(messages.size(), SpokeLimits.MAX_BATCH_SIZE);
    List<Future<?>> futures = new ArrayList<>(runners);
    for (int r = 0; r < runners; r++) {
      futures.add(messagePool.submit(runner));
    }
    awaitAll(futures);
    List<Processed> processed = new ArrayList<>(messages.size());
    Map<String, List<Integer>> toCountByRun = new LinkedHashMap<>();
    for (int i = 0; i < messages.size(); i++) {
      // None if the wait was interrupted: the message is redelivered.
      Processed result =
          results.get(i) != null ? results.get(i) : Processed.done(MessageOutcome.RETRY);
      processed.add(result);
      if (result.terminal() != null) {
        toCountByRun.computeIfAbsent(result.spec().runId(), r -> new ArrayList<>()).add(i);
      }
    }
    List<MessageOutcome> outcomes = new ArrayList<>(processed.size());
    processed.forEach(p -> outcomes.add(p.outcome()));
    for (List<Integer> positions : toCountByRun.values()) {
      RunSpec spec = processed.get(positions.get(0)).spec();
      List<Terminal> terminals = positions.stream().map(i -> processed.get(i).terminal()).toList();
      try {
        CallDeadline.within(
            retryDeadline(invocationDeadline), () -> completion.recordTerminals(spec, terminals));
      } catch (RuntimeException e) {
        for (int i : positions) {
          outcomes.set(i, failed(messages.get(i), e, invocationDeadline));
        }
      }
    }
    return outcomes;
  }

  /**
   * A push invocation's tasks ({@link PushEvent}), processed as a batch of messages that have no
   * receipt handle (no queue visibility to keep up): the same claim, commit and count. A task whose
   * outcome is RETRY (the table or the queue failed beyond the SDK's retries) fails the whole
   * invocation, so that Lambda's asynchronous retry invokes it again; its other tasks, finished by
   * then, are found terminal and only counted again. An event that is not a push event is kept in
   * the dead-letter queue with the reason, as an unparseable message is: retrying it cannot help.
   *
   * @return how many tasks the event carried
   * @throws TasksToRetryException if any task must be tried again
   */
  public int processPush(JsonNode event, Instant invocationDeadline) {
    PushEvent push;
    try {
      push = PushEvent.parse(event);
    } catch (IllegalArgumentException e) {
      String body = Json.write(event);
      LOG.warning(() -> "dead-lettering a push event: " + e.getMessage());
      queue.deadLetter(body, "unparseable push event: " + e.getMessage(), null);
      return 0;
    }
    List<TaskMessage> tasks = push.messages();
    List<Message> messages =
        tasks.stream()
            .map(t -> new Message("push:" + t.runId() + "/" + t.taskIndex(), t.toJson()))
            .toList();
    List<MessageOutcome> outcomes = processBatch(messages, invocationDeadline);
    List<Integer> retry = new ArrayList<>();
    for (int i = 0; i < outcomes.size(); i++) {
      if (outcomes.get(i) == MessageOutcome.RETRY) {
        retry.add(tasks.get(i).taskIndex());
      }
    }
    if (!retry.isEmpty()) {
      throw new TasksToRetryException(push.runId(), retry);
    }
    return tasks.size();
  }

  /**
   * Tasks of a push invocation that must be tried again: thrown out of the handler, a function
   * error, which Lambda's asynchronous invocation retries (twice) and then sends to the on-failure
   * destination.
   */
  public static final class TasksToRetryException extends HubspokeException {
    private final List<Integer> tasks;

    TasksToRetryException(String runId, List<Integer> tasks) {
      super(
          "tasks "
              + tasks
              + " of run "
              + runId
              + " could not be recorded; the invocation is to be retried");
      this.tasks = List.copyOf(tasks);
    }

    public List<Integer> tasks() {
      return tasks;
    }
  }

  private Processed processOne(Message message, Instant invocationDeadline) {
    try {
      return CallDeadline.within(
          retryDeadline(invocationDeadline), () -> processOrThrow(message, invocationDeadline));
    } catch (RuntimeException e) {
      return Processed.done(failed(message, e, invocationDeadline));
    }
  }

  /** Only an Error escapes {@link #processOne}; the message is then redelivered. */
  private Processed processOneOrRetry(Message message, Instant invocationDeadline) {
    try {
      return processOne(message, invocationDeadline);
    } catch (Error e) {
      LOG.log(Level.SEVERE, "message " + message.id() + " failed; it will be redelivered", e);
      return Processed.done(MessageOutcome.RETRY);
    }
  }

  private static void awaitAll(List<Future<?>> futures) {
    for (Future<?> future : futures) {
      try {
        future.get();
      } catch (ExecutionException e) {
        LOG.log(Level.SEVERE, "a message runner failed", e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /**
   * A message whose processing or counting failed (e.g. the table was unreachable after the SDK's
   * retries). Still throttled: rather than fail the message (each failure raises its receive count
   * towards the dead-letter queue), send it again after any lease this attempt may hold and
   * acknowledge this copy. Anything else, or a throttled re-send: SQS redelivers it.
   */
  private MessageOutcome failed(Message message, RuntimeException e, Instant invocationDeadline) {
    if (e instanceof AwsServiceException aws && aws.isThrottlingException()) {
      try {
        return CallDeadline.within(invocationDeadline, () -> deferThrottled(message));
      } catch (RuntimeException resendFailed) {
        e.addSuppressed(resendFailed);
      }
    }
    LOG.log(Level.WARNING, "message " + message.id() + " failed; it will be redelivered", e);
    return MessageOutcome.RETRY;
  }

  /**
   * AWS calls stop retrying this long before the invocation ends, leaving time to defer the message
   * (one SendMessage): a second, or a twentieth of the time left if that is less.
   */
  Instant retryDeadline(Instant invocationDeadline) {
    Duration left = Duration.between(clock.instant(), invocationDeadline);
    Duration keep = left.dividedBy(20);
    return invocationDeadline.minus(keep.compareTo(DEFER_RESERVE) < 0 ? keep : DEFER_RESERVE);
  }

  /** Sends a throttled message again, delayed past any lease its attempt may hold. */
  private MessageOutcome deferThrottled(Message message) {
    TaskMessage task = TaskMessage.parse(message.body());
    if (runSpecs.get(task.runId()).map(s -> s.dispatch().claimsFromIndex()).orElse(false)) {
      return MessageOutcome.ACK; // the index offers it again once its lease, if any, ends
    }
    int delay =
        runSpecs
            .get(task.runId())
            .map(spec -> spec.taskTimeoutSeconds() + (int) leaseGrace.toSeconds() + 1)
            .orElse(TaskQueue.MAX_DELAY_SECONDS);
    LOG.warning(
        () -> "throttled on message " + message.id() + "; sending it again in " + delay + " s");
    queue.sendDelayed(task, delay);
    return MessageOutcome.ACK;
  }

  private Processed processOrThrow(Message received, Instant invocationDeadline) {
    String messageId = received.id();
    String body = received.body();
    TaskMessage message;
    try {
      message = TaskMessage.parse(body);
    } catch (IllegalArgumentException e) {
      return deadLetter(body, "unparseable message: " + e.getMessage(), messageId);
    }
    Optional<RunSpec> spec = runSpecs.get(message.runId());
    if (spec.isPresent() && !spec.get().matches(message)) {
      spec = runSpecs.refresh(message.runId()); // the run may have been created again
    }
    if (spec.isEmpty()) {
      return deadLetter(body, "unknown run " + message.runId(), messageId);
    }
    if (!spec.get().matches(message)) {
      LOG.info(() -> "dropping message " + messageId + " of an expired run " + message.runId());
      return Processed.done(MessageOutcome.ACK);
    }
    if (message.taskIndex() >= spec.get().total() && !spec.get().totalKnown()) {
      spec = runSpecs.refresh(message.runId()); // a discovered run grew since it was read
    }
    if (spec.isPresent() && message.taskIndex() >= spec.get().total()) {
      return deadLetter(
          body,
          "unknown task "
              + message.taskIndex()
              + ": run "
              + message.runId()
              + " has "
              + spec.get().total()
              + " tasks",
          messageId);
    }
    return execute(spec.get(), message, received, invocationDeadline);
  }

  private Processed execute(
      RunSpec spec, TaskMessage message, Message received, Instant invocationDeadline) {
    Instant now = clock.instant();
    Instant deadline = now.plusSeconds(spec.taskTimeoutSeconds());
    Duration left = Duration.between(now, invocationDeadline);
    Duration reserve =
        left.dividedBy(10).compareTo(COMMIT_RESERVE) < 0 ? left.dividedBy(10) : COMMIT_RESERVE;
    Instant latest = invocationDeadline.minus(reserve);
    if (latest.isBefore(deadline)) {
      deadline = latest;
    }
    if (!deadline.isAfter(now)) {
      return Processed.done(MessageOutcome.RETRY); // no time left: let SQS redeliver
    }
    String owner = spokeId + "/" + UUID.randomUUID();
    if (!spec.controls().capped()) {
      return claimAndRun(spec, message, received, invocationDeadline, owner, deadline, latest);
    }
    // The hold lasts until the invocation's end, plus the grace: no attempt of this invocation
    // outlives it (its worker stops at its deadline, its calls stop retrying before the
    // invocation's end, Lambda ends the invocation there), so no commit lands after the slot was
    // freed, and a dead spoke's slot comes back by itself.
    String holder = holderOf(owner);
    if (slots.acquire(spec, holder, invocationDeadline.plus(leaseGrace), message.taskIndex())
        instanceof RunSlots.Acquisition.Full) {
      return waitForSlot(spec, message);
    }
    try {
      return claimAndRun(spec, message, received, invocationDeadline, owner, deadline, latest);
    } finally {
      releaseSlot(spec, holder);
    }
  }

  private Processed claimAndRun(
      RunSpec spec,
      TaskMessage message,
      Message received,
      Instant invocationDeadline,
      String owner,
      Instant deadline,
      Instant latest) {
    String body = received.body();
    String messageId = received.id();
    ClaimResult claim = tasks.claim(spec, message.taskIndex(), owner, deadline.plus(leaseGrace));
    if (claim instanceof ClaimResult.Claimed claimed) {
      // After the claim, before the work: a cancel acknowledged before this read stops the task.
      if (runs.gateClosed(spec, claimed.task().round())) {
        CommitResult cancelled = tasks.cancelClaimed(claimed.lease());
        return cancelled.committed()
            ? Processed.count(spec, claimed.task(), TaskStatus.CANCELLED)
            : Processed.done(MessageOutcome.ACK);
      }
      HeldLease held =
          new HeldLease(
              tasks,
              queue,
              clock,
              claimed.lease(),
              deadline,
              latest,
              Duration.ofSeconds(spec.taskTimeoutSeconds()),
              leaseGrace,
              received.receiptHandle(),
              // A long task of a run cancelled or stopped since the claim learns it at its next
              // heartbeat write (one read of the gate per third of the task timeout).
              () -> !runs.gateClosed(spec, claimed.task().round()));
      try {
        return run(spec, claimed.task(), held);
      } finally {
        held.afterCommit(invocationDeadline);
      }
    }
    if (claim instanceof ClaimResult.AlreadyTerminal terminal) {
      // A repeat delivery, or our own earlier attempt died before counting: counting is idempotent.
      return Processed.count(spec, terminal.task(), terminal.task().status());
    }
    if (claim instanceof ClaimResult.AttemptsExhausted exhausted) {
      CommitResult expired = tasks.expire(exhausted.task(), spec, owner);
      return expired.committed()
          ? Processed.count(spec, exhausted.task(), TaskStatus.FAILED)
          : Processed.done(MessageOutcome.ACK);
    }
    if (claim instanceof ClaimResult.NotFound) {
      return deadLetter(
          body, "unknown task " + message.taskIndex() + " of run " + spec.runId(), messageId);
    }
    return recheckAfterLease(spec, message, ((ClaimResult.LeasedByOther) claim).task());
  }

  /**
   * Every slot of the run's cap is held. A task that a cancel or a duplicate delivery already
   * finished needs none: it is counted again (counting is idempotent); nor does a waiting task of a
   * cancelled run, which is cancelled here. Any other waits: it joins the run's waiting set (the
   * next spoke to give a slot back sends its message at once), and its message is sent again after
   * a wait that doubles with each time it found the run full (1 s, 2 s, 4 s … up to {@link
   * #MAX_SLOT_WAIT_SECONDS}, jittered so waiters spread) in case no give-back wakes it, and this
   * one acknowledged. A waiting message is never failed back to the queue, so waiting never moves
   * it towards the dead-letter queue.
   */
  private Processed waitForSlot(RunSpec spec, TaskMessage message) {
    Optional<TaskRecord> task = tasks.get(spec, message.taskIndex());
    if (task.isPresent() && task.get().status().isTerminal()) {
      return Processed.count(spec, task.get(), task.get().status());
    }
    // A waiting task of a cancelled run is cancelled here, without a claim: it never runs, so it
    // needs no slot (else a cancelled capped run would drain only as fast as its cap).
    if (task.isPresent()
        && task.get().status() == TaskStatus.PENDING
        && runs.gateClosed(spec, task.get().round())
        && tasks.cancelPending(spec, task.get().index(), task.get().version())) {
      return Processed.count(spec, task.get(), TaskStatus.CANCELLED);
    }
    slots.await(spec, message.taskIndex());
    queue.sendDelayed(message.waitedOnce(), slotWaitSeconds(message.waits()));
    return Processed.done(MessageOutcome.ACK);
  }

  /**
   * A claim's holder name in its run's slots item: the owner's random part, short because every
   * slot write carries all the holders (about 25 bytes each, not 60).
   */
  static String holderOf(String owner) {
    String random = owner.substring(owner.lastIndexOf('/') + 1).replace("-", "");
    return random.substring(0, Math.min(16, random.length()));
  }

  static int slotWaitSeconds(int waits) {
    int longest = Math.min(MAX_SLOT_WAIT_SECONDS, 1 << Math.min(waits, 6));
    double jitter = 0.5 + 0.5 * java.util.concurrent.ThreadLocalRandom.current().nextDouble();
    return Math.max(1, (int) Math.round(longest * jitter));
  }

  /**
   * Gives the slot back and wakes a task that waits for one: its message is sent now. A slot that
   * could not be given back is freed when its hold ends, and a waiter not woken comes back after
   * its message's delay: logged, not fatal.
   */
  private void releaseSlot(RunSpec spec, String holder) {
    try {
      List<Integer> waiting = slots.release(spec, holder);
      if (!waiting.isEmpty()) {
        slots
            .wake(spec, waiting)
            .ifPresent(task -> queue.sendDelayed(TaskMessage.of(spec, task), 0));
      }
    } catch (RuntimeException e) {
      LOG.log(
          Level.WARNING,
          "could not give back slot " + holder + " of run " + spec.runId() + "; it ends by itself",
          e);
    }
  }

  /**
   * Another claim holds a live lease. This delivery may well be the owner's own message: SQS
   * redelivers the same message, not a copy, so acknowledging it deletes it for the owner too, and
   * an owner that then died would leave the task RUNNING with no message. So the task is sent again
   * first, delayed until just after the lease ends, and only then is this delivery acknowledged. By
   * then the owner has finished (the check finds the task terminal and only re-counts it), or died
   * (the check takes the task over). A lease further away than SQS's longest delay gets a check at
   * that delay, which finds the lease still live and sends the next one.
   */
  private Processed recheckAfterLease(RunSpec spec, TaskMessage message, TaskRecord task) {
    if (spec.dispatch().claimsFromIndex()) {
      return Processed.done(MessageOutcome.ACK); // the index offers it again when the lease ends
    }
    long leftMillis =
        task.leaseUntil() == null ? 0 : task.leaseUntil().toEpochMilli() - clock.millis();
    int delay = (int) Math.min(TaskQueue.MAX_DELAY_SECONDS, Math.max(0, leftMillis) / 1000 + 1);
    queue.sendDelayed(message, delay);
    return Processed.done(MessageOutcome.ACK);
  }

  private Processed run(RunSpec spec, TaskRecord task, HeldLease held) {
    TaskOutcome outcome = invokeWorker(spec, task, held);
    // The latest lease: every heartbeat bumped its version. No heartbeat writes after this.
    Lease lease = held.stop();
    Instant startedAt = task.startedAt();
    if (outcome instanceof TaskOutcome.Success success) {
      String resultJson = Json.write(success.result());
      Optional<TaskOutcome> tooLarge = tooLargeForTheTaskItem(resultJson);
      if (tooLarge.isEmpty()) {
        CommitResult result = tasks.complete(lease, startedAt, resultJson);
        if (result.committed()) {
          return Processed.count(spec, task, TaskStatus.SUCCEEDED);
        }
        LOG.info(() -> "lost task " + task.taskId() + " before committing its result");
        return Processed.done(MessageOutcome.ACK);
      }
      outcome = tooLarge.get();
    }
    TaskOutcome.Failure failure = (TaskOutcome.Failure) outcome;
    if (failure.retryable() && lease.attempt() < spec.maxAttempts()) {
      int delay =
          spec.retry()
              .delaySeconds(lease.attempt(), unitRandom(task.taskId() + "#" + lease.attempt()));
      CommitResult released =
          tasks.release(lease, failure.errorType(), failure.message(), Duration.ofSeconds(delay));
      if (released.committed()) {
        taskDispatch.dispatchLater(spec, task.index(), delay);
      }
      return Processed.done(MessageOutcome.ACK);
    }
    CommitResult failed = tasks.fail(lease, startedAt, failure.errorType(), failure.message());
    return failed.committed()
        ? Processed.count(spec, task, TaskStatus.FAILED)
        : Processed.done(MessageOutcome.ACK);
  }

  /**
   * A result past the limit fails its task without a retry, since the same work gives the same
   * result: written, it would fail DynamoDB's item limit on every redelivery, into the DLQ.
   */
  private static Optional<TaskOutcome> tooLargeForTheTaskItem(String resultJson) {
    int bytes = resultJson.getBytes(StandardCharsets.UTF_8).length;
    if (bytes <= Limits.MAX_RESULT_BYTES) {
      return Optional.empty();
    }
    return Optional.of(
        TaskOutcome.permanent(
            "ResultTooLarge",
            String.format(
                Locale.ROOT,
                "the worker's result is %,d bytes of JSON; a result may be at most %,d bytes: store"
                    + " large results elsewhere (e.g. S3) and return a reference",
                bytes,
                Limits.MAX_RESULT_BYTES)));
  }

  /** A number in [0, 1) from the text: a retry's jitter, the same for a redelivered message. */
  static double unitRandom(String text) {
    return (RunIds.sha256Hex(text).hashCode() & 0x7fffffff) / (double) (1L << 31);
  }

  private TaskOutcome invokeWorker(RunSpec spec, TaskRecord task, HeldLease held) {
    Optional<TaskWorker> worker = workers.find(spec.worker());
    if (worker.isEmpty()) {
      return TaskOutcome.permanent(
          "UnknownWorker", "this spoke has no worker named " + spec.worker());
    }
    TaskContext context =
        new TaskContext(
            spec.runId(),
            task.taskId(),
            task.index(),
            task.attempt(),
            spec.maxAttempts(),
            Json.parseTrusted(task.itemJson()),
            spec.workerConfig(),
            held,
            clock);
    Future<TaskOutcome> future;
    try {
      future = workerPool.submit(() -> worker.get().execute(context));
    } catch (RejectedExecutionException e) {
      // Every worker thread is held, some by workers that ignored their deadline's interrupt.
      return TaskOutcome.retryable(
          "SpokeBusy", "every worker thread of this spoke is held by a worker still running");
    }
    try {
      // The wait follows the deadline, which the worker's heartbeats move later.
      while (true) {
        long waitMillis = Duration.between(clock.instant(), held.deadline()).toMillis();
        try {
          return future.get(Math.max(1, waitMillis), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
          if (held.stopIfPast(clock.instant())) {
            future.cancel(true);
            return TaskOutcome.retryable(
                "Timeout", "the worker did not finish within its deadline");
          }
        }
      }
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      LOG.log(Level.WARNING, "worker " + spec.worker() + " threw on " + task.taskId(), cause);
      return TaskOutcome.retryable(
          cause.getClass().getSimpleName(), String.valueOf(cause.getMessage()));
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      return TaskOutcome.retryable("Interrupted", "the spoke was interrupted");
    }
  }

  private Processed deadLetter(String body, String reason, String messageId) {
    LOG.warning(() -> "dead-lettering message " + messageId + ": " + reason);
    queue.deadLetter(body, reason, messageId);
    return Processed.done(MessageOutcome.ACK);
  }
}
