package io.hubspoke.chaos;

/** Every fault the injector can produce, and the seam it goes through. */
public enum FaultKind {
  /** SDK, per attempt, before sending: a 429 throttling error (not applied). */
  THROTTLE,
  /** SDK, per attempt, before sending: a 500 internal error (not applied). */
  SERVICE_ERROR,
  /** SDK, per attempt: 5–50 ms of added latency. */
  LATENCY,
  /** SDK, writes only: applied, then its response replaced by a 500 (the SDK retries). */
  LOST_RESPONSE,
  /** SDK, batch calls: some entries left out and reported as UnprocessedItems / failed entries. */
  PARTIAL_BATCH,
  /**
   * SDK, hub only: the hub dies after writing a chunk of tasks, or after a discovery checkpoint
   * (the client retries; the message returns).
   */
  HUB_CRASH,
  /** Poller: a batch delivered twice. */
  DUPLICATE_DELIVERY,
  /** Poller: the invocation dies before the handler runs (nothing deleted). */
  CRASH_BEFORE_HANDLER,
  /** Poller: the handler runs, then the invocation dies before its response is used. */
  CRASH_AFTER_HANDLER,
  /** Bus: a delivery duplicated. */
  EVENT_DUPLICATE,
  /** Bus: a delivery lost. */
  EVENT_DROP,
  /** Bus: a delivery attempt failed (retried by the bus). */
  EVENT_FAIL,
  /** Worker: runs past its deadline (its lease may expire; its commit must then be refused). */
  WORKER_HANG,
  /** Worker: throws. */
  WORKER_CRASH,
  /** Worker: fails its first attempt, retryably. */
  WORKER_FLAKY,
  /** Queue: a message that can never be processed. */
  POISON_MESSAGE,
  /**
   * Poller: the same received batch (same receipt handles) handed to two invocations at once, as
   * when a message becomes visible again while its first receiver still works on it.
   */
  CONCURRENT_DUPLICATE_DELIVERY,
  /**
   * Push runs, the local Lambda endpoint: an asynchronous invocation of the spoke accepted (202)
   * and never run, as a lost Lambda event; the sweep pushes its tasks again once overdue.
   */
  PUSH_LOST_INVOCATION,
  /**
   * Hybrid runs, the bus: a {@code WorkAvailable} delivery to the spoke lost; the sweep publishes
   * one again for a run whose tasks are overdue.
   */
  WORK_AVAILABLE_DROP,
  /**
   * Pull runs, the soak's pull worker: dies holding its lease (no more heartbeats, no result); the
   * task is taken over by another claim once the lease ends.
   */
  PULL_WORKER_DIES,
  /**
   * Pull runs, the soak's pull worker: stalls past its lease and sends its result once another
   * claim took the task over; it must be refused (409 LeaseLost) and count for nothing.
   */
  PULL_LATE_COMMIT;

  /** Faults on event deliveries: they delay a run's summary, never a task. */
  public boolean onEvents() {
    return this == EVENT_DUPLICATE || this == EVENT_DROP || this == EVENT_FAIL;
  }
}
