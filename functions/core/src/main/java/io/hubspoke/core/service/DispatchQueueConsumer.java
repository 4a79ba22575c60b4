package io.hubspoke.core.service;

import io.hubspoke.core.aws.CallDeadline;
import io.hubspoke.core.model.DispatchMessage;
import io.hubspoke.core.queue.TaskQueue;
import java.time.Instant;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The hub's reading of the dispatch queue: each message is a chunk of a run to dispatch ({@link
 * RunDispatcher}) or the next pages of a run's discovery ({@link RunDiscovery}). Every call to AWS
 * a message causes is aborted a little before the invocation ends, so no write can arrive once the
 * message's lease may have passed to another hub.
 */
public final class DispatchQueueConsumer {
  private static final Logger LOG = Logger.getLogger(DispatchQueueConsumer.class.getName());

  private final RunDispatcher dispatcher;
  private final RunDiscovery discovery;
  private final RunCancellation cancellation;
  private final RunRedrive redrive;
  private final TaskQueue dispatchQueue;

  public DispatchQueueConsumer(
      RunDispatcher dispatcher,
      RunDiscovery discovery,
      RunCancellation cancellation,
      RunRedrive redrive,
      TaskQueue dispatchQueue) {
    this.dispatcher = dispatcher;
    this.discovery = discovery;
    this.cancellation = cancellation;
    this.redrive = redrive;
    this.dispatchQueue = dispatchQueue;
  }

  /**
   * @param invocationDeadline when the invocation will be stopped
   * @return ACK when the message may go, RETRY when it must come back (SQS redelivers it after the
   *     visibility timeout)
   */
  public MessageOutcome handle(String messageId, String body, Instant invocationDeadline) {
    DispatchMessage message;
    try {
      message = DispatchMessage.parse(body);
    } catch (IllegalArgumentException e) {
      dispatchQueue.deadLetter(body, "unparseable dispatch message: " + e.getMessage(), messageId);
      return MessageOutcome.ACK;
    }
    Instant deadline = dispatcher.deadline(invocationDeadline);
    try {
      return CallDeadline.within(
          deadline,
          () ->
              message.isDiscover()
                  ? discovery.discover(message, deadline)
                  : message.isCancel()
                      ? cancellation.sweep(message)
                      : message.isRedrive()
                          ? redrive.redriveShard(message)
                          : dispatcher.dispatch(message, deadline));
    } catch (RuntimeException e) {
      LOG.log(
          Level.WARNING,
          (message.isDiscover()
                  ? "discovery"
                  : message.isCancel()
                      ? "cancel"
                      : message.isRedrive()
                          ? "redrive of shard " + message.shard()
                          : "chunk " + message.chunk())
              + " of run "
              + message.runId()
              + " failed; it will return",
          e);
      return MessageOutcome.RETRY;
    }
  }
}
