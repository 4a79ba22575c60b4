package io.hubspoke.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TaskMessageTest {
  @Test
  void roundTrips() {
    TaskMessage message = new TaskMessage("r-0123456789abcdef01234567", 42);
    assertEquals(message, TaskMessage.parse(message.toJson()));
    TaskMessage withIncarnation = new TaskMessage("r-0123456789abcdef01234567", 7, "0123456789ab");
    assertEquals(withIncarnation, TaskMessage.parse(withIncarnation.toJson()));
    TaskMessage waited = withIncarnation.waitedOnce().waitedOnce();
    assertEquals(2, waited.waits());
    assertEquals(waited, TaskMessage.parse(waited.toJson()));
    assertEquals(
        withIncarnation.toJson().length(),
        new TaskMessage("r-0123456789abcdef01234567", 7, "0123456789ab", 0).toJson().length(),
        "a message that never waited carries no count");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "not json|message body is not JSON",
        "[1]|message body is not a JSON object",
        "{\"runId\":\"r-0123456789abcdef01234567\",\"task\":1}|field v must be 1",
        "{\"v\":1,\"task\":1}|field runId is missing or not a run id",
        "{\"v\":1,\"runId\":\"x\",\"task\":1}|field runId is missing or not a run id",
        "{\"v\":1,\"runId\":\"r-0123456789abcdef01234567\"}|field task is missing or not a task index",
        "{\"v\":1,\"runId\":\"r-0123456789abcdef01234567\",\"task\":-1}|field task is missing or not a task index",
        "{\"v\":1,\"runId\":\"r-0123456789abcdef01234567\",\"task\":1,\"inc\":\"zz\"}|field inc is not a run incarnation",
        "{\"v\":1,\"runId\":\"r-0123456789abcdef01234567\",\"task\":1,\"waits\":-1}|field waits is not a count"
      })
  void rejectsBadBodiesNamingTheField(String body, String reason) {
    assertEquals(
        reason,
        assertThrows(IllegalArgumentException.class, () -> TaskMessage.parse(body)).getMessage());
  }
}
