package io.hubspoke.local.emulator;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * The pure half of Lambda's SQS event source mapping: received messages to the {@link SQSEvent}
 * Lambda passes, and the function's {@link SQSBatchResponse} back to what is deleted. No I/O, no
 * clock: what it returns depends only on its arguments.
 */
final class SqsEventMapping {
  private SqsEventMapping() {}

  /** The event Lambda passes for these messages, received from the queue {@code queueArn}. */
  static SQSEvent toEvent(List<Message> batch, String queueArn, String region) {
    List<SQSEvent.SQSMessage> records = new ArrayList<>(batch.size());
    for (Message m : batch) {
      SQSEvent.SQSMessage r = new SQSEvent.SQSMessage();
      r.setMessageId(m.messageId());
      r.setReceiptHandle(m.receiptHandle());
      r.setBody(m.body());
      r.setMd5OfBody(m.md5OfBody());
      r.setMd5OfMessageAttributes(m.md5OfMessageAttributes());
      Map<String, String> attributes = new HashMap<>(m.attributesAsStrings());
      // Lambda always passes SenderId; ElasticMQ may leave it out.
      attributes.putIfAbsent("SenderId", LocalLambdaContext.LOCAL_ACCOUNT_ID);
      r.setAttributes(attributes);
      Map<String, SQSEvent.MessageAttribute> messageAttributes = new HashMap<>();
      m.messageAttributes().forEach((name, value) -> messageAttributes.put(name, convert(value)));
      r.setMessageAttributes(messageAttributes);
      r.setEventSource("aws:sqs");
      r.setEventSourceArn(queueArn);
      r.setAwsRegion(region);
      records.add(r);
    }
    SQSEvent event = new SQSEvent();
    event.setRecords(records);
    return event;
  }

  private static SQSEvent.MessageAttribute convert(MessageAttributeValue value) {
    SQSEvent.MessageAttribute a = new SQSEvent.MessageAttribute();
    a.setDataType(value.dataType());
    a.setStringValue(value.stringValue());
    if (value.binaryValue() != null) {
      a.setBinaryValue(value.binaryValue().asByteBuffer());
    }
    // Lambda's JSON carries these as empty lists.
    a.setStringListValues(List.of());
    a.setBinaryListValues(List.of());
    return a;
  }

  /** Approximate size in the event: body, attributes and the record's fixed fields. */
  static long payloadSize(Message m) {
    long size = 512 + m.body().getBytes(StandardCharsets.UTF_8).length;
    for (var e : m.messageAttributes().entrySet()) {
      MessageAttributeValue v = e.getValue();
      size += e.getKey().length() + 64;
      size += v.stringValue() != null ? v.stringValue().length() : 0;
      size += v.binaryValue() != null ? v.binaryValue().asByteArray().length * 4L / 3 : 0;
    }
    return size;
  }

  /**
   * What a handler's response to {@code event} means for the batch, as Lambda reads it: without
   * {@code ReportBatchItemFailures}, or with no failures listed, every message is deleted; the
   * messages listed are kept; a list naming a null, empty or unknown id fails the whole batch.
   */
  static BatchOutcome outcome(
      SQSEvent event, SQSBatchResponse response, boolean reportBatchItemFailures) {
    if (!reportBatchItemFailures
        || response == null
        || response.getBatchItemFailures() == null
        || response.getBatchItemFailures().isEmpty()) {
      return BatchOutcome.deleteAll();
    }
    Set<String> ids = new HashSet<>();
    event.getRecords().forEach(r -> ids.add(r.getMessageId()));
    Set<String> keep = new HashSet<>();
    for (SQSBatchResponse.BatchItemFailure f : response.getBatchItemFailures()) {
      String id = f == null ? null : f.getItemIdentifier();
      if (id == null || id.isEmpty() || !ids.contains(id)) {
        // Lambda treats a response naming an unknown, null or empty id as a failed batch.
        return BatchOutcome.failed("invalid batchItemFailures entry: " + id);
      }
      keep.add(id);
    }
    return new BatchOutcome(keep, null);
  }
}
