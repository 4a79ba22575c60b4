package io.hubspoke.cli;

/** A command line the command cannot run: exit 2, with the message. */
final class UsageException extends RuntimeException {
  UsageException(String message) {
    super(message);
  }
}
