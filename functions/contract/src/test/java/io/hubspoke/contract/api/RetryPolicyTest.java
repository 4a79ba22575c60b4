package io.hubspoke.contract.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hubspoke.contract.validation.InvalidInputException;
import io.hubspoke.contract.workers.BuiltInWorkers;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RetryPolicyTest {
  private final RunRequestParser parser = new RunRequestParser(BuiltInWorkers.catalog());

  @Test
  void theDefaultDoublesFromOneSecondUpToSqssLongestDelay() {
    RetryPolicy d = RetryPolicy.DEFAULT;
    assertEquals(
        List.of(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900),
        java.util.stream.IntStream.rangeClosed(1, 12)
            .mapToObj(a -> d.delaySeconds(a, 0.99))
            .toList());
  }

  @Test
  void aPolicyGrowsByItsMultiplierUpToItsMaximumLessItsJitter() {
    RetryPolicy policy = new RetryPolicy(5, 3, 100, 0.5);
    // Without the random share: 5, 15, 45, 100 (capped).
    assertEquals(
        List.of(5, 15, 45, 100),
        List.of(
            policy.delaySeconds(1, 0),
            policy.delaySeconds(2, 0),
            policy.delaySeconds(3, 0),
            policy.delaySeconds(4, 0)));
    // At most half of it is taken off.
    assertEquals(50, policy.delaySeconds(4, 0.999999));
    for (double u = 0; u < 1; u += 0.05) {
      int delay = policy.delaySeconds(3, u);
      assertTrue(delay >= 22 && delay <= 45, "delay " + delay);
    }
    assertEquals(0, new RetryPolicy(0, 2, 900, 0).delaySeconds(5, 0.5), "no wait at all");
    assertEquals(policy, RetryPolicy.fromJson(policy.toJson()));
  }

  @Test
  void aRequestMayGiveAnyPartOfItsPolicy() {
    RunRequest request =
        parser.parse(
            "{\"items\":[1],\"worker\":\"echo\",\"retry\":{\"initialDelaySeconds\":0,"
                + "\"jitter\":1}}");
    assertEquals(new RetryPolicy(0, 2.0, 900, 1.0), request.retry());
    assertEquals(RetryPolicy.DEFAULT, parser.parse("{\"items\":[1],\"worker\":\"echo\"}").retry());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "[]|retry",
        "{\"initialDelaySeconds\":-1}|retry.initialDelaySeconds",
        "{\"initialDelaySeconds\":901}|retry.initialDelaySeconds",
        "{\"maxDelaySeconds\":1.5}|retry.maxDelaySeconds",
        "{\"multiplier\":0.5}|retry.multiplier",
        "{\"multiplier\":\"2\"}|retry.multiplier",
        "{\"jitter\":1.5}|retry.jitter",
        "{\"delay\":3}|retry.delay",
      })
  void aBadPolicyIsRefusedNamingTheField(String retry, String field) {
    InvalidInputException e =
        assertThrows(
            InvalidInputException.class,
            () -> parser.parse("{\"items\":[1],\"worker\":\"echo\",\"retry\":" + retry + "}"));
    assertEquals(field, e.errors().get(0).field(), e.getMessage());
    assertTrue(!e.errors().get(0).fix().isBlank());
  }
}
