package io.hubspoke.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DispatchMessageTest {
  @Test
  void roundTrips() {
    DispatchMessage message = new DispatchMessage("k-0123456789abcdef01234567", "0123456789ab", 3);
    assertEquals(message, DispatchMessage.parse(message.toJson()));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "not json|message body is not JSON",
        "{\"runId\":\"r-0123456789abcdef01234567\"}|field v must be 1",
        "{\"v\":1,\"incarnation\":\"0123456789ab\",\"chunk\":0}|field runId is missing or not a run id",
        "{\"v\":1,\"runId\":\"r-0123456789abcdef01234567\",\"chunk\":0}|field incarnation is missing or malformed",
        "{\"v\":1,\"runId\":\"r-0123456789abcdef01234567\",\"incarnation\":\"0123456789ab\"}|field chunk is missing or not a chunk number",
        "{\"v\":1,\"runId\":\"r-0123456789abcdef01234567\",\"incarnation\":\"0123456789ab\",\"chunk\":-1}|field chunk is missing or not a chunk number"
      })
  void rejectsBadBodiesNamingTheField(String body, String reason) {
    assertEquals(
        reason,
        assertThrows(IllegalArgumentException.class, () -> DispatchMessage.parse(body))
            .getMessage());
  }
}
