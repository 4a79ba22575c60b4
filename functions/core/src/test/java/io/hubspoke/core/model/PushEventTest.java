package io.hubspoke.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hubspoke.contract.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PushEventTest {
  private static final String RUN = "r-0123456789abcdef01234567";

  @Test
  void roundTripsAndTurnsIntoTheTasksMessages() throws Exception {
    PushEvent event = new PushEvent(RUN, "0123456789ab", List.of(3, 4, 5));
    assertEquals(
        "{\"hubspokePush\":{\"v\":1,\"runId\":\""
            + RUN
            + "\",\"inc\":\"0123456789ab\","
            + "\"tasks\":[3,4,5]}}",
        event.toJson());
    assertEquals(event, PushEvent.parse(Json.parse(event.toJson())));
    assertEquals(
        List.of(
            new TaskMessage(RUN, 3, "0123456789ab"),
            new TaskMessage(RUN, 4, "0123456789ab"),
            new TaskMessage(RUN, 5, "0123456789ab")),
        event.messages());
    PushEvent current = new PushEvent(RUN, null, List.of(0));
    assertEquals(current, PushEvent.parse(Json.parse(current.toJson())));
  }

  @Test
  void tellsAPushEventFromAnSqsBatch() throws Exception {
    assertTrue(PushEvent.isPushEvent(Json.parse(new PushEvent(RUN, null, List.of(1)).toJson())));
    assertFalse(PushEvent.isPushEvent(Json.parse("{\"Records\":[]}")));
    assertFalse(PushEvent.isPushEvent(Json.parse("[1]")));
  }

  @Test
  void carriesOneToTenTasksFarBelowTheAsyncPayloadLimit() {
    assertThrows(IllegalArgumentException.class, () -> new PushEvent(RUN, null, List.of()));
    assertThrows(
        IllegalArgumentException.class,
        () -> new PushEvent(RUN, null, IntStream.range(0, 11).boxed().toList()));
    PushEvent largest =
        new PushEvent(RUN, "0123456789ab", IntStream.range(99_990, 100_000).boxed().toList());
    assertTrue(largest.toJson().getBytes(StandardCharsets.UTF_8).length < 256);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"Records\":[]}|the event has no field hubspokePush",
        "{\"hubspokePush\":7}|field hubspokePush is not a JSON object",
        "{\"hubspokePush\":{\"runId\":\"" + RUN + "\",\"tasks\":[1]}}|field v must be 1",
        "{\"hubspokePush\":{\"v\":1,\"runId\":\"x\",\"tasks\":[1]}}|field runId is missing or not a run id",
        "{\"hubspokePush\":{\"v\":1,\"runId\":\""
            + RUN
            + "\"}}|field tasks is missing or not an array",
        "{\"hubspokePush\":{\"v\":1,\"runId\":\""
            + RUN
            + "\",\"tasks\":[-1]}}|field tasks holds -1, not a task index",
        "{\"hubspokePush\":{\"v\":1,\"runId\":\""
            + RUN
            + "\",\"tasks\":[]}}|a push event carries 1 to 10 tasks, not 0",
        "{\"hubspokePush\":{\"v\":1,\"runId\":\""
            + RUN
            + "\",\"inc\":\"zz\",\"tasks\":[1]}}|field inc is not a run incarnation"
      })
  void rejectsBadEventsNamingTheField(String event, String reason) throws Exception {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> PushEvent.parse(Json.parse(event)));
    assertEquals(reason, e.getMessage());
  }
}
