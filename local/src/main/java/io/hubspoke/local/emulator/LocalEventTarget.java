package io.hubspoke.local.emulator;

/**
 * Where the local event bus delivers an event a rule matched: in the local runtime, an invoker of
 * the collector's handler. Throwing marks the attempt failed and the bus retries it.
 */
@FunctionalInterface
public interface LocalEventTarget {
  /** Receives the full EventBridge event envelope as JSON, as a Lambda target would. */
  void deliver(String eventJson) throws Exception;
}
