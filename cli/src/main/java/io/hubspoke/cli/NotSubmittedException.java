package io.hubspoke.cli;

import io.hubspoke.contract.HubspokeException;

/** The run could not be submitted: exit 3, with how to resume it. */
final class NotSubmittedException extends HubspokeException {
  NotSubmittedException(String message) {
    super(message);
  }
}
