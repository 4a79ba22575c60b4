package io.hubspoke.worker;

import io.hubspoke.contract.HubspokeException;

/** A page could not be fetched; {@link #retryable()} says whether asking again may succeed. */
public class ItemSourceException extends HubspokeException {
  private final boolean retryable;

  public ItemSourceException(String message, boolean retryable) {
    super(message);
    this.retryable = retryable;
  }

  public ItemSourceException(String message, boolean retryable, Throwable cause) {
    super(message, cause);
    this.retryable = retryable;
  }

  public boolean retryable() {
    return retryable;
  }
}
