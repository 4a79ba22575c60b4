package io.hubspoke.contract;

/**
 * What every exception hubspoke throws on purpose extends: a caller that maps failures (the hub's
 * API onto 4xx/503, the CLI onto exit codes) can tell hubspoke's own refusals from a bug or an SDK
 * failure with one type. Each subtype names the one situation it reports.
 */
public abstract class HubspokeException extends RuntimeException {
  protected HubspokeException(String message) {
    super(message);
  }

  protected HubspokeException(String message, Throwable cause) {
    super(message, cause);
  }
}
