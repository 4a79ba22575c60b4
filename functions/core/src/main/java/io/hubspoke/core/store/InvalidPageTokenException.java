package io.hubspoke.core.store;

import io.hubspoke.contract.HubspokeException;

/** A {@code nextToken} that no listing produced (edited, truncated, or from another listing). */
public class InvalidPageTokenException extends HubspokeException {
  public InvalidPageTokenException(Throwable cause) {
    super("malformed page token", cause);
  }
}
