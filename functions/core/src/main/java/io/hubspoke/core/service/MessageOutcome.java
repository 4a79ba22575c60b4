package io.hubspoke.core.service;

/** What the spoke tells the queue about one message. */
public enum MessageOutcome {
  /** Done with it (processed, a lost claim, or moved to the dead-letter queue): delete it. */
  ACK,
  /**
   * Could not be handled now (e.g. the store was unavailable): report it as a batch item failure.
   */
  RETRY
}
