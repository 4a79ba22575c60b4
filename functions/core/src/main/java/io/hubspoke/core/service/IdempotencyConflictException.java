package io.hubspoke.core.service;

import io.hubspoke.contract.HubspokeException;

/** The idempotency key names a run that was created from a different request. Maps to HTTP 409. */
public class IdempotencyConflictException extends HubspokeException {
  public IdempotencyConflictException(String runId) {
    super(
        "idempotencyKey was already used for run "
            + runId
            + " with a different request; use a new key for a new run, or resend the identical request");
  }
}
