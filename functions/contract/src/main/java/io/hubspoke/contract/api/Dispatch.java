package io.hubspoke.contract.api;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * How a run's tasks reach the code that does them ({@code dispatch} in the run request).
 *
 * <ul>
 *   <li>{@link #QUEUE}: one SQS message per task, drained by the spoke function's event source
 *       mapping (the default).
 *   <li>{@link #PUSH}: the hub invokes the spoke function itself (Lambda {@code Invoke}, type
 *       {@code Event}), each invocation carrying up to ten of the run's task keys; a delayed
 *       re-dispatch (a retry's backoff, a wait for a slot) still travels as a delayed message on
 *       the work queue, since an invocation cannot be delayed.
 *   <li>{@link #PULL}: no message at all; external workers claim leased tasks over the HTTP API
 *       ({@code POST /runs/{runId}/claims}) from the table's claimable index.
 *   <li>{@link #HYBRID}: no message per task; the hub publishes {@code WorkAvailable} on the bus,
 *       and the spoke functions it wakes claim from the claimable index until none is left.
 * </ul>
 */
public enum Dispatch {
  QUEUE,
  PUSH,
  PULL,
  HYBRID;

  /** The name in run requests and views: lower case. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<Dispatch> fromWire(String name) {
    return Arrays.stream(values()).filter(d -> d.wireName().equals(name)).findFirst();
  }

  /**
   * Whether claimers find the run's tasks in the table's claimable index rather than in messages:
   * its tasks carry the index key from creation until they are terminal.
   */
  public boolean claimsFromIndex() {
    return this == PULL || this == HYBRID;
  }
}
