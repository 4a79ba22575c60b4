package io.hubspoke.local.emulator;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hubspoke.contract.json.Json;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A stream handler (the hub) behind an SQS event source mapping: the poller's {@link SQSEvent} is
 * serialized to the JSON Lambda passes ({@code Records} with {@code messageId}, {@code body},
 * {@code attributes}, {@code eventSource} …), and the handler's {@code batchItemFailures} JSON read
 * back, as Lambda's runtime does for a function that takes a stream.
 */
public final class StreamSqsFunction implements RequestHandler<SQSEvent, SQSBatchResponse> {
  private final RequestStreamHandler handler;

  public StreamSqsFunction(RequestStreamHandler handler) {
    this.handler = handler;
  }

  @Override
  public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      handler.handleRequest(
          new ByteArrayInputStream(toJson(event).getBytes(StandardCharsets.UTF_8)), out, context);
      return fromJson(Json.parse(out.toString(StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String toJson(SQSEvent event) {
    ObjectNode json = Json.object();
    ArrayNode records = json.putArray("Records");
    for (SQSEvent.SQSMessage m : event.getRecords()) {
      ObjectNode r = records.addObject();
      r.put("messageId", m.getMessageId());
      r.put("receiptHandle", m.getReceiptHandle());
      r.put("body", m.getBody());
      ObjectNode attributes = r.putObject("attributes");
      if (m.getAttributes() != null) {
        m.getAttributes().forEach(attributes::put);
      }
      ObjectNode messageAttributes = r.putObject("messageAttributes");
      if (m.getMessageAttributes() != null) {
        m.getMessageAttributes()
            .forEach(
                (name, value) ->
                    messageAttributes
                        .putObject(name)
                        .put("stringValue", value.getStringValue())
                        .put("dataType", value.getDataType()));
      }
      r.put("md5OfBody", m.getMd5OfBody());
      r.put("eventSource", m.getEventSource());
      r.put("eventSourceARN", m.getEventSourceArn());
      r.put("awsRegion", m.getAwsRegion());
    }
    return Json.write(json);
  }

  /** Lambda fails the whole batch when the response is not a batch response. */
  static SQSBatchResponse fromJson(JsonNode response) {
    JsonNode failures = response == null ? null : response.get("batchItemFailures");
    if (failures == null || !failures.isArray()) {
      throw new IllegalStateException("the function did not return batchItemFailures: " + response);
    }
    List<SQSBatchResponse.BatchItemFailure> items = new ArrayList<>();
    for (JsonNode failure : failures) {
      items.add(
          SQSBatchResponse.BatchItemFailure.builder()
              .withItemIdentifier(failure.path("itemIdentifier").asText(null))
              .build());
    }
    return SQSBatchResponse.builder().withBatchItemFailures(items).build();
  }
}
