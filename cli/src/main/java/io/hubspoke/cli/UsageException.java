package io.hubspoke.cli;

import io.hubspoke.contract.HubspokeException;

/** A command line the command cannot run: exit 2, with the message. */
final class UsageException extends HubspokeException {
  UsageException(String message) {
    super(message);
  }
}
