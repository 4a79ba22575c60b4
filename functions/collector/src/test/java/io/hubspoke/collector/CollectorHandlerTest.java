package io.hubspoke.collector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Events the collector cannot act on are answered, not thrown (a retry could not help). */
class CollectorHandlerTest {
  // No summarizer or sweeper: none of these events may reach them.
  private final CollectorHandler handler = new CollectorHandler(null, null);

  private static InputStream fixture(String name) {
    return CollectorHandlerTest.class.getResourceAsStream("/events/" + name);
  }

  @Test
  void anUnknownDetailTypeIsIgnoredWithTheReason() throws Exception {
    ObjectNode response = handler.handle(fixture("unknown-detail-type.json"));
    assertEquals("IGNORED", response.get("outcome").asText());
    assertTrue(response.get("reason").asText().contains("RunExploded"));
  }

  @Test
  void aRunDrainedWithoutARunIdIsIgnoredWithTheReason() throws Exception {
    ObjectNode response = handler.handle(fixture("run-drained-malformed.json"));
    assertEquals("IGNORED", response.get("outcome").asText());
    assertTrue(response.get("reason").asText().contains("detail.runId"));
  }

  @Test
  void aScheduledEventFromAnotherSourceIsIgnored() throws Exception {
    ObjectNode response =
        handler.handle(
            new ByteArrayInputStream(
                "{\"source\":\"hubspoke\",\"detail-type\":\"Scheduled Event\",\"detail\":{}}"
                    .getBytes(StandardCharsets.UTF_8)));
    assertEquals("IGNORED", response.get("outcome").asText());
    assertEquals(
        "a Scheduled Event must come from aws.events, not 'hubspoke'",
        response.get("reason").asText());
  }

  @Test
  void anEventThatIsNotJsonIsIgnored() throws Exception {
    ObjectNode response =
        handler.handle(new ByteArrayInputStream("not json".getBytes(StandardCharsets.UTF_8)));
    assertEquals("IGNORED", response.get("outcome").asText());
  }
}
