package io.hubspoke.core.service;

import io.hubspoke.core.aws.CallDeadline;
import io.hubspoke.core.model.TaskRecord;
import io.hubspoke.core.model.TaskStatus;
import io.hubspoke.core.queue.TaskQueue;
import io.hubspoke.core.store.HeartbeatResult;
import io.hubspoke.core.store.Lease;
import io.hubspoke.core.store.TaskStore;
import io.hubspoke.worker.TaskLease;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The lease a spoke holds on one task while its worker runs, kept in one place: the worker's
 * heartbeats extend it, the spoke's wait for the worker follows its deadline, and the commit takes
 * its latest version once the spoke stops waiting.
 *
 * <p>A heartbeat writes only when a third of the task timeout has passed since the last extension
 * (or the claim), so a worker may call it in a loop. The write moves the worker's deadline to the
 * task timeout from now, never past {@code latestDeadline} (the invocation's deadline less the
 * commit reserve), and the lease to that plus the grace, conditional on owner and version like
 * every owner write; the message's visibility then follows the lease (ChangeMessageVisibility with
 * its receipt handle), so the message of a spoke that died mid-task comes back just after the lease
 * ends, not after the queue's whole visibility timeout. A failed visibility change is logged and
 * ignored: the lease, not the message, is what keeps other claimers out.
 */
final class HeldLease implements TaskLease {
  private static final Logger LOG = Logger.getLogger(HeldLease.class.getName());

  /** How long after a heartbeat write that failed (not lost: failed) the next one may be tried. */
  private static final Duration RETRY_AFTER_FAILURE = Duration.ofSeconds(1);

  private final TaskStore tasks;
  private final TaskQueue queue;
  private final Clock clock;
  private final String receiptHandle;
  private final BooleanSupplier runGoesOn;
  private final Duration taskTimeout;
  private final Duration leaseGrace;
  private final Instant latestDeadline;
  private final Duration writeEvery;
  private final AtomicReference<Lease> lease;
  private volatile Instant deadline;
  private volatile boolean lost;
  private volatile boolean halted;

  // Guarded by this.
  private Instant nextWriteAt;
  private boolean stopped;
  private boolean visibilityChanged;

  /**
   * @param claimed the lease the claim took
   * @param deadline the worker's first deadline (the lease ends {@code leaseGrace} after it)
   * @param latestDeadline no deadline is extended past this
   * @param receiptHandle of the message being processed; null: its visibility is left alone
   * @param runGoesOn asked before each extension: false once the run was cancelled or stopped
   */
  HeldLease(
      TaskStore tasks,
      TaskQueue queue,
      Clock clock,
      Lease claimed,
      Instant deadline,
      Instant latestDeadline,
      Duration taskTimeout,
      Duration leaseGrace,
      String receiptHandle,
      BooleanSupplier runGoesOn) {
    this.tasks = tasks;
    this.queue = queue;
    this.clock = clock;
    this.lease = new AtomicReference<>(claimed);
    this.deadline = deadline;
    this.latestDeadline = latestDeadline;
    this.taskTimeout = taskTimeout;
    this.leaseGrace = leaseGrace;
    this.receiptHandle = receiptHandle;
    this.runGoesOn = runGoesOn;
    this.writeEvery = taskTimeout.dividedBy(3);
    this.nextWriteAt = clock.instant().plus(writeEvery);
  }

  @Override
  public Instant deadline() {
    return deadline;
  }

  @Override
  public synchronized boolean heartbeat() {
    if (stopped || lost || halted) {
      return false;
    }
    Instant now = clock.instant();
    if (now.isBefore(nextWriteAt)) {
      return true;
    }
    Instant extended = now.plus(taskTimeout);
    Instant newDeadline = extended.isAfter(latestDeadline) ? latestDeadline : extended;
    if (!newDeadline.isAfter(deadline)) {
      return true; // the invocation has no more time to give
    }
    Lease current = lease.get();
    HeartbeatResult result;
    try {
      if (!CallDeadline.within(deadline, runGoesOn::getAsBoolean)) {
        halted = true;
        LOG.info(
            () ->
                name(current)
                    + ": its run was cancelled or stopped; its heartbeat tells the worker to stop");
        return false;
      }
      result =
          CallDeadline.within(
              deadline, () -> tasks.heartbeat(current, newDeadline.plus(leaseGrace)));
      if (result instanceof HeartbeatResult.Lost found && isOurs(found.current(), current)) {
        // An earlier heartbeat of ours was applied though its call failed: the item still shows
        // this claim, at a later version. Only this claim's owner writes under its token.
        Lease adopted = current.extended(found.current().version(), found.current().leaseUntil());
        lease.set(adopted);
        result =
            CallDeadline.within(
                deadline, () -> tasks.heartbeat(adopted, newDeadline.plus(leaseGrace)));
      }
    } catch (RuntimeException e) {
      // The lease still holds until its current end; the next heartbeat tries again.
      LOG.log(Level.WARNING, "heartbeat of task " + current.index() + " failed", e);
      nextWriteAt =
          now.plus(
              RETRY_AFTER_FAILURE.compareTo(writeEvery) < 0 ? RETRY_AFTER_FAILURE : writeEvery);
      return true;
    }
    if (result instanceof HeartbeatResult.Extended ok) {
      lease.set(ok.lease());
      deadline = newDeadline;
      nextWriteAt = now.plus(writeEvery);
      hideMessageUntil(ok.lease().leaseUntil(), now, newDeadline);
      return true;
    }
    lost = true;
    TaskRecord found = ((HeartbeatResult.Lost) result).current();
    LOG.info(() -> name(current) + " was taken over: its worker's heartbeat found " + found);
    return false;
  }

  private static String name(Lease lease) {
    return "task " + lease.runId() + "#" + lease.index();
  }

  private static boolean isOurs(TaskRecord found, Lease held) {
    return found != null
        && found.status() == TaskStatus.RUNNING
        && held.owner().equals(found.owner())
        && found.attempt() == held.attempt()
        && found.version() > held.version();
  }

  /**
   * The spoke stops waiting if the deadline has passed (no heartbeat moved it meanwhile): no
   * heartbeat extends the lease after this answered true.
   */
  synchronized boolean stopIfPast(Instant now) {
    if (!stopped && deadline.isAfter(now)) {
      return false;
    }
    stopped = true;
    return true;
  }

  /** The worker returned (or was given up): heartbeats answer false; the lease to commit with. */
  synchronized Lease stop() {
    stopped = true;
    return lease.get();
  }

  /** Whether a heartbeat found the task taken over. */
  boolean lost() {
    return lost;
  }

  /**
   * After the outcome is recorded: a message whose visibility followed the lease is hidden again
   * until the invocation's end plus the grace, so it cannot come back while the rest of its batch
   * still runs (and, say, be claimed before its retry's backoff ends).
   */
  void afterCommit(Instant invocationDeadline) {
    boolean changed;
    synchronized (this) {
      changed = visibilityChanged;
    }
    if (changed) {
      Instant now = clock.instant();
      hideMessageUntil(
          invocationDeadline.plus(leaseGrace),
          now,
          CallDeadline.current().orElse(invocationDeadline));
    }
  }

  private void hideMessageUntil(Instant until, Instant now, Instant callDeadline) {
    if (receiptHandle == null) {
      return;
    }
    // Whole seconds, rounded up, and one more: the message comes back after the lease has ended.
    long millis = Math.max(0, Duration.between(now, until).toMillis());
    int seconds = (int) Math.min(TaskQueue.MAX_VISIBILITY_SECONDS, (millis + 999) / 1000 + 1);
    try {
      CallDeadline.within(
          callDeadline,
          () -> {
            queue.changeVisibility(receiptHandle, seconds);
            return null;
          });
      synchronized (this) {
        visibilityChanged = true;
      }
    } catch (RuntimeException e) {
      // E.g. the message was deleted through another receive of it (a duplicate delivery).
      LOG.warning(
          () ->
              "could not keep the message of task "
                  + lease.get().index()
                  + " hidden for "
                  + seconds
                  + " s (its lease still holds): "
                  + e);
    }
  }
}
