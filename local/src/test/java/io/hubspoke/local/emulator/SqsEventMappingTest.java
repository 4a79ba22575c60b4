package io.hubspoke.local.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * The pure mapping of {@link SqsEventSourcePoller}. The fixture {@code
 * lambda-events/sqs-standard-queue.json} has the shape of the example standard queue event in the
 * Lambda developer guide ("Using Lambda with Amazon SQS"): the messages it describes, as
 * ReceiveMessage returns them, must map to exactly its records.
 */
class SqsEventMappingTest {
  private static final JsonNode DOCUMENTED = LambdaEventFixtures.read("sqs-standard-queue.json");
  private static final String ARN = "arn:aws:sqs:us-east-1:000000000000:hubspoke-work";

  /** Every field of a documented record; the test fails if the fixture grows one it ignores. */
  private static final Set<String> RECORD_FIELDS =
      Set.of(
          "messageId",
          "receiptHandle",
          "body",
          "attributes",
          "messageAttributes",
          "md5OfBody",
          "eventSource",
          "eventSourceARN",
          "awsRegion");

  @Test
  void receivedMessagesMapToTheRecordsLambdaDocuments() {
    JsonNode records = DOCUMENTED.get("Records");
    JsonNode first = records.get(0);
    List<Message> received = new ArrayList<>();
    records.forEach(r -> received.add(asReceived(r)));

    SQSEvent event =
        SqsEventMapping.toEvent(
            received, first.get("eventSourceARN").asText(), first.get("awsRegion").asText());

    assertEquals(records.size(), event.getRecords().size());
    for (int i = 0; i < records.size(); i++) {
      assertMapsTo(records.get(i), event.getRecords().get(i));
    }
  }

  private static void assertMapsTo(JsonNode documented, SQSEvent.SQSMessage record) {
    documented
        .fieldNames()
        .forEachRemaining(
            f -> assertTrue(RECORD_FIELDS.contains(f), "a documented field not checked: " + f));
    assertEquals(documented.get("messageId").asText(), record.getMessageId());
    assertEquals(documented.get("receiptHandle").asText(), record.getReceiptHandle());
    assertEquals(documented.get("body").asText(), record.getBody());
    assertEquals(strings(documented.get("attributes")), record.getAttributes());
    assertEquals(
        documented.get("messageAttributes").size(), record.getMessageAttributes().size(), "count");
    documented
        .get("messageAttributes")
        .fields()
        .forEachRemaining(
            e -> {
              SQSEvent.MessageAttribute a = record.getMessageAttributes().get(e.getKey());
              JsonNode expected = e.getValue();
              assertEquals(expected.get("dataType").asText(), a.getDataType());
              assertEquals(expected.get("stringValue").asText(), a.getStringValue());
              assertEquals(List.of(), a.getStringListValues());
              assertEquals(0, expected.get("stringListValues").size());
              assertEquals(List.of(), a.getBinaryListValues());
              assertEquals(0, expected.get("binaryListValues").size());
              assertNull(a.getBinaryValue());
            });
    assertEquals(documented.get("md5OfBody").asText(), record.getMd5OfBody());
    assertEquals(documented.get("eventSource").asText(), record.getEventSource());
    assertEquals(documented.get("eventSourceARN").asText(), record.getEventSourceArn());
    assertEquals(documented.get("awsRegion").asText(), record.getAwsRegion());
  }

  @Test
  void theReceiveCountAndOtherSystemAttributesPassAsReceived() {
    Message fifo =
        message("m-1", "{}")
            .attributesWithStrings(
                Map.of(
                    "ApproximateReceiveCount", "4",
                    "SentTimestamp", "1767225600123",
                    "ApproximateFirstReceiveTimestamp", "1767225600140",
                    "SenderId", "AIDAEXAMPLE",
                    "MessageGroupId", "run-7",
                    "MessageDeduplicationId", "t-1",
                    "SequenceNumber", "18849496460467696128"))
            .build();
    Map<String, String> attributes =
        SqsEventMapping.toEvent(List.of(fifo), ARN, "us-east-1")
            .getRecords()
            .get(0)
            .getAttributes();
    assertEquals(fifo.attributesAsStrings(), attributes);
    assertEquals("4", attributes.get("ApproximateReceiveCount"));
  }

  @Test
  void senderIdIsTheLocalAccountWhenTheQueueLeavesItOut() {
    Message noSender =
        message("m-1", "{}").attributesWithStrings(Map.of("ApproximateReceiveCount", "1")).build();
    SQSEvent.SQSMessage record =
        SqsEventMapping.toEvent(List.of(noSender), ARN, "us-east-1").getRecords().get(0);
    assertEquals(LocalLambdaContext.LOCAL_ACCOUNT_ID, record.getAttributes().get("SenderId"));
    assertEquals("1", record.getAttributes().get("ApproximateReceiveCount"));
  }

  @Test
  void binaryAttributesKeepTheirBytesAndTheAttributesDigestPasses() {
    Message m =
        message("m-1", "{}")
            .md5OfMessageAttributes("d41d8cd98f00b204e9800998ecf8427e")
            .messageAttributes(
                Map.of(
                    "blob",
                    MessageAttributeValue.builder()
                        .dataType("Binary")
                        .binaryValue(SdkBytes.fromUtf8String("bytes"))
                        .build(),
                    "count",
                    MessageAttributeValue.builder().dataType("Number").stringValue("3").build()))
            .build();
    SQSEvent.SQSMessage record =
        SqsEventMapping.toEvent(List.of(m), ARN, "eu-west-1").getRecords().get(0);
    SQSEvent.MessageAttribute blob = record.getMessageAttributes().get("blob");
    assertEquals("Binary", blob.getDataType());
    assertNull(blob.getStringValue());
    assertEquals("bytes", StandardCharsets.UTF_8.decode(blob.getBinaryValue()).toString());
    assertEquals(List.of(), blob.getBinaryListValues());
    assertEquals("3", record.getMessageAttributes().get("count").getStringValue());
    assertEquals("Number", record.getMessageAttributes().get("count").getDataType());
    assertEquals("d41d8cd98f00b204e9800998ecf8427e", record.getMd5OfMessageAttributes());
    assertEquals("aws:sqs", record.getEventSource());
    assertEquals(ARN, record.getEventSourceArn());
    assertEquals("eu-west-1", record.getAwsRegion());
  }

  @Test
  void aMessageWithoutAttributesHasEmptyMapsAndNoDigest() {
    SQSEvent.SQSMessage record =
        SqsEventMapping.toEvent(List.of(message("m-1", "x").build()), ARN, "us-east-1")
            .getRecords()
            .get(0);
    assertEquals(Map.of(), record.getMessageAttributes());
    assertEquals(Map.of("SenderId", LocalLambdaContext.LOCAL_ACCOUNT_ID), record.getAttributes());
    assertNull(record.getMd5OfMessageAttributes());
  }

  @Test
  void thePayloadSizeCountsTheBodyInBytesAndEachAttribute() {
    assertEquals(512 + 2, SqsEventMapping.payloadSize(message("m", "é").build()));
    Message withAttribute =
        message("m", "ab")
            .messageAttributes(
                Map.of(
                    "k",
                    MessageAttributeValue.builder().dataType("String").stringValue("xyz").build(),
                    "b",
                    MessageAttributeValue.builder()
                        .dataType("Binary")
                        .binaryValue(SdkBytes.fromByteArray(new byte[6]))
                        .build()))
            .build();
    assertEquals(512 + 2 + (1 + 64 + 3) + (1 + 64 + 8), SqsEventMapping.payloadSize(withAttribute));
  }

  // ---- the response
  // ------------------------------------------------------------------------------

  private static final List<Message> BATCH =
      List.of(message("a", "1").build(), message("b", "2").build(), message("c", "3").build());
  private static final SQSEvent EVENT = SqsEventMapping.toEvent(BATCH, ARN, "us-east-1");

  @Test
  void noResponseOrNoFailuresDeletesTheWholeBatch() {
    for (SQSBatchResponse response :
        Arrays.asList(null, new SQSBatchResponse(), new SQSBatchResponse(List.of()))) {
      BatchOutcome outcome = SqsEventMapping.outcome(EVENT, response, true);
      assertEquals(BatchOutcome.deleteAll(), outcome);
      assertEquals(BATCH, outcome.toDelete(BATCH));
    }
  }

  @Test
  void withoutReportBatchItemFailuresTheFailureListIsIgnored() {
    BatchOutcome outcome = SqsEventMapping.outcome(EVENT, failing("a", "unknown"), false);
    assertEquals(BATCH, outcome.toDelete(BATCH));
  }

  @Test
  void theReportedFailuresAreKeptAndTheRestDeleted() {
    BatchOutcome outcome = SqsEventMapping.outcome(EVENT, failing("c", "a", "a"), true);
    assertEquals(Set.of("a", "c"), outcome.keep());
    assertEquals(List.of(BATCH.get(1)), outcome.toDelete(BATCH));
  }

  @Test
  void aFailureNamingAnUnknownEmptyOrNullIdFailsTheWholeBatch() {
    List<SQSBatchResponse> invalid = new ArrayList<>();
    invalid.add(failing("a", "not-in-batch"));
    invalid.add(failing(""));
    invalid.add(failing((String) null));
    invalid.add(
        new SQSBatchResponse(Arrays.asList(new SQSBatchResponse.BatchItemFailure("a"), null)));
    for (SQSBatchResponse response : invalid) {
      BatchOutcome outcome = SqsEventMapping.outcome(EVENT, response, true);
      assertTrue(outcome.isFailed(), "failed: " + response);
      assertTrue(outcome.failure().startsWith("invalid batchItemFailures entry: "));
      assertEquals(List.of(), outcome.toDelete(BATCH));
    }
  }

  private static SQSBatchResponse failing(String... ids) {
    List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
    for (String id : ids) {
      failures.add(new SQSBatchResponse.BatchItemFailure(id));
    }
    return new SQSBatchResponse(failures);
  }

  private static Message.Builder message(String id, String body) {
    return Message.builder().messageId(id).receiptHandle("rh-" + id).body(body);
  }

  /** The message ReceiveMessage returned for a documented record. */
  private static Message asReceived(JsonNode record) {
    Map<String, MessageAttributeValue> attributes = new LinkedHashMap<>();
    record
        .get("messageAttributes")
        .fields()
        .forEachRemaining(
            e ->
                attributes.put(
                    e.getKey(),
                    MessageAttributeValue.builder()
                        .dataType(e.getValue().get("dataType").asText())
                        .stringValue(e.getValue().get("stringValue").asText())
                        .build()));
    return message(record.get("messageId").asText(), record.get("body").asText())
        .receiptHandle(record.get("receiptHandle").asText())
        .md5OfBody(record.get("md5OfBody").asText())
        .attributesWithStrings(strings(record.get("attributes")))
        .messageAttributes(attributes)
        .build();
  }

  private static Map<String, String> strings(JsonNode object) {
    Map<String, String> map = new LinkedHashMap<>();
    object.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue().asText()));
    return map;
  }
}
