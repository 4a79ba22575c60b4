package io.hubspoke.core.queue;

import io.hubspoke.contract.SpokeLimits;
import io.hubspoke.core.aws.Backoff;
import io.hubspoke.core.aws.PartialFailureException;
import io.hubspoke.core.model.TaskMessage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;

/** A queue (the work queue, or the hub's dispatch queue) and its dead-letter queue. */
public final class TaskQueue {
  public static final int MAX_BATCH = 10;
  public static final int MAX_DELAY_SECONDS = SpokeLimits.MAX_DELAY_SECONDS;

  /** SQS's longest visibility timeout: 12 hours. */
  public static final int MAX_VISIBILITY_SECONDS = 43_200;

  static final int MAX_REASON_CHARS = 1000;

  private final SqsClient sqs;
  private final String queueUrl;
  private final String deadLetterQueueUrl;
  private final Backoff backoff;

  public TaskQueue(SqsClient sqs, String queueUrl, String deadLetterQueueUrl, Backoff backoff) {
    this.sqs = sqs;
    this.queueUrl = queueUrl;
    this.deadLetterQueueUrl = deadLetterQueueUrl;
    this.backoff = backoff;
  }

  /**
   * Sends one message per task, ten per call; entries that fail are sent again with backoff.
   *
   * @throws PartialFailureException if some entries still fail after every retry
   */
  public void send(List<TaskMessage> messages) {
    sendBodies(messages.stream().map(TaskMessage::toJson).toList());
  }

  /** Sends messages with these bodies, ten per call; failed entries are sent again with backoff. */
  public void sendBodies(List<String> bodies) {
    for (int from = 0; from < bodies.size(); from += MAX_BATCH) {
      sendBatch(bodies.subList(from, Math.min(bodies.size(), from + MAX_BATCH)));
    }
  }

  private void sendBatch(List<String> batch) {
    Map<String, SendMessageBatchRequestEntry> pending = new HashMap<>();
    for (int i = 0; i < batch.size(); i++) {
      pending.put(
          Integer.toString(i),
          SendMessageBatchRequestEntry.builder()
              .id(Integer.toString(i))
              .messageBody(batch.get(i))
              .build());
    }
    for (int attempt = 0; ; attempt++) {
      SendMessageBatchResponse response =
          sqs.sendMessageBatch(
              b -> b.queueUrl(queueUrl).entries(new ArrayList<>(pending.values())));
      response.successful().forEach(ok -> pending.remove(ok.id()));
      if (pending.isEmpty()) {
        return;
      }
      List<BatchResultErrorEntry> failed = response.failed();
      boolean senderFault = failed.stream().anyMatch(f -> Boolean.TRUE.equals(f.senderFault()));
      if (senderFault || attempt + 1 >= backoff.maxAttempts()) {
        throw new PartialFailureException(
            pending.size() + " of " + batch.size() + " messages were not sent: " + failed);
      }
      backoff.pause(attempt + 1);
    }
  }

  /**
   * Messages waiting to be received (SQS's approximate count of visible messages; delayed and
   * in-flight ones are not counted): zero means no backlog can be hiding a task's message.
   */
  public long waitingMessages() {
    String count =
        sqs.getQueueAttributes(
                b ->
                    b.queueUrl(queueUrl)
                        .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
            .attributes()
            .get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES);
    return count == null ? 0 : Long.parseLong(count);
  }

  /** Sends one task again after {@code delaySeconds} (≤ 15 min), for a retry with backoff. */
  public void sendDelayed(TaskMessage message, int delaySeconds) {
    int delay = Math.max(0, Math.min(MAX_DELAY_SECONDS, delaySeconds));
    sqs.sendMessage(
        SendMessageRequest.builder()
            .queueUrl(queueUrl)
            .messageBody(message.toJson())
            .delaySeconds(delay)
            .build());
  }

  /**
   * Hides a received message for {@code seconds} from now (ChangeMessageVisibility; ≤ 12 hours),
   * which may shorten its visibility as well as extend it. The receipt handle is that of the latest
   * receive: after another receive, or once the message was deleted, SQS refuses it.
   */
  public void changeVisibility(String receiptHandle, int seconds) {
    int timeout = Math.max(0, Math.min(MAX_VISIBILITY_SECONDS, seconds));
    sqs.changeMessageVisibility(
        b -> b.queueUrl(queueUrl).receiptHandle(receiptHandle).visibilityTimeout(timeout));
  }

  /**
   * Moves a message that can never be processed to the dead-letter queue, with the reason as a
   * message attribute, so it is kept and explained rather than dropped or retried forever.
   */
  public void deadLetter(String body, String reason, String sourceMessageId) {
    String text =
        reason.length() > MAX_REASON_CHARS ? reason.substring(0, MAX_REASON_CHARS) : reason;
    Map<String, MessageAttributeValue> attributes = new HashMap<>();
    attributes.put("hubspoke.reason", stringAttribute(text));
    if (sourceMessageId != null) {
      attributes.put("hubspoke.sourceMessageId", stringAttribute(sourceMessageId));
    }
    sqs.sendMessage(
        SendMessageRequest.builder()
            .queueUrl(deadLetterQueueUrl)
            // SQS rejects an empty body; keep the evidence that it was empty.
            .messageBody(body == null || body.isEmpty() ? "(empty body)" : body)
            .messageAttributes(attributes)
            .build());
  }

  private static MessageAttributeValue stringAttribute(String value) {
    return MessageAttributeValue.builder().dataType("String").stringValue(value).build();
  }
}
