package io.hubspoke.cli;

/** The run could not be submitted: exit 3, with how to resume it. */
final class NotSubmittedException extends RuntimeException {
  NotSubmittedException(String message) {
    super(message);
  }
}
