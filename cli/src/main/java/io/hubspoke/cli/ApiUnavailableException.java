package io.hubspoke.cli;

import io.hubspoke.contract.HubspokeException;

/**
 * The API could not be reached, or kept failing (5xx, 429) through the CLI's retries, so a run
 * could not be submitted or looked at: exit 3, with what to do.
 */
final class ApiUnavailableException extends HubspokeException {
  ApiUnavailableException(String message) {
    super(message);
  }
}
