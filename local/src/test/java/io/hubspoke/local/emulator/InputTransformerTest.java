package io.hubspoke.local.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InputTransformerTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void anInputTransformerRendersPathsAsJsonOutsideStringsAndAsTextInside() throws Exception {
    InputTransformer transformer =
        new InputTransformer(
            Map.of(
                "time", "$.time",
                "first", "$.detail.items[0]",
                "count", "$.detail.count",
                "quote", "$.detail.quote",
                "missing", "$.detail.nothing"),
            "{\"at\":<time>,\"key\":\"k-<time>\",\"first\":<first>,\"count\":<count>,"
                + "\"n\":\"<count>\",\"q\":\"<quote>\",\"gone\":<missing>,\"gone2\":\"<missing>\","
                + "\"rule\":\"<aws.events.rule-name>\",\"arn\":<aws.events.rule-arn>,"
                + "\"literal\":\"a <b> c\"}");
    String event =
        "{\"time\":\"2026-11-23T02:00:00Z\",\"detail\":{\"items\":[{\"id\":1},2],"
            + "\"count\":3,\"quote\":\"say \\\"hi\\\"\"}}";
    JsonNode input = JSON.readTree(transformer.render(event, "nightly", "arn:r/nightly"));
    assertEquals("2026-11-23T02:00:00Z", input.get("at").asText());
    assertEquals("k-2026-11-23T02:00:00Z", input.get("key").asText());
    assertEquals(JSON.readTree("{\"id\":1}"), input.get("first"));
    assertEquals(3, input.get("count").asInt());
    assertEquals("3", input.get("n").asText());
    assertEquals("say \"hi\"", input.get("q").asText());
    assertTrue(input.get("gone").isNull());
    assertEquals("", input.get("gone2").asText());
    assertEquals("nightly", input.get("rule").asText());
    assertEquals("arn:r/nightly", input.get("arn").asText());
    assertEquals("a <b> c", input.get("literal").asText(), "not a variable: left as it is");
  }

  @Test
  void aPathTheLocalBusCannotEvaluateIsRefusedWhenTheRuleIsAdded() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new InputTransformer(Map.of("x", "$.detail.*"), "<x>"));
    assertTrue(e.getMessage().contains("InputPathsMap.x"), e.getMessage());
  }

  @Test
  void theReservedVariablesNameTheRuleAndTheEvent() throws Exception {
    InputTransformer transformer =
        new InputTransformer(
            Map.of(),
            "{\"at\":<aws.events.event.ingestion-time>,\"event\":<aws.events.event>,"
                + "\"json\":<aws.events.event.json>,\"text\":\"<aws.events.rule-name>\"}");
    String event = "{\"id\":\"e-1\",\"time\":\"2026-11-23T02:00:00Z\",\"detail\":{\"n\":1}}";
    JsonNode input = JSON.readTree(transformer.render(event, "nightly", "arn:r/nightly"));
    assertEquals("2026-11-23T02:00:00Z", input.get("at").asText());
    assertEquals(
        JSON.readTree("{\"id\":\"e-1\",\"time\":\"2026-11-23T02:00:00Z\"}"),
        input.get("event"),
        "aws.events.event is the envelope without its detail");
    assertEquals(JSON.readTree(event), input.get("json"));
    assertEquals("nightly", input.get("text").asText());
  }

  @Test
  void aReservedNameCannotBeMappedToAPath() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new InputTransformer(
                    Map.of("aws.events.rule-name", "$.detail"), "<aws.events.rule-name>"));
    assertTrue(e.getMessage().contains("reserved"), e.getMessage());
  }

  @Test
  void fromTemplateReadsTheTargetOfASynthesizedRule() throws Exception {
    InputTransformer transformer =
        InputTransformer.fromTemplate(
            JSON.readTree(
                "{\"InputPathsMap\":{\"t\":\"$.time\"},\"InputTemplate\":\"{\\\"at\\\":<t>}\"}"));
    assertEquals(Map.of("t", "$.time"), transformer.inputPathsMap());
    assertEquals("{\"at\":<t>}", transformer.inputTemplate());
    assertThrows(
        IllegalArgumentException.class,
        () -> InputTransformer.fromTemplate(JSON.readTree("{\"InputPathsMap\":{}}")));
  }
}
