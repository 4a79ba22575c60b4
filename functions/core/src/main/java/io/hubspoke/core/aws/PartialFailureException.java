package io.hubspoke.core.aws;

import io.hubspoke.contract.HubspokeException;

/**
 * A batch call still had failed entries after every retry. Carries how many, so the caller can
 * decide (the hub fails the request and the client retries with its idempotency key).
 */
public class PartialFailureException extends HubspokeException {
  public PartialFailureException(String message) {
    super(message);
  }
}
