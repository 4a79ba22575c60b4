package io.hubspoke.core.service;

import io.hubspoke.contract.api.Limits;
import io.hubspoke.contract.json.Json;
import io.hubspoke.core.model.RunSpec;
import io.hubspoke.core.model.RunStatus;
import io.hubspoke.core.model.TaskRecord;
import io.hubspoke.core.model.TaskStatus;
import io.hubspoke.core.service.CompletionTracker.Terminal;
import io.hubspoke.core.store.ClaimResult;
import io.hubspoke.core.store.CommitResult;
import io.hubspoke.core.store.HeartbeatResult;
import io.hubspoke.core.store.Lease;
import io.hubspoke.core.store.RunRecord;
import io.hubspoke.core.store.RunStore;
import io.hubspoke.core.store.TaskStore;
import io.hubspoke.worker.TaskOutcome;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Logger;

/**
 * The work of a pull run's external workers over the HTTP API: claims, heartbeats and results,
 * through the same conditional writes as a spoke's ({@link TaskStore}), so a stale worker cannot
 * commit and a lost worker's task is taken over once its lease ends.
 *
 * <p>A claim finds its candidates in the table's claimable index (due PENDING tasks and RUNNING
 * ones whose lease ended, longest waiting first) and claims each with the usual conditional write;
 * the index is eventually consistent, so a candidate already taken is a normal lost race. With
 * nothing to claim, it polls again after a pause that doubles from {@link #FIRST_PAUSE} to {@link
 * #MAX_PAUSE}, for as long as the caller will wait (long polling, so an idle worker costs a few
 * requests a minute, not a busy loop).
 */
public final class PullWork {
  private static final Logger LOG = Logger.getLogger(PullWork.class.getName());

  /** The most tasks one claim hands out. */
  public static final int MAX_CLAIMS = 10;

  /** The longest a claim waits for work: API Gateway cuts a request at 30 s. */
  public static final int MAX_WAIT_SECONDS = 20;

  /** The longest lease a claim or heartbeat grants; heartbeats extend it as often as needed. */
  public static final int MAX_LEASE_SECONDS = Limits.MAX_TASK_TIMEOUT_SECONDS;

  static final Duration FIRST_PAUSE = Duration.ofMillis(200);
  static final Duration MAX_PAUSE = Duration.ofSeconds(2);

  /** Waits between polls; tests pass one that advances their clock. */
  @FunctionalInterface
  public interface Pause {
    void pause(Duration duration) throws InterruptedException;
  }

  private final TaskStore tasks;
  private final RunStore runs;
  private final RunSpecCache runSpecs;
  private final CompletionTracker completion;
  private final Clock clock;
  private final Pause pause;

  public PullWork(
      TaskStore tasks,
      RunStore runs,
      RunSpecCache runSpecs,
      CompletionTracker completion,
      Clock clock,
      Pause pause) {
    this.tasks = tasks;
    this.runs = runs;
    this.runSpecs = runSpecs;
    this.completion = completion;
    this.clock = clock;
    this.pause = pause;
  }

  /** A task handed to a worker: what to do, and the token its heartbeats and result carry. */
  public record ClaimedTask(TaskRecord task, Lease lease, String token) {}

  /** What a claim found. */
  public sealed interface Claims {
    record RunNotFound() implements Claims {}

    /** The run's tasks are not claimed over the API (its dispatch is not pull). */
    record NotPulled(RunRecord run) implements Claims {}

    /**
     * The tasks claimed (possibly none once the wait is over).
     *
     * @param over whether no task of the run will be handed out again: it finished, is being
     *     summarized or was cancelled (a redrive may start it again)
     * @param contended candidates another claimer took first
     */
    record Offered(RunRecord run, List<ClaimedTask> tasks, boolean over, int contended)
        implements Claims {}
  }

  /**
   * Claims up to {@code max} tasks of the run for {@code lease}, waiting up to {@code wait} for
   * one.
   *
   * @param workerId names the worker in the tasks' attempt history
   * @param lease how long the worker may hold each task; null for the run's task timeout
   */
  public Claims claim(String runId, String workerId, int max, Duration lease, Duration wait) {
    Instant waitUntil = clock.instant().plus(wait);
    Duration nextPause = FIRST_PAUSE;
    int contended = 0;
    while (true) {
      Optional<RunRecord> found = runs.get(runId);
      if (found.isEmpty()) {
        return new Claims.RunNotFound();
      }
      RunRecord run = found.get();
      if (!run.spec().dispatch().claimsFromIndex()) {
        return new Claims.NotPulled(run);
      }
      if (handsOutNoMore(run)) {
        return new Claims.Offered(run, List.of(), true, contended);
      }
      Round round =
          claimRound(
              run.spec(),
              workerId,
              max,
              lease != null ? lease : Duration.ofSeconds(run.spec().taskTimeoutSeconds()));
      contended += round.contended();
      if (!round.claimed().isEmpty() || round.stopped()) {
        return new Claims.Offered(run, round.claimed(), round.stopped(), contended);
      }
      Instant now = clock.instant();
      if (!now.plus(nextPause).isBefore(waitUntil)) {
        Duration rest = Duration.between(now, waitUntil);
        if (rest.isNegative() || rest.isZero()) {
          return new Claims.Offered(run, List.of(), false, contended);
        }
        nextPause = rest;
      }
      try {
        pause.pause(nextPause);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return new Claims.Offered(run, List.of(), false, contended);
      }
      nextPause = nextPause.multipliedBy(2);
      if (nextPause.compareTo(MAX_PAUSE) > 0) {
        nextPause = MAX_PAUSE;
      }
    }
  }

  private static boolean handsOutNoMore(RunRecord run) {
    return run.status().isTerminal()
        || run.status() == RunStatus.SUMMARIZING
        || run.status() == RunStatus.CANCELLING
        || run.drainedAt() != null;
  }

  private record Round(List<ClaimedTask> claimed, int contended, boolean stopped) {}

  /** One pass over the run's shards, from a random one, until {@code max} tasks are claimed. */
  private Round claimRound(RunSpec spec, String workerId, int max, Duration leaseFor) {
    List<ClaimedTask> claimed = new ArrayList<>();
    List<Terminal> ended = new ArrayList<>();
    int contended = 0;
    int shards = spec.shardCount();
    int first = shards <= 1 ? 0 : ThreadLocalRandom.current().nextInt(shards);
    for (int s = 0; s < shards && claimed.size() < max; s++) {
      int shard = (first + s) % shards;
      Instant now = clock.instant();
      // A few more than needed, in random order: workers polling together then rarely race for
      // the same oldest task, and one already taken is a lost race that costs one write.
      List<Integer> candidates =
          new ArrayList<>(tasks.claimable(spec, shard, now, 2 * (max - claimed.size())));
      java.util.Collections.shuffle(candidates);
      for (int index : candidates) {
        if (claimed.size() >= max) {
          break;
        }
        String owner = ownerOf(workerId);
        ClaimResult claim = tasks.claim(spec, index, owner, clock.instant().plus(leaseFor));
        if (claim instanceof ClaimResult.Claimed got) {
          claimed.add(new ClaimedTask(got.task(), got.lease(), LeaseToken.encode(got.lease())));
        } else if (claim instanceof ClaimResult.AttemptsExhausted exhausted) {
          // Its last attempt's worker died: recorded FAILED here, as a spoke's claim would.
          if (tasks.expire(exhausted.task(), spec, owner).committed()) {
            ended.add(terminal(exhausted.task(), TaskStatus.FAILED));
          }
        } else {
          contended++;
        }
      }
    }
    boolean stopped = false;
    if (!claimed.isEmpty() && runs.gateClosed(spec, claimed.get(0).task().round())) {
      // After the claims, before the work: a cancel acknowledged before this read stops them.
      for (ClaimedTask task : claimed) {
        if (tasks.cancelClaimed(task.lease()).committed()) {
          ended.add(terminal(task.task(), TaskStatus.CANCELLED));
        }
      }
      claimed.clear();
      stopped = true;
    }
    if (!ended.isEmpty()) {
      completion.recordTerminals(spec, ended);
    }
    return new Round(List.copyOf(claimed), contended, stopped);
  }

  /** A pull claim's owner: {@code pull:<worker>/<random>}, the worker shown in task histories. */
  static String ownerOf(String workerId) {
    return "pull:" + workerId + "/" + UUID.randomUUID();
  }

  private static Terminal terminal(TaskRecord task, TaskStatus status) {
    return new Terminal(task.index(), status, task.round());
  }

  // ---- heartbeats --------------------------------------------------------------------------

  /** What a heartbeat did. */
  public sealed interface Heartbeat {
    record Extended(Lease lease, String token) implements Heartbeat {}

    /** The token names no claim of this task as it is now: another claim took it over. */
    record LeaseLost(TaskRecord current) implements Heartbeat {}

    /** The run was cancelled or stopped: the task is now CANCELLED, and its worker should stop. */
    record Stopped() implements Heartbeat {}

    record NotFound() implements Heartbeat {}

    record BadToken() implements Heartbeat {}
  }

  /**
   * Extends the lease the token names to {@code leaseFor} from now (null: the run's task timeout).
   */
  public Heartbeat heartbeat(String runId, int index, String token, Duration leaseFor) {
    Optional<RunSpec> spec = runSpecs.get(runId);
    if (spec.isEmpty()) {
      return new Heartbeat.NotFound();
    }
    Optional<Lease> lease = leaseOf(spec.get(), index, token);
    if (lease.isEmpty()) {
      return new Heartbeat.BadToken();
    }
    if (runs.gateClosed(spec.get(), lease.get().round())) {
      CommitResult cancelled = tasks.cancelClaimed(lease.get());
      if (cancelled instanceof CommitResult.Committed done) {
        completion.recordTerminals(
            spec.get(), List.of(terminal(done.task(), TaskStatus.CANCELLED)));
        return new Heartbeat.Stopped();
      }
      return new Heartbeat.LeaseLost(((CommitResult.LostRace) cancelled).current());
    }
    Duration extension =
        leaseFor != null ? leaseFor : Duration.ofSeconds(spec.get().taskTimeoutSeconds());
    HeartbeatResult result = tasks.heartbeat(lease.get(), clock.instant().plus(extension));
    if (result instanceof HeartbeatResult.Extended extended) {
      return new Heartbeat.Extended(extended.lease(), LeaseToken.encode(extended.lease()));
    }
    return new Heartbeat.LeaseLost(((HeartbeatResult.Lost) result).current());
  }

  // ---- results -----------------------------------------------------------------------------

  /** What a result did. */
  public sealed interface Result {
    /**
     * Recorded: the task is now {@code task.status()}: SUCCEEDED, FAILED, or PENDING again for a
     * retry due in {@code retryInSeconds}.
     */
    record Recorded(TaskRecord task, int retryInSeconds) implements Result {}

    record LeaseLost(TaskRecord current) implements Result {}

    record NotFound() implements Result {}

    record BadToken() implements Result {}

    /** The result is larger than a task may hold; nothing was written. */
    record TooLarge(int bytes) implements Result {}
  }

  /**
   * Records the worker's outcome under the lease the token names: a success, a failure for good, or
   * (retryable, with attempts left) a release to PENDING due after the run's retry backoff.
   */
  public Result result(String runId, int index, String token, TaskOutcome outcome) {
    Optional<RunSpec> found = runSpecs.get(runId);
    if (found.isEmpty()) {
      return new Result.NotFound();
    }
    RunSpec spec = found.get();
    Optional<Lease> held = leaseOf(spec, index, token);
    if (held.isEmpty()) {
      return new Result.BadToken();
    }
    Lease lease = held.get();
    CommitResult commit;
    int retryIn = 0;
    if (outcome instanceof TaskOutcome.Success success) {
      String resultJson = Json.write(success.result());
      int bytes = resultJson.getBytes(StandardCharsets.UTF_8).length;
      if (bytes > Limits.MAX_RESULT_BYTES) {
        return new Result.TooLarge(bytes);
      }
      commit = tasks.complete(lease, lease.startedAt(), resultJson);
    } else {
      TaskOutcome.Failure failure = (TaskOutcome.Failure) outcome;
      if (failure.retryable() && lease.attempt() < spec.maxAttempts()) {
        retryIn =
            spec.retry()
                .delaySeconds(
                    lease.attempt(),
                    TaskExecutionService.unitRandom(
                        io.hubspoke.core.model.RunIds.taskId(runId, index)
                            + "#"
                            + lease.attempt()));
        commit =
            tasks.release(
                lease, failure.errorType(), failure.message(), Duration.ofSeconds(retryIn));
      } else {
        commit = tasks.fail(lease, lease.startedAt(), failure.errorType(), failure.message());
      }
    }
    if (commit instanceof CommitResult.LostRace lost) {
      return new Result.LeaseLost(lost.current());
    }
    TaskRecord task = ((CommitResult.Committed) commit).task();
    if (task.status().isTerminal()) {
      // A failed count leaves the task to the sweep's recount; the worker's retry of this same
      // result is recognised as applied and counts it again (counting is idempotent).
      completion.recordTerminals(spec, List.of(terminal(task, task.status())));
    }
    return new Result.Recorded(task, retryIn);
  }

  private static Optional<Lease> leaseOf(RunSpec spec, int index, String token) {
    if (token == null || index < 0 || (spec.totalKnown() && index >= spec.total())) {
      return Optional.empty();
    }
    return LeaseToken.decode(token, spec.runId(), index)
        .filter(lease -> lease.incarnation().equals(spec.incarnation()))
        .filter(lease -> lease.shard() == spec.sharding().shardOf(index));
  }

  // ---- the sweep ---------------------------------------------------------------------------

  /**
   * The sweep's part for a pull run's overdue RUNNING task (its lease ended a stall margin ago):
   * one whose run was cancelled, or whose last attempt's worker died, would wait for a claim that
   * may never come (workers stop claiming a cancelled run); it is ended here as a claim would.
   *
   * @return true if it was ended (and counted)
   */
  boolean settleAbandoned(RunSpec spec, int index) {
    Optional<TaskRecord> task = tasks.get(spec, index);
    if (task.isEmpty()
        || task.get().status() != TaskStatus.RUNNING
        || !task.get().leaseExpiredAt(clock.instant())) {
      return false;
    }
    boolean cancelled = runs.gateClosed(spec, task.get().round());
    if (!cancelled && task.get().attempt() < spec.maxAttempts()) {
      return false; // a worker's claim takes it over
    }
    String owner = "sweep/" + UUID.randomUUID();
    ClaimResult claim = tasks.claim(spec, index, owner, clock.instant().plus(MAX_PAUSE));
    Terminal ended = null;
    if (claim instanceof ClaimResult.Claimed got && tasks.cancelClaimed(got.lease()).committed()) {
      ended = terminal(got.task(), TaskStatus.CANCELLED);
    } else if (claim instanceof ClaimResult.AttemptsExhausted exhausted
        && tasks.expire(exhausted.task(), spec, owner).committed()) {
      ended = terminal(exhausted.task(), TaskStatus.FAILED);
    }
    if (ended == null) {
      return false;
    }
    completion.recordTerminals(spec, List.of(ended));
    LOG.info(() -> "ended abandoned task " + index + " of pull run " + spec.runId());
    return true;
  }
}
