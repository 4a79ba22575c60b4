package io.hubspoke.core.store;

/** A {@code nextToken} that no listing produced (edited, truncated, or from another listing). */
public class InvalidPageTokenException extends IllegalArgumentException {
  public InvalidPageTokenException(Throwable cause) {
    super("malformed page token", cause);
  }
}
